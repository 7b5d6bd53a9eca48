"""Patient cost sharing: one deductible per referral chain, annual caps, two-disease benefit, base-group option.

Numbers are the default resident rules (payment_rules.md §7.1): in-catalogue share township 0.92, county
0.85; deductible township 200, county 600; ratio township 0.85, county 0.75.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import REFERRED_DOWN, REFERRED_INCAPABLE, year_month
from sim.config.insurance import CostSharingConfig
from sim.payment.caps import OutpatientCapTracker
from sim.settlement import PaymentRules, settle
from tests.payment_helpers import approx, inpatient, no_outpatient

CHRONIC = np.array([False, False, True])       # conditions 0, 1 general; 2 a two-disease follow-up


def test_up_and_down_referral_pay_one_deductible():
    # One hospitalisation: township (2,000) -> up to the county hospital (10,000) -> down to the township (3,000).
    #   seg 0 township: policy 2000*0.92 = 1840; deductible 200;            fund 0.85*(1840-200) = 1394
    #   seg 1 county:   policy 10000*0.85 = 8500; deductible 600-200 = 400; fund 0.75*(8500-400) = 6075
    #   seg 2 township: policy 3000*0.92 = 2760; deductible max(200-600,0) = 0; fund 0.85*2760 = 2346
    # deductibles 200 + 400 + 0 = 600: the county's, once.
    ip = inpatient({"total_cost": 2000, "level": 1, "segment": 0, "episode_id": 7},
                   {"total_cost": 10000, "level": 2, "segment": 1, "episode_id": 7, "path_code": REFERRED_INCAPABLE},
                   {"total_cost": 3000, "level": 1, "segment": 2, "episode_id": 7, "path_code": REFERRED_DOWN})
    s = settle(ip, no_outpatient(), PaymentRules())
    c = s.inpatient.sort_values("segment")
    assert approx(c["deductible"], [200, 400, 0])
    assert approx(c["fund_payment"], [1394, 6075, 2346])
    assert approx(c["oop_payment"], [606, 3925, 654])
    # without the rule each stay pays its own deductible: 200 + 600 + 200
    alone = settle(ip, no_outpatient(), CostSharingConfig(single_deductible_per_chain=False))
    assert approx(alone.inpatient.sort_values("segment")["deductible"], [200, 600, 200])


def test_inpatient_annual_fund_cap_per_person():
    # cap 10,000 a year; county stays of 10,000 each (fund 0.75*(8500-600) = 5925 alone):
    # the first is paid 5925, the second only the 4075 left, the third nothing; another resident is unaffected.
    cs = CostSharingConfig(resident={"inpatient_annual_fund_cap": 10_000, "inpatient_deductible": {"county": 600}})
    ip = inpatient({"total_cost": 10000, "admit_day": 10}, {"total_cost": 10000, "admit_day": 40},
                   {"total_cost": 10000, "admit_day": 90}, {"total_cost": 10000, "admit_day": 40, "resident": 5})
    c = settle(ip, no_outpatient(), cs).inpatient.sort_values(["resident", "admit_day"])
    assert approx(c["fund_payment"], [5925, 4075, 0, 5925])
    assert approx(c["fund_payment"] + c["oop_payment"], c["total_cost"])


def _visits(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["resident", "day", "condition_index", "level", "total_cost"]).copy()
    df["visit_id"] = np.arange(len(df))
    df["facility_index"] = df["level"]
    df["scheme"] = 0
    df["referred"] = False
    df["visits"] = 1
    df["year"], df["month"] = year_month(df["day"].to_numpy())
    return df


def test_outpatient_pooling_and_two_disease_caps_on_single_visits():
    # Resident 0: general visits at a township centre (ratio 0.60) of 300 yuan -> 180 each; the 400-yuan pooling
    # cap leaves 180, 180, 40, 0. Two-disease follow-ups (ratio 0.60, own cap 600/yr per disease): 6 x 200 ->
    # 120 each, 720 in all, so the sixth is paid 0 (5 x 120 = 600). A new year starts a new cap.
    rows = [(0, d, 0, 1, 300.0) for d in (5, 40, 70, 100)] + [(0, 30 * k, 2, 1, 200.0) for k in range(6)] \
        + [(0, 400, 0, 1, 300.0)]
    op = _visits(rows)
    s = settle(inpatient({"total_cost": 1000}).iloc[0:0], op, PaymentRules(), chronic_condition=CHRONIC)
    f = s.outpatient.set_index("visit_id")["fund_payment"]
    assert approx(f.loc[[0, 1, 2, 3]], [180, 180, 40, 0])
    assert approx(f.loc[[4, 5, 6, 7, 8, 9]], [120] * 5 + [0])
    assert approx(f.loc[10], 180)
    assert s.info["outpatient_caps"] == "exact"


def test_tracker_caps_aggregates_like_single_visits():
    # The same visits booked day by day through the tracker and aggregated: same fund per aggregate row.
    rng = np.random.default_rng(3)
    n = 400
    rows = pd.DataFrame({"resident": rng.integers(0, 20, n), "day": np.sort(rng.integers(0, 730, n)),
                         "condition_index": rng.integers(0, 3, n), "level": rng.integers(0, 3, n),
                         "total_cost": rng.uniform(50, 400, n).round(2)})
    op = _visits(rows)
    exact = settle(inpatient({"total_cost": 1}).iloc[0:0], op, PaymentRules(), chronic_condition=CHRONIC).outpatient
    cs = CostSharingConfig()
    tracker = OutpatientCapTracker(cs, np.array([0, 1, 2]), CHRONIC, 20)
    for day, g in op.groupby("day"):
        tracker.add(day, g["facility_index"].to_numpy(), g["condition_index"].to_numpy(), g["scheme"].to_numpy(),
                    g["referred"].to_numpy(), g["total_cost"].to_numpy(), g["resident"].to_numpy(),
                    g["visit_id"].to_numpy())
    keys = ["year", "month", "facility_index", "condition_index", "scheme", "referred"]
    agg = op.groupby(keys, as_index=False).agg(visits=("visits", "sum"), total_cost=("total_cost", "sum"),
                                               level=("level", "first"))
    s = settle(inpatient({"total_cost": 1}).iloc[0:0], agg, cs, chronic_condition=CHRONIC,
               outpatient_caps=tracker.table())
    assert s.info["outpatient_caps"] == "tracker"
    want = exact.groupby(keys)["fund_payment"].sum()
    got = s.outpatient.set_index(keys)["fund_payment"]
    assert approx(got.sort_index(), want.sort_index(), tol=1e-6)
    assert want.sum() < settle(inpatient({"total_cost": 1}).iloc[0:0], agg, cs, chronic_condition=CHRONIC)\
        .outpatient["fund_payment"].sum()        # the caps bite


def test_base_group_keeps_level_ratios_unless_configured():
    # FV29 at the county hospital, 3,500 yuan: own level -> deductible 600, ratio 0.75 (policy 2975):
    # fund 0.75*2375 = 1781.25. With base-group cost sharing at the township level: deductible 200, ratio
    # 0.85 -> fund 0.85*(2975-200) = 2358.75 (in-catalogue share stays the county's).
    ip = inpatient({"total_cost": 3500, "level": 2})
    own = settle(ip, no_outpatient(), PaymentRules()).inpatient
    eq = settle(ip, no_outpatient(), CostSharingConfig(base_group_cost_sharing_level="township")).inpatient
    assert approx(own["fund_payment"], [1781.25]) and approx(eq["fund_payment"], [2358.75])
