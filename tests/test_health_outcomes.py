"""Health (sim/model/emergency.py, sim/behaviour/chronic_control.py, sim/county/demography.py): control states
and incidence, ageing and deaths, the stroke / heart-attack path with a green channel. Small counties."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import chronic_control as cc
from sim.codes import DAYS_PER_YEAR
from sim.config.loader import load_config
from sim.model.model import CountyModel

ONLY_CONTROL = {"mechanisms": {"chronic_control": True, "demography": False, "emergency": False}}
HEALTH_OFF = {"mechanisms": {"chronic_control": False, "demography": False, "emergency": False}}


def _onsets(overlay: dict, days: int = 120, population: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    """(conditions, residents) of all onsets over ``days`` as the onset stage produces them."""
    m = CountyModel(load_config({"extends": "baseline", "population": population, "seed": 2, **overlay}))
    conds, res = [], []
    for _ in range(days):
        ids, r, c = m.onset.new_episodes()
        if m.health is not None:
            keep = m.onset.keep(ids, r, c, m.streams.uniform("health", ids, 40))
            e_ids, e_r, e_c = m.onset.extra_episodes()
            r, c = np.concatenate([r[keep], e_r]), np.concatenate([c[keep], e_c])
        conds.append(c); res.append(r)
    return np.concatenate(conds), np.concatenate(res)


def test_control_states_are_monotone_in_control():
    u = np.linspace(0.001, 0.999, 1000)
    disease = np.ones(1000, bool)
    managed = np.zeros(1000, bool)
    lo = cc.states(u, disease, managed, np.full(1000, 0.1), 0.45, 0.30)
    hi = cc.states(u, disease, managed, np.full(1000, 0.7), 0.45, 0.30)
    assert abs((lo == cc.CONTROLLED).mean() - 0.1) < 0.01 and abs((hi == cc.CONTROLLED).mean() - 0.7) < 0.01
    assert ((lo == cc.CONTROLLED) <= (hi == cc.CONTROLLED)).all()          # raising control only adds
    assert abs((lo >= cc.AWARE).mean() - 0.45) < 0.01
    assert (cc.states(u, ~disease, managed, np.full(1000, 0.7), 0.45, 0.3) == cc.NONE).all()


def test_effects_at_zero_leave_incidence_as_today():
    off_c, off_r = _onsets(HEALTH_OFF, days=60)
    zero_c, zero_r = _onsets({**ONLY_CONTROL, "health": {"chronic": {"effect_scale": 0.0}}}, days=60)
    assert np.array_equal(off_c, zero_c) and np.array_equal(off_r, zero_r)
    # with effects on (reference rules), the county's incidence stays near the calibrated one ...
    on_c, on_r = _onsets(ONLY_CONTROL, days=60)
    m = CountyModel(load_config({"extends": "baseline", "population": 20_000, "seed": 2}))
    stroke = m.casemix.codes.index("stroke")
    n_off, n_on = (off_c == stroke).sum(), (on_c == stroke).sum()
    assert abs(n_on - n_off) < 4 * np.sqrt(n_off)
    # ... but cardiovascular events move to hypertensives
    htn = m.population.hypertension
    cv = [m.casemix.codes.index(c) for c in ("stroke", "ami", "chd", "heart_failure", "cerebral_ischaemia")]
    assert htn[on_r[np.isin(on_c, cv)]].mean() > htn[off_r[np.isin(off_c, cv)]].mean() + 0.07


def test_protocol_care_raises_control_and_lowers_strokes():
    protocol = {"policy": {"chronic_management": {"protocol_share": 1.0}}, "reform": {"before": "baseline"}}
    base_c, _ = _onsets(ONLY_CONTROL, days=365)
    prot_c, _ = _onsets({**ONLY_CONTROL, **protocol}, days=365)
    m = CountyModel(load_config({"extends": "baseline", "population": 20_000, "seed": 2, **ONLY_CONTROL,
                                 **protocol}))
    log = m.health.log[0]
    assert log["htn_managed_controlled"] / log["htn_managed"] == pytest.approx(0.70, abs=0.04)
    codes = m.casemix.codes
    for code in ("stroke", "ami", "hypertension_admission"):
        c = codes.index(code)
        assert (prot_c == c).sum() < (base_c == c).sum(), code
    # unrelated conditions unchanged
    c = codes.index("appendicitis")
    assert (prot_c == c).sum() == (base_c == c).sum()


def test_residents_age_die_and_are_replaced():
    m = CountyModel(load_config({"extends": "baseline", "population": 20_000, "seed": 4, "years": 2,
                                 "mechanisms": {"demography": True}}))
    age0 = m.population.age.copy()
    while m.day < DAYS_PER_YEAR:
        m.step()
    h = m.health
    dead = ~h.alive
    assert 100 < dead.sum() < 600                          # about 7-20 per 1,000 a year
    assert h.log[0]["deaths"]["background"] > 0
    # the dead stop generating episodes
    who = np.flatnonzero(dead)
    ids, cond = np.arange(len(who), dtype=np.uint64), np.zeros(len(who), dtype=np.int64)
    assert not m.onset.keep(ids, who, cond, np.zeros(len(who))).any()
    assert m.onset.keep(ids, np.flatnonzero(~dead)[:len(who)], cond, np.zeros(len(who))).all()
    old = age0[dead].mean()
    scheduled = np.zeros(len(dead), dtype=bool)
    scheduled[h._death_order] = True            # the year's background deaths (a keyed schedule)
    disease_dead = dead & ~scheduled            # died of a modelled disease, no background death due this year
    m.start_year(1)
    # births replace the scheduled background deaths; the disease dead stay dead slots until their own is due
    assert h.log[1]["births"] == scheduled.sum() and (h.alive == ~disease_dead).all()
    assert (m.population.age[scheduled] == 0).all()
    assert np.array_equal(m.population.age[~scheduled], age0[~scheduled] + 1)
    assert old > age0.mean() + 10                          # deaths fall on the old


def test_common_random_numbers_hold_in_later_years_with_deaths():
    """Two scenarios whose deaths differ (the green channel saves stroke and heart-attack patients) keep the same
    age and sex strata at later year starts, so the onset process draws the same episodes: only those of
    residents dead in one run and alive in the other differ. (When births replaced every death, the slots of the
    differing dead were reborn in one run only and the onsets of every later year were re-drawn.)"""
    models = [CountyModel(load_config({"extends": sc, "population": 8_000, "seed": 4, "years": 3,
                                       "mechanisms": {"demography": True}})) for sc in ("baseline", "green_channel")]
    for m in models:
        while m.day < 2 * DAYS_PER_YEAR:
            m.step()
        m.start_year(2)
    a, b = models
    assert (a.health.alive != b.health.alive).any()        # the scenarios' dead differ ...
    assert np.array_equal(a.population.age, b.population.age)      # ... but not the strata
    assert np.array_equal(a.population.sex, b.population.sex)
    days = [m.onset.new_episodes(2 * DAYS_PER_YEAR)[1] for m in models]
    assert np.array_equal(*days)                           # the same residents fall ill (the dead are masked later)


def test_green_channel_shortens_time_and_lowers_emergency_deaths():
    run = {"population": 30_000, "seed": 5, "years": 1}
    base = sim.run({"extends": "baseline"}, **run).summary["kpis"]["0"]
    green = sim.run({"extends": "baseline", "policy": {"green_channel": {"county_stroke_centre": True,
                                                                         "county_chest_pain_centre": True}}},
                    **run).summary["kpis"]["0"]
    assert green["emergency_onset_to_treatment_min"] < base["emergency_onset_to_treatment_min"] - 10
    assert green["emergency_deaths"] <= base["emergency_deaths"]
    assert green["emergency_expected_deaths_treated"] < 0.99 * base["emergency_expected_deaths_treated"]
    assert green["green_channel_cost_yuan"] > 0 == base["green_channel_cost_yuan"]
    # the mechanism: expected deaths of the same episodes fall with time saved
    m = CountyModel(load_config({"extends": "baseline", "population": 2_000}))
    stroke = m.casemix.codes.index("stroke")
    ami = m.casemix.codes.index("ami")
    cond = np.array([stroke, stroke, ami, ami])
    sev = np.array([1, 1, 1, 1])
    p_slow, _ = m.health.fatality(cond, sev, np.array([240.0, 240.0, 240.0, 240.0]))
    p_fast, _ = m.health.fatality(cond, sev, np.array([210.0, 210.0, 180.0, 180.0]))

    def odds(p):
        return p / (1 - p)

    assert odds(p_fast[0]) / odds(p_slow[0]) == pytest.approx(0.96 ** 2)
    assert p_slow[2] / p_fast[2] == pytest.approx(1.036 ** 2)


def test_management_effort_responds_to_capitation():
    from sim.behaviour import management_effort as me
    none = me.incentive_per_patient(False, 300, 0.8, 0.5, False, 60, 0)
    cap = me.incentive_per_patient(True, 300, 0.8, 0.5, False, 60, 0)
    assert none == 0 and cap == pytest.approx(120)
    assert me.protocol_share(0.0, none, 120, 0.25, 0.8) == 0.0
    assert me.protocol_share(0.0, cap, 120, 0.25, 0.8) == pytest.approx(0.25)
    assert me.protocol_share(0.5, cap, 120, 0.25, 0.8) == 0.5              # the rule is a floor
    assert me.protocol_share(0.0, 10_000, 120, 0.25, 0.8) == 0.8
    # in the model: capitation raises the protocol share, hence control among managed patients
    base = {"extends": "baseline", "population": 5_000, "seed": 2, "reform": {"before": "baseline"}}
    m0 = CountyModel(load_config(base))
    m1 = CountyModel(load_config({**base, "payment": {"capitation": {"enabled": True}}}))
    assert m0.health.log[0]["protocol_share"] == 0.0 and m1.health.log[0]["protocol_share"] > 0.2
    assert m1.health.log[0]["htn_managed_controlled"] > m0.health.log[0]["htn_managed_controlled"]


def test_management_effort_expects_last_years_realised_surplus():
    from sim.behaviour import management_effort as me
    last = me.Realised(capitation_on=True, rate=300, enrolled=1000, primary_surplus=200_000)
    # last year's primary surplus per enrolled patient (200), plus the primary split of a rate rise
    assert me.realised_incentive(last, True, 300, 0.8, False, 60, 0.4, 120) == (pytest.approx(200), 0)
    assert me.realised_incentive(last, True, 400, 0.8, False, 60, 0.4, 120)[0] == pytest.approx(280)
    deficit = me.Realised(capitation_on=True, rate=300, enrolled=1000, primary_surplus=-50_000)
    assert me.realised_incentive(deficit, True, 300, 0.8, False, 60, 0.4, 120)[0] == 0.0
    assert me.realised_incentive(me.Realised(), True, 300, 0.8, False, 60, 0.4, 120)[0] == 120  # new: the rule
    # a global budget: the primary levels' share of a yuan of surplus (retained 80 of 100, split 0.4)
    assert me.budget_primary_share(100, 80, 0, 0.4) == pytest.approx(0.32)
    assert me.budget_primary_share(-100, 0, 50, 0.4) == pytest.approx(0.2)
    budget = me.Realised(budget_on=True, budget_primary_share=0.32)
    assert me.realised_incentive(budget, False, 300, 0.8, True, 60, 0.4, 0)[1] == pytest.approx(60 * 0.32)
    assert me.realised_incentive(me.Realised(), False, 300, 0.8, True, 60, 0.4, 0)[1] == pytest.approx(24)
    # in the model: a year with a larger realised surplus raises next year's protocol share
    m = CountyModel(load_config({"extends": "chronic_capitation", "population": 3_000, "seed": 2, "years": 2}))
    shares = []
    for surplus in (20_000, 100_000):
        m.start_year(1, None, me.Realised(capitation_on=True, rate=300, enrolled=1000, primary_surplus=surplus))
        shares.append(m.health.log[1]["protocol_share"])
    assert shares[0] == pytest.approx(0.25 * 20 / 120) and shares[1] == pytest.approx(0.25 * 100 / 120)


@pytest.fixture(scope="module")
def capitation_runs():
    base = {"extends": "chronic_capitation", "payment": {"capitation": {"rate": 800}}}
    return {name: sim.run({**base, **overlay}, population=3_000, years=2, seed=3) for name, overlay in (
        ("default", {}), ("response_0", {"health": {"effort": {"response": 0.0}}}),
        ("effort_off", {"mechanisms": {"management_effort": False}}))}


def test_books_hand_the_realised_capitation_surplus_to_next_years_effort(capitation_runs):
    k = capitation_runs["default"].summary["kpis"]
    enrolled = k["0"]["capitation"] / 800
    primary = k["0"]["capitation_surplus_by_level"]["township"] + k["0"]["capitation_surplus_by_level"]["village"]
    # the surplus (capitation minus the care of the enrolled) is split 2:5:3, and the township and village
    # part per enrolled patient is what year 1 expects; year 0 reads the rule (800 x 0.8 x 0.5)
    assert k["0"]["capitation_surplus"] == pytest.approx(k["0"]["capitation"] - k["0"]["capitation_care_cost"])
    assert primary == pytest.approx(0.8 * k["0"]["capitation_surplus"]) and primary > 0
    assert k["0"]["management_incentive_yuan"] == pytest.approx(320)
    assert k["1"]["management_incentive_yuan"] == pytest.approx(primary / enrolled)
    assert k["1"]["protocol_share"] == pytest.approx(min(0.8, 0.25 * primary / enrolled / 120))
    assert k["0"]["ledger_balanced"] and k["1"]["ledger_balanced"]


def test_management_response_zero_leaves_outputs_as_without_the_channel(capitation_runs):
    a, b = capitation_runs["response_0"].summary["kpis"], capitation_runs["effort_off"].summary["kpis"]
    for y in ("0", "1"):
        assert a[y]["protocol_share"] == 0.0
        diff = {key for key in a[y] if key != "management_incentive_yuan" and a[y][key] != b[y][key]}
        assert not diff, diff
