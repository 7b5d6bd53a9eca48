"""The community global budget: annual total, withholds, prepayment, year-end settlement, risk fund, ledger.

Claims are priced with full cover (the fund pays every yuan) so a claim's fund payment is its cost, and the
community-year figures of payment_rules.md §7.4 can be read off directly.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sim.budget.year_end import monthly_schedule, settle_year
from sim.config.budget import BudgetConfig
from sim.settlement import PaymentRules, settle
from tests.payment_helpers import approx, full_cover, no_outpatient, spending

M = 1e6
HISTORY = [95 * M, 100 * M, 105 * M]


#: the engine's earlier rules: risk accrual paid back at year end, growth capped at a fixed 4.5 %, rolling base;
#: the §7.4 example reads this way (surplus = B - spent)
LEGACY = {"risk_fund_mode": "returned", "growth_cap": "fixed", "base_rule": "rolling_mean"}


def _budget(**kw) -> BudgetConfig:
    return BudgetConfig(enabled=True, history_yuan=HISTORY, performance={"fixed_score": 1.0}, **{**LEGACY, **kw})


def _settle(claims: pd.DataFrame, budget: BudgetConfig):
    return settle(claims, no_outpatient(), PaymentRules(insurance=full_cover(), budget=budget))


def test_section_7_4_community_year_with_surplus_split_6_3_1():
    # §7.4: base = mean(95, 100, 105) = 100 M; growth 4 % (cap 4.5 %) -> B = 104 M.
    # Deposit 3 % = 3.12 M, risk fund 2 % = 2.08 M, monthly prepayment 104 * 0.95 / 12 = 8.2333 M.
    # Spending 80 M in the community + 20 M out of county = 100 M -> surplus 4 M; full score: all retained,
    # deposit returned; split 6:3:1 -> county 2.4 M, township 1.2 M, village 0.4 M.
    s = _settle(spending(80 * M, 20 * M), _budget())
    b = s.budget.iloc[0]
    assert approx(b["history_base"], 100 * M) and approx(b["budget_total"], 104 * M)
    assert approx(b["deposit"], 3.12 * M) and approx(b["risk_fund_accrued"], 2.08 * M)
    prepay = s.ledger[s.ledger["flow"] == "prepayment"]["amount"]
    assert len(prepay) == 12 and approx(prepay, 104 * M * 0.95 / 12)
    assert approx(b["surplus"], 4 * M) and approx(b["retained_surplus"], 4 * M)
    assert approx(b["deposit_returned"], 3.12 * M)
    assert approx(b[["share_county", "share_township", "share_village"]], [2.4 * M, 1.2 * M, 0.4 * M])
    assert s.balanced
    k = s.kpis["0"]
    assert approx(k["budget_total"], 104 * M) and approx(k["budget_surplus"], 4 * M)
    assert approx(list(k["surplus_share_by_level"].values()), [2.4 * M, 1.2 * M, 0.4 * M])
    assert approx(k["risk_fund_balance"], 2.08 * M) and k["performance_score"] == 1.0


def test_growth_is_capped_by_the_pools_spending_growth():
    # growth 6 % asked, pool grew 4.5 %: B = 100 M * 1.045
    s = _settle(spending(80 * M, 20 * M), _budget(growth=0.06))
    assert approx(s.budget["budget_total"], 104.5 * M)


def test_overspend_inside_band_shared_with_risk_fund_then_pool():
    # Spending 90 + 20 = 110 M against 104 M: overspend 6 M (5.8 % of B, inside the 10 % band).
    # Pool share 50 % = 3 M, paid from the risk fund first (2.08 M accrued this year), 0.92 M from the pool;
    # the community bears 3 M, split 6:3:1 (-1.8, -0.9, -0.3 M).
    s = _settle(spending(90 * M, 20 * M), _budget())
    b = s.budget.iloc[0]
    assert approx(b["surplus"], -6 * M) and approx(b["reasonable_overspend"], 6 * M)
    assert approx(b["pool_overspend_share"], 3 * M) and approx(b["risk_fund_draw"], 2.08 * M)
    assert approx(b["pool_general_share"], 0.92 * M)
    assert approx(b["community_overspend_share"], 3 * M) and approx(b["net_result"], -3 * M)
    assert approx(b[["share_county", "share_township", "share_village"]], [-1.8 * M, -0.9 * M, -0.3 * M])
    assert approx(b["risk_fund_balance"], 0)
    assert s.balanced


def test_overspend_beyond_band_borne_by_the_community():
    # Spending 100 + 20 = 120 M: overspend 16 M; band 10.4 M -> pool 5.2 M, community 16 - 5.2 = 10.8 M.
    b = _settle(spending(100 * M, 20 * M), _budget()).budget.iloc[0]
    assert approx(b["pool_overspend_share"], 5.2 * M) and approx(b["community_overspend_share"], 10.8 * M)


def test_risk_fund_stops_accruing_at_three_months():
    # B = 104 M: a month of budget is 8.667 M, the cap 3 months = 26 M. Opening balance 25 M leaves 1 M:
    # 173,333 a month for five months (866,667), 133,333 in month 6, nothing after; the rest is prepaid.
    cfg = _budget(risk_fund_opening_balance=25 * M)
    sched = monthly_schedule(104 * M, 25 * M, cfg)
    month = 104 * M / 12
    assert approx(sched["risk"], [0.02 * month] * 5 + [1 * M - 5 * 0.02 * month] + [0] * 6, tol=1e-4)
    assert approx(sched["prepayment"][6:], month * 0.97, tol=1e-4)
    s = _settle(spending(80 * M, 20 * M), cfg)
    assert approx(s.budget["risk_fund_balance"], 26 * M, tol=1e-4) and s.balanced


def test_score_scales_deposit_return_and_retention():
    # score 0.75 on the 0.6 -> 0.9 ramp: half the deposit returned (1.56 M), half the 4 M surplus retained;
    # net result 2 M - 1.56 M forfeited = 0.44 M.
    r = settle_year(104 * M, 80 * M, 20 * M, 0.75, 0.0, _budget())
    assert approx(r["deposit_returned"], 1.56 * M) and approx(r["retained_surplus"], 2 * M)
    assert approx(r["net_result"], 0.44 * M)
    assert approx(r["share_county"] + r["share_township"] + r["share_village"], r["net_result"])


def test_fewer_history_years_and_rolling_base():
    # one past year (90 M): base 90 M -> B0 = 93.6 M. Year 1 rolls: mean(90, spent0 = 100) = 95 M -> 98.8 M.
    claims = pd.concat([spending(80 * M, 20 * M, 0), spending(80 * M, 20 * M, 1)], ignore_index=True)
    claims["episode_id"] = range(len(claims))
    s = _settle(claims, BudgetConfig(enabled=True, history_yuan=[90 * M], performance={"fixed_score": 1.0}, **LEGACY))
    assert approx(s.budget["budget_total"], [93.6 * M, 98.8 * M])
    # no history at all: the first year's own spending stands for it (B0 = 100 M * 1.04)
    s0 = _settle(claims, BudgetConfig(enabled=True, performance={"fixed_score": 1.0}, **LEGACY))
    assert approx(s0.budget["budget_total"].iloc[0], 104 * M)
    # 'chain': B1 = B0 * 1.04
    s1 = _settle(claims, BudgetConfig(enabled=True, history_yuan=[90 * M], performance={"fixed_score": 1.0},
                                      **{**LEGACY, "base_rule": "chain"}))
    assert approx(s1.budget["budget_total"], [93.6 * M, 93.6 * M * 1.04])
    assert s.balanced and s0.balanced and s1.balanced


def test_performance_score_from_indicators():
    # in-county rate: 1 of 2 stays in the county = 0.5 (< floor 0.80 -> 0); primary share 0 (-> 0);
    # cost growth vs the last history year 105 M: 100/105 - 1 < 4.5 % (-> 1). Score = 0.3.
    perf = {"in_county_rate": {"weight": 0.4, "floor": 0.8, "target": 0.9},
            "primary_fund_share": {"weight": 0.3, "floor": 0.1, "target": 0.2},
            "cost_growth": {"weight": 0.3, "floor": 0.145, "target": 0.045},
            **{k: {"weight": 0.0, "floor": 0.0, "target": 1.0} for k in ("primary_visit_share", "referral_ratio",
                                                                       "readmission_rate", "oop_rate")}}
    b = _settle(spending(80 * M, 20 * M), BudgetConfig(enabled=True, history_yuan=HISTORY, performance=perf,
                                                       **LEGACY)).budget.iloc[0]
    assert approx(b["in_county_rate"], 0.5) and approx(b["primary_fund_share"], 0)
    assert b["performance_score"] == pytest.approx(0.3)
    assert approx(b["deposit_returned"], 0)            # below the 0.6 zero score


def test_reform_year_switches_the_budget_on():
    # budget off in year 0 (spending 100 M joins the history), on in year 1: base mean(95..105, 100) of the
    # last 3 = (100 + 105 + 100) / 3
    claims = pd.concat([spending(80 * M, 20 * M, 0), spending(80 * M, 20 * M, 1)], ignore_index=True)
    claims["episode_id"] = range(len(claims))
    on = PaymentRules(insurance=full_cover(), budget=_budget())
    off = PaymentRules(insurance=full_cover(), budget=BudgetConfig(enabled=False, history_yuan=HISTORY, **LEGACY))
    s = settle(claims, no_outpatient(), on, rules_by_year={0: off, 1: on})
    assert list(s.budget["year"]) == [1]
    assert approx(s.budget["history_base"], (100 + 105 + 100) / 3 * M)
    assert s.kpis["0"]["budget_total"] is None and s.balanced
