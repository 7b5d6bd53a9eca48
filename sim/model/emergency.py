"""Health in the model: chronic control states and incidence multipliers, background deaths, and the
time-critical path of strokes and heart attacks with a green channel 绿色通道 (docs/health.md).

:class:`Health` is built by :class:`~sim.model.model.CountyModel` when any of ``mechanisms.chronic_control``,
``mechanisms.demography``, ``mechanisms.emergency`` is on; its stages (``deaths`` before ``onset``,
``emergency`` after ``admit``) are plugged into the day with ``model.add_stage``. Every draw is keyed on the
``health`` stream (resident or episode ids, own slots) or on the ``health_onset`` / ``demography`` streams, so
with all three switches off nothing else moves.

Per year it logs (``Health.log[year]``): deaths by cause and their years of life lost, strokes and heart attacks,
disabled stroke survivors, avoidable (ambulatory-care-sensitive) admissions, control of hypertension and
diabetes, births, and the yearly cost of protocol care and of the green channel (yuan; reported, not in claims).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import numpy as np

from sim.behaviour import chronic_control as cc
from sim.behaviour import management_effort
from sim.codes import COUNTY, DAYS_PER_YEAR, TOWNSHIP
from sim.config.health import ACSC_CONDITIONS, DM_CONDITIONS, HTN_CONDITIONS
from sim.county import demography
from sim.stages import Day, Stage

if TYPE_CHECKING:
    from sim.model.model import CountyModel

N_STRATA = 8
#: keyed-draw slots on the ``health`` stream (resident ids unless said)
_SLOT_HTN, _SLOT_DM, _SLOT_PROTOCOL, _SLOT_OLD_AGE = 0, 1, 2, 6
_SLOT_DIE_YEAR, _SLOT_DIE_DAY, _SLOT_SEX = 3, 4, 5          # + 10 * year for the yearly draws
_E_KEEP, _E_DIE, _E_DISABLE, _E_OTHER = 40, 41, 42, 43       # episode ids
_SEV_FACTOR = np.array([0.3, 1.0, 3.0])                      # other admissions' fatality by severity [A]
_REFERRAL_ASSESSMENT_MIN = 30.0                               # minutes at a first facility before transfer [A]


class Health:
    """Chronic control, deaths and emergencies of one model (see the module docstring)."""

    def __init__(self, m: CountyModel):
        self.m = m
        cfg, mech, pop, cm = m.config, m.config.mechanisms, m.population, m.casemix
        self.cfg = cfg.health
        self.on_control, self.on_demography, self.on_emergency = mech.chronic_control, mech.demography, \
            mech.emergency
        n = pop.n
        self.rid = np.arange(n, dtype=np.uint64)
        self.alive = np.ones(n, dtype=bool)
        self.died_day = np.full(n, -1, dtype=np.int64)
        self.log: dict[int, dict] = defaultdict(lambda: {"deaths": Counter(), "yll": Counter(), "births": 0,
                                                         "strokes": 0, "heart_attacks": 0, "stroke_disabled": 0,
                                                         "emergency_minutes": [], "avoidable_admissions": 0,
                                                         "cv_events_managed_htn": 0, "strokes_managed_htn": 0,
                                                         "emergency_expected_deaths": 0.0})
        codes = cm.codes
        self.htn_conds = np.array([codes.index(c) for c in HTN_CONDITIONS if c in codes], dtype=np.int64)
        self.dm_conds = np.array([codes.index(c) for c in DM_CONDITIONS if c in codes], dtype=np.int64)
        self.acsc = np.isin(np.arange(cm.n), [codes.index(c) for c in ACSC_CONDITIONS if c in codes])
        e = self.cfg.emergency
        self.stroke = np.isin(np.arange(cm.n), [codes.index(c) for c in e.stroke_conditions if c in codes])
        self.mi = np.isin(np.arange(cm.n), [codes.index(c) for c in e.mi_conditions if c in codes])
        self.other_fatality = np.zeros(cm.n)
        for c, p in e.other_fatality.items():
            if c in codes:
                self.other_fatality[codes.index(c)] = p
        if self.on_demography:
            # ages within 65+ follow the life table (the builder's uniform 65-99 over-counts the very old)
            old = pop.age_band == pop.age_band.max()
            pop.age[old] = demography.oldest_band_ages(m.streams.uniform("health", self.rid[old], _SLOT_OLD_AGE),
                                                       pop.sex[old], self.cfg.life_table,
                                                       int(pop.age[old].min()) if old.any() else 65)
        self.u_htn = m.streams.uniform("health", self.rid, _SLOT_HTN)
        self.u_dm = m.streams.uniform("health", self.rid, _SLOT_DM)
        self.u_protocol = m.streams.uniform("health", self.rid, _SLOT_PROTOCOL)
        # the reference control (rules before the reform) fixes the normaliser of the incidence multipliers
        stratum = pop.age_band.astype(np.int64) * 2 + pop.sex
        ref, _ = self.protocol_share(m.rules_before)
        self.norm = {}
        for name in ("htn", "dm"):
            disease, managed, p = self._control_probability(name, ref)
            rr_ref = cc.expected_relative_risk(disease, p, *self._rr(name))
            tot = np.bincount(stratum, weights=rr_ref, minlength=N_STRATA)
            cnt = np.bincount(stratum, minlength=N_STRATA)
            self.norm[name] = np.where(cnt > 0, tot / np.maximum(cnt, 1), 1.0)          # (8,) mean rr_ref
        self._death_order = np.zeros(0, dtype=np.int64)
        self._death_when = np.zeros(0, dtype=np.int64)
        m.onset.alive = self.alive if self.on_demography else None

    # -- chronic control ---------------------------------------------------------------------------
    def _rr(self, name: str) -> tuple[float, float, float]:
        c = self.cfg.chronic
        if name == "htn":
            return c.htn_uncontrolled_rr, c.htn_controlled_factor, c.effect_scale
        return c.dm_uncontrolled_rr, c.dm_controlled_factor, c.effect_scale

    def _control_probability(self, name: str, protocol_share: float):
        pop, c = self.m.population, self.cfg.chronic
        protocol = self.u_protocol < protocol_share
        if name == "htn":
            return pop.hypertension, pop.managed_htn, cc.control_probability(
                pop.managed_htn, protocol, c.htn_control_unmanaged, c.htn_control_managed, c.htn_control_protocol)
        return pop.diabetes, pop.managed_dm, cc.control_probability(
            pop.managed_dm, protocol, c.dm_control_unmanaged, c.dm_control_managed, c.dm_control_protocol)

    def protocol_share(self, rules, realised: management_effort.Realised | None = None) -> tuple[float, float]:
        """``(share, incentive)``: the protocol share in force under ``rules`` (the rule's, raised by management
        effort when that responds) and the incentive behind it, yuan per managed patient a year (0 when effort
        does not respond). With ``realised`` (last year's settlement) and ``health.effort.realised`` on,
        expectations are last year's realised surpluses (docs/health.md §4)."""
        share = rules.policy.chronic_management.protocol_share
        if not self.m.config.mechanisms.management_effort:
            return share, 0.0
        e, cap, b = self.cfg.effort, rules.payment.capitation, rules.budget
        primary = cap.split.township + cap.split.village
        budget_share = b.surplus_retention * (b.surplus_split.township + b.surplus_split.village)
        parts = management_effort.rule_incentive(cap.enabled, cap.rate, primary, e.capitation_retained_share,
                                                 b.enabled, e.budget_saving_per_patient * budget_share)
        if realised is not None and e.realised:
            parts = management_effort.realised_incentive(
                realised, cap.enabled, cap.rate, primary, b.enabled, e.budget_saving_per_patient, budget_share,
                parts[0])
        incentive = parts[0] + parts[1] + e.public_health_per_patient
        return management_effort.protocol_share(share, incentive,
                                                rules.policy.chronic_management.annual_cost_per_patient,
                                                e.response, e.max_share), incentive

    def _update_control(self, year: int, realised: management_effort.Realised | None = None) -> None:
        m, c = self.m, self.cfg.chronic
        rule = m.regime.rules.policy.chronic_management
        share, incentive = self.protocol_share(m.regime.rules, realised)
        pop = m.population
        stratum = pop.age_band.astype(np.int64) * 2 + pop.sex
        groups, log = [], self.log[year]
        for name, u, aware, treated, conds in (("htn", self.u_htn, c.htn_aware, c.htn_treated, self.htn_conds),
                                               ("dm", self.u_dm, c.dm_aware, c.dm_treated, self.dm_conds)):
            disease, managed, p = self._control_probability(name, share)
            st = cc.states(u, disease, managed, p, aware, treated)
            setattr(self, f"{name}_state", st)
            living = disease & self.alive
            log[f"{name}_patients"] = int(living.sum())
            log[f"{name}_controlled"] = int((living & (st == cc.CONTROLLED)).sum())
            log[f"{name}_managed_controlled"] = int((living & managed & (st == cc.CONTROLLED)).sum())
            log[f"{name}_managed"] = int((living & managed).sum())
            if self.on_control and len(conds):
                rr = cc.relative_risk(st, *self._rr(name))
                groups.append((conds, rr / self.norm[name][stratum]))
        protocol = (pop.managed_htn | pop.managed_dm) & (self.u_protocol < share) & self.alive
        log["protocol_share"] = share
        log["management_incentive_yuan"] = float(incentive)
        log["protocol_patients"] = int(protocol.sum())
        log["protocol_cost_yuan"] = float(protocol.sum() * rule.annual_cost_per_patient)
        g = m.regime.rules.policy.green_channel
        n_thc = int((m.level == TOWNSHIP).sum())
        n_county = int((m.level == COUNTY).sum())
        log["green_channel_cost_yuan"] = float(
            (g.county_stroke_centre + g.county_chest_pain_centre) * n_county * g.annual_cost_yuan
            + g.township_ecg * n_thc * g.township_ecg_cost_yuan)
        if self.on_control:
            m.onset.set_multipliers(groups, m.streams.generator("health_onset"))

    # -- year start ----------------------------------------------------------------------------------
    def start_year(self, year: int, realised: management_effort.Realised | None = None) -> None:
        """Ageing, births in the slots of last year's background deaths, control states, the year's background
        deaths. ``realised``: last year's realised surpluses (:mod:`sim.behaviour.management_effort`), which
        this year's management effort expects; None in year 0 or without books."""
        m, pop = self.m, self.m.population
        if self.on_demography and year > 0:
            # births replace last year's scheduled background deaths: a keyed schedule, the same in every
            # scenario. A resident who died of a modelled disease stays a masked slot that ages with the rest
            # until its own background death comes due, so the strata the onset process samples from are the
            # same in every scenario and common random numbers hold in every year: scenarios differ only in the
            # episodes of residents dead in one and alive in the other.
            reborn = np.zeros(pop.n, dtype=bool)
            reborn[self._death_order] = True
            female = m.streams.uniform("health", self.rid, _SLOT_SEX + 10 * year) < \
                m.config.demography.female_share
            self.log[year]["births"] = demography.age_and_replace(pop, reborn, female)
            self.alive[reborn] = True
            self.died_day[reborn] = -1
            m.onset.restratify(pop)
        self._update_control(year, realised)
        if self.on_demography:
            q = demography.annual_death_probability(pop.age, pop.sex, self.cfg.life_table)
            when = demography.death_days(m.streams.uniform("health", self.rid, _SLOT_DIE_YEAR + 10 * year),
                                         m.streams.uniform("health", self.rid, _SLOT_DIE_DAY + 10 * year), q,
                                         year * DAYS_PER_YEAR, DAYS_PER_YEAR)
            who = np.flatnonzero(when >= 0)
            order = np.argsort(when[who], kind="stable")
            self._death_order, self._death_when = who[order], when[who][order]

    def die(self, res: np.ndarray, day: int, cause: str) -> None:
        """Residents ``res`` die today of ``cause``: no further episodes; years of life lost logged."""
        res = np.unique(res[self.alive[res]])
        if len(res) == 0 or not self.on_demography and cause == "background":
            return
        log = self.log[day // DAYS_PER_YEAR]
        log["deaths"][cause] += len(res)
        log["yll"][cause] += float(self.life_expectancy(self.m.population.age[res]).sum())
        if self.on_demography:
            self.alive[res] = False
            self.died_day[res] = day

    def life_expectancy(self, age: np.ndarray) -> np.ndarray:
        """Standard remaining life expectancy (years) at ``age``, interpolated in the standard life table."""
        ages = np.array([0, 1, 5, 15, 25, 35, 45, 55, 65, 75, 85, 95], dtype=float)
        le = np.array(self.cfg.outcomes.standard_life_expectancy, dtype=float)
        return np.interp(age.astype(float), ages, le)

    # -- emergencies ----------------------------------------------------------------------------------
    def onset_to_treatment(self, res, fac, first_level, cond) -> np.ndarray:
        """(n,) minutes from onset to treatment at the admitting facility ``fac``."""
        m, e = self.m, self.cfg.emergency
        g = m.regime.rules.policy.green_channel
        village = m.population.village[res]
        alts, hours = m.world.alternatives[village], m.world.travel_hours[village]
        here = alts == fac[:, None]
        to_final = np.where(here.any(axis=1), np.where(here, hours, 0).sum(axis=1), hours.max(axis=1)) * 60.0
        at_first = m.level[alts] == first_level[:, None]
        to_first = np.where(at_first, hours, np.inf).min(axis=1) * 60.0
        to_first = np.where(np.isfinite(to_first), to_first, to_final)
        lvl = m.level[fac]
        door = np.array(e.door_to_treatment_min)[lvl]
        county = lvl == COUNTY
        stroke, mi = self.stroke[cond], self.mi[cond]
        if g.county_stroke_centre:
            door = np.where(county & stroke, np.minimum(door, e.stroke_centre_door_min), door)
        if g.county_chest_pain_centre:
            door = np.where(county & mi, np.minimum(door, e.chest_pain_centre_door_min), door)
        moved = first_level != lvl
        travel = np.where(moved, to_first + _REFERRAL_ASSESSMENT_MIN + to_final, to_final) * e.travel_factor
        minutes = e.decision_delay_min + travel + door
        if g.township_ecg:
            minutes = np.where(mi & moved & (first_level == TOWNSHIP), minutes - e.township_ecg_saving_min, minutes)
        return minutes

    def fatality(self, cond, sev, minutes) -> tuple[np.ndarray, np.ndarray]:
        """(death probability, disability probability of survivors) of stroke / heart-attack episodes."""
        e = self.cfg.emergency
        saved = (e.reference_minutes - minutes)
        p_stroke = np.array(e.stroke_fatality)[sev]
        odds = p_stroke / (1 - p_stroke) * e.stroke_odds_per_15min ** (saved / 15.0)
        p_stroke = odds / (1 + odds)
        p_mi = np.minimum(np.array(e.mi_fatality)[sev] * e.mi_relative_per_30min ** (-saved / 30.0), 0.95)
        d = np.array(e.stroke_disability)[sev]
        dodds = d / (1 - d) * e.stroke_odds_per_15min ** (saved / 15.0)
        return np.where(self.stroke[cond], p_stroke, p_mi), np.where(self.stroke[cond], dodds / (1 + dodds), 0.0)

    def untreated(self, day: Day, ids, res, cond) -> None:
        """Strokes and heart attacks that got no care: reference fatality times ``untreated_fatality_factor``."""
        if len(ids) == 0:
            return
        self._count_events(day, cond, res)
        if not self.on_emergency:
            return
        m, e = self.m, self.cfg.emergency
        sev = m.severity(ids, cond)
        base = np.where(self.stroke[cond], np.array(e.stroke_fatality)[sev], np.array(e.mi_fatality)[sev])
        p = np.minimum(base * e.untreated_fatality_factor, 0.95)
        die = m.streams.uniform("health", ids, _E_DIE) < p
        for flag, cause in ((self.stroke, "stroke"), (self.mi, "heart_attack")):
            self.die(res[die & flag[cond]], day.day, cause)

    def _count_events(self, day: Day, cond, res) -> None:
        log = self.log[day.day // DAYS_PER_YEAR]
        log["strokes"] += int(self.stroke[cond].sum())
        log["heart_attacks"] += int(self.mi[cond].sum())
        # events of managed hypertensives: the trial population of docs/sources/behaviour_evidence.md §7
        managed = self.m.population.managed_htn[res]
        log["cv_events_managed_htn"] += int(((self.stroke[cond] | self.mi[cond]) & managed).sum())
        log["strokes_managed_htn"] += int((self.stroke[cond] & managed).sum())

    def admitted(self, day: Day, b: dict[str, np.ndarray]) -> None:
        """Admitted episodes: emergency path of new strokes and heart attacks, other case fatality, ACSC."""
        new = ~b["readmission"]
        ids, res, cond, sev = b["ids"][new], b["res"][new], b["cond"][new], b["sev"][new]
        log = self.log[day.day // DAYS_PER_YEAR]
        log["avoidable_admissions"] += int(self.acsc[cond].sum())
        self._count_events(day, cond, res)
        if not self.on_emergency:
            return
        acute = self.stroke[cond] | self.mi[cond]
        if acute.any():
            i = np.flatnonzero(acute)
            minutes = self.onset_to_treatment(res[i], b["fac"][new][i], b["first_level"][new][i], cond[i])
            log["emergency_minutes"].append(minutes)
            p_die, p_dis = self.fatality(cond[i], sev[i], minutes)
            log["emergency_expected_deaths"] += float(p_die.sum())      # free of draw noise
            die = self.m.streams.uniform("health", ids[i], _E_DIE) < p_die
            disabled = ~die & (self.m.streams.uniform("health", ids[i], _E_DISABLE) < p_dis)
            log["stroke_disabled"] += int(disabled.sum())
            for flag, cause in ((self.stroke, "stroke"), (self.mi, "heart_attack")):
                self.die(res[i][die & flag[cond[i]]], day.day, cause)
        p = self.other_fatality[cond] * _SEV_FACTOR[sev]
        if p.any():
            die = (self.m.streams.uniform("health", ids, _E_OTHER) < np.minimum(p, 0.95)) & (p > 0)
            self.die(res[die], day.day, "other_admitted")


# -- the stages -----------------------------------------------------------------------------------------
def deaths_stage(m: CountyModel, day: Day) -> None:
    """Background deaths (life table) due today."""
    h = m.health
    lo, hi = np.searchsorted(h._death_when, [day.day, day.day + 1])
    if hi > lo:
        h.die(h._death_order[lo:hi], day.day, "background")


def emergency_seen_stage(m: CountyModel, day: Day) -> None:
    """Before care seeking: remember today's new strokes and heart attacks (to find those who get no care)."""
    b = day.batches["inpatient"]
    acute = (m.health.stroke[b["cond"]] | m.health.mi[b["cond"]]) & ~b["readmission"]
    day.batches["acute_onsets"] = {k: b[k][acute] for k in ("ids", "res", "cond")}


def emergency_stage(m: CountyModel, day: Day) -> None:
    """After admission: time-critical outcomes, other case fatality, avoidable admissions; untreated cases."""
    b = day.batches.get("inpatient", {})
    if len(b.get("ids", ())):
        m.health.admitted(day, b)
    a = day.batches.get("acute_onsets")
    if a is not None and len(a["ids"]):
        seen = np.isin(a["ids"], b["ids"]) if len(b.get("ids", ())) else np.zeros(len(a["ids"]), bool)
        m.health.untreated(day, a["ids"][~seen], a["res"][~seen], a["cond"][~seen])


STAGES = (
    (Stage("deaths", deaths_stage, reads=("health",), writes=("health.alive",), doc="background deaths due today"),
     {"before": "onset"}),
    (Stage("acute_onsets", emergency_seen_stage, reads=("batches.inpatient",), writes=("batches.acute_onsets",),
           doc="new strokes and heart attacks before care seeking"), {"before": "seek_inpatient"}),
    (Stage("emergency", emergency_stage, reads=("batches.inpatient", "batches.acute_onsets"),
           writes=("health",), doc="stroke / heart-attack outcomes, case fatality, avoidable admissions"),
     {"after": "admit"}),
)
