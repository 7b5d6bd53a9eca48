"""``CountyModel``: one county, one day per step.

The episode pipeline of a day (``shared/DESIGN.md`` §4), each stage a handful
of array operations over all of the day's episodes:

1. ward: recovery-phase down-referrals 下转 that are due, then discharges
   (claims, 30-day readmission scheduling);
2. onset of new episodes, readmissions due today, chronic follow-ups;
3. severity and care seeking;
4. first-contact choice (multinomial logit);
5. treatment: a facility treats what it can and has a bed for, otherwise it
   refers up (village -> township -> county -> city -> province); the county
   hospital's referrals leave the county;
6. admission: length of stay, cost, bed occupied; daily record.
"""

from __future__ import annotations

from collections import defaultdict

import mesa
import numpy as np
import pandas as pd
from scipy.special import ndtri

from sim import claims as cl
from sim.accounts import claims_tables, settle_model
from sim.behaviour import build_choice_tables, capability_table, choose_first_contact, referral_targets
from sim.casemix import CHRONIC, INPATIENT, OUTPATIENT, Casemix, load_casemix
from sim.config.scenario import ScenarioConfig
from sim.facilities import AGENT_CLASS, Facility
from sim.levels import CITY, COUNTY, LEVEL_NAMES, PRIMARY_MAX_LEVEL, TOWNSHIP
from sim.onset import OnsetProcess
from sim.payment.caps import OutpatientCapTracker
from sim.policy.regime import regime_for_year, rules_before
from sim.policy.reinvestment import investment, retained_surplus, upgrade_cells
from sim.population import build_population
from sim.streams import RandomStreams, derived_ids
from sim.ward import Ward
from sim.world import UNLIMITED_BEDS, build_world

READMISSION_WINDOW_DAYS = 30
#: slot numbers of keyed draws that are not per referral pass
_SLOT_DOWN, _SLOT_TRIAGE, _SLOT_ACCEPT = 20, 21, 22

DAILY_COLUMNS = ("onsets", "no_care", "outpatient_episodes", "visits", "visits_primary", "visits_in_county", "chronic_visits",
                 "outpatient_referrals", "admissions", "admissions_in_county", "admissions_township",
                 "admissions_county", "admissions_out_of_county", "up_referrals", "up_referrals_out_of_county",
                 "down_referrals", "readmissions", "discharges", "census_township", "census_county")


class CountyModel(mesa.Model):
    """Agent-based model of a county medical community.

    Parameters
    ----------
    config : validated scenario.
    casemix : pre-loaded case-mix table (loaded from ``config.casemix`` if omitted).

    Attributes
    ----------
    world, population, casemix : the county, its residents (numpy arrays) and its conditions.
    facilities : list of :class:`~sim.facilities.Facility` agents, index = facility row.
    census : (F,) inpatients in a bed at each facility now.
    claims : the run's :class:`~sim.claims.ClaimsRecorder`.
    capacity : per year (rows) and facility (columns): ``invested`` (yuan of retained surplus reinvested at
        the year's start), ``quality`` (perceived quality in force, 0-1), ``capable_cells`` (condition x
        severity cells the facility treats).
    daily : dict of per-day counters (``DAILY_COLUMNS``), one list entry per simulated day.
    """

    def __init__(self, config: ScenarioConfig, casemix: Casemix | None = None):
        super().__init__(rng=config.seed)
        self.config = config
        self.streams = RandomStreams(config.seed)
        self.casemix = casemix if casemix is not None else load_casemix(
            config.casemix.table, config.casemix.incidence_scale, config.casemix.incidence_multipliers)
        self.world = build_world(config.world, config.population, self.streams.generator("world"))
        self.population = build_population(config.population, self.world, config.demography,
                                           config.demography.followup_interval_days,
                                           self.streams.generator("population"))
        self.n_days = config.years * cl.DAYS_PER_YEAR
        self.day = 0

        fac = self.world.facilities
        self.level = fac["level"].to_numpy().astype(np.int64)
        unlimited = (fac["beds"].to_numpy() >= UNLIMITED_BEDS) | (not config.mechanisms.capacity)
        self.beds = np.where(unlimited, np.iinfo(np.int64).max // 4, fac["beds"].to_numpy()).astype(np.int64)
        F = len(fac)
        capable = capability_table(self.world, self.casemix)
        quality = np.array(config.choice.quality_by_level.as_list())[self.level]
        self.rules_before = rules_before(config)
        self.regime = regime_for_year(config, self.rules_before, 0, self.casemix)
        self.facilities: list[Facility] = [
            AGENT_CLASS[int(self.level[r])](self, r, capable[r].copy(), quality[r]) for r in range(F)]
        # per-person annual outpatient caps need each resident's running total, kept as the visits happen
        self.outpatient_caps = OutpatientCapTracker(self.regime.rules.insurance, self.level,
                                                    self.casemix.setting == CHRONIC, self.population.n)
        self.census = np.zeros(F, dtype=np.int64)
        self.bed_days_month = np.zeros(F, dtype=np.int64)
        self.bed_days = np.zeros((config.years, F), dtype=np.int64)
        self.targets = referral_targets(self.world)

        self.onset = OnsetProcess(self.population, self.casemix, self.streams.generator("onset"),
                                  config.demography.followup_interval_days)
        self.ward = Ward()
        self.claims = cl.ClaimsRecorder(F, self.casemix.n, self.n_days - 1,
                                        individual_outpatient=config.output.claims == "all")
        self.pending_readmissions: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = defaultdict(list)
        self.daily: dict[str, list[int]] = {k: [] for k in DAILY_COLUMNS}
        self._today: dict[str, int] = {}

        cm = self.casemix
        self._sev_cum = np.cumsum(cm.severity_shares, axis=1)[:, :2]
        self._seek = np.array(config.casemix.seek_care.as_list())
        self._cost_factor = np.array(config.casemix.cost_factor.as_list())
        self._los_factor = np.array(config.casemix.los_factor.as_list())
        op_rows = cm.setting != INPATIENT
        with np.errstate(all="ignore"):
            self._consult_cost = np.nan_to_num(np.nanmedian(np.where(op_rows[:, None], cm.cost, np.nan), axis=0))
        self._upgrades = {lvl: upgrade_cells(cm, rule, lvl) for lvl, rule in config.reinvestment.by_level().items()}
        self.capacity = {"invested": np.zeros((config.years, F)), "quality": np.zeros((config.years, F)),
                         "capable_cells": np.zeros((config.years, F), dtype=np.int64)}
        self.sync_facilities()
        self.refresh_choice_tables()
        self._log_capacity(0)

    # -- facility state as arrays ------------------------------------------------------------
    def sync_facilities(self) -> None:
        """Read the facility agents' capability, quality and propensities into arrays (F = facilities)."""
        fs = self.facilities
        self.capable = np.stack([f.capable for f in fs])                # (F, C, 3)
        self.quality = np.array([f.quality for f in fs])                # (F,)
        self.refer_up = np.stack([f.refer_up for f in fs])              # (F, C, 3)
        self.triage_down = np.stack([f.triage_down for f in fs])        # (F, C, 3)
        self.accept = np.stack([f.accept for f in fs])                  # (F, C, 3)
        self.down_prop = np.stack([f.down_recovery for f in fs])        # (F, C)

    def refresh_choice_tables(self) -> None:
        """Rebuild utilities after prices, rules, quality or capability change."""
        self.choice_tables = build_choice_tables(self.config.choice, self.world, self.casemix, self.capable,
                                                 self.quality, self.regime.expected_oop)

    def start_year(self, year: int) -> None:
        """Close the books of the year just ended (reinvesting retained surplus), then put the rules of
        ``year`` in force: facilities review their propensities, patients their prices."""
        self._reinvest(year)
        self.regime = regime_for_year(self.config, self.rules_before, year, self.casemix)
        self.outpatient_caps.set_rules(self.regime.rules.insurance)
        for f in self.facilities:
            f.review_incentives()
        self.sync_facilities()
        self.refresh_choice_tables()
        self._log_capacity(year)

    def _reinvest(self, year: int) -> None:
        """Settle year ``year - 1`` under its rules and let each facility invest its retained surplus
        (:mod:`sim.policy.reinvestment`). Nothing happens without a global budget that year, with the
        channel switched off, or with every level's share at zero."""
        cfg = self.config.reinvestment
        rules = cfg.by_level()
        if not (self.regime.rules.budget.enabled and self.config.mechanisms.surplus_reinvestment
                and any(rule.share > 0 for rule in rules.values())):
            return
        settled = settle_model(self, *claims_tables(self), range(year))
        amounts = investment(retained_surplus(settled.facility_finances, year - 1, len(self.facilities)),
                             self.level, cfg)
        for f in self.facilities:
            if amounts[f.row] > 0:
                f.invest(float(amounts[f.row]), rules[f.level], self._upgrades[f.level])
        self.capacity["invested"][year] = amounts

    def _log_capacity(self, year: int) -> None:
        self.capacity["quality"][year] = self.quality
        self.capacity["capable_cells"][year] = self.capable.sum(axis=(1, 2))

    # -- the day -------------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one day."""
        d = self.day
        if d and d % cl.DAYS_PER_YEAR == 0:
            self.start_year(d // cl.DAYS_PER_YEAR)
        self._today = dict.fromkeys(DAILY_COLUMNS, 0)
        self._ward_events(d)
        ids, res, cond = self.onset.new_episodes()
        self._today["onsets"] = len(ids)
        setting = self.casemix.setting[cond]
        op = setting == OUTPATIENT
        self._outpatient(d, ids[op], res[op], cond[op], chronic=False)
        fu_ids, fu_res, fu_cond = self.onset.followups(d)
        self._outpatient(d, fu_ids, fu_res, fu_cond, chronic=True)
        ip = ~op
        r_ids, r_res, r_cond = self._due_readmissions(d)
        self._inpatient(d, np.concatenate([ids[ip], r_ids]), np.concatenate([res[ip], r_res]),
                        np.concatenate([cond[ip], r_cond]), readmission=np.r_[np.zeros(ip.sum(), bool),
                                                                             np.ones(len(r_ids), bool)])
        self.bed_days_month += self.census
        self.bed_days[d // cl.DAYS_PER_YEAR] += self.census
        self._today["census_township"] = int(self.census[self.level == TOWNSHIP].sum())
        self._today["census_county"] = int(self.census[self.level == COUNTY].sum())
        for k, v in self._today.items():
            self.daily[k].append(int(v))
        self.day += 1
        day_of_year = self.day % cl.DAYS_PER_YEAR
        if day_of_year in cl.MONTH_START[1:] or day_of_year == 0:
            year, month = cl.year_month(d)
            self.claims.close_month(int(year), int(month), self._outpatient_cut)
            self.agents.do("step")
            self.bed_days_month[:] = 0
            self.sync_facilities()

    def run(self, progress=None) -> None:
        """Run to the end of the configured years, then close stays still open.

        ``progress`` : optional callable ``(days_done, n_days)``, called at each month end.
        """
        while self.day < self.n_days:
            self.step()
            if progress is not None and self.day % 30 == 0:
                progress(self.day, self.n_days)
        self._close_open_stays()

    # -- stages --------------------------------------------------------------------------------
    def _severity(self, ids: np.ndarray, cond: np.ndarray) -> np.ndarray:
        u = self.streams.uniform("severity", ids)
        cum = self._sev_cum[cond]
        return (u > cum[:, 0]).astype(np.int64) + (u > cum[:, 1])

    def _choose(self, ids, res, cond, sev, inpatient: bool) -> np.ndarray:
        pop = self.population
        k = self.world.alternatives.shape[1]
        return choose_first_contact(self.choice_tables, self.world, self.level, pop.village[res], cond, sev,
                                    pop.scheme[res].astype(np.int64), pop.contracted[res], inpatient,
                                    self.streams.gumbel("choice", ids, k))

    def _outpatient(self, d: int, ids, res, cond, chronic: bool) -> None:
        if len(ids) == 0:
            return
        if chronic:
            sev = np.ones(len(ids), dtype=np.int64)
        else:
            sev = self._severity(ids, cond)
            seek = self.streams.uniform("seek", ids) < self._seek[sev]
            self._today["no_care"] += int((~seek).sum())
            ids, res, cond, sev = ids[seek], res[seek], cond[seek], sev[seek]
            self._today["outpatient_episodes"] += len(ids)
        fac = self._choose(ids, res, cond, sev, inpatient=False)
        scheme = self.population.scheme[res].astype(np.int64)
        referred = np.zeros(len(ids), dtype=np.int64)
        visit_fac, visit_cost, visit_idx, visit_ref = [], [], [], []
        for _ in range(len(LEVEL_NAMES)):
            bad = ~self.capable[fac, cond, sev]
            if not bad.any():
                break
            # a referral consultation at the facility that cannot treat, then the patient moves up
            idx = np.flatnonzero(bad)
            visit_fac.append(fac[idx]); visit_idx.append(idx); visit_ref.append(referred[idx].copy())
            visit_cost.append(self._consult_cost[self.level[fac[idx]]])
            fac[idx] = self.targets[fac[idx]]
            referred[idx] = 1
        lvl = self.level[fac]
        cost = self.casemix.cost[cond, lvl] * self._cost_factor[sev]
        all_idx = np.concatenate([np.arange(len(ids))] + visit_idx)
        all_fac = np.concatenate([fac] + visit_fac)
        all_cost = np.concatenate([cost] + visit_cost)
        all_ref = np.concatenate([referred] + visit_ref)
        self.claims.add_outpatient(d, all_fac, cond[all_idx], scheme[all_idx], all_ref, all_cost, res[all_idx],
                                   ids[all_idx])
        self.outpatient_caps.add(d, all_fac, cond[all_idx], scheme[all_idx], all_ref, all_cost, res[all_idx],
                                 ids[all_idx], self._outpatient_cut(cond[all_idx], all_fac, all_ref.astype(bool)))
        all_lvl = self.level[all_fac]
        t = self._today
        t["visits"] += len(all_fac)
        t["visits_primary"] += int((all_lvl <= PRIMARY_MAX_LEVEL).sum())
        t["visits_in_county"] += int((all_lvl <= COUNTY).sum())
        t["outpatient_referrals"] += sum(len(v) for v in visit_idx)
        if chronic:
            t["chronic_visits"] += len(all_fac)

    def _inpatient(self, d: int, ids, res, cond, readmission: np.ndarray) -> None:
        if len(ids) == 0:
            return
        sev = self._severity(ids, cond)
        seek = (self.streams.uniform("seek", ids) < self._seek[sev]) | readmission
        self._today["no_care"] += int((~seek).sum())
        ids, res, cond, sev, readmission = ids[seek], res[seek], cond[seek], sev[seek], readmission[seek]
        n = len(ids)
        fac = self._choose(ids, res, cond, sev, inpatient=True)
        first_level = self.level[fac]
        path = np.full(n, cl.SELF, dtype=np.int64)
        fac = self._triage_down(ids, res, cond, sev, fac, path)
        may_refer_out = self.regime.referral.may_refer_out_by_choice()
        free = self.beds - self.census
        pending = np.ones(n, dtype=bool)
        for p in range(len(LEVEL_NAMES) + 1):
            idx = np.flatnonzero(pending)
            if idx.size == 0:
                break
            f = fac[idx]
            capable = self.capable[f, cond[idx], sev[idx]]
            refer_capable = capable & (self.streams.uniform("referral", ids[idx], p) < self.refer_up[f, cond[idx], sev[idx]])
            # the county hospital follows the referral lists; a redirected patient is not sent back up
            refer_capable &= ((self.level[f] != COUNTY) | may_refer_out[cond[idx]]) & (path[idx] != cl.REDIRECTED_DOWN)
            wants = capable & ~refer_capable
            admitted = wants & self._within_free_beds(f, wants, ids[idx], free, slot=p)
            free -= np.bincount(f[admitted], minlength=len(free))
            moved = ~admitted
            reason = np.where(~capable, cl.REFERRED_INCAPABLE, np.where(refer_capable, cl.REFERRED_CAPABLE,
                                                                        cl.REFERRED_CAPACITY))
            first_move = moved & (path[idx] == cl.SELF)
            path[idx[first_move]] = reason[first_move]
            fac[idx[moved]] = self.targets[f[moved]]
            pending[idx[admitted]] = False
        assert not pending.any(), "every admission must end at a facility"
        self._admit(d, ids, res, cond, sev, fac, path, first_level, readmission)

    def _triage_down(self, ids, res, cond, sev, fac, path) -> np.ndarray:
        """County hospitals redirect admissions a township centre can treat to the patient's centre 首诊下转,
        if the centre accepts (propensities from their margins). Marks ``path``; returns the new facilities."""
        thc = self.world.thc_of_township[self.population.township[res]]
        candidate = (self.level[fac] == COUNTY) & self.capable[thc, cond, sev]
        if not candidate.any():
            return fac
        send = self.streams.uniform("referral", ids, _SLOT_TRIAGE) < self.triage_down[fac, cond, sev]
        take = self.streams.uniform("referral", ids, _SLOT_ACCEPT) < self.accept[thc, cond, sev]
        moved = candidate & send & take
        path[moved] = cl.REDIRECTED_DOWN
        self._today["down_referrals"] += int(moved.sum())
        return np.where(moved, thc, fac)

    def _within_free_beds(self, f: np.ndarray, wants: np.ndarray, ids: np.ndarray, free: np.ndarray,
                          slot: int) -> np.ndarray:
        """True for the episodes that get one of their facility's free beds (random queue order)."""
        prio = self.streams.uniform("capacity", ids, slot)
        order = np.lexsort((prio, ~wants, f))        # per facility: candidates first, in queue order
        f_sorted = f[order]
        starts = np.searchsorted(f_sorted, f_sorted, side="left")
        rank = np.empty(len(f), dtype=np.int64)
        rank[order] = np.arange(len(f)) - starts
        return rank < free[f]

    def _admit(self, d, ids, res, cond, sev, fac, path, first_level, readmission) -> None:
        cm = self.casemix
        lvl = self.level[fac]
        los_mean = cm.los[cond, lvl] * self._los_factor[sev]
        cv = self.config.casemix.los_cv
        sigma = np.sqrt(np.log1p(cv * cv))
        z = ndtri(self.streams.uniform("los", ids))
        days = np.maximum(1, np.rint(los_mean * np.exp(sigma * z - sigma * sigma / 2))).astype(np.int64)
        base = cm.cost[cond, lvl] * self._cost_factor[sev]
        fixed_share = self.config.casemix.cost_fixed_share
        acute = np.maximum(1, np.rint(days * (1 - cm.recovery_fraction[cond]))).astype(np.int64)
        transfer = np.where((lvl == COUNTY) & cm.recovery_eligible[cond] & (acute < days), d + acute, -1)
        self.ward.add({
            "episode_id": ids, "resident": res, "condition": cond, "severity": sev, "facility": fac, "level": lvl,
            "segment": np.zeros(len(ids)), "path": path, "first_level": first_level, "readmission": readmission,
            "admit_day": np.full(len(ids), d), "end_day": d + days, "transfer_day": transfer,
            "fixed_cost": base * fixed_share, "per_day_cost": base * (1 - fixed_share) / los_mean})
        self.census += np.bincount(fac, minlength=len(self.census))
        t = self._today
        t["admissions"] += len(ids)
        t["admissions_in_county"] += int((lvl <= COUNTY).sum())
        t["admissions_township"] += int((lvl == TOWNSHIP).sum())
        t["admissions_county"] += int((lvl == COUNTY).sum())
        t["admissions_out_of_county"] += int((lvl >= CITY).sum())
        up = np.isin(path, cl.UP_PATHS)
        t["up_referrals"] += int(up.sum())
        t["up_referrals_out_of_county"] += int((up & (lvl >= CITY)).sum())
        t["readmissions"] += int(readmission.sum())

    def _ward_events(self, d: int) -> None:
        cols = self.ward.cols
        if len(self.ward) == 0:
            return
        due = cols["transfer_day"] == d
        if due.any():
            self._down_referrals(d, due)
        done = self.ward.cols["end_day"] == d
        if done.any():
            stays = self.ward.take(done)
            self._discharge(stays, d)

    def _down_referrals(self, d: int, due: np.ndarray) -> None:
        cols = self.ward.cols
        idx = np.flatnonzero(due)
        ids = cols["episode_id"][idx]
        wants = self.streams.uniform("referral", ids, _SLOT_DOWN) < \
            self.down_prop[cols["facility"][idx], cols["condition"][idx]]
        thc = self.world.thc_of_township[self.population.township[cols["resident"][idx]]]
        free = self.beds - self.census
        moved = wants & self._within_free_beds(thc, wants, ids, free, slot=_SLOT_DOWN)
        cols["transfer_day"][idx] = -1
        if not moved.any():
            return
        mask = np.zeros(len(self.ward), dtype=bool)
        mask[idx[moved]] = True
        stays = self.ward.take(mask)
        thc = thc[moved]  # take() keeps ward order, and idx is ascending
        remaining = stays["end_day"] - d
        self._book(stays, np.full(len(thc), d))
        self.census -= np.bincount(stays["facility"], minlength=len(self.census))
        recovery = dict(stays)
        recovery.update({
            "facility": thc, "level": np.full(len(thc), TOWNSHIP), "segment": stays["segment"] + 1,
            "path": np.full(len(thc), cl.REFERRED_DOWN), "admit_day": np.full(len(thc), d),
            "end_day": d + remaining, "transfer_day": np.full(len(thc), -1), "fixed_cost": np.zeros(len(thc)),
            "per_day_cost": np.full(len(thc), self.config.casemix.recovery_bed_day_cost)})
        self.ward.add(recovery)
        self.census += np.bincount(thc, minlength=len(self.census))
        self._today["down_referrals"] += len(thc)

    def _discharge(self, stays: dict[str, np.ndarray], d: int) -> None:
        self._book(stays, np.full(len(stays["episode_id"]), d))
        self.census -= np.bincount(stays["facility"], minlength=len(self.census))
        self._today["discharges"] += len(stays["episode_id"])
        ids = stays["episode_id"]
        risk = self.casemix.readmit_30d[stays["condition"]] * \
            np.array(self.config.referral.readmission_by_level.as_list())[stays["level"]]
        back = self.streams.uniform("readmission", ids, 0) < risk
        if back.any():
            delay = 1 + np.floor(self.streams.uniform("readmission", ids[back], 1) * (READMISSION_WINDOW_DAYS - 1))
            day = d + delay.astype(np.int64)
            new_ids = derived_ids(ids[back], salt=1)
            for when in np.unique(day):
                sel = day == when
                self.pending_readmissions[int(when)].append(
                    (new_ids[sel], stays["resident"][back][sel], stays["condition"][back][sel]))

    def _due_readmissions(self, d: int):
        batches = self.pending_readmissions.pop(d, [])
        if not batches:
            empty = np.zeros(0, dtype=np.int64)
            return empty.astype(np.uint64), empty, empty
        return tuple(np.concatenate([b[i] for b in batches]) for i in range(3))

    def _book(self, stays: dict[str, np.ndarray], discharge_day: np.ndarray, open_at_end: bool = False) -> None:
        res, cond, lvl, path = stays["resident"], stays["condition"], stays["level"], stays["path"]
        scheme = self.population.scheme[res].astype(np.int64)
        rules = self.regime.referral
        unreferred = (lvl >= CITY) & ~rules.referred_out(cond, path)
        drg, rw = self.casemix.drg_of(cond, self.population.age[res])
        self.claims.add_inpatient(stays, discharge_day, scheme, rules.ratio_cut(cond, lvl, path), unreferred,
                                  drg, rw, open_at_end=open_at_end)

    def _outpatient_cut(self, condition: np.ndarray, facility: np.ndarray, referred: np.ndarray) -> np.ndarray:
        """Reimbursement cut of outpatient visits under the rules in force (a referred visit is not a bypass)."""
        path = np.where(referred, cl.REFERRED_INCAPABLE, cl.SELF)
        return self.regime.referral.ratio_cut(condition, self.level[facility], path)

    def _close_open_stays(self) -> None:
        """Stays still open at the end are booked up to the last day, flagged ``open_at_end``."""
        if len(self.ward):
            stays = self.ward.take(np.ones(len(self.ward), dtype=bool))
            self._book(stays, np.full(len(stays["episode_id"]), self.n_days), open_at_end=True)
