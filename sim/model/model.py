"""``CountyModel``: one county, one day per step, the day a declared list of stages.

The stages of a day (:data:`DAY_STAGES`, ``docs/design.md`` §4), each a handful of array operations over
all of the day's episodes (no Python loop over residents or episodes):

============================  ==========================================================================
``ward``                      recovery-phase down-referrals 下转 due today, then discharges (claims,
                              30-day readmission scheduling)
``onset``                     new episodes, chronic follow-ups and readmissions due today
``seek_outpatient``           acute outpatient episodes' severity; chronic follow-ups due (long
                              prescriptions); care seeking of both, in one pass
``outpatient_care``           acute outpatient episodes seen and chronic follow-ups kept: first-contact
                              choice, referral consultations up to a capable facility, visit claims
``seek_inpatient``            inpatient episodes: severity and care seeking
``choose_inpatient``          first-contact choice (multinomial logit)
``triage_down``               county hospitals redirect cases a township centre can treat 首诊下转
``refer_inpatient``           capable facility with a free bed admits; otherwise it refers up
``admission_threshold``       borderline cases treated as outpatients when an admission earns less 收治门槛
``admit``                     length of stay and intensity under the payment rules in force, cost, bed;
                              stays to be split into two admissions 分解住院 marked
``bed_days``                  occupied beds counted, the day's census
``month_end``                 outpatient claims of the month closed; facility agents ``step``
============================  ==========================================================================

Year boundaries belong to whoever runs the model: :meth:`CountyModel.run` calls ``year_end(model, year)``
(the settlement layer's books closing ``year``) and then :meth:`CountyModel.start_year`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import mesa
import numpy as np
from scipy.special import ndtri

from sim import codes
from sim.behaviour import care_seeking, chronic_continuity, contracts
from sim.behaviour.management_effort import Realised, YearClose
from sim.behaviour.responses import ProviderTables, provider_tables
from sim.codes import (
    CHRONIC,
    CITY,
    COUNTY,
    DAYS_PER_YEAR,
    INPATIENT,
    LEVEL_NAMES,
    OUTPATIENT,
    PRIMARY_MAX_LEVEL,
    TOWNSHIP,
)
from sim.config.scenario import ScenarioConfig
from sim.county.casemix import Casemix, load_casemix
from sim.county.population import build_households, build_population
from sim.county.world import UNLIMITED_BEDS, build_world
from sim.model.choice import (
    Utilities,
    build_choice_tables,
    capability_table,
    episode_oop_yuan,
    pick,
    referral_targets,
    utilities,
)
from sim.model.claims import ClaimsRecorder
from sim.model.emergency import STAGES as HEALTH_STAGES
from sim.model.emergency import Health
from sim.model.facilities import AGENT_CLASS, Facility
from sim.model.onset import OnsetProcess, shock_rate_multiplier
from sim.model.ward import Ward
from sim.payment.caps import OutpatientCapTracker
from sim.policy import POLICIES
from sim.policy.regime import contract_route_prices, expected_prices, regime_for_year, rules_before
from sim.policy.reinvestment import investment, upgrade_cells
from sim.stages import Day, Stage, insert_stage, subset
from sim.streams import RandomStreams, derived_ids

READMISSION_WINDOW_DAYS = 30
#: slot numbers of keyed draws that are not per referral pass
_SLOT_DOWN, _SLOT_TRIAGE, _SLOT_ACCEPT = 20, 21, 22
#: the provider channels' own draws: (stream, slot) pairs no other decision uses, so switching a channel on or
#: off leaves every other draw as it was
_ADMISSION, _CODING, _AUDIT, _READMIT_ADDED = ("cost", 40), ("cost", 41), ("cost", 42), ("readmission", 40)
#: split admissions 分解住院 (decision, audit of the flagged second admission) and county outpatient redirects
_SPLIT, _SPLIT_AUDIT, _REDIRECT = ("split", 0), ("split", 1), ("redirect", 0)
#: salt of the claim episode id of a split stay's second admission (readmissions use 1)
_SPLIT_SALT = 7

#: income quintiles, and care-seeking reference groups: contract group (none, village doctor, township team)
#: x income quintile (:meth:`CountyModel.reference_group`)
N_QUINTILES = 5
N_REFERENCE_GROUPS = 3 * N_QUINTILES
#: the daily counters of episodes by income quintile (:meth:`CountyModel.count_by_income`), by prefix
_QUINTILE_COUNTERS = {prefix: tuple(f"{prefix}_q{q}" for q in range(1, N_QUINTILES + 1)) for prefix in ("ill", "seen")}
DAILY_COLUMNS = ("onsets", "no_care", "outpatient_episodes", "visits", "visits_primary", "visits_in_county",
                 "chronic_visits", "outpatient_referrals", "admissions", "admissions_in_county", "admissions_township",
                 "admissions_county", "admissions_out_of_county", "up_referrals", "up_referrals_out_of_county",
                 "down_referrals", "readmissions", "discharges", "census_township", "census_county",
                 # patient behaviour (sim/behaviour): first contacts of acute outpatient episodes, missed chronic
                 # follow-ups (outside option), and illness / care sought by household income quintile
                 "first_contacts", "first_contacts_primary", "first_contacts_contracted",
                 "first_contacts_contracted_primary", "missed_followups", "extra_followups", "contracted",
                 "ill_q1", "ill_q2", "ill_q3", "ill_q4", "ill_q5", "seen_q1", "seen_q2", "seen_q3", "seen_q4",
                 "seen_q5",
                 # provider behaviour (sim/behaviour): admissions avoided, upcoding, audits, shortened stays
                 "admissions_avoided", "upcoded", "audits_detected", "stays_cut", "readmissions_flagged",
                 # selection: split admissions 分解住院; county outpatient redirects 门诊下沉
                 "split_admissions", "outpatient_redirects",
                 # gatekeeping: referrals obtained at the township centre on the way to a county hospital
                 "gatekeeping_referrals")

#: ``year_end(model, year) -> YearClose or None``: closes a year's books; the
#: :class:`~sim.behaviour.management_effort.YearClose` carries the retained surplus per facility (yuan) and what
#: the year realised
YearEnd = Callable[["CountyModel", int], "YearClose | None"]


class CountyModel(mesa.Model):
    """Agent-based model of a county medical community.

    Parameters
    ----------
    config : validated scenario.
    casemix : pre-loaded case-mix table (loaded from ``config.casemix`` if omitted).

    Attributes
    ----------
    world, population, casemix : the county, its residents (numpy arrays) and its conditions.
    facilities : list of :class:`~sim.model.facilities.Facility` agents, index = facility row. Their state
        (capability, quality, referral propensities) lives in the model's (F, ...) arrays below, and each
        agent reads and writes its own row: nothing is copied between the two.
    capable : (F, C, 3) bool; quality : (F,) 0-1; refer_up, triage_down, accept : (F, C, 3) probabilities;
        down_prop : (F, C) probability.
    census : (F,) inpatients in a bed now.
    claims : the run's :class:`~sim.model.claims.ClaimsRecorder`.
    stages : the day's :class:`~sim.stages.Stage` list, run in order by :meth:`step`.
    capacity : per year (rows) and facility (columns): ``invested`` (yuan of retained surplus reinvested at
        the year's start), ``quality`` (perceived quality in force, 0-1), ``capable_cells`` (condition x
        severity cells the facility treats).
    daily : per-day counters (``DAILY_COLUMNS``), name -> (days simulated,) int64.
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
        build_households(self.population, config.households, self.streams.generator("households"))
        self.n_days = config.years * DAYS_PER_YEAR
        self.day = 0

        fac = self.world.facilities
        self.level = fac["level"].to_numpy().astype(np.int64)
        unlimited = (fac["beds"].to_numpy() >= UNLIMITED_BEDS) | (not config.mechanisms.capacity)
        self.beds = np.where(unlimited, np.iinfo(np.int64).max // 4, fac["beds"].to_numpy()).astype(np.int64)
        F, C = len(fac), self.casemix.n
        self.capable = capability_table(self.world, self.casemix)
        self.quality = np.array(config.choice.quality_by_level.as_list())[self.level].astype(float)
        self.refer_up = np.zeros((F, C, 3))
        self.triage_down = np.zeros((F, C, 3))
        self.accept = np.zeros((F, C, 3))
        self.down_prop = np.zeros((F, C))
        self.rules_before = rules_before(config)
        self.regime = regime_for_year(config, self.rules_before, 0, self.casemix)
        self.provider: ProviderTables = provider_tables(config, self.regime, self.casemix)
        self.facilities: list[Facility] = [AGENT_CLASS[int(self.level[r])](self, r) for r in range(F)]
        # per-person annual outpatient caps need each resident's running total, kept as the visits happen
        self.outpatient_caps = OutpatientCapTracker(self.regime.rules.insurance, self.level,
                                                    self.casemix.setting == CHRONIC, self.population.n)
        self.census = np.zeros(F, dtype=np.int64)
        self._upcoded_today = self._detected_today = 0
        self.bed_days_month = np.zeros(F, dtype=np.int64)
        self.bed_days = np.zeros((config.years, F), dtype=np.int64)
        self.targets = referral_targets(self.world)

        self.onset = OnsetProcess(self.population, self.casemix, self.streams.generator("onset"),
                                  config.demography.followup_interval_days,
                                  shock_rate_multiplier(config.shocks, self.casemix),
                                  self.streams.generator("onset_shock"))
        self.ward = Ward()
        self.claims = ClaimsRecorder(F, C, self.n_days - 1, individual_outpatient=config.output.claims == "all")
        self.pending_readmissions: dict[int, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = defaultdict(list)
        self._daily = np.zeros((self.n_days, len(DAILY_COLUMNS)), dtype=np.int64)   # a row per day
        self.stages: list[Stage] = list(DAY_STAGES)
        for policy in POLICIES:              # a policy's own stages check the rules in force themselves
            for stage, where in policy.stages:
                self.add_stage(stage, **where)

        cm = self.casemix
        self._sev_cum = np.cumsum(cm.severity_shares, axis=1)[:, :2]
        self._seek = np.array(config.casemix.seek_care.as_list())
        self._cost_factor = np.array(config.casemix.cost_factor.as_list())
        self._los_factor = np.array(config.casemix.los_factor.as_list())
        self._consult_cost = cm.consult_cost()
        self._upgrades = {lvl: upgrade_cells(cm, rule, lvl) for lvl, rule in config.reinvestment.by_level().items()}
        self.capacity = {"invested": np.zeros((config.years, F)), "quality": np.zeros((config.years, F)),
                         "capable_cells": np.zeros((config.years, F), dtype=np.int64)}
        self._init_patients()
        self.refresh_choice_tables()
        self._g_ref = self._reference_prices() if config.mechanisms.care_seeking else None
        self._reference_checked, self._reference_same = None, False      # see _prices_at_reference
        self._log_capacity(0)
        # health (sim/model/emergency.py): control states, deaths, emergencies; its own stages
        self.health: Health | None = None
        if config.mechanisms.chronic_control or config.mechanisms.demography or config.mechanisms.emergency:
            self.health = Health(self)
            for stage, where in HEALTH_STAGES:
                self.add_stage(stage, **where)
            self.health.start_year(0)

    # -- stages and rules ----------------------------------------------------------------------
    def add_stage(self, stage: Stage, *, before: str | None = None, after: str | None = None) -> None:
        """Run ``stage`` every day, before or after the named stage (see :mod:`sim.stages`)."""
        self.stages = insert_stage(self.stages, stage, before=before, after=after)

    def refresh_choice_tables(self) -> None:
        """Rebuild utilities after prices, rules, quality or capability change."""
        index = self.config.care_seeking.price_index
        via = self.regime.contract_via
        self.choice_tables = build_choice_tables(self.config.choice, self.world, self.casemix, self.capable,
                                                 self.quality, self.regime.expected_oop * index,
                                                 None if via is None else via * index)

    def wants_year_end_surplus(self) -> bool:
        """True when the year now ending has a global budget whose retained surplus will be reinvested."""
        rules = self.config.reinvestment.by_level()
        return bool(self.regime.rules.budget.enabled and self.config.mechanisms.surplus_reinvestment
                    and any(rule.share > 0 for rule in rules.values()))

    def start_year(self, year: int, retained_surplus: np.ndarray | None = None,
                   realised: Realised | None = None) -> None:
        """Put the rules of ``year`` in force after the year-end settlement of ``year - 1``.

        ``retained_surplus`` : (F,) yuan each facility retained from the year just ended (结余留用), as the
        settlement found it; each facility invests its level's share in capacity. ``realised`` : the primary
        facilities' realised capitation and budget surpluses of that year, which their management effort
        expects again (:mod:`sim.behaviour.management_effort`). Then facilities review their propensities and
        patients their prices under the new rules.
        """
        if retained_surplus is not None:
            cfg = self.config.reinvestment
            rules = cfg.by_level()
            amounts = investment(retained_surplus, self.level, cfg)
            for f in self.facilities:
                if amounts[f.row] > 0:
                    f.invest(float(amounts[f.row]), rules[f.level], self._upgrades[f.level])
            self.capacity["invested"][year] = amounts
        self.regime = regime_for_year(self.config, self.rules_before, year, self.casemix)
        self.provider = provider_tables(self.config, self.regime, self.casemix)
        self.outpatient_caps.set_rules(self.regime.rules.insurance)
        self.agents.do("review_incentives")
        self._set_contracts()
        self._apply_chronic_policy()
        if self.health is not None:
            self.health.start_year(year, realised)      # ageing, births, control states under this year's rules
        self.refresh_choice_tables()
        self._log_capacity(year)

    def _log_capacity(self, year: int) -> None:
        self.capacity["quality"][year] = self.quality
        self.capacity["capable_cells"][year] = self.capable.sum(axis=(1, 2))

    # -- the day -------------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one day: run every stage in order."""
        day = Day(self.day, dict.fromkeys(DAILY_COLUMNS, 0))
        for stage in self.stages:
            stage.run(self, day)
        day.count["upcoded"], day.count["audits_detected"] = self._upcoded_today, self._detected_today
        self._upcoded_today = self._detected_today = 0
        self._daily[self.day] = tuple(day.count.values())      # DAILY_COLUMNS' order (Day.add adds no key)
        self.day += 1

    @property
    def daily(self) -> dict[str, np.ndarray]:
        """Per-day counters (``DAILY_COLUMNS``) of the days simulated so far: name -> (days,) int64."""
        return {k: self._daily[:self.day, i] for i, k in enumerate(DAILY_COLUMNS)}

    def run(self, progress=None, year_end: YearEnd | None = None) -> None:
        """Run to the end of the configured years, then close stays still open.

        ``progress`` : optional callable ``(days_done, n_days)``, called every 30 days.
        ``year_end`` : optional callable ``(model, year) -> YearClose or None`` that closes the books of
        ``year`` (:class:`sim.settlement.books.Books`); called at every year boundary (the last year is closed
        by whoever runs the model, after the final day). Its
        :class:`~sim.behaviour.management_effort.YearClose` carries the retained surplus, reinvested when
        :meth:`wants_year_end_surplus`, and the year's realised surpluses, which next year's management effort
        expects. Without it nothing is reinvested and management effort reads the rules alone.
        """
        while self.day < self.n_days:
            if self.day and self.day % DAYS_PER_YEAR == 0:
                year = self.day // DAYS_PER_YEAR
                closed = year_end(self, year - 1) if year_end is not None else None
                surplus, realised = (closed.surplus, closed.realised) if closed is not None else (None, None)
                self.start_year(year, surplus if self.wants_year_end_surplus() else None, realised)
            self.step()
            if progress is not None and self.day % 30 == 0:
                progress(self.day, self.n_days)
        self._close_open_stays()

    # -- helpers used by the stages ------------------------------------------------------------
    def severity(self, ids: np.ndarray, cond: np.ndarray) -> np.ndarray:
        """(n,) severity code 0-2 of episodes (keyed draw on the ``severity`` stream)."""
        u = self.streams.uniform("severity", ids)
        cum = self._sev_cum[cond]
        return (u > cum[:, 0]).astype(np.int64) + (u > cum[:, 1])

    def choose(self, ids, res, cond, sev, inpatient: bool, util: Utilities | None = None) -> np.ndarray:
        """(n,) facility row each episode goes to first (multinomial logit, ``choice`` stream). ``util``: the
        episodes' ``(alternatives, utilities)`` when care seeking already computed them today."""
        util = self.utilities_of(res, cond, sev, inpatient) if util is None else util
        return pick(util, self.streams.gumbel("choice", ids, util[0].shape[1]))

    # -- patients (sim/behaviour) --------------------------------------------------------------
    def _init_patients(self) -> None:
        """Income multipliers, income quintiles, contracts and the chronic-care state of residents."""
        cfg, pop, mech = self.config, self.population, self.config.mechanisms
        cs = cfg.care_seeking
        self._m_choice = care_seeking.income_multiplier(pop.income, cfg.choice.oop_income_elasticity,
                                                        cs.income_multiplier_min, cs.income_multiplier_max)
        self._m_seek = care_seeking.income_multiplier(pop.income, cs.income_elasticity_of_price_response,
                                                      cs.income_multiplier_min, cs.income_multiplier_max)
        self._oop_sev = np.array(cfg.choice.oop_severity_factor.as_list())
        rank = np.argsort(np.argsort(pop.income, kind="stable"), kind="stable")
        self.income_quintile = (rank * N_QUINTILES // max(pop.n, 1)).astype(np.int8)       # 0 poorest .. 4 richest
        res_ids = np.arange(pop.n, dtype=np.uint64)
        self._priority = pop.hypertension | pop.diabetes | (pop.age >= 65)
        self.contracted = pop.contracted
        self.named_slot = None
        if mech.contracts:
            self._u_contract = self.streams.uniform("contract", res_ids, 0)
            self.named_slot = contracts.named_slot(self.streams.uniform("contract", res_ids, 1), cfg.contracts)
        self._set_contracts()
        # chronic care: usual facility per resident (-1 none); patients on long prescriptions (fixed draw)
        self.usual = np.full(pop.n, -1, dtype=np.int64)
        self._u_long = self.streams.uniform("care", res_ids, 9)
        fu = [c for c in ("htn_followup", "dm_followup") if c in self.casemix.codes]
        self._followup_codes = np.array([self.casemix.codes.index(c) for c in fu], dtype=np.int64)
        self._village_rows = np.flatnonzero(self.level == codes.VILLAGE)
        self._village_fu_capable = self.capable[np.ix_(self._village_rows, self._followup_codes)].copy()
        self._apply_chronic_policy()

    def route_slot(self, res: np.ndarray) -> np.ndarray | None:
        """(n,) primary slot whose referral opens the gatekeeping route for residents ``res`` when only the
        contracted doctor's referral counts (``policy.gatekeeping.referral_by: contracted_doctor``): the slot the
        contract names (the township team where contracts name none), -1 without a contract; None otherwise."""
        if self.regime.contract_route is None and self.choice_tables.via_yuan is None:
            return None
        slot = self.named_slot[res] if self.named_slot is not None else np.ones(len(res), dtype=np.int8)
        return np.where(self.contracted[res], slot, -1).astype(np.int64)

    def _set_contracts(self) -> None:
        """Contracts in force this year (policy.family_doctor), when the contracts channel is on."""
        if self.config.mechanisms.contracts:
            self.contracted = contracts.contracted_in_year(self._u_contract, self._priority,
                                                           self.regime.rules.policy.family_doctor)

    def _apply_chronic_policy(self) -> None:
        """Village drug list (capability of village clinics for follow-ups) and usual facilities."""
        if not self.config.mechanisms.chronic_continuity:
            return
        rule = self.regime.rules.policy.chronic_care
        cells = np.ix_(self._village_rows, self._followup_codes)
        self.capable[cells] = self._village_fu_capable if rule.village_drug_list else False
        alts = self.world.alternatives[self.population.village]
        if rule.refill_at_village:
            self.usual = alts[:, 0].astype(np.int64).copy()
        elif self.named_slot is not None:
            named = alts[np.arange(len(alts)), self.named_slot]
            self.usual = np.where(self.contracted, named, self.usual)

    def utilities_of(self, res, cond, sev, inpatient: bool) -> tuple[np.ndarray, np.ndarray]:
        """(alternatives, deterministic utilities), each (n, K), of episodes under the tables in force."""
        pop = self.population
        return utilities(self.choice_tables, self.world, self.level, pop.village[res], cond, sev,
                         pop.scheme[res].astype(np.int64), self.contracted[res], inpatient,
                         self._oop_sev[sev] * self._m_choice[res],
                         None if self.named_slot is None else self.named_slot[res], self.route_slot(res))

    def contract_group(self, res: np.ndarray) -> np.ndarray:
        """(n,) contract group of residents: 0 no contract, 1 + the slot the contract names (1 village doctor,
        2 township team; 1 where contracts name none)."""
        if self.named_slot is None:
            return self.contracted[res].astype(np.int64)
        return np.where(self.contracted[res], 1 + self.named_slot[res].astype(np.int64), 0)

    def reference_group(self, res: np.ndarray) -> np.ndarray:
        """(n,) care-seeking reference group of residents: contract group x 5 + income quintile."""
        return self.contract_group(res) * N_QUINTILES + self.income_quintile[res].astype(np.int64)

    def _reference_prices(self) -> np.ndarray:
        """(2, N_REFERENCE_GROUPS, 2, C, 3) county mean expected out-of-pocket (yuan, [0]) and travel time
        (hours, [1]) by reference group (:meth:`reference_group`: contract group x income quintile), scheme,
        condition and severity under the rules before the reform (where ``casemix.seek_care`` holds), weighted
        by the group's residents per village; each quintile chooses with the geometric mean of its income multipliers.

        By group because a contract steers a patient to the (cheaper) primary facilities and richer patients
        choose dearer ones: measured against one reference, almost every contracted patient and most poor ones
        sat below it, where the bounded response ``g`` saturates, and hardly responded to a price rise, while the
        rich were priced out of care by their own choice of quality (docs/patients.md §2)."""
        cm, pop, world = self.casemix, self.population, self.world
        via = contract_route_prices(cm, self.rules_before)
        tables = build_choice_tables(self.config.choice, world, cm, self.capable, self.quality,
                                     expected_prices(cm, self.rules_before)[0], None if via is None else via[0])
        self._ref_tables = tables    # reference out-of-pocket, yuan (price_index 1)
        V, C = len(world.villages), cm.n
        group = self.reference_group(np.arange(pop.n))
        weight = np.zeros((N_REFERENCE_GROUPS, 2, V))
        np.add.at(weight, (group, pop.scheme.astype(np.int64), pop.village.astype(np.int64)), 1.0)
        # each income quintile chooses with its own price sensitivity (geometric mean of its multipliers)
        m_q = np.exp(np.bincount(self.income_quintile, np.log(self._m_choice), minlength=N_QUINTILES)
                     / np.maximum(np.bincount(self.income_quintile, minlength=N_QUINTILES), 1))
        out = np.zeros((2, N_REFERENCE_GROUPS, 2, C, 3))
        v, c, k = (a.ravel() for a in np.meshgrid(np.arange(V), np.arange(C), np.arange(3), indexing="ij"))
        inp = cm.setting[c] == INPATIENT
        for gq in range(N_REFERENCE_GROUPS):
            grp, q = divmod(gq, N_QUINTILES)
            if not weight[gq].any():
                out[:, gq] = out[:, q] if grp else 0.0
                continue
            named = None if self.named_slot is None or grp == 0 else np.full(len(v), grp - 1, dtype=np.int8)
            for s in (0, 1):
                g = np.zeros((2, len(v)))
                w = (weight[gq, s] if weight[gq, s].any() else weight[q, s])[v]
                for flag in (False, True):
                    # villages without residents of this group and scheme weigh 0: their prices are not needed
                    # (the sums below are the same without them; in a small county most cells are empty)
                    sel = (inp == flag) & (w > 0)
                    n = int(sel.sum())
                    slot = None if tables.via_yuan is None or not grp else np.full(n, 1 if named is None else grp - 1)
                    alts, u = utilities(tables, world, self.level, v[sel], c[sel], k[sel], np.full(n, s),
                                        np.full(n, grp > 0), flag, self._oop_sev[k[sel]] * m_q[q],
                                        None if named is None else named[sel], slot)
                    oop = episode_oop_yuan(tables, self.level[alts], np.full(n, s), c[sel], slot)
                    g[:, sel] = care_seeking.expected_price_and_travel(u, oop, world.travel_hours[v[sel]])
                den = np.bincount(c * 3 + k, weights=w, minlength=C * 3)
                for j in (0, 1):
                    num = np.bincount(c * 3 + k, weights=g[j] * w, minlength=C * 3)
                    out[j, gq, s] = (num / np.where(den > 0, den, 1.0)).reshape(C, 3)
        return out

    def seek_probability(self, res, cond, sev, p0: np.ndarray, elasticity: float | np.ndarray,
                         inpatient: bool = False) -> tuple[np.ndarray, Utilities | None]:
        """(n,) probability that episodes are seen (:mod:`sim.behaviour.care_seeking`), ``p0`` when the
        care-seeking channel is off; and the episodes' choice ``(alternatives, utilities)`` it weighed (None when
        off), which the facility choice of the same day reuses. ``elasticity``: the price elasticity of seeking
        care (``care_seeking.elasticity_*``), one for all or (n,); ``inpatient``: weigh the inpatient choice set."""
        if not self.config.mechanisms.care_seeking or len(res) == 0:
            return p0, None
        alts, u = self.utilities_of(res, cond, sev, inpatient=inpatient)
        scheme = self.population.scheme[res].astype(np.int64)
        lvl = self.level[alts]
        slot = self.route_slot(res)
        oop_now = episode_oop_yuan(self.choice_tables, lvl, scheme, cond, slot)
        oop_ref = None if self._prices_at_reference() else episode_oop_yuan(self._ref_tables, lvl, scheme, cond, slot)
        beta = self.config.choice.oop_per_100_yuan / 100.0 * self._oop_sev[sev] * self._m_choice[res]
        price, hours = care_seeking.money_metric_price(u, oop_now, oop_ref, beta,
                                                       self.world.travel_hours[self.population.village[res]])
        ref = self._g_ref[:, self.reference_group(res), scheme, cond, sev]
        cs = self.config.care_seeking
        return care_seeking.seek_probability(p0, price, ref[0], elasticity,
                                             self._m_seek[res], hours, ref[1], cs.travel_elasticity), (alts, u)

    def _prices_at_reference(self) -> bool:
        """True while the out-of-pocket prices in force are the care-seeking reference's (no reform has moved
        them): then an episode's price change is 0 without computing it. Checked once per set of tables."""
        tables = self.choice_tables
        if self._reference_checked is not tables:
            ref = self._ref_tables
            self._reference_same = bool(
                np.array_equal(tables.oop_yuan, ref.oop_yuan)
                and (tables.via_yuan is None) == (ref.via_yuan is None)
                and (tables.via_yuan is None or np.array_equal(tables.via_yuan, ref.via_yuan, equal_nan=True)))
            self._reference_checked = tables
        return self._reference_same

    def count_by_income(self, day: Day, prefix: str, res: np.ndarray) -> None:
        """Add episodes of residents ``res`` to the day's per-income-quintile counters ``<prefix>_q1..q5``."""
        counts = np.bincount(self.income_quintile[res], minlength=N_QUINTILES).tolist()
        for name, n in zip(_QUINTILE_COUNTERS[prefix], counts):
            day.count[name] += n

    def within_free_beds(self, f: np.ndarray, wants: np.ndarray, ids: np.ndarray, free: np.ndarray,
                         slot: int) -> np.ndarray:
        """True for the episodes that get one of their facility's free beds (random queue order)."""
        prio = self.streams.uniform("capacity", ids, slot)
        order = np.lexsort((prio, ~wants, f))        # per facility: candidates first, in queue order
        f_sorted = f[order]
        starts = np.searchsorted(f_sorted, f_sorted, side="left")
        rank = np.empty(len(f), dtype=np.int64)
        rank[order] = np.arange(len(f)) - starts
        return rank < free[f]

    def outpatient_visits(self, day: Day, ids, res, cond, sev, chronic: np.ndarray,
                          first: np.ndarray | None = None, util: Utilities | None = None) -> np.ndarray:
        """First contact (chosen, or ``first`` where >= 0), referral consultations up to a capable facility,
        and the visits' claims, of outpatient episodes (``chronic``: (n,) bool, a chronic follow-up). Returns
        (n,) the first-contact facility rows."""
        fac = self.choose(ids, res, cond, sev, inpatient=False, util=util)
        if first is not None:
            fac = np.where(first >= 0, first, fac)
        fac = self._redirect_outpatient(day, ids, res, cond, sev, fac)
        scheme = self.population.scheme[res].astype(np.int64)
        referred = np.zeros(len(ids), dtype=np.int64)
        visit_fac, visit_cost, visit_idx, visit_ref = [], [], [], []
        # gatekeeping 基层首诊 with a referral route: a patient bound for a county hospital for a gatekept
        # condition first gets a referral at their own township centre (one consultation), then is reimbursed
        # as referred; their first contact is primary care
        # (only the contracted doctor's referral counts: the route runs through the contracted village clinic
        # or township centre, and residents without a contract can only bypass)
        slot = None if self.regime.contract_route is None else self.route_slot(res)
        if slot is None:
            route = self.regime.referral_route[cond] & (self.level[fac] == COUNTY)
        else:
            route = (slot >= 0) & self.regime.contract_route[np.maximum(slot, 0), cond] & (self.level[fac] == COUNTY)
        if route.any():
            idx = np.flatnonzero(route)
            if slot is None:
                thc = self.world.thc_of_township[self.population.township[res[idx]]]
            else:
                thc = self.world.alternatives[self.population.village[res[idx]], slot[idx]].astype(np.int64)
            visit_fac.append(thc); visit_idx.append(idx); visit_ref.append(np.zeros(len(idx), dtype=np.int64))
            visit_cost.append(self._consult_cost[self.level[thc]])
            referred[idx] = 1
        first_contact = fac.copy()
        if route.any():
            first_contact[idx] = thc
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
        if visit_idx:
            all_idx = np.concatenate([np.arange(len(ids))] + visit_idx)
            all_fac = np.concatenate([fac] + visit_fac)
            all_cost = np.concatenate([cost] + visit_cost)
            all_ref = np.concatenate([referred] + visit_ref)
            if chronic.any() and not chronic.all():
                # acute visits first, then chronic ones, each with its consultations: the visit claims in
                # the order they had when the two kinds were booked apart
                order = np.argsort(chronic[all_idx], kind="stable")
                all_idx, all_fac, all_cost, all_ref = all_idx[order], all_fac[order], all_cost[order], all_ref[order]
            v_cond, v_scheme, v_res, v_ids = cond[all_idx], scheme[all_idx], res[all_idx], ids[all_idx]
            n_chronic = chronic[all_idx].sum()
        else:       # the usual day: no consultation on the way
            all_fac, all_cost, all_ref, v_cond, v_scheme, v_res, v_ids = fac, cost, referred, cond, scheme, res, ids
            n_chronic = chronic.sum()
        self.book_outpatient(day, all_fac, v_cond, v_scheme, all_ref, all_cost, v_res, v_ids)
        day.add("outpatient_referrals", sum(len(v) for v in visit_idx))
        day.add("gatekeeping_referrals", route.sum())
        day.add("chronic_visits", n_chronic)
        return first_contact

    def book_outpatient(self, day: Day, fac, cond, scheme, referred, cost, res, ids) -> None:
        """Claims and outpatient-cap tracking of visits (``referred``: (n,) 0/1; ``cost``: yuan), and the day's
        visit counters."""
        self.claims.add_outpatient(day.day, fac, cond, scheme, referred, cost, res, ids)
        self.outpatient_caps.add(day.day, fac, cond, scheme, referred, cost, res, ids,
                                 self.outpatient_cut(cond, fac, referred))
        lvl = self.level[fac]
        day.add("visits", len(fac))
        day.add("visits_primary", (lvl <= PRIMARY_MAX_LEVEL).sum())
        day.add("visits_in_county", (lvl <= COUNTY).sum())

    def _redirect_outpatient(self, day: Day, ids, res, cond, sev, fac) -> np.ndarray:
        """County outpatient departments redirect visits primary care can treat 门诊下沉 (outpatient redirect
        channel): the visit moves to the patient's township centre (or village clinic where the centre cannot
        treat it) with the year's propensity, on its own keyed draw; no visit is billed at the county hospital."""
        red = self.provider.redirect
        if not red.any():
            return fac
        cand = np.flatnonzero((self.level[fac] == COUNTY) & (red[cond] > 0))
        if cand.size == 0:
            return fac
        r, c, s = res[cand], cond[cand], sev[cand]
        thc = self.world.thc_of_township[self.population.township[r]]
        vc = self.world.alternatives[self.population.village[r], 0].astype(np.int64)
        vc_ok = (self.level[vc] == codes.VILLAGE) & self.capable[vc, c, s]
        target = np.where(self.capable[thc, c, s], thc, np.where(vc_ok, vc, -1))
        go = (target >= 0) & (self.streams.uniform(_REDIRECT[0], ids[cand], _REDIRECT[1]) < red[c])
        if not go.any():
            return fac
        fac = fac.copy()
        fac[cand[go]] = target[go]
        day.add("outpatient_redirects", go.sum())
        return fac

    def book(self, stays: dict[str, np.ndarray], discharge_day: np.ndarray, open_at_end: bool = False) -> None:
        """Write the claims of finished stay segments under the referral rules in force.

        The second admission of a split stay 分解住院 (ward column ``split``) is booked under its own episode id
        (its own deductible and case payment); its first segment carries ``split_admission``, and
        ``split_detected`` where supervision confirmed it (rule screening flags it as a readmission within the
        window; an audit confirms it with the detection probability, keyed draw of its own)."""
        res, cond, lvl, path = stays["resident"], stays["condition"], stays["level"], stays["path"]
        scheme = self.population.scheme[res].astype(np.int64)
        rules = self.regime.referral
        unreferred = (lvl >= CITY) & ~rules.referred_out(cond, path)
        drg, rw = self.casemix.drg_of(cond, self.population.age[res])
        rw, coding = self._code(stays, rw)
        split = stays["split"]
        if split.any():
            second = split & (stays["segment"] == 0)
            detected = second & (self.streams.uniform(_SPLIT_AUDIT[0], stays["episode_id"], _SPLIT_AUDIT[1]) <
                                 self.provider.split_detection)
            coding = {**coding, "split_admission": second, "split_detected": detected}
            stays = {**stays, "episode_id": np.where(split, derived_ids(stays["episode_id"], salt=_SPLIT_SALT),
                                                     stays["episode_id"])}
        else:
            none = np.zeros(len(split), dtype=bool)
            coding = {**coding, "split_admission": none, "split_detected": none}
        self.claims.add_inpatient(stays, discharge_day, scheme, rules.ratio_cut(cond, lvl, path), unreferred,
                                  drg, rw, open_at_end=open_at_end, coding=coding)

    def _code(self, stays: dict[str, np.ndarray], rw: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Coded severity 编码 of closed segments (coding channel) and supervision's detection of upcoding.

        Returns the coded relative weight and the claims' ``severity_coded, rw_true, audit_detected`` columns.
        One keyed draw per episode (``coding`` stream), so all segments of a stay are coded alike where the
        levels' propensities agree."""
        pt = self.provider
        ids, sev = stays["episode_id"], stays["severity"]
        p = pt.upcode[stays["level"], stays["condition"], sev]
        up = (self.streams.uniform(_CODING[0], ids, _CODING[1]) < p) & (sev < codes.SEVERE)
        coded = sev + up
        w = pt.severity_weights
        detected = up & (self.streams.uniform(_AUDIT[0], ids, _AUDIT[1]) < pt.detection)
        self._upcoded_today += int(up.sum())
        self._detected_today += int(detected.sum())
        return rw * w[coded], {"severity_coded": coded, "rw_true": rw * w[sev], "audit_detected": detected}

    def outpatient_cut(self, condition: np.ndarray, facility: np.ndarray, referred: np.ndarray) -> np.ndarray:
        """Reimbursement cut of outpatient visits under the rules in force (a referred visit is not a bypass)."""
        referred = np.asarray(referred, dtype=np.int64)
        return self.regime.referral.outpatient_cut[condition, self.level[facility], referred]

    def _close_open_stays(self) -> None:
        """Stays still open at the end are booked up to the last day, flagged ``open_at_end``."""
        if len(self.ward):
            stays = self.ward.take(np.ones(len(self.ward), dtype=bool))
            self.book(stays, np.full(len(stays["episode_id"]), self.n_days), open_at_end=True)


# -- the stages -------------------------------------------------------------------------------------
def ward_stage(m: CountyModel, day: Day) -> None:
    """Recovery-phase down-referrals due today, then discharges."""
    if len(m.ward) == 0:
        return
    due = m.ward.cols["transfer_day"] == day.day
    if due.any():
        _down_referrals(m, day, due)
    split = m.ward.cols["split_day"] == day.day
    if split.any():
        _split_admissions(m, day, split)
    done = m.ward.cols["end_day"] == day.day
    if done.any():
        _discharge(m, day, m.ward.take(done))


def _down_referrals(m: CountyModel, day: Day, due: np.ndarray) -> None:
    d, cols = day.day, m.ward.cols
    idx = np.flatnonzero(due)
    ids = cols["episode_id"][idx]
    wants = m.streams.uniform("referral", ids, _SLOT_DOWN) < m.down_prop[cols["facility"][idx], cols["condition"][idx]]
    thc = m.world.thc_of_township[m.population.township[cols["resident"][idx]]]
    free = m.beds - m.census
    moved = wants & m.within_free_beds(thc, wants, ids, free, slot=_SLOT_DOWN)
    cols["transfer_day"][idx] = -1
    if not moved.any():
        return
    mask = np.zeros(len(m.ward), dtype=bool)
    mask[idx[moved]] = True
    stays = m.ward.take(mask)
    thc = thc[moved]  # take() keeps ward order, and idx is ascending
    remaining = stays["end_day"] - d
    m.book(stays, np.full(len(thc), d))
    m.census -= np.bincount(stays["facility"], minlength=len(m.census))
    recovery = dict(stays)
    recovery.update({
        "facility": thc, "level": np.full(len(thc), TOWNSHIP), "segment": stays["segment"] + 1,
        "path": np.full(len(thc), codes.REFERRED_DOWN), "admit_day": np.full(len(thc), d),
        "end_day": d + remaining, "transfer_day": np.full(len(thc), -1), "fixed_cost": np.zeros(len(thc)),
        "per_day_cost": np.full(len(thc), m.config.casemix.recovery_bed_day_cost), "split_day": np.full(len(thc), -1)})
    m.ward.add(recovery)
    m.census += np.bincount(thc, minlength=len(m.census))
    day.add("down_referrals", len(thc))


def _split_admissions(m: CountyModel, day: Day, due: np.ndarray) -> None:
    """Split admissions 分解住院 due today: the stay is discharged on paper (its claim booked) and readmitted the
    same day at the same facility for the rest of the planned stay, a new admission with its own case payment.
    The second admission repeats the stay's fixed cost (admission work-up); the bed stays occupied. Its
    fee-for-service-equivalent cost counts only the remaining days, so splits do not raise floating budgets."""
    d = day.day
    stays = m.ward.take(due)
    n = len(stays["episode_id"])
    m.book(stays, np.full(n, d))
    second = dict(stays)
    rest = stays["per_day_cost"] * (stays["end_day"] - d)
    total = stays["fixed_cost"] + rest
    second.update({"admit_day": np.full(n, d), "split_day": np.full(n, -1), "split": np.ones(n, dtype=bool),
                   "readmission": np.ones(n, dtype=bool),
                   "norm_factor": stays["norm_factor"] * np.divide(rest, total, out=np.ones(n), where=total > 0)})
    m.ward.add(second)
    lvl = stays["level"]
    # on the books: a discharge and a readmission within the supervision window, flagged by rule screening
    day.add("split_admissions", n)
    day.add("discharges", n)
    _count_admissions(day, lvl)
    day.add("readmissions", n)
    day.add("readmissions_flagged", n)


def _discharge(m: CountyModel, day: Day, stays: dict[str, np.ndarray]) -> None:
    d = day.day
    m.book(stays, np.full(len(stays["episode_id"]), d))
    m.census -= np.bincount(stays["facility"], minlength=len(m.census))
    day.add("discharges", len(stays["episode_id"]))
    ids = stays["episode_id"]
    risk = m.casemix.readmit_30d[stays["condition"]] * \
        np.array(m.config.referral.readmission_by_level.as_list())[stays["level"]]
    back = m.streams.uniform("readmission", ids, 0) < risk
    # a stay cut below its calibrated mean adds readmission risk (length-of-stay channel): its own draw, so
    # the calibrated readmissions stay the same episodes
    added = m.provider.readmit_added[stays["level"], stays["condition"], stays["severity"]]
    if added.any():
        back |= m.streams.uniform(_READMIT_ADDED[0], ids, _READMIT_ADDED[1]) < added
    if back.any():
        delay = 1 + np.floor(m.streams.uniform("readmission", ids[back], 1) * (READMISSION_WINDOW_DAYS - 1))
        # rule screening 智能监控 flags a readmission within the window as a possible split admission 分解住院
        day.add("readmissions_flagged", (delay <= m.regime.rules.payment.supervision.readmission_window_days).sum())
        when_all = d + delay.astype(np.int64)
        new_ids = derived_ids(ids[back], salt=1)
        for when in np.unique(when_all):
            sel = when_all == when
            m.pending_readmissions[int(when)].append(
                (new_ids[sel], stays["resident"][back][sel], stays["condition"][back][sel]))


def onset_stage(m: CountyModel, day: Day) -> None:
    """Today's new episodes by setting, chronic follow-ups due, and readmissions due."""
    ids, res, cond = m.onset.new_episodes(day.day)
    if m.health is not None:
        # incidence multipliers by control state (thinning on a keyed draw + extra onsets), the dead masked
        keep = m.onset.keep(ids, res, cond, m.streams.uniform("health", ids, 40))
        e_ids, e_res, e_cond = m.onset.extra_episodes()
        if len(e_ids):
            ids, res, cond = (np.concatenate([ids[keep], e_ids]), np.concatenate([res[keep], e_res]),
                              np.concatenate([cond[keep], e_cond]))
        elif not keep.all():
            ids, res, cond = ids[keep], res[keep], cond[keep]
    day.add("onsets", len(ids))
    op = m.casemix.setting[cond] == OUTPATIENT
    day.batches["outpatient"] = {"ids": ids[op], "res": res[op], "cond": cond[op]}
    fu_ids, fu_res, fu_cond = m.onset.followups(day.day)
    share = m.config.contracts.extra_followup_share
    if m.config.mechanisms.contracts and share > 0:
        # contracted managed patients come for about 10% more follow-ups (behaviour_evidence §6)
        e_ids, e_res, e_cond = m.onset.followups(day.day, offset=m.onset.interval // 2, salt=1)
        extra = contracts.extra_followup(m.streams.uniform("contract", e_ids, 2), m.contracted[e_res],
                                         m.config.contracts)
        if extra.any():
            day.add("extra_followups", extra.sum())
            fu_ids, fu_res, fu_cond = (np.concatenate([fu_ids, e_ids[extra]]),
                                       np.concatenate([fu_res, e_res[extra]]), np.concatenate([fu_cond, e_cond[extra]]))
    if m.onset.alive is not None:
        live = m.onset.alive[fu_res]
        if not live.all():
            fu_ids, fu_res, fu_cond = fu_ids[live], fu_res[live], fu_cond[live]
    day.batches["chronic"] = {"ids": fu_ids, "res": fu_res, "cond": fu_cond}
    batches = m.pending_readmissions.pop(day.day, [])
    r_ids, r_res, r_cond = (tuple(np.concatenate([b[i] for b in batches]) for i in range(3)) if batches else
                            (np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.int64)))
    if m.onset.alive is not None and len(r_ids):
        live = m.onset.alive[r_res]
        r_ids, r_res, r_cond = r_ids[live], r_res[live], r_cond[live]
    ip = np.flatnonzero(~op)
    day.batches["inpatient"] = {
        "ids": np.concatenate([ids[ip], r_ids]), "res": np.concatenate([res[ip], r_res]),
        "cond": np.concatenate([cond[ip], r_cond]),
        "readmission": np.concatenate([np.zeros(len(ip), bool), np.ones(len(r_ids), bool)])}


def seek_outpatient_stage(m: CountyModel, day: Day) -> None:
    """Severity and care seeking of today's acute outpatient episodes, and which chronic follow-ups are due
    (long prescriptions) and kept (care seeking), weighed in one pass over both batches: nothing either
    visit stage changes enters a patient's expected price, so one choice-set computation serves both."""
    acute, chronic = day.batches["outpatient"], day.batches["chronic"]
    mech = m.config.mechanisms
    rule = m.regime.rules.policy.chronic_care
    if len(chronic["ids"]) and mech.chronic_continuity and rule.long_prescription_share > 0:
        # 长处方: a patient on a long prescription visits once every `cycles` follow-up cycles
        on_long = m._u_long[chronic["res"]] < rule.long_prescription_share
        cycles = chronic_continuity.refill_cycles(rule, m.onset.interval)
        chronic = subset(chronic, chronic_continuity.visit_due(
            day.day, m.population.followup_phase[chronic["res"]], m.onset.interval, on_long, cycles))
    acute = {**acute, "sev": m.severity(acute["ids"], acute["cond"]) if len(acute["ids"]) else
             np.zeros(0, dtype=np.int64)}
    chronic = {**chronic, "sev": np.ones(len(chronic["ids"]), dtype=np.int64)}
    n = len(acute["ids"])
    with_chronic = mech.care_seeking and len(chronic["ids"]) > 0
    parts = (acute, chronic) if with_chronic else (acute,)
    if sum(len(b["ids"]) for b in parts):
        cs = m.config.care_seeking
        cat = {k: np.concatenate([b[k] for b in parts]) for k in ("res", "cond", "sev")}
        n_chronic = len(cat["res"]) - n
        elasticity = np.concatenate([np.full(n, cs.elasticity_outpatient), np.full(n_chronic, cs.elasticity_chronic)])
        p0 = np.concatenate([m._seek[acute["sev"]], np.ones(n_chronic)])
        p, util = m.seek_probability(cat["res"], cat["cond"], cat["sev"], p0, elasticity)
        for b, rows in zip(parts, (slice(0, n), slice(n, None))):
            b["p"] = p[rows]
            if util is not None:
                # the choice utilities ride with the batch (rows kept by ``subset``) for the visits to reuse
                b["_alts"], b["_u"] = util[0][rows], util[1][rows]
    day.batches["outpatient"], day.batches["chronic"] = acute, chronic


def _batch_utilities(b: dict[str, np.ndarray]) -> Utilities | None:
    """The choice ``(alternatives, utilities)`` riding with a batch since its care-seeking stage, taken off it
    (None when none rides, or a stage in between changed the rows without them)."""
    alts, u = b.pop("_alts", None), b.pop("_u", None)
    return (alts, u) if u is not None and len(u) == len(b["ids"]) else None


def outpatient_stage(m: CountyModel, day: Day) -> None:
    """Acute outpatient episodes and chronic follow-ups and refills 慢病随访/取药 (moderate severity): whether
    they are seen (the draw on :func:`seek_outpatient_stage`'s probability), first contact and visits, both
    kinds in one pass. Their claims never meet: a follow-up's condition is a two-disease code, so the two kinds
    share no aggregate key and no outpatient-cap cell, and booking them together changes no sum."""
    acute, chronic = day.batches["outpatient"], day.batches["chronic"]
    if day.day % DAYS_PER_YEAR == 0:
        day.add("contracted", m.contracted.sum())
    if len(acute["ids"]):
        seek = m.streams.uniform("seek", acute["ids"]) < acute.pop("p")
        day.add("no_care", (~seek).sum())
        m.count_by_income(day, "ill", acute["res"])
        acute = subset(acute, seek)
        m.count_by_income(day, "seen", acute["res"])
        day.add("outpatient_episodes", len(acute["ids"]))
    if "p" in chronic:          # the care-seeking channel: a follow-up may be missed
        keep = m.streams.uniform("care", chronic["ids"], 0) < chronic.pop("p")
        day.add("missed_followups", (~keep).sum())
        chronic = subset(chronic, keep)
    n, n_chronic = len(acute["ids"]), len(chronic["ids"])
    if n + n_chronic == 0:
        return
    mech = m.config.mechanisms
    first = np.full(n + n_chronic, -1, dtype=np.int64)
    if mech.chronic_continuity and n_chronic:
        usual = m.usual[chronic["res"]]
        capable = m.capable[np.maximum(usual, 0), chronic["cond"], 1]
        go = chronic_continuity.go_to_usual(usual, m.streams.uniform("care", chronic["ids"], 1),
                                            m.config.chronic.continuity, capable)
        first[n:] = np.where(go, usual, -1)
    parts = [(b, _batch_utilities(b)) for b in (acute, chronic) if len(b["ids"])]
    util = None if any(u is None for _, u in parts) else \
        tuple(np.concatenate([u[k] for _, u in parts]) for k in (0, 1))
    ids, res, cond, sev = (np.concatenate([acute[k], chronic[k]]) for k in ("ids", "res", "cond", "sev"))
    kind = np.concatenate([np.zeros(n, dtype=bool), np.ones(n_chronic, dtype=bool)])
    fac = m.outpatient_visits(day, ids, res, cond, sev, chronic=kind, first=first, util=util)
    primary = m.level[fac[:n]] <= PRIMARY_MAX_LEVEL
    contracted = m.contracted[acute["res"]]
    day.add("first_contacts", n)
    day.add("first_contacts_primary", primary.sum())
    day.add("first_contacts_contracted", contracted.sum())
    day.add("first_contacts_contracted_primary", (primary & contracted).sum())
    if mech.chronic_continuity and n_chronic and not m.regime.rules.policy.chronic_care.refill_at_village:
        # the last place becomes the usual one, except for a contract's named facility
        r = chronic["res"]
        keep_named = m.contracted[r] & (m.named_slot is not None)
        m.usual[r] = np.where(keep_named & (m.usual[r] >= 0), m.usual[r], fac[n:])


def seek_inpatient_stage(m: CountyModel, day: Day) -> None:
    """Severity and care seeking of inpatient episodes (a readmission always seeks care)."""
    b = day.batches["inpatient"]
    if len(b["ids"]) == 0:
        return
    sev = m.severity(b["ids"], b["cond"])
    p, util = m.seek_probability(b["res"], b["cond"], sev, m._seek[sev], m.config.care_seeking.elasticity_inpatient,
                                 inpatient=True)
    seek = (m.streams.uniform("seek", b["ids"]) < p) | b["readmission"]
    day.add("no_care", (~seek).sum())
    new = ~b["readmission"]
    m.count_by_income(day, "ill", b["res"][new])
    m.count_by_income(day, "seen", b["res"][new & seek])
    if util is not None:
        # the choice utilities ride with the batch (rows kept by ``subset``) for choose_inpatient to reuse
        b = {**b, "_alts": util[0], "_u": util[1]}
    day.batches["inpatient"] = subset({**b, "sev": sev}, seek)


def choose_inpatient_stage(m: CountyModel, day: Day) -> None:
    """First facility chosen for an inpatient episode."""
    b = day.batches["inpatient"]
    if len(b["ids"]) == 0:
        return
    b["fac"] = m.choose(b["ids"], b["res"], b["cond"], b["sev"], inpatient=True, util=_batch_utilities(b))
    b["first_level"] = m.level[b["fac"]]
    b["path"] = np.full(len(b["ids"]), codes.SELF, dtype=np.int64)


def triage_down_stage(m: CountyModel, day: Day) -> None:
    """County hospitals redirect admissions a township centre can treat to the patient's centre 首诊下转,
    if the centre accepts (propensities from their margins)."""
    b = day.batches["inpatient"]
    if len(b["ids"]) == 0:
        return
    ids, fac, cond, sev = b["ids"], b["fac"], b["cond"], b["sev"]
    thc = m.world.thc_of_township[m.population.township[b["res"]]]
    candidate = (m.level[fac] == COUNTY) & m.capable[thc, cond, sev]
    if not candidate.any():
        return
    send = m.streams.uniform("referral", ids, _SLOT_TRIAGE) < m.triage_down[fac, cond, sev]
    take = m.streams.uniform("referral", ids, _SLOT_ACCEPT) < m.accept[thc, cond, sev]
    moved = candidate & send & take
    b["path"][moved] = codes.REDIRECTED_DOWN
    day.add("down_referrals", moved.sum())
    b["fac"] = np.where(moved, thc, fac)


def refer_inpatient_stage(m: CountyModel, day: Day) -> None:
    """A capable facility with a free bed admits unless it refers the case up by choice; an incapable or
    full one refers up (village -> township -> county -> city -> province); the county hospital follows
    the referral lists in force; a redirected patient is not sent back up."""
    b = day.batches["inpatient"]
    if len(b["ids"]) == 0:
        return
    ids, cond, sev, fac, path = b["ids"], b["cond"], b["sev"], b["fac"], b["path"]
    may_refer_out = m.regime.referral.may_refer_out_by_choice()
    free = m.beds - m.census
    pending = np.ones(len(ids), dtype=bool)
    for p in range(len(LEVEL_NAMES) + 1):   # referral passes (at most one per level), not episodes
        idx = np.flatnonzero(pending)
        if idx.size == 0:
            break
        f = fac[idx]
        capable = m.capable[f, cond[idx], sev[idx]]
        refer_capable = capable & (m.streams.uniform("referral", ids[idx], p) < m.refer_up[f, cond[idx], sev[idx]])
        refer_capable &= ((m.level[f] != COUNTY) | may_refer_out[cond[idx]]) & (path[idx] != codes.REDIRECTED_DOWN)
        wants = capable & ~refer_capable
        admitted = wants & m.within_free_beds(f, wants, ids[idx], free, slot=p)
        free -= np.bincount(f[admitted], minlength=len(free))
        moved = ~admitted
        reason = np.where(~capable, codes.REFERRED_INCAPABLE,
                          np.where(refer_capable, codes.REFERRED_CAPABLE, codes.REFERRED_CAPACITY))
        first_move = moved & (path[idx] == codes.SELF)
        path[idx[first_move]] = reason[first_move]
        fac[idx[moved]] = m.targets[f[moved]]
        pending[idx[admitted]] = False
    assert not pending.any(), "every admission must end at a facility"


def admission_threshold_stage(m: CountyModel, day: Day) -> None:
    """Borderline cases treated as outpatients 收治门槛 (admission channel): where an admission earns the
    deciding facility less than under fee-for-service, some non-severe cases get an outpatient visit at that
    facility instead (the level's consultation cost) and leave the inpatient batch."""
    b = day.batches["inpatient"]
    if len(b["ids"]) == 0:
        return
    p = m.provider.admit[m.level[b["fac"]], b["cond"], b["sev"]]
    if (p >= 1).all():
        return
    out = (m.streams.uniform(_ADMISSION[0], b["ids"], _ADMISSION[1]) >= p) & ~b["readmission"]
    if not out.any():
        return
    ids, res, cond, fac = b["ids"][out], b["res"][out], b["cond"][out], b["fac"][out]
    scheme = m.population.scheme[res].astype(np.int64)
    referred = (b["path"][out] != codes.SELF).astype(np.int64)
    cost = m._consult_cost[m.level[fac]]
    m.book_outpatient(day, fac, cond, scheme, referred, cost, res, ids)
    day.add("admissions_avoided", out.sum())
    day.batches["inpatient"] = subset(b, ~out)


def _count_admissions(day: Day, lvl: np.ndarray) -> None:
    """The day's admission counters, by the admitting levels ``lvl`` (n,)."""
    day.add("admissions", len(lvl))
    day.add("admissions_in_county", (lvl <= COUNTY).sum())
    day.add("admissions_township", (lvl == TOWNSHIP).sum())
    day.add("admissions_county", (lvl == COUNTY).sum())
    day.add("admissions_out_of_county", (lvl >= CITY).sum())


def admit_stage(m: CountyModel, day: Day) -> None:
    """Length of stay (lognormal around the case-mix mean), cost, and a bed for every admitted episode."""
    b = day.batches["inpatient"]
    if len(b["ids"]) == 0:
        return
    d, cm = day.day, m.casemix
    ids, cond, sev, fac, path = b["ids"], b["cond"], b["sev"], b["fac"], b["path"]
    lvl = m.level[fac]
    los_mean = cm.los[cond, lvl] * m._los_factor[sev]
    cv = m.config.casemix.los_cv
    sigma = np.sqrt(np.log1p(cv * cv))
    z = ndtri(m.streams.uniform("los", ids))
    spread = np.exp(sigma * z - sigma * sigma / 2)
    # provider channels: planned stay (length of stay) and services per day (intensity) under the rules in force
    x = m.provider.los[lvl, cond, sev]
    y = m.provider.intensity[lvl, cond, sev]
    days = np.maximum(1, np.rint(los_mean * x * spread)).astype(np.int64)
    day.add("stays_cut", (x < 1).sum())
    base = cm.cost[cond, lvl] * m._cost_factor[sev] * y
    fixed_share = m.config.casemix.cost_fixed_share
    # what the stay would cost under fee-for-service behaviour, over what it costs now (floating budgets)
    days0 = np.maximum(1, np.rint(los_mean * spread))
    norm = (fixed_share + (1 - fixed_share) * days0 / los_mean) / \
        (y * (fixed_share + (1 - fixed_share) * days / los_mean))
    acute = np.maximum(1, np.rint(days * (1 - cm.recovery_fraction[cond]))).astype(np.int64)
    transfer = np.where((lvl == COUNTY) & cm.recovery_eligible[cond] & (acute < days), d + acute, -1)
    # split admissions 分解住院: a case-paid facility discharges a share of stays half-way (before a
    # recovery-phase transfer) and readmits them the same day (own keyed draw; stays of one day cannot split)
    split_day = np.full(len(ids), -1, dtype=np.int64)
    p_split = m.provider.split[lvl, cond, sev]
    if p_split.any():
        k = np.maximum(1, np.where(transfer >= 0, transfer - d, days) // 2)
        split = (m.streams.uniform(_SPLIT[0], ids, _SPLIT[1]) < p_split) & (k < days) & \
            ((transfer < 0) | (d + k < transfer))
        split_day = np.where(split, d + k, -1)
    m.ward.add({
        "episode_id": ids, "resident": b["res"], "condition": cond, "severity": sev, "facility": fac, "level": lvl,
        "segment": np.zeros(len(ids)), "path": path, "first_level": b["first_level"],
        "readmission": b["readmission"], "admit_day": np.full(len(ids), d), "end_day": d + days,
        "transfer_day": transfer, "fixed_cost": base * fixed_share, "per_day_cost": base * (1 - fixed_share) / los_mean,
        "norm_factor": norm, "self_pay_share": m.provider.self_pay[lvl, cond, sev], "split_day": split_day,
        "split": np.zeros(len(ids), dtype=bool)})
    m.census += np.bincount(fac, minlength=len(m.census))
    _count_admissions(day, lvl)
    up = codes.IS_UP_PATH[path]
    day.add("up_referrals", up.sum())
    day.add("up_referrals_out_of_county", (up & (lvl >= CITY)).sum())
    day.add("readmissions", b["readmission"].sum())


def bed_days_stage(m: CountyModel, day: Day) -> None:
    """Occupied beds of the day, and the census of township centres and county hospitals."""
    m.bed_days_month += m.census
    m.bed_days[day.day // DAYS_PER_YEAR] += m.census
    day.count["census_township"] = int(m.census[m.level == TOWNSHIP].sum())
    day.count["census_county"] = int(m.census[m.level == COUNTY].sum())


def month_end_stage(m: CountyModel, day: Day) -> None:
    """On the last day of a month: close the month's outpatient claims; facility agents ``step``."""
    if not codes.is_month_end(day.day + 1):
        return
    year, month = codes.year_month(day.day)
    m.claims.close_month(int(year), int(month), m.outpatient_cut)
    m.agents.do("step")
    m.bed_days_month[:] = 0


#: the stages of a day, in order (see the module docstring)
DAY_STAGES: tuple[Stage, ...] = (
    Stage("ward", ward_stage, reads=("ward", "down_prop", "census"), writes=("ward", "census", "claims",
                                                                          "pending_readmissions"),
          doc="down-referrals due, discharges, readmission scheduling"),
    Stage("onset", onset_stage, reads=("population", "pending_readmissions"),
          writes=("batches.outpatient", "batches.chronic", "batches.inpatient"), doc="new episodes"),
    Stage("seek_outpatient", seek_outpatient_stage, reads=("batches.outpatient", "batches.chronic", "choice_tables"),
          writes=("batches.outpatient", "batches.chronic"),
          doc="severity, follow-ups due, care seeking of acute and chronic outpatient episodes"),
    Stage("outpatient_care", outpatient_stage,
          reads=("batches.outpatient", "batches.chronic", "choice_tables", "capable", "usual"),
          writes=("claims", "outpatient_caps", "usual"), doc="acute outpatient episodes and chronic follow-ups"),
    Stage("seek_inpatient", seek_inpatient_stage, reads=("batches.inpatient",), writes=("batches.inpatient",),
          doc="severity and care seeking"),
    Stage("choose_inpatient", choose_inpatient_stage, reads=("batches.inpatient", "choice_tables"),
          writes=("batches.inpatient",), doc="first-contact choice"),
    Stage("triage_down", triage_down_stage, reads=("batches.inpatient", "triage_down", "accept", "capable"),
          writes=("batches.inpatient",), doc="county hospitals redirect to township centres"),
    Stage("refer_inpatient", refer_inpatient_stage, reads=("batches.inpatient", "refer_up", "capable", "census"),
          writes=("batches.inpatient",), doc="admit or refer up"),
    Stage("admission_threshold", admission_threshold_stage, reads=("batches.inpatient", "provider"),
          writes=("batches.inpatient", "claims", "outpatient_caps"), doc="borderline cases treated as outpatients"),
    Stage("admit", admit_stage, reads=("batches.inpatient",), writes=("ward", "census"), doc="LOS, cost, bed"),
    Stage("bed_days", bed_days_stage, reads=("census",), writes=("bed_days",), doc="occupied bed-days"),
    Stage("month_end", month_end_stage, reads=("claims",), writes=("claims",), doc="close the month"),
)
