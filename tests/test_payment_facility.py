"""Facility payment: DRG (base groups, outliers), DIP, per-diem, capitation, fund split, expected revenue.

Defaults of payment_rules.md §7.1: cost per RW 5,270.76; 100 points per RW; resident point value 52.8094
(rate 5,280.94 per RW, cf = 5280.94 / 5270.76 = 1.0019314); level coefficients township 0.75, county 1.0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.codes import REFERRED_DOWN
from sim.config.payment import FacilityPaymentConfig
from sim.payment import expected_case_margin, expected_case_revenue
from sim.settlement import PaymentRules, settle
from tests.payment_helpers import approx, inpatient, no_outpatient

DRG_IN_COUNTY = {"township": "drg", "county": "drg"}
AT_COST = {"village": 1, "township": 1, "county": 1, "city": 1, "province": 1}   # cost = charge, as in §7.4


def _rules(**payment) -> PaymentRules:
    # the hand calculations use the demo pack's fixed point value (the floating one is tested in
    # tests/test_providers_channels.py)
    payment["drg"] = {"point_value_mode": "fixed", **payment.get("drg", {})}
    return PaymentRules(payment=FacilityPaymentConfig(**{"inpatient_method": DRG_IN_COUNTY, **payment}))


def test_fv29_base_group_same_payment_at_township_and_county():
    # §7.4: FV29 RW 0.5155 is a base group, k = 1 everywhere: 51.55 points x 52.8094 = 2,722.32 at both levels.
    # Township cost 1,800: patient pays 1800 - 0.85*(1800*0.92 - 200) = 562.40; fund pays 2722.32 - 562.40;
    # revenue 2,722.32, margin +922.32. County cost 3,500: margin 2722.32 - 3500 = -777.68.
    ip = inpatient({"total_cost": 1800, "level": 1}, {"total_cost": 3500, "level": 2})
    c = settle(ip, no_outpatient(), _rules(cost_to_charge=AT_COST)).inpatient
    assert approx(c["payment_standard"], [2722.3246, 2722.3246], tol=1e-3)
    assert approx(c["oop_payment"].iloc[0], 562.40)
    assert approx(c["fund_to_provider"].iloc[0], 2722.3246 - 562.40, tol=1e-3)
    assert approx(c["margin"], [922.3246, -777.6754], tol=1e-3)
    assert c["base_group_paid"].all()
    # without the base-group rule the township is paid with k = 0.75: 2722.32 * 0.75 = 2,041.74 (margin +241.74)
    off = settle(ip, no_outpatient(), _rules(cost_to_charge=AT_COST, base_groups={"enabled": False})).inpatient
    assert approx(off["payment_standard"], [2041.7435, 2722.3246], tol=1e-3)


def test_non_base_group_keeps_level_coefficients():
    # BR15 (stroke, RW 2.3905, not a base group), cost 10,000 (r = 10000 / 12,599.75 = 0.79, normal):
    # township 2.3905 * 0.75 * 5280.94 = 9,468.0; county 2.3905 * 1.0 * 5280.94 = 12,624.1.
    ip = inpatient({"total_cost": 10000, "level": 1, "drg_code": "BR15", "rw": 2.3905},
                   {"total_cost": 10000, "level": 2, "drg_code": "BR15", "rw": 2.3905})
    c = settle(ip, no_outpatient(), _rules()).inpatient
    assert approx(c["payment_standard"], [2.3905 * 0.75 * 5280.94, 2.3905 * 5280.94], tol=1e-6)
    assert not c["base_group_paid"].any()


def test_es4g_high_outlier_linear_add():
    # §7.4: ES4G RW 0.6682, A = 3,521.92, H = 3 (RW < 1), cost 12,000, r = 3.41:
    # pay = 66.82 * 52.8094 + (12000 - 3 * 3521.92) * 1.0019314 = 3528.72 + 1437.01 = 4,965.73 (≈ 94.0 points).
    ip = inpatient({"total_cost": 12000, "level": 2, "drg_code": "ES4G", "rw": 0.6682})
    c = settle(ip, no_outpatient(), _rules()).inpatient.iloc[0]
    assert abs(c["payment_standard"] - 4965.73) < 0.01
    assert abs(c["payment_standard"] / 52.8094 - 94.03) < 0.01
    assert c["outlier"] == "high"
    # 'cap': H * A * k * cf = 3 * 3528.72 = 10,586.17
    cap = settle(ip, no_outpatient(), _rules(drg={"high_outlier_mode": "cap"})).inpatient.iloc[0]
    assert abs(cap["payment_standard"] - 3 * 0.6682 * 5280.94) < 1e-6


def test_low_outlier_modes():
    # FV29 cost 500: r = 500 / 2717.08 = 0.18 < 0.35. 'points_no_factor' pays 500 * 1.0019314 = 500.97;
    # 'by_actual' pays 500.
    ip = inpatient({"total_cost": 500, "level": 2})
    a = settle(ip, no_outpatient(), _rules()).inpatient.iloc[0]
    b = settle(ip, no_outpatient(), _rules(drg={"low_outlier_mode": "by_actual"})).inpatient.iloc[0]
    assert abs(a["payment_standard"] - 500 * 5280.94 / 5270.76) < 1e-9 and a["outlier"] == "low"
    assert abs(b["payment_standard"] - 500) < 1e-9


def test_dip_deviation_cases_and_floating_point_value():
    # §2.4: score 500 (RW 0.5 x 1000), fixed point value 5 -> standard 2,500 at k = 1 (county).
    # cost 1,000 (r 0.4): score 200, pay 1,000; cost 6,000 (r 2.4): score 700, pay 3,500; cost 2,500: 2,500.
    ip = inpatient(*({"total_cost": c, "level": 2, "drg_code": "XX11", "rw": 0.5} for c in (1000, 6000, 2500)))
    fixed = _rules(inpatient_method={"county": "dip"}, dip={"point_value_mode": "fixed", "point_value": 5.0})
    c = settle(ip, no_outpatient(), fixed).inpatient
    assert approx(c["payment_standard"], [1000, 3500, 2500])
    assert list(c["outlier"]) == ["low", "high", "normal"]
    # floating: P = total cost 9,500 / (200 + 700 + 500 points) = 6.786; payments add up to the budget
    fl = settle(ip, no_outpatient(), _rules(inpatient_method={"county": "dip"}, dip={"point_value": 5.0})).inpatient
    assert approx(fl["payment_standard"].sum(), 9500) and approx(fl["payment_standard"].iloc[0], 200 * 9500 / 1400)


def test_per_diem_for_down_referred_recovery_stay():
    # A recovery segment referred down to a township centre, 8 bed-days x 370 yuan = 2,960 (DRG elsewhere).
    ip = inpatient({"total_cost": 2500, "level": 1, "path_code": REFERRED_DOWN, "days": 8})
    c = settle(ip, no_outpatient(), _rules(per_diem={"enabled": True})).inpatient.iloc[0]
    assert c["payment_method"] == "per_diem" and abs(c["payment_standard"] - 2960) < 1e-9


def test_fund_split_modes_and_ungrouped_cases():
    # county FV29 cost 3,500: patient 1,718.75, fund share 1,781.25 of the bill.
    # standard_minus_oop: the fund pays 2722.32 - 1718.75; pro_rata: 2722.32 * 1781.25 / 3500.
    ip = inpatient({"total_cost": 3500, "level": 2}, {"total_cost": 3500, "level": 2, "rw": np.nan, "drg_code": ""})
    a = settle(ip, no_outpatient(), _rules()).inpatient
    b = settle(ip, no_outpatient(), _rules(fund_split_mode="pro_rata")).inpatient
    assert approx(a["fund_to_provider"].iloc[0], 2722.3246 - 1718.75, tol=1e-3)
    assert approx(b["fund_to_provider"].iloc[0], 2722.3246 * 1781.25 / 3500, tol=1e-3)
    # no group (no RW): cost x ungrouped factor 0.8 = 2,800
    assert a["payment_method"].iloc[1] == "ungrouped" and approx(a["payment_standard"].iloc[1], 2800)


def test_chronic_capitation_split_2_5_3():
    # 1,000 enrolled patient-diseases x 300 yuan = 300,000. Their in-community two-disease visits are no longer
    # paid by the visit (fund_to_provider 0); the fund's share of each capitated claim is 600 (the care of the
    # enrolled), so the surplus is 300,000 - 3 x 600 = 298,200, split 2:5:3: each level gets its 600 back plus
    # 59,640 / 149,100 / 89,460 (docs/sources/payment_rules.md §3.5).
    op = pd.DataFrame({"year": 0, "month": 1, "facility_index": [0, 1, 2, 2], "condition_index": [2, 2, 2, 0],
                       "scheme": 0, "referred": False, "visits": [10, 20, 30, 5], "total_cost": 1000.0,
                       "level": [2, 1, 0, 0]})
    runs = {}
    for basis in ("surplus", "payment"):
        rules = _rules(capitation={"enabled": True, "split_basis": basis})
        runs[basis] = s = settle(inpatient({"total_cost": 1}).iloc[0:0], op, rules,
                                 chronic_condition=np.array([False, False, True]), capitation_enrolled=1000,
                                 facility_level=np.array([2, 1, 0]))
        assert list(s.outpatient["fund_to_provider"] == 0) == [True, True, True, False]
        assert s.balanced and s.kpis["0"]["capitation"] == pytest.approx(300_000)
        assert s.kpis["0"]["capitation_care_cost"] == pytest.approx(1800)
    s = runs["surplus"]
    want = [600 + 59_640, 600 + 149_100, 600 + 89_460]
    fin = s.facility_finances.set_index("facility_index")
    assert approx(fin["capitation"], want)
    cap = s.ledger[s.ledger["flow"] == "capitation"].groupby("target")["amount"].sum()
    assert approx(cap[["county", "township", "village"]], want)
    assert s.kpis["0"]["capitation_surplus"] == pytest.approx(298_200)
    assert s.kpis["0"]["capitation_surplus_by_level"] == pytest.approx(
        {"county": 59_640, "township": 149_100, "village": 89_460})
    # the earlier rule: the whole payment split 2:5:3, whoever gave the care
    fin = runs["payment"].facility_finances.set_index("facility_index")
    assert approx(fin["capitation"], [60_000, 150_000, 90_000])
    assert runs["payment"].kpis["0"]["capitation_surplus_by_level"]["village"] == pytest.approx(90_000 - 600)


def test_expected_case_revenue_shapes_and_rules():
    # conditions: FV29 (base group) and BR15 (not); costs at the 5 levels (village does not admit).
    cost = np.array([[np.nan, 1800, 3500, 6000, 7000], [np.nan, 10000, 10000, 18000, 20000]])
    rw = np.array([0.5155, 2.3905])
    drg = np.array(["FV29", "BR15"], dtype=object)
    ffs = expected_case_revenue(cost, rw, PaymentRules(), drg_code=drg)
    assert np.isnan(ffs[:, 0]).all() and approx(ffs[:, 1:], cost[:, 1:])
    rev = expected_case_revenue(cost, rw, _rules(), drg_code=drg)
    assert approx(rev[0, 1:3], [2722.3246, 2722.3246], tol=1e-3)                 # same price at both levels
    assert approx(rev[1, 1:3], [2.3905 * 0.75 * 5280.94, 2.3905 * 5280.94], tol=1e-6)
    assert approx(rev[:, 3:], cost[:, 3:])                                       # city, province still FFS
    margin = expected_case_margin(cost, rw, _rules(cost_to_charge=AT_COST), drg_code=drg)
    assert approx(margin[0, 1:3], [922.3246, -777.6754], tol=1e-3)
    # by severity: (C, S, 5) costs with (C,) weights broadcast over severity
    by_sev = expected_case_revenue(np.stack([cost, cost * 1.5], axis=1), rw, _rules(), drg_code=drg)
    assert by_sev.shape == (2, 2, 5) and approx(by_sev[:, 0, 1:], rev[:, 1:])


def test_expected_revenue_of_a_capitated_follow_up_by_split_basis():
    # a chronic follow-up costing 100 at village, township and county: fund share f, out-of-pocket 100 - f.
    cost = np.array([[100.0, 100.0, 100.0, 100.0, 100.0]])
    chronic = np.array([2])
    ffs = expected_case_revenue(cost, np.array([np.nan]), _rules(), setting=chronic)
    surplus = expected_case_revenue(cost, np.array([np.nan]), _rules(capitation={"enabled": True}), setting=chronic)
    whole = expected_case_revenue(cost, np.array([np.nan]), _rules(capitation={"enabled": True,
                                                                                "split_basis": "payment"}),
                                  setting=chronic)
    assert approx(ffs, cost)
    fund = 100.0 - whole[0, :3]                    # the whole-payment rule earns the out-of-pocket only
    assert (fund > 0).all() and approx(whole[0, 3:], [100.0, 100.0])
    # the surplus rule pays the care back; the level loses its split (village 0.3, township 0.5, county 0.2)
    assert approx(surplus[0, :3], 100.0 - np.array([0.3, 0.5, 0.2]) * fund)


def test_capitation_surplus_split_with_a_vanishing_care_cost():
    """A surplus with almost no care of the enrolled (a subnormal care cost, found by the money property test) is
    split 2:5:3 without a floating-point overflow, and the levels' amounts add up to the payment."""
    from sim.config.payment import CapitationConfig
    from sim.payment.capitation import split_capitation

    cfg = CapitationConfig(enabled=True, rate=300.0)
    by_level = pd.DataFrame({"community": 0, "year": 0, "level": [0, 1, 2], "amount": [90.0, 150.0, 60.0]})
    care = pd.DataFrame({"community": [0], "year": [0], "level": [2], "care_cost": [1.335044e-308]})
    with np.errstate(all="raise"):
        out = split_capitation(by_level, care, cfg)
    assert out["amount"].sum() == pytest.approx(300.0)
    assert list(out["surplus_part"]) == pytest.approx([0.3 * 300, 0.5 * 300, 0.2 * 300])   # village, township, county
