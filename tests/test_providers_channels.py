"""Provider channels (sim/behaviour): length of stay, intensity, admission threshold, coding, floating DRG
point value and fund supervision, checked with numbers on a small county and on the tables themselves."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour.responses import provider_tables
from sim.codes import COUNTY, TOWNSHIP
from sim.config.loader import load_config
from sim.county.casemix import load_casemix
from sim.policy.regime import regime_for_year, rules_before

RUN = {"population": 8_000, "years": 1, "seed": 3}


@pytest.fixture(scope="module")
def runs():
    return {name: sim.run(name, **RUN) for name in ("baseline", "drg")}


def _k(result):
    return result.summary["kpis"]["0"]


def _tables(overlay: dict | str):
    cfg = load_config(overlay)
    cm = load_casemix(cfg.casemix.table)
    regime = regime_for_year(cfg, rules_before(cfg), cfg.reform.start_year, cm)
    return provider_tables(cfg, regime, cm), cm


def test_fee_for_service_is_the_calibrated_provision():
    t, _ = _tables("baseline")
    assert np.allclose(t.los, 1) and np.allclose(t.intensity, 1) and np.allclose(t.admit, 1)
    assert not t.upcode.any() and not t.readmit_added.any()


def test_drg_cuts_stays_by_the_evidence_size_and_respects_the_floor():
    t, cm = _tables("drg")
    inpatient = cm.setting == 1
    county = t.los[COUNTY][inpatient]
    # an extra day earns nothing: exp(-(1/0.92) / 13) = 0.92 (behaviour_evidence §4: -8.07%)
    assert np.allclose(county, np.exp(-(1 / 0.92) / 13.0), atol=1e-9)
    floored = _tables({"extends": "drg", "providers": {"length_of_stay": {"floor": 0.97}}})[0]
    assert floored.los[COUNTY][inpatient].min() == pytest.approx(0.97)
    assert (t.readmit_added[COUNTY][inpatient] > 0.01).all()
    assert (t.intensity[COUNTY][inpatient] < 0.96).all() and (t.intensity[COUNTY][inpatient] > 0.95).all()


def test_drg_vs_fee_for_service_shortens_stays_lowers_cost_and_raises_coded_casemix(runs):
    b, d = _k(runs["baseline"]), _k(runs["drg"])
    assert d["alos_by_level"]["county"] < 0.95 * b["alos_by_level"]["county"]
    assert d["cost_per_stay_by_level"]["county"] < 0.95 * b["cost_per_stay_by_level"]["county"]
    assert b["case_mix_index_coded"] == b["case_mix_index_true"] and b["upcoded_claims"] == 0
    assert d["case_mix_index_coded"] > 1.01 * d["case_mix_index_true"]
    assert d["upcoded_claims"] > 50
    # cost shifting: items billed outside the list raise out-of-pocket per admission (none under FFS)
    assert b["self_pay_items"] == 0 and d["self_pay_items"] > 0.03 * d["total_cost"] * 0.5
    assert d["oop_per_admission"] > 1.01 * b["oop_per_admission"]   # though DRG cuts cost per stay ~8%


def test_global_budget_lowers_admissions():
    t, cm = _tables({"extends": "global_budget", "reform": {"start_year": 0}})
    inpatient = cm.setting == 1
    for lvl in (TOWNSHIP, COUNTY):
        treated = inpatient & np.isfinite(cm.cost[:, lvl])
        assert (t.admit[lvl][treated][:, :2] < 0.95).all()       # non-severe cases at in-county levels
        assert (t.admit[lvl][:, 2] == 1).all()                    # severe cases always admitted
    off = _tables({"extends": "global_budget", "reform": {"start_year": 0},
                   "mechanisms": {"admission": False}})[0]
    assert np.allclose(off.admit, 1)
    small = {"population": 6_000, "years": 1, "seed": 3}
    gb = _k(sim.run({"extends": "global_budget", "reform": {"start_year": 0}}, **small))
    assert gb["admissions_treated_as_outpatient"] > 40
    # admissions fall by the cases treated as outpatients (more than 3% of those that reached a bed)
    assert gb["admissions_per_1000"] == pytest.approx(1000 * gb["admissions"] / small["population"])
    assert gb["admissions_treated_as_outpatient"] > 0.03 * (gb["admissions"] + gb["admissions_treated_as_outpatient"])


def test_audits_with_certain_detection_and_a_penalty_above_the_gain_remove_upcoding():
    strict = {"extends": "drg", "payment": {"supervision": {"screening_detection": 1.0, "penalty_multiple": 1.5}}}
    t, _ = _tables(strict)
    assert t.detection == 1.0 and not t.upcode.any()
    loose, _ = _tables("drg")
    assert loose.upcode[COUNTY, :, 0].max() == pytest.approx(0.5 / 0.5 / 5.0 * np.log(1 + (1 / 0.75 - 1) *
                                                                                      (1 - 0.025 * 2.0)))


def test_point_value_falls_when_coded_points_rise():
    from sim.config.payment import FacilityPaymentConfig
    from sim.payment.facility_payment import case_payment
    pc = FacilityPaymentConfig(inpatient_method={"county": "drg"})
    n = 200
    total = np.full(n, 5000.0)
    level, scheme, base = np.full(n, COUNTY), np.zeros(n, int), np.zeros(n, bool)
    year = np.repeat([0, 1], n // 2)
    rw = np.ones(n)
    coded = rw.copy()
    coded[n // 2: n // 2 + 50] = 1.6                      # year 1: a quarter of cases coded up
    pay, method, _ = case_payment(total, coded, level, scheme, base, pc, year=year)
    assert (method == 1).all()
    # the budget is what the cases cost: each year's payments sum to it, coded points or not
    assert pay[year == 0].sum() == pytest.approx(total[year == 0].sum())
    assert pay[year == 1].sum() == pytest.approx(total[year == 1].sum())
    per_point = pay / coded
    assert per_point[year == 1].mean() < 0.9 * per_point[year == 0].mean()
    fixed = FacilityPaymentConfig(inpatient_method={"county": "drg"}, drg={"point_value_mode": "fixed"})
    pay_fixed, _, _ = case_payment(total, coded, level, scheme, base, fixed, year=year)
    assert pay_fixed[year == 1].sum() > pay_fixed[year == 0].sum()


def test_money_conserved_on_every_claim_and_recoveries_deducted():
    r = sim.run({"extends": "drg", "payment": {"supervision": {"audit_rate": 1.0, "audit_detection": 0.5,
                                                                   "penalty_multiple": 1.0}}}, **RUN)
    ip = r.claims
    assert np.allclose(ip["total_cost"], ip["fund_payment"] + ip["oop_payment"])
    case_paid = ip["payment_method"].astype(str) != "ffs"
    assert np.allclose(ip.loc[case_paid, "provider_payment"],
                       ip.loc[case_paid, "fund_to_provider"] + ip.loc[case_paid, "oop_payment"])
    det = ip["audit_detected"].to_numpy(bool)
    # a detected claim repays what its coded weight added (nothing where an outlier rule paid it by cost)
    assert det.sum() > 10 and (ip.loc[det, "audit_recovery"] > 0).mean() > 0.7
    # audit_recovery also holds the claw-backs of confirmed split admissions (tests/test_selection.py)
    split = ip["split_detected"].to_numpy(bool)
    assert (ip.loc[~det & ~split, "audit_recovery"] == 0).all()
    assert np.allclose(ip.loc[~det, "audit_recovery"], ip.loc[~det, "split_recovery"])
    assert _k(r)["audit_recoveries"] == pytest.approx(ip["audit_recovery"].sum())
    assert (ip["severity_coded"] >= ip["severity"]).all()
    # items billed outside the list are paid by the patient in full and kept by the facility
    assert (ip["oop_payment"] >= ip["self_pay_cost"] - 1e-9).all() and ip["self_pay_cost"].sum() > 0
    assert all(k["ledger_balanced"] for k in r.summary["kpis"].values())
