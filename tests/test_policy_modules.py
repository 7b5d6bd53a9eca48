"""Policies are modules that declare their section, rules, stages and KPIs; the day takes new stages."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.model import CountyModel
from sim.policy import POLICIES, in_force
from sim.stages import Stage


def test_every_policy_names_a_real_section_and_is_off_in_the_baseline():
    cfg = sim.load_config("baseline")
    assert len({p.name for p in POLICIES}) == len(POLICIES)
    for p in POLICIES:
        assert p.config(cfg) is not None, p.section
    assert in_force(cfg) == []
    assert {p.name for p in in_force(sim.load_config("combined"))} == {
        "whitelist", "gatekeeping", "drg", "base_groups", "global_budget", "reinvestment"}


def test_a_stage_plugs_into_the_day_without_editing_the_model():
    cfg = sim.load_config({"extends": "baseline", "population": 2000, "seed": 5})
    model = CountyModel(cfg)
    seen = []
    model.add_stage(Stage("count_admitted", lambda m, day: seen.append(len(day.batches["inpatient"]["ids"])),
                          reads=("batches.inpatient",)), after="admit")
    names = [s.name for s in model.stages]
    assert names.index("count_admitted") == names.index("admit") + 1
    for _ in range(40):
        model.step()
    assert len(seen) == 40 and sum(seen) == sum(model.daily["admissions"])
    with pytest.raises(ValueError, match="no stage named"):
        model.add_stage(Stage("x", lambda m, d: None), before="nowhere")
    with pytest.raises(ValueError, match="already runs"):
        model.add_stage(Stage("admit", lambda m, d: None))


def test_policy_kpis_respond_to_their_policy():
    """Gatekeeping lowers the share of gatekept visits that bypass primary care; the whitelist lowers
    out-of-county admissions of unlisted conditions (same seed, common random numbers)."""
    run = {"population": 20_000, "seed": 2}
    base = sim.run("baseline", **run).summary["kpis"]["0"]
    gate = sim.run("gatekeeping", **run).summary["kpis"]["0"]
    white = sim.run("whitelist", **run).summary["kpis"]["0"]
    assert gate["bypass_visit_share"] < base["bypass_visit_share"] - 0.01
    assert white["out_of_county_admissions_unlisted"] < base["out_of_county_admissions_unlisted"]
    assert np.isfinite(base["bypass_visits"]) and base["out_of_county_admissions_listed"] > 0


def test_gatekeeping_referral_route_through_the_township_centre():
    """With the referral route, patients bound for a county hospital for a gatekept condition get a referral at
    their township centre first: bypass visits almost vanish, first contact moves to primary care, and fewer
    episodes go without care than when bypassing is the only way to the county hospital."""
    run = {"population": 20_000, "seed": 2}
    route = sim.run("gatekeeping", **run).summary["kpis"]["0"]
    closed = sim.run({"extends": "gatekeeping", "policy": {"gatekeeping": {"referral_route": False}}},
                     **run).summary["kpis"]["0"]
    assert route["gatekeeping_referrals"] > 0 and closed["gatekeeping_referrals"] == 0
    assert route["bypass_visit_share"] < 0.5 * closed["bypass_visit_share"]
    assert route["first_contact_primary_share"] > closed["first_contact_primary_share"] + 0.1
    assert route["unmet_need"]["share_of_episodes"] < closed["unmet_need"]["share_of_episodes"]
