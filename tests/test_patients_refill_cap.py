"""The two-disease annual cap 两病年度限额 in the refill price patients expect (``mechanisms.refill_cap_in_price``):
the reimbursement ratio and the cap are separate levers. Small counties (10,000 residents, one year, paired seeds)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.payment.cost_sharing import capped_refill_fund


def test_capped_refill_fund():
    fund = np.array([36.0, 54.0, 108.0])                   # 60% of 60 / 90 / 180 yuan refills
    assert np.allclose(capped_refill_fund(fund, 600.0, 12.0), [36.0, 50.0, 50.0])
    assert np.array_equal(capped_refill_fund(fund, float("inf"), 12.0), fund)


@pytest.fixture(scope="module")
def cap_runs():
    def ins(ratio, cap):
        r = {"village": ratio, "township": ratio, "county": ratio, "city": 0.0, "province": 0.0}
        return {"extends": "baseline", "reform": {"before": "baseline"},
                "insurance": {"resident": {"chronic_outpatient_ratio": r, "chronic_annual_fund_cap": cap}}}
    out = {}
    for cap in (10.0, None):
        for ratio in (0.5, 0.9):
            r = sim.run(ins(ratio, cap), population=10_000, seed=3, years=1)
            op = r.outpatient
            fu = op["condition"].isin(["htn_followup", "dm_followup"]) if "condition" in op else None
            county = op.loc[fu & (op["level"] == 2), "visits"].sum()
            out[cap, ratio] = {"county_refills": float(county), "refills": float(op.loc[fu, "visits"].sum())}
    return out


def test_tiny_cap_blocks_the_ratio_lever_in_refill_choices(cap_runs):
    """Raising the two-disease ratio 0.5 -> 0.9 moves refills between facilities (a uniform ratio cuts the
    county hospital's dearer refill most) without a cap; under a 10-yuan cap the fund pays the cap whatever the
    ratio, so the price patients expect, and their choices, hardly move."""
    d_nocap = abs(cap_runs[None, 0.9]["county_refills"] - cap_runs[None, 0.5]["county_refills"])
    d_cap = abs(cap_runs[10.0, 0.9]["county_refills"] - cap_runs[10.0, 0.5]["county_refills"])
    assert d_nocap > 50 and d_cap < 0.2 * d_nocap
