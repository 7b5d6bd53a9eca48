"""The multi-year loop: a global budget's retained surplus, reinvested, changes next year's care.

A reduced county (20k residents) under ``global_budget`` with the reform brought forward to year 1
(fee-for-service year 0, budget from year 1, 3 years): the year-1 surplus is settled at the start of year 2 and
each facility invests its level's share of its part; the runs with and without reinvestment are the same day by
day until then (common random numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.policy import LevelInvestment, ReinvestmentConfig
from sim.policy.reinvestment import investment, quality_after

POP = 20_000
SEEDS = (1, 2)
#: the global budget from year 1 (the built-in scenario starts it in year 2): one simulated year less per run
REFORM = 1
INVESTED = REFORM + 1          # the first year with reinvested surplus
UPGRADED = ["arrhythmia", "limb_injury", "biliary_acute"]
#: strong enough that a 20k county's small surplus shows: every yuan of township surplus reinvested,
#: 2 quality points per million, capability from 20,000 yuan
STRONG = {"township": {"share": 1.0, "quality_per_million_yuan": 2.0, "capability_threshold_yuan": 20_000,
                       "capability_conditions": UPGRADED}}


#: a generous budget (10 % growth, uncapped, full score), so the 20k county has a surplus to reinvest under the
#: reference rules (risk accrual kept as a reserve, base chained from the first budget year)
GENEROUS = {"enabled": True, "growth": 0.10, "growth_cap": "none", "performance": {"fixed_score": 1.0}}


def _run(seed, reinvestment=None, **overlay):
    cfg = {"extends": "global_budget", "years": REFORM + 2, "reform": {"start_year": REFORM},
           "budget": GENEROUS, **overlay}
    if reinvestment is not None:
        cfg["reinvestment"] = reinvestment
    return sim.run(cfg, seed=seed, population=POP)


@pytest.fixture(scope="module")
def pairs():
    off = {"mechanisms": {"surplus_reinvestment": False}}
    return [(_run(s, STRONG), _run(s, STRONG, **off)) for s in SEEDS]


def _township(result, year):
    fy = result.facility_year
    return fy[(fy["level_name"] == "township") & (fy["year"] == year)]


def test_investment_is_the_share_of_the_settled_surplus(pairs):
    """What the model invests at the start of year 2 is exactly the rule applied to the final year-end
    settlement of year 1 (budget_share per facility), and the year-1 surplus was positive."""
    on, _ = pairs[0]
    fy = on.facility_year
    y2, y3 = fy[fy["year"] == REFORM].reset_index(drop=True), fy[fy["year"] == INVESTED].reset_index(drop=True)
    assert on.budget.set_index("year").loc[REFORM, "surplus"] > 0
    share = y2["level_name"].map({"township": 1.0, "village": 0.5}).fillna(0.0)
    expected = share * y2["budget_share"].clip(lower=0)
    np.testing.assert_allclose(y3["invested"], expected, rtol=1e-9, atol=1e-6)
    assert y3["invested"].sum() > 0
    assert on.summary["kpis"][str(INVESTED)]["reinvested_yuan"] == pytest.approx(y3["invested"].sum())
    assert (fy.loc[fy["year"] < INVESTED, "invested"] == 0).all()


def test_reinvestment_raises_township_quality_capability_and_admissions(pairs):
    for on, off in pairs:
        # identical until the first reinvestment, at the start of year 2
        pd.testing.assert_frame_equal(on.daily[on.daily["year"] < INVESTED], off.daily[off.daily["year"] < INVESTED])
        t_on, t_off = _township(on, INVESTED), _township(off, INVESTED)
        assert (t_on["quality"].to_numpy() > 0.5).all() and (t_off["quality"].to_numpy() == 0.5).all()
        gained = t_on["capable_cells"].to_numpy() - t_off["capable_cells"].to_numpy()
        assert set(gained) <= {0, 3} and (gained == 3).any()        # 3 conditions x moderate severity
        assert t_on["admissions"].sum() > t_off["admissions"].sum()
        # moderate cases of the upgraded conditions now start at township centres, and only with the upgrade
        def moderate_at_thc(r):
            return int(((r.claims["year"] == INVESTED) & (r.claims["level"] == 1)
                        & (r.claims["segment"] == 0) & (r.claims["severity"] == 1)
                        & r.claims["condition"].isin(UPGRADED)).sum())

        assert moderate_at_thc(on) > 0 and moderate_at_thc(off) == 0
        # the budget still balances with the feedback loop on
        assert on.summary["kpis"][str(INVESTED)]["ledger_balanced"]


def test_no_budget_no_surplus_nothing_invested():
    r = sim.run({"extends": "baseline", "years": 2, "reinvestment": STRONG}, seed=1, population=POP)
    assert (r.facility_year["invested"] == 0).all()
    assert set(r.facility_year["quality"].round(6)) <= {0.3, 0.5, 0.75, 0.95, 1.0}


def test_quality_rule_caps_and_never_lowers():
    rule = LevelInvestment(share=1.0, quality_per_million_yuan=0.02, max_quality=0.6)
    assert quality_after(0.5, 2e6, rule) == pytest.approx(0.54)
    assert quality_after(0.5, 1e8, rule) == pytest.approx(0.6)
    assert quality_after(0.7, 1e6, rule) == pytest.approx(0.7)     # already above the cap: kept


def test_losses_invest_nothing():
    cfg = ReinvestmentConfig(township={"share": 0.5}, county={"share": 0.25})
    level = np.array([1, 1, 2, 3])
    got = investment(np.array([100.0, -50.0, 400.0, 1000.0]), level, cfg)
    np.testing.assert_allclose(got, [50.0, 0.0, 100.0, 0.0])
