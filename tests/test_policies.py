"""Policies act through behaviour: each reform moves flows in its direction, over several seeds.

A reduced county (30k residents; 20k for the base groups' four arms) keeps the suite fast; every comparison is
paired on the same seeds (common random numbers), so the interval is on reform - baseline differences.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim

POP = 30_000
#: three paired seeds: every interval below excludes zero by 3 half-widths or more (measured on seeds 1-5)
SEEDS = (1, 2, 3)
#: t(0.975, n - 1) for the paired intervals of n seeds
T975 = {2: 12.706, 3: 4.303, 4: 3.182, 5: 2.776}


def _runs(scenario, seeds=SEEDS, population=POP, **overlay):
    cfg = {"extends": scenario, **overlay}
    return [sim.run(cfg, seed=s, population=population) for s in seeds]


@pytest.fixture(scope="module")
def baseline():
    return _runs("baseline")


def _kpi(runs, key, year="0"):
    return np.array([r.summary["kpis"][year][key] for r in runs], dtype=float)


def _half_width(d):
    """95% t-interval half-width of the mean of paired differences ``d``."""
    return T975[len(d)] * d.std(ddof=1) / np.sqrt(len(d))


def _paired(reform, base, key, year="0"):
    """Mean paired difference and its 95% t-interval half-width."""
    d = _kpi(reform, key, year) - _kpi(base, key, year)
    return d.mean(), _half_width(d)


def test_whitelist_cuts_unreferred_out_of_county_care(baseline):
    wl = _runs("whitelist")
    for key in ("unreferred_out_of_county_admissions", "out_of_county_fund_share", "out_of_county_admissions"):
        mean, half = _paired(wl, baseline, key)
        assert mean + half < 0, (key, mean, half)
    # the county hospital stops referring out by choice what is not on the list
    def out_by_choice(runs):
        return sum(((r.claims["referral_path"] == "referred_up_capable") & (r.claims["level"] >= 3)).sum()
                   for r in runs)

    assert out_by_choice(wl) < 0.5 * out_by_choice(baseline)


def _base_group_township_share(runs):
    return np.array([(lambda b: b.get("township", 0) / sum(b.values()))(
        r.summary["kpis"]["0"]["base_group_admissions_by_level"]) for r in runs])


#: base groups on 4 seeds of a 20k county (5 seeds of 30k took twice as long): the effect (mean 0.0059) is 3.6
#: times its interval half-width, the margin-off effect at most 0.00075 against the bound 0.2 x 0.0059 = 0.0012
BG_SEEDS, BG_POP = (1, 2, 3, 4), 20_000


def test_base_groups_pull_base_group_admissions_to_townships():
    drg, bg = _runs("drg", BG_SEEDS, BG_POP), _runs("drg_base_groups", BG_SEEDS, BG_POP)
    effect = _base_group_township_share(bg) - _base_group_township_share(drg)
    assert effect.mean() - _half_width(effect) > 0, effect

    # township centres refer base-group cases up less when they are paid the full price
    def up(runs):
        return sum(((r.claims["referral_path"] == "referred_up_capable") & r.claims["base_group"]
                    & (r.claims["first_level"] == 1)).sum() for r in runs)

    assert up(bg) < up(drg)
    # with the facility-margin channels off the effect shrinks to what patient prices cause (here: none,
    # cost sharing keeps its level ratios)
    # (the provider channels that read margins too: admission threshold, stays, intensity, coding, cost shifting)
    off = {"mechanisms": {"facility_margin_response": False, "admission": False, "length_of_stay": False,
                          "intensity": False, "coding": False, "cost_shifting": False}}
    drg_off, bg_off = _runs("drg", BG_SEEDS, BG_POP, **off), _runs("drg_base_groups", BG_SEEDS, BG_POP, **off)
    effect_off = _base_group_township_share(bg_off) - _base_group_township_share(drg_off)
    assert np.abs(effect_off).max() < 0.2 * effect.mean()


#: stays admitted before the reform and discharged under it are priced by its rules: the only year-0 KPI they move
PRICED_AT_DISCHARGE = {"cost_per_stay_by_level"}


def test_global_budget_refers_down_more_after_the_reform():
    # the budget from year 1 (the built-in scenario starts it in year 2): two simulated years per run, not three
    gb = [sim.run({"extends": "global_budget", "reform": {"start_year": 1}}, seed=s, population=POP, years=2)
          for s in SEEDS]
    ffs = [sim.run("baseline", seed=s, population=POP, years=2) for s in SEEDS]
    # before the reform (year 0) the two runs are the same simulation, day by day
    for a, b in zip(gb, ffs):
        pre_a, pre_b = a.daily[a.daily["year"] < 1], b.daily[b.daily["year"] < 1]
        assert len(pre_a) == 365 and pre_a.equals(pre_b)
        ka, kb = a.summary["kpis"]["0"], b.summary["kpis"]["0"]
        assert {k: v for k, v in ka.items() if k not in PRICED_AT_DISCHARGE} == \
            {k: v for k, v in kb.items() if k not in PRICED_AT_DISCHARGE}
    mean, half = _paired(gb, ffs, "down_referrals", year="1")
    assert mean - half > 0, (mean, half)


def test_gatekeeping_moves_first_contact_to_primary_care(baseline):
    gk = _runs("gatekeeping")
    mean, half = _paired(gk, baseline, "primary_visit_share")
    assert mean - half > 0

    def county_visits(runs):
        return np.array([r.outpatient.loc[r.outpatient["level"] == 2, "visits"].sum() for r in runs])

    assert (county_visits(gk) < county_visits(baseline)).all()


def test_without_capacity_no_patient_is_turned_away_for_a_bed():
    r = sim.run({"extends": "baseline", "mechanisms": {"capacity": False},
                 "world": {"county_hospital_beds": [100, 50]}}, seed=1, population=POP)
    assert (r.claims["referral_path"] == "referred_up_no_bed").sum() == 0


def test_unknown_code_in_a_list_is_a_clear_error():
    with pytest.raises(sim.ConfigError, match="policy.whitelist.codes.*no_such"):
        sim.run({"extends": "whitelist", "policy": {"whitelist": {"codes": ["no_such"]}}}, population=2000)
