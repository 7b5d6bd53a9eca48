"""Gatekeeping through the contracted family doctor's referral (``policy.gatekeeping.referral_by``).
Small counties (15,000 residents, one year, paired seeds: common random numbers)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.config.loader import load_config
from sim.county.casemix import load_casemix
from sim.policy.regime import contract_route_prices, expected_prices

RUN = {"population": 15_000, "seed": 2, "years": 1}
HIGH = {"contract_share_priority": 0.95, "contract_share_other": 0.70}


def _gate(referral_by: str, contracts: dict | None = None) -> dict:
    return {"extends": "gatekeeping", "policy": {"gatekeeping": {"referral_by": referral_by},
                                                 "family_doctor": contracts or {}}}


@pytest.fixture(scope="module")
def gate_runs():
    scen = {(by, rate): _gate(by, HIGH if rate == "high" else None)
            for by in ("any_primary", "contracted_doctor") for rate in ("low", "high")}
    return {k: sim.run(v, **RUN).summary["kpis"]["0"] for k, v in scen.items()}


def test_contracted_doctor_route_prices_by_named_facility():
    """Only contracted patients get the route, through the facility the contract names; the route through a
    village doctor (a cheaper consultation) costs less than through the township team, and both less than
    bypassing the gatekept county visit."""
    cfg = load_config({"extends": "gatekeeping", "policy": {"gatekeeping": {"referral_by": "contracted_doctor"}}})
    cm = load_casemix(cfg.casemix.table)
    via, route = contract_route_prices(cm, cfg)
    bypass, open_to_all = expected_prices(cm, cfg)
    assert not open_to_all.any() and route.any()           # no route for everyone: the county price is bypassing
    c = np.flatnonzero(route[0] & route[1])
    assert np.all(via[0][:, c] < via[1][:, c]) and np.all(via[1][:, c] < bypass[:, c, 2])
    assert contract_route_prices(cm, load_config("gatekeeping")) is None


def test_contract_rate_opens_referrals_only_under_the_contracted_doctor_rule(gate_runs):
    """With referral_by=contracted_doctor a higher contract rate raises gatekeeping referrals (referred, not
    bypassing, county visits) and primary first contact far more than the same rise under any_primary,
    where everyone has the route anyway; uncontracted residents bypass (more bypass visits at a low rate)."""
    a_lo, a_hi = gate_runs["any_primary", "low"], gate_runs["any_primary", "high"]
    c_lo, c_hi = gate_runs["contracted_doctor", "low"], gate_runs["contracted_doctor", "high"]
    assert c_hi["contract_rate"] > c_lo["contract_rate"] + 0.3
    assert c_lo["gatekeeping_referrals"] < 0.7 * a_lo["gatekeeping_referrals"]
    d_ref_c = c_hi["gatekeeping_referrals"] / c_lo["gatekeeping_referrals"] - 1
    d_ref_a = a_hi["gatekeeping_referrals"] / a_lo["gatekeeping_referrals"] - 1
    assert d_ref_c > 0.3 and d_ref_c > d_ref_a + 0.3
    d_fc_c = c_hi["first_contact_primary_share"] - c_lo["first_contact_primary_share"]
    d_fc_a = a_hi["first_contact_primary_share"] - a_lo["first_contact_primary_share"]
    assert d_fc_c > 0.05 and d_fc_c > 3 * d_fc_a
    assert c_lo["bypass_visit_share"] > 1.5 * c_hi["bypass_visit_share"]
