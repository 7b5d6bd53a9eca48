"""Properties of the engine over random claims tables and random rules (hypothesis).

For every claim fund + out-of-pocket = total; no payment is negative; the ledger balances every month
and year; surplus shares add up to the community's net result; with every lever off the engine
reproduces plain fee-for-service exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.codes import year_month
from sim.config.budget import BudgetConfig
from sim.config.insurance import CostSharingConfig
from sim.config.payment import FacilityPaymentConfig
from sim.payment.cost_sharing import settle_claims
from sim.settlement import PaymentRules, settle

CODES = np.array(["FV29", "ES45", "ES4G", "BR15", "GE29", ""], dtype=object)
RW = np.array([0.5155, 0.3924, 0.6682, 2.3905, 0.9662, np.nan])
CHRONIC = np.array([False, False, False, False, True, True])
LEVELS = np.array([2, 1, 0, 0, 3, 4])          # facility index -> level
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def claims(draw):
    n = draw(st.integers(0, 25))
    ints = lambda lo, hi: draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))  # noqa: E731
    fac = np.array(ints(0, 5), dtype=np.int64)
    fac = np.where(LEVELS[fac] == 0, 1, fac)                     # villages do not admit
    cond = np.array(ints(0, 5), dtype=np.int64)
    admit = np.array(ints(0, 700), dtype=np.int64)
    days = np.array(ints(0, 30), dtype=np.int64)
    ip = pd.DataFrame({"episode_id": ints(0, 8), "segment": ints(0, 2), "resident": ints(0, 4),
                       "condition_index": cond, "facility_index": fac, "level": LEVELS[fac], "scheme": ints(0, 1),
                       "admit_day": admit, "days": days, "discharge_day": np.minimum(admit + days, 729),
                       "path_code": ints(0, 4),
                       "total_cost": draw(st.lists(st.floats(0, 60_000), min_size=n, max_size=n)),
                       "drg_code": CODES[cond], "rw": RW[cond]})
    ip["unreferred_out"] = (ip["level"] >= 3) & (ip["path_code"] == 0)
    ip["year"], ip["month"] = year_month(ip["discharge_day"].to_numpy())
    m = draw(st.integers(0, 25))
    mints = lambda lo, hi: draw(st.lists(st.integers(lo, hi), min_size=m, max_size=m))  # noqa: E731
    day = np.array(mints(0, 729), dtype=np.int64)
    ofac = np.array(mints(0, 5), dtype=np.int64)
    op = pd.DataFrame({"visit_id": np.arange(m), "day": day, "resident": mints(0, 4), "facility_index": ofac,
                       "condition_index": mints(0, 5), "scheme": mints(0, 1), "referred": mints(0, 1),
                       "total_cost": draw(st.lists(st.floats(0, 2_000), min_size=m, max_size=m)),
                       "visits": 1, "level": LEVELS[ofac]})
    op["year"], op["month"] = year_month(day)
    if draw(st.booleans()):         # aggregated layout
        keys = ["year", "month", "facility_index", "condition_index", "scheme", "referred"]
        op = op.groupby(keys, as_index=False).agg(visits=("visits", "sum"), total_cost=("total_cost", "sum"),
                                                  level=("level", "first"))
    return ip, op


@st.composite
def rules(draw):
    method = st.sampled_from(["ffs", "drg", "dip"])
    share = st.floats(0, 1)
    payment = FacilityPaymentConfig(
        inpatient_method={k: draw(method) for k in ("township", "county", "city", "province")},
        base_groups={"enabled": draw(st.booleans())},
        fund_split_mode=draw(st.sampled_from(["standard_minus_oop", "pro_rata"])),
        drg={"low_outlier_mode": draw(st.sampled_from(["points_no_factor", "by_actual"])),
             "high_outlier_mode": draw(st.sampled_from(["linear_add", "deduct", "cap"]))},
        dip={"point_value_mode": draw(st.sampled_from(["floating", "fixed"]))},
        per_diem={"enabled": draw(st.booleans())}, capitation={"enabled": draw(st.booleans())})
    cap = st.one_of(st.none(), st.floats(0, 50_000))
    insurance = CostSharingConfig(
        resident={"inpatient_annual_fund_cap": draw(cap), "outpatient_annual_fund_cap": draw(cap),
                  "chronic_annual_fund_cap": draw(cap), "inpatient_ratio": {"county": draw(share)}},
        single_deductible_per_chain=draw(st.booleans()),
        base_group_cost_sharing_level=draw(st.sampled_from(["own", "township", "county"])))
    budget = BudgetConfig(
        enabled=draw(st.booleans()), schemes=draw(st.sampled_from([["resident"], ["resident", "employee"]])),
        history_yuan=draw(st.lists(st.floats(0, 500_000), max_size=4)), growth=draw(st.floats(-0.1, 0.2)),
        deposit_share=draw(st.floats(0, 0.2)), risk_fund_share=draw(st.floats(0, 0.2)),
        risk_fund_opening_balance=draw(st.floats(0, 100_000)), surplus_retention=draw(share),
        overspend_band=draw(share), overspend_pool_share=draw(share),
        performance={"fixed_score": draw(st.one_of(st.none(), share))})
    return PaymentRules(insurance=insurance, payment=payment, budget=budget)


@SETTINGS
@given(claims(), rules(), st.integers(0, 500))
def test_money_adds_up_and_ledger_balances(tables, r, enrolled):
    ip, op = tables
    s = settle(ip, op, r, chronic_condition=CHRONIC, facility_level=LEVELS, capitation_enrolled=enrolled,
               years=[0, 1])
    for t in (s.inpatient, s.outpatient):
        total = t["total_cost"].to_numpy()
        assert np.allclose(t["fund_payment"] + t["oop_payment"], total, rtol=1e-12, atol=1e-6)
        for col in ("fund_payment", "oop_payment", "fund_to_provider", "provider_payment"):
            assert (t[col] >= -1e-9).all(), col
    assert (s.inpatient["payment_standard"] >= 0).all()
    assert (s.ledger["amount"] >= 0).all()
    assert s.balanced, s.checks[s.checks["residual"].abs() > 1e-6]
    b = s.budget
    if len(b):
        assert np.allclose(b["share_county"] + b["share_township"] + b["share_village"], b["net_result"])
        full = (b["surplus"] >= 0) & (b["performance_score"] >= r.budget.performance.full_score)
        assert np.allclose(b.loc[full, "retained_surplus"], b.loc[full, "surplus"] * r.budget.surplus_retention)
        assert (b["risk_fund_balance"] >= -1e-9).all()
    fin = s.facility_finances
    assert np.isclose(fin["revenue"].sum(),
                      s.inpatient["provider_payment"].sum() + s.outpatient["provider_payment"].sum()
                      + s.kpis["0"]["capitation"] + s.kpis["1"]["capitation"] + b["net_result"].sum())


LEVERS_OFF = PaymentRules(insurance=CostSharingConfig(
    resident={"inpatient_annual_fund_cap": None, "outpatient_annual_fund_cap": None, "chronic_annual_fund_cap": None},
    employee={"inpatient_annual_fund_cap": None, "outpatient_annual_fund_cap": None, "chronic_annual_fund_cap": None}))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims())
def test_every_lever_off_is_plain_fee_for_service(tables):
    ip, op = tables
    s = settle(ip, op, LEVERS_OFF, chronic_condition=CHRONIC, facility_level=LEVELS)
    want_ip, want_op = settle_claims(ip, op, LEVERS_OFF.insurance, CHRONIC)
    for got, want in ((s.inpatient, want_ip), (s.outpatient, want_op)):
        for col in ("fund_payment", "oop_payment", "provider_payment"):
            assert np.array_equal(got[col].to_numpy(), want[col].to_numpy()), col
        assert np.array_equal(got["fund_to_provider"].to_numpy(), want["fund_payment"].to_numpy())
    assert (s.inpatient["payment_method"] == "ffs").all() and s.budget.empty
    assert set(s.ledger["flow"]) <= {"claims_fund", "patient_payment"} and s.balanced
