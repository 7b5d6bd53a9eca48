"""The insurance fund made real (issue #14): employee package base, reference base rule with the pool's growth
cap, growth from factors or income, the risk fund as a reserve, the score by indicator, the pool's income and
balance, shocks told apart from behaviour. Claims priced with full cover: a claim's fund payment is its cost."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.budget.performance import performance_score, score_ramp
from sim.budget.year_end import settle_year
from sim.config.budget import BudgetConfig, PerformanceConfig
from sim.config.shocks import Shock
from sim.settlement import PaymentRules, settle
from tests.payment_helpers import approx, full_cover, inpatient, no_outpatient, spending

M = 1e6
HISTORY = [95 * M, 100 * M, 105 * M]


def _years(*amounts) -> pd.DataFrame:
    """``spending(in, out, year)`` for each (in, out) pair, years 0, 1, ..."""
    df = pd.concat([spending(a, b, y) for y, (a, b) in enumerate(amounts)], ignore_index=True)
    df["episode_id"] = range(len(df))
    return df


def _rules(**kw) -> PaymentRules:
    return PaymentRules(insurance=full_cover(), budget=BudgetConfig(enabled=True, **kw))


def test_employee_package_base_counts_every_scheme_in_history():
    # Year 0: resident-only rules, no budget; residents spend 80 + 20 M, employees 30 M in the county.
    # Year 1: the package takes employees in. Base = year 0 of BOTH schemes = 130 M; g = 4 % (fixed cap)
    # -> B = 135.2 M; spent 130 M; risk accrual 2 % = 2.704 M -> surplus 135.2 - 2.704 - 130 = 2.496 M.
    # (A resident-only base, 100 M -> 104 M, gives a false overspend of 28.08 M.)
    emp = lambda y: inpatient({"total_cost": 30 * M, "level": 2, "admit_day": 365 * y + 50, "resident": 3,  # noqa
                               "scheme": 1})
    claims = pd.concat([spending(80 * M, 20 * M, 0), emp(0), spending(80 * M, 20 * M, 1), emp(1)], ignore_index=True)
    claims["episode_id"] = range(len(claims))
    off = PaymentRules(insurance=full_cover(), budget=BudgetConfig(enabled=False))
    on = _rules(schemes=["resident", "employee"], growth_cap="fixed", performance={"fixed_score": 1.0})
    b = settle(claims, no_outpatient(), on, rules_by_year={0: off, 1: on}).budget.iloc[0]
    assert approx(b["history_base"], 130 * M) and approx(b["budget_total"], 135.2 * M)
    assert approx(b["spent"], 130 * M) and approx(b["surplus"], 2.496 * M)


def test_reference_base_rule_with_the_pools_growth_cap():
    # History 95, 100, 105 M; 100 M spent in years 0 and 1. Year 0: base mean = 100 M, the pool grew
    # 105/100 - 1 = 5 % -> g = min(4 %, 5 %) = 4 % -> B0 = 104 M. Year 1: B1 = B0 x (1 + g), the pool's growth
    # 100/105 - 1 = -4.76 % caps g -> B1 = 104 x 100/105 = 99.0476 M.
    s = settle(_years((80 * M, 20 * M), (80 * M, 20 * M)), no_outpatient(),
               _rules(history_yuan=HISTORY, performance={"fixed_score": 1.0}))
    assert approx(s.budget["budget_total"], [104 * M, 104 * M * 100 / 105], tol=1e-3)
    assert approx(s.budget["pool_growth"], [0.05, 100 / 105 - 1])
    assert approx(s.budget["history_base"].iloc[1], 104 * M) and s.balanced
    # 'rolling_mean' with a fixed cap: the earlier rule, B1 = mean(100, 105, 100) x 1.04
    r = settle(_years((80 * M, 20 * M), (80 * M, 20 * M)), no_outpatient(),
               _rules(history_yuan=HISTORY, base_rule="rolling_mean", growth_cap="fixed",
                      performance={"fixed_score": 1.0}))
    assert approx(r.budget["budget_total"].iloc[1], 305 / 3 * 1.04 * M, tol=1e-3)


def test_growth_from_named_factors_and_from_income():
    # factors: 0.01 (ageing) - 0.01 (drug prices) + 0.01 + 0.01 + 0.01 = 3 %; uncapped -> B0 = 100 M x 1.03
    s = settle(_years((80 * M, 20 * M)), no_outpatient(),
               _rules(history_yuan=[100 * M], growth_source="factors", growth_cap="none",
                      performance={"fixed_score": 1.0}))
    assert approx(s.budget["budget_total"], 103 * M, tol=1e-3)
    # income (以收定支): 100,000 residents at 1,100 yuan (year 0) and 1,124 (year 1): +2.1818 %; year 0 has no
    # earlier income, so the fixed 4 %: B0 = 104 M, B1 = 104 x 1124/1100 = 106.2691 M
    s = settle(_years((80 * M, 20 * M), (80 * M, 20 * M)), no_outpatient(),
               _rules(history_yuan=[100 * M], growth_source="income", growth_cap="none",
                      performance={"fixed_score": 1.0}), enrollees={0: 100_000, 1: 0})
    assert approx(s.budget["budget_total"], [104 * M, 104 * M * 1124 / 1100], tol=1e-3)


def test_risk_fund_is_a_reserve_not_paid_back():
    # B = 104 M, spent 100 M: the 2.08 M accrual stays in the risk fund; the community is settled against
    # 104 - 2.08 = 101.92 M: surplus 1.92 M, and no year-end transfer pays the accrual back.
    cfg = BudgetConfig(enabled=True, performance={"fixed_score": 1.0})
    r = settle_year(104 * M, 80 * M, 20 * M, 1.0, 0.0, cfg)
    assert approx(r["surplus"], 1.92 * M) and approx(r["risk_fund_balance"], 2.08 * M)
    assert approx(r["settlement_transfer"], 0.0) and approx(r["net_result"], 1.92 * M)
    # the earlier rule ('returned'): surplus 4 M, the transfer pays 2.08 M back
    old = settle_year(104 * M, 80 * M, 20 * M, 1.0, 0.0, cfg.model_copy(update={"risk_fund_mode": "returned"}))
    assert approx(old["surplus"], 4 * M) and approx(old["settlement_transfer"], 2.08 * M)
    # near the cap (3 months = 26 M): opening 25 M accrues only 1 M, so the target is 103 M
    near = settle_year(104 * M, 80 * M, 20 * M, 1.0, 25 * M, cfg)
    assert approx(near["risk_fund_accrued"], 1 * M, tol=1e-3) and approx(near["surplus"], 3 * M, tol=1e-3)
    assert approx(near["risk_fund_balance"], 26 * M, tol=1e-3)


def test_shock_overspend_drawn_from_risk_fund_behaviour_from_pool():
    # B = 104 M, opening risk fund 10 M, accrual 2.08 M; spent 90 + 20 = 110 M; target 101.92 M ->
    # overspend 8.08 M (inside the 10.4 M band). A shock caused 5 M: shock part 5 M -> pool 2.5 M from the risk
    # fund; behaviour part 3.08 M -> pool 1.54 M from the general fund; community 8.08 - 4.04 = 4.04 M.
    cfg = BudgetConfig(enabled=True)
    r = settle_year(104 * M, 90 * M, 20 * M, 1.0, 10 * M, cfg, shock_excess=5 * M)
    assert approx(r["surplus"], -8.08 * M) and approx(r["shock_overspend"], 5 * M)
    assert approx(r["behaviour_overspend"], 3.08 * M) and approx(r["risk_fund_draw"], 2.5 * M)
    assert approx(r["pool_general_share"], 1.54 * M) and approx(r["community_overspend_share"], 4.04 * M)
    assert approx(r["risk_fund_balance"], 12.08 * M - 2.5 * M)
    # no shock: the same overspend is all behaviour's; the risk fund is not touched
    r0 = settle_year(104 * M, 90 * M, 20 * M, 1.0, 10 * M, cfg)
    assert approx(r0["risk_fund_draw"], 0) and approx(r0["pool_general_share"], 4.04 * M)


def test_score_by_indicator_returns_the_deposit_in_part():
    perf = PerformanceConfig()
    mid = {"in_county_rate": 0.85, "primary_fund_share": 0.15, "primary_visit_share": 0.55, "referral_ratio": 0.215,
           "readmission_rate": 0.075, "cost_growth": 0.095, "oop_rate": 0.35}
    assert performance_score(mid, perf) == pytest.approx(0.5)          # every indicator half-way
    at_target = {"in_county_rate": 0.9, "primary_fund_share": 0.2, "primary_visit_share": 0.65,
                 "referral_ratio": 0.33, "readmission_rate": 0.05, "cost_growth": 0.045, "oop_rate": 0.30}
    assert performance_score(at_target, perf) == pytest.approx(1.0)
    assert performance_score({**mid, "in_county_rate": 0.95}, perf) == pytest.approx(0.5 + 0.2 * 0.5)
    # two claims: in-county rate 1/2 -> 0; primary fund share 0 -> 0; no outpatient visits or referrals (score 1);
    # no readmission, growth 100/105 - 1, no out-of-pocket -> 1. Score 0.15 + 0.1 + 0.1 + 0.2 + 0.1 = 0.65:
    # ramp (0.65 - 0.6) / 0.3 = 1/6 of the deposit returned: 3 % -> 0.52 M, 10 % -> 1.7333 M
    for share, back in ((0.03, 0.52 * M), (0.10, 10.4 * M / 6)):
        b = settle(spending(80 * M, 20 * M), no_outpatient(),
                   _rules(history_yuan=HISTORY, deposit_share=share)).budget.iloc[0]
        assert b["performance_score"] == pytest.approx(0.65)
        assert b["score_in_county_rate"] == 0 and b["score_primary_fund_share"] == 0 and b["score_oop_rate"] == 1
        assert approx(b["deposit_returned"], back, tol=1e-3)
    assert score_ramp(0.75, perf) == pytest.approx(0.5)


def test_pool_income_balance_and_reserve_months():
    # 100,000 residents x (400 + 700) = 110 M income; opening 8.5 months of it = 77.9167 M; 100 M spent ->
    # balance 87.9167 M = 10.55 months of spending. Year 1: x (400 + 724) = 112.4 M, 100 M spent -> 100.3167 M.
    s = settle(_years((80 * M, 20 * M), (80 * M, 20 * M)), no_outpatient(),
               PaymentRules(insurance=full_cover()), enrollees={0: 100_000, 1: 0})
    p = s.pool.set_index("year")
    assert approx(p["income"], [110 * M, 112.4 * M]) and approx(p["balance_opening"].iloc[0], 110 * M * 8.5 / 12)
    assert approx(p["balance"], [110 * M * 8.5 / 12 + 10 * M, 110 * M * 8.5 / 12 + 22.4 * M], tol=1e-3)
    assert p["reserve_months"].iloc[0] == pytest.approx((110 * 8.5 / 12 + 10) / (100 / 12))
    assert s.kpis["1"]["pool_balance"] == pytest.approx(p["balance"].iloc[1])
    assert set(s.checks["check"]) >= {"pool_balance", "pool_spending"} and s.balanced


def test_price_shock_raises_costs_and_is_told_from_behaviour():
    # history 100 M, no growth: B = 100 M, accrual 2 M. Prices x 1.25 all year: 125 M spent; the shock caused
    # 125 x (1 - 1/1.25) = 25 M. Overspend 125 - 98 = 27 M; reasonable = band 10 M, all of it the shock's:
    # pool 5 M, of which the risk fund (2 M) pays 2 M; the community bears 22 M.
    shock = Shock(kind="price", year=0, multiplier=1.25)
    s = settle(spending(80 * M, 20 * M), no_outpatient(),
               _rules(history_yuan=[100 * M], growth=0.0, growth_cap="none", performance={"fixed_score": 1.0}),
               shocks=[shock])
    b = s.budget.iloc[0]
    assert approx(b["spent"], 125 * M) and approx(b["shock_excess"], 25 * M)
    assert approx(b["reasonable_overspend"], 10 * M) and approx(b["shock_overspend"], 10 * M)
    assert approx(b["behaviour_overspend"], 17 * M) and approx(b["risk_fund_draw"], 2 * M)
    assert approx(b["community_overspend_share"], 22 * M) and s.balanced
    # the same shock in another year leaves this one alone
    other = settle(spending(80 * M, 20 * M), no_outpatient(), _rules(history_yuan=[100 * M], growth=0.0),
                   shocks=[Shock(kind="price", year=1, multiplier=1.25)])
    assert approx(other.budget["spent"], 100 * M)


def test_growth_cap_reads_the_pools_trend_net_of_a_shock():
    # History 100, 100 M; 100 M of claims in each of years 0-2, prices x 1.25 in year 1 (spent 125 M, of which
    # the shock caused 25 M). Year 2's cap reads the pool's growth net of the shock: 100 / (125 - 25) - 1 = 0,
    # so B2 = B1; read literally it would be 100/125 - 1 = -20 % and cut the budget a fifth after the epidemic.
    s = settle(_years((80 * M, 20 * M), (80 * M, 20 * M), (80 * M, 20 * M)), no_outpatient(),
               _rules(history_yuan=[100 * M, 100 * M], performance={"fixed_score": 1.0}),
               shocks=[Shock(kind="price", year=1, multiplier=1.25)])
    b = s.budget.set_index("year")
    assert approx(b.loc[1, "spent"], 125 * M) and approx(b.loc[1, "shock_excess"], 25 * M)
    assert approx(b.loc[2, "pool_growth"], 0.0) and approx(b.loc[2, "budget_total"], b.loc[1, "budget_total"])
    assert s.balanced
