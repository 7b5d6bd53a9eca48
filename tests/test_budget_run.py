"""The engine inside a simulation run: run folder tables, KPIs, facility finances, reform years, caps tracker."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.loader import load_config
from sim.model import CountyModel
from sim.results import Result
from sim.simulation import collect

BUDGET_KPIS = ("budget_total", "budget_surplus", "surplus_share_by_level", "risk_fund_balance", "performance_score")


@pytest.fixture(scope="module")
def combined():
    """DRG with base groups and a global budget from year 1 (year 0 fee-for-service gives the history)."""
    return sim.run({"extends": "combined", "years": 2, "reform": {"start_year": 1}}, population=4000, seed=2)


def test_budget_and_ledger_in_run_folder(combined, tmp_path):
    folder = combined.write(tmp_path / "run")
    assert (folder / "budget.parquet").is_file() and (folder / "ledger.parquet").is_file()
    back = Result.load(folder)
    assert list(back.budget["year"]) == [1]                      # the reform year only
    b = back.budget.iloc[0]
    assert b["budget_total"] > 0 and np.isclose(b["share_county"] + b["share_township"] + b["share_village"],
                                                b["net_result"])
    k = back.summary["kpis"]
    assert all(key in k["1"] for key in BUDGET_KPIS) and k["1"]["budget_total"] == pytest.approx(b["budget_total"])
    assert k["0"]["budget_total"] is None and k["0"]["ledger_balanced"] and k["1"]["ledger_balanced"]
    flows = set(back.ledger["flow"].astype(str))
    assert {"prepayment", "claims_in_community", "claims_out_of_community", "settlement", "net_result"} <= flows


def test_claims_priced_by_the_years_rules(combined):
    c = combined.claims
    assert set(c.loc[c["year"] == 0, "payment_method"].astype(str)) == {"ffs"}
    y1 = c[(c["year"] == 1) & c["level"].between(1, 2)]
    assert (y1["payment_method"].astype(str).isin(["drg", "ungrouped", "per_diem"])).all()
    assert y1["base_group_paid"].any()
    for t in (c, combined.outpatient):
        assert np.allclose(t["fund_payment"] + t["oop_payment"], t["total_cost"])
        # a claim caught upcoding pays back its overpayment times the penalty multiple (supervision)
        recovered = t.get("audit_recovery", 0.0)
        assert (t["fund_to_provider"] + recovered >= -1e-9).all()


def test_facility_year_revenue_cost_margin(combined):
    fy = combined.facility_year
    for col in ("revenue", "cost", "margin", "capitation", "budget_share", "fund_to_provider"):
        assert col in fy, col
    assert np.allclose(fy["margin"], fy["revenue"] - fy["cost"])
    paid = combined.claims["provider_payment"].sum() + combined.outpatient["provider_payment"].sum()
    assert fy["revenue"].sum() == pytest.approx(paid + combined.budget["net_result"].sum(), rel=1e-9)


def test_outpatient_caps_alike_in_both_claims_layouts():
    runs = {}
    for layout in ("all", "inpatient"):
        cfg = load_config({"extends": "default", "output": {"claims": layout}}, {"population": 2000, "seed": 3})
        m = CountyModel(cfg)
        m.run()
        runs[layout] = collect(m)
    single, agg = runs["all"], runs["inpatient"]
    for key in ("fund_payment", "oop_payment", "primary_fund_share", "out_of_county_fund_share"):
        assert agg.summary["kpis"]["0"][key] == pytest.approx(single.summary["kpis"]["0"][key], rel=1e-12)
    # the 400-yuan outpatient pooling cap binds for some residents
    assert (single.outpatient["fund_payment"] < single.outpatient["total_cost"] * 0.6 - 1e-9).any()
    by_row = agg.outpatient.groupby(["month", "facility_index", "condition_index"])["fund_payment"].sum()
    want = single.outpatient.groupby(["month", "facility_index", "condition_index"])["fund_payment"].sum()
    pd.testing.assert_series_equal(by_row.sort_index(), want.sort_index(), rtol=1e-9, check_dtype=False)
