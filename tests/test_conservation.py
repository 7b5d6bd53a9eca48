"""Money adds up and patients are conserved."""

from __future__ import annotations

import numpy as np


def test_every_claim_total_equals_fund_plus_oop(small_result):
    for table in (small_result.claims, small_result.outpatient):
        diff = table["total_cost"] - table["fund_payment"] - table["oop_payment"]
        assert len(table) > 100
        assert np.abs(diff).max() < 1e-6
        assert (table["fund_payment"] >= 0).all() and (table["oop_payment"] >= 0).all()


def test_aggregates_add_up(small_result):
    k = small_result.summary["kpis"]["0"]
    assert abs(k["total_cost"] - k["fund_payment"] - k["oop_payment"]) < 1e-3 * k["total_cost"] * 1e-6 + 1e-3
    claims_total = small_result.claims["total_cost"].sum() + small_result.outpatient["total_cost"].sum()
    assert np.isclose(k["total_cost"], claims_total, rtol=1e-9)
    fy = small_result.facility_year
    assert np.isclose(fy["revenue"].sum(), claims_total, rtol=1e-9)
    assert np.isclose(fy["fund_payment"].sum() + fy["oop_payment"].sum(), claims_total, rtol=1e-9)


def test_every_episode_ends_somewhere(small_result):
    d = small_result.daily
    new_admissions = d["admissions"] - d["readmissions"]
    # each new illness episode is either untreated, one outpatient episode, or one admission
    assert (d["onsets"] == d["no_care"] + d["outpatient_episodes"] + new_admissions).all()
    # each admission is one referral chain in the claims, discharged or still in a bed at the end
    chains = small_result.claims.groupby("episode_id")
    assert chains.ngroups == d["admissions"].sum()
    assert (chains["segment"].min() == 0).all()
    assert d["discharges"].sum() + small_result.claims["open_at_end"].sum() == chains.ngroups
    # visits in the summary are the outpatient claims
    assert small_result.outpatient["visits"].sum() == d["visits"].sum()


def test_beds_never_overfilled(small_result):
    fy = small_result.facility_year
    bedded = fy[fy["beds"] > 0]
    assert (bedded["bed_occupancy"] <= 1.0 + 1e-9).all()
    d = small_result.daily
    assert d["census_county"].max() <= fy.loc[fy["level_name"] == "county", "beds"].sum()
    assert d["census_township"].max() <= fy.loc[fy["level_name"] == "township", "beds"].sum()
