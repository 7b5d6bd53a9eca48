"""Flows respond to prices, capacity and contracts through the modelled behaviour."""

from __future__ import annotations

import numpy as np

import sim
from sim.county.casemix import load_casemix
from tests.conftest import SMALL


def _run(**overlay):
    return sim.run({"extends": "default", **overlay}, **SMALL)


def _k(result):
    return result.summary["kpis"]["0"]


def test_unreferred_penalty_keeps_patients_in_county(small_result):
    harsh = _run(insurance={"unreferred_outcounty_penalty_pp": 0.5})
    base, h = _k(small_result), _k(harsh)
    assert h["unreferred_out_of_county_admissions"] < 0.9 * base["unreferred_out_of_county_admissions"]
    assert h["in_county_admission_rate"] > base["in_county_admission_rate"]


def test_fewer_county_beds_push_cases_out_of_county(small_result):
    tight = _run(world={"county_hospital_beds": [500, 250]})
    no_bed = (tight.claims["referral_path"] == "referred_up_no_bed").sum()
    assert no_bed > 2 * max(1, (small_result.claims["referral_path"] == "referred_up_no_bed").sum())
    assert _k(tight)["out_of_county_admissions"] > _k(small_result)["out_of_county_admissions"]


def test_family_doctor_contracts_raise_primary_share(small_result):
    # the contract rate is a rule (policy.family_doctor, it can change in a reform step)
    everyone = _run(policy={"family_doctor": {"contract_share_priority": 1.0, "contract_share_other": 1.0}})
    assert _k(everyone)["primary_visit_share"] > _k(small_result)["primary_visit_share"] + 0.01


def test_down_referrals_go_to_townships_for_recovery_conditions(small_result):
    c = small_result.claims
    down = c[c["referral_path"] == "referred_down"]
    assert len(down) > 0
    assert (down["level_name"] == "township").all() and (down["segment"] == 1).all()
    cm = load_casemix(sim.load_config().casemix.table)
    eligible = {code for code, ok in zip(cm.codes, cm.recovery_eligible) if ok}
    assert set(down["condition"].astype(str)) <= eligible
    # the county segment before it ends the day the township segment starts
    first = c[c["episode_id"].isin(down["episode_id"]) & (c["segment"] == 0)].set_index("episode_id")
    assert (first.loc[down["episode_id"], "discharge_day"].to_numpy() == down["admit_day"].to_numpy()).all()
    assert (first["level_name"] == "county").all()


def test_one_deductible_per_referral_chain(small_result):
    c = small_result.claims
    down = c[c["referral_path"] == "referred_down"]
    assert (down["deductible"] == 0).all()        # township deductible < county deductible already paid


def test_readmissions_follow_a_discharge_within_30_days(small_result):
    c = small_result.claims
    re = c[c["readmission"] & (c["segment"] == 0)]
    assert len(re) > 10
    last = c[~c["open_at_end"]].groupby(["resident", "condition"], observed=True)["discharge_day"].apply(np.sort)
    for row in re.head(50).itertuples():
        prior = last[(row.resident, row.condition)]
        gap = row.admit_day - prior[prior <= row.admit_day]
        assert ((gap >= 1) & (gap <= 30)).any()
