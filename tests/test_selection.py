"""Selection and the negative list 负面清单 (split admissions 分解住院, their claw-backs) and county outpatient
redirects 门诊下沉 (docs/providers.md §5-§6), checked with numbers on a small county and on the tables."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.codes import COUNTY, INPATIENT
from tests.test_providers_channels import _k, _tables

RUN = {"population": 8_000, "years": 1, "seed": 3}
#: audits of every claim that find half of the splits, fined at 1x, and a lower honesty curvature, so that
#: splits and claw-backs both happen on a small county
CLAWBACK = {"extends": "drg", "payment": {"supervision": {"audit_rate": 1.0, "audit_detection": 0.5,
                                                          "penalty_multiple": 1.0}},
            "providers": {"split_admission": {"curvature": 5.0}}}


@pytest.fixture(scope="module")
def runs():
    return {"baseline": sim.run("baseline", **RUN), "drg": sim.run("drg", **RUN),
            "global_budget": sim.run({"extends": "global_budget", "reform": {"start_year": 0}}, **RUN),
            "clawback": sim.run(CLAWBACK, **RUN)}


def test_fee_for_service_neither_splits_nor_redirects():
    t, _ = _tables("baseline")
    assert not t.split.any() and not t.redirect.any()


def test_drg_vs_fee_for_service_raises_split_admissions_from_zero(runs):
    t, cm = _tables("drg")
    inpatient = cm.setting == INPATIENT
    # net gain of a second case payment: its value (about the charges) less the expected claw-back (0.025 x 2)
    # less the fixed cost 0.4 x 0.92: ln(1.58) / 55 = 0.8% of stays, more where a group pays above its charges
    p = t.split[COUNTY][inpatient]
    assert (p > 0.001).all() and (p < 0.02).all() and 0.006 < p.mean() < 0.011
    b, d = _k(runs["baseline"]), _k(runs["drg"])
    assert b["split_admissions"] == 0 and (runs["baseline"].claims["split_admission"] == 0).all()
    assert d["split_admissions"] >= 6
    assert 3 < d["split_admissions_per_1000_admissions"] < 15
    ip = runs["drg"].claims
    split = ip[ip["split_admission"].to_numpy(bool)]
    # the event is on the claims: the second admission, a readmission, at a case-paid level, its own episode
    assert len(split) == d["split_admissions"]
    assert split["readmission"].all() and (split["payment_method"].astype(str) != "ffs").all()
    others = ip.loc[~ip["split_admission"].to_numpy(bool) & (ip["segment"] == 0), "episode_id"]
    assert split["segment"].eq(0).all() and not split["episode_id"].isin(others).any()
    # flagged by rule screening as readmissions within the window
    assert d["readmissions_flagged"] >= d["split_admissions"]


def test_audits_with_certain_detection_and_a_penalty_above_the_gain_remove_split_admissions():
    strict = {"extends": "drg", "payment": {"supervision": {"screening_detection": 1.0, "penalty_multiple": 1.5}}}
    t, _ = _tables(strict)
    assert t.split_detection == 1.0 and not t.split.any()
    r = sim.run(strict, population=3_000, years=1, seed=3)
    assert _k(r)["split_admissions"] == 0
    off, _ = _tables({"extends": "drg", "mechanisms": {"split_admission": False}})
    assert not off.split.any()


def test_claw_backs_of_confirmed_splits_conserve_money_and_balance_the_ledger(runs):
    r = runs["clawback"]
    k, ip = _k(r), r.claims
    assert k["split_admissions"] > 25
    det = ip["split_detected"].to_numpy(bool)
    # half of the flagged splits confirmed (audit_detection 0.5)
    assert 0.3 < det.sum() / k["split_admissions"] < 0.7 and k["splits_detected"] == det.sum()
    assert (ip.loc[det, "split_admission"]).all()
    # the second admission's payment x penalty multiple (1) clawed back, through the audit-recovery path
    assert np.allclose(ip.loc[det, "split_recovery"], ip.loc[det, "payment_standard"])
    assert (ip.loc[~det, "split_recovery"] == 0).all()
    assert k["split_recoveries"] == pytest.approx(ip["split_recovery"].sum()) and k["split_recoveries"] > 0
    assert k["audit_recoveries"] >= k["split_recoveries"]
    case_paid = ip["payment_method"].astype(str) != "ffs"
    assert np.allclose(ip.loc[case_paid, "provider_payment"],
                       ip.loc[case_paid, "fund_to_provider"] + ip.loc[case_paid, "oop_payment"])
    for run in runs.values():
        c = run.claims
        assert np.allclose(c["total_cost"], c["fund_payment"] + c["oop_payment"])
        assert all(y["ledger_balanced"] for y in run.summary["kpis"].values())


def test_global_budget_redirects_county_outpatient_visits_to_primary_care(runs):
    t, cm = _tables({"extends": "global_budget", "reform": {"start_year": 0}})
    outpatient = cm.setting != INPATIENT
    assert (t.redirect[outpatient] > 0.02).all() and not t.redirect[~outpatient].any()
    b, g = _k(runs["baseline"]), _k(runs["global_budget"])
    assert b["outpatient_redirects"] == 0
    assert g["outpatient_redirects"] > 300 and 0.02 < g["outpatient_redirect_share"] < 0.15
    assert g["primary_visit_share"] > b["primary_visit_share"] + 0.01
    assert g["visits_per_capita_by_level"]["township"] > b["visits_per_capita_by_level"]["township"]
    # gatekeeping adds the rule's share for its listed conditions; switched off, the county keeps its visits
    gk, _ = _tables({"extends": "gatekeeping", "policy": {"gatekeeping": {"enabled": True}}})
    assert gk.redirect.max() == pytest.approx(0.1) and gk.redirect.min() == 0
    off, _ = _tables({"extends": "global_budget", "reform": {"start_year": 0},
                      "mechanisms": {"outpatient_redirect": False}})
    assert not off.redirect.any()
