"""Patients (sim/behaviour): households and income, care seeking with an outside option, contracts, chronic
continuity. Small counties (20,000 residents, one year, paired seeds: common random numbers)."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import care_seeking
from sim.config.loader import load_config
from sim.model.model import CountyModel

RUN = {"population": 20_000, "seed": 3, "years": 1}


@pytest.fixture(scope="module")
def runs():
    cheap_primary = {"insurance": {"resident": {"outpatient_ratio": {"village": 0.8, "township": 0.8, "county": 0.45,
                                                                     "city": 0.0, "province": 0.0}}}}
    scen = {"baseline": {"extends": "baseline"},
            # a reform against the baseline: care seeking responds to prices relative to the rules before it
            "cheap_primary": {"extends": "baseline", **cheap_primary, "reform": {"before": "baseline"}},
            "contracts_up": {"extends": "contracts_up"},
            "pricier": {"extends": "baseline", "care_seeking": {"price_index": 1.3}},
            "refill_village": {"extends": "chronic_refill_village"}}
    return {k: sim.run(v, **RUN).summary["kpis"]["0"] for k, v in scen.items()}


def test_households_and_income():
    m = CountyModel(load_config({"extends": "baseline", "population": 20_000}))
    pop = m.population
    assert len(pop.household) == pop.n and len(pop.income) == pop.n
    # a household never spans two villages and its members share one per-capita income
    first = np.r_[True, pop.household[1:] != pop.household[:-1]]
    assert (np.diff(pop.household) >= 0).all()
    assert (np.bincount(pop.household, weights=pop.village)[pop.household] / np.bincount(pop.household)[pop.household]
            == pop.village).all()
    assert np.allclose(pop.income, np.repeat(pop.income[first], np.bincount(pop.household)))
    size = pop.n / (pop.household.max() + 1)
    assert 2.3 <= size <= 3.0                                   # mean_size 2.7
    rural = pop.township != 0
    assert abs(pop.income[rural].mean() / 21_691 - 1) < 0.15    # rural per-capita disposable income
    q = np.quantile(pop.income[rural], [0.2, 0.8])
    assert 3 < q[1] / q[0] < 8                                  # lognormal sigma 0.8


def test_nearer_or_cheaper_primary_option_raises_care_seeking():
    # two alternatives (primary, hospital) equally liked; the primary option becomes nearer, then cheaper
    u = np.array([[0.0, 0.0]])
    base = care_seeking.expected_price_and_travel(u, np.array([[50.0, 150.0]]), np.array([[0.5, 1.0]]))
    nearer = care_seeking.expected_price_and_travel(u, np.array([[50.0, 150.0]]), np.array([[0.2, 1.0]]))
    cheaper = care_seeking.expected_price_and_travel(u, np.array([[20.0, 150.0]]), np.array([[0.5, 1.0]]))
    p = [care_seeking.seek_probability(np.array([0.7]), g[0], base[0], -0.5, np.ones(1), g[1], base[1], -0.2)[0]
         for g in (base, nearer, cheaper)]
    assert p[0] == pytest.approx(0.7) and p[1] > 0.72 and p[2] > 0.72


def test_seek_probability_elasticity_and_income():
    p0, ref = np.full(3, 0.7), np.full(3, 100.0)
    p = care_seeking.seek_probability(p0, np.full(3, 110.0), ref, -0.5, np.array([0.5, 1.0, 2.0]))
    assert p[1] / 0.7 - 1 == pytest.approx(1.1 ** -0.5 - 1)     # constant elasticity -0.5 at the mean income
    assert p[0] > p[1] > p[2]                                   # poorer households (larger multiplier) respond more
    inc = care_seeking.income_multiplier(np.array([5_000.0, 20_000.0, 80_000.0]), 0.3, 0.5, 2.5)
    assert inc[0] > 1 > inc[2] and care_seeking.income_multiplier(np.ones(3), 0.0, 0.5, 2.5).tolist() == [1, 1, 1]


def test_cheaper_primary_care_raises_primary_visits_per_capita(runs):
    b, c = runs["baseline"], runs["cheap_primary"]

    def prim(k):
        return k["visits_per_capita_by_level"]["village"] + k["visits_per_capita_by_level"]["township"]

    # primary out-of-pocket about halves (ratio 60% -> 80%): more episodes seen, at primary care. Without
    # `reform.before` (the reference prices moving with the scenario) this gives only +1.1% and -1.6%
    assert prim(c) > prim(b) * 1.015
    assert c["visits_per_capita"] > b["visits_per_capita"]      # more episodes seen, not only a shift
    assert c["unmet_need"]["episodes_without_care"] < 0.96 * b["unmet_need"]["episodes_without_care"]


def test_higher_prices_lower_care_seeking(runs):
    b, p = runs["baseline"], runs["pricier"]
    change = p["visits"] / b["visits"] - 1
    assert -0.20 < change < -0.03                               # +30% prices, elasticity about -0.5 on acute visits
    assert p["admissions"] < b["admissions"]


def test_uniform_price_rise_raises_the_money_metric_price():
    # a cheap primary option (50 yuan) and a dear hospital (2,000 yuan), with a strong price coefficient: a 10%
    # rise moves patients to the cheap option, so the share-weighted price at the NEW shares falls (the old bug:
    # admissions rose with prices); the money-metric price (reference shares + compensating variation) rises
    beta = np.array([0.0018])
    oop_ref = np.array([[50.0, 2_000.0]])
    oop_now = 1.1 * oop_ref
    u_now = np.array([[0.0, 3.6]]) - beta[:, None] * oop_now
    naive_ref = care_seeking.expected_price_and_travel(np.array([[0.0, 3.6]]) - beta[:, None] * oop_ref, oop_ref,
                                                       np.ones((1, 2)))[0, 0]
    naive_now = care_seeking.expected_price_and_travel(u_now, oop_now, np.ones((1, 2)))[0, 0]
    price, hours = care_seeking.money_metric_price(u_now, oop_now, oop_ref, beta, np.array([[0.5, 1.0]]))
    assert naive_now < naive_ref                                 # substitution reverses the naive measure
    assert naive_ref < price[0] < 1.1 * naive_ref                # at most +10%, less by substitution
    same, same_hours = care_seeking.money_metric_price(u_now, oop_now, oop_now, beta, np.ones((1, 2)))
    assert same[0] == pytest.approx(naive_now)                   # no price change: the share-weighted price
    at_ref = care_seeking.money_metric_price(u_now, oop_now, None, beta, np.ones((1, 2)))   # prices at the reference
    assert at_ref[0][0] == same[0] and at_ref[1][0] == same_hours[0]   # the general formula's numbers
    # travel is weighted by the reference shares: a price change does not count as nearer care
    ref_sh = care_seeking.logit_shares(np.array([[0.0, 3.6]]) - beta[:, None] * oop_ref)[0]
    assert hours[0] == pytest.approx(0.5 * ref_sh[0] + 1.0 * ref_sh[1])


def test_bounded_response_keeps_the_elasticity_below_one():
    x = np.array([0.9, 1.0, 1.0 + 1e-6, 1.2, 5.0])
    p = care_seeking.bounded_response(np.full(5, 0.95), x)
    assert p[0] == pytest.approx(0.855) and p[1] == pytest.approx(0.95)
    assert (np.diff(p) > 0).all() and p[-1] < 1                  # increasing, never 1 for p0 < 1
    assert (p[2] - p[1]) / 1e-6 / 0.95 == pytest.approx(1.0, rel=1e-3)   # elasticity 1 at x = 1 from above too
    # a resident with cheap access (x > 1, p near 1) still responds to a price rise (no cap at 1)
    hi = care_seeking.bounded_response(np.array([0.95]), np.array([1.05]))[0]
    lo = care_seeking.bounded_response(np.array([0.95]), np.array([1.05 * 1.1 ** -0.35]))[0]
    assert 0.97 < hi < 1 and lo < hi - 0.01
    assert care_seeking.bounded_response(np.array([1.0, 1.0]), np.array([1.5, 0.8])).tolist() == [1.0, 0.8]


def test_income_lowers_price_sensitivity_holding_price_equal():
    # the mechanism: income changes the price SENSITIVITY (multiplier m), not the level at the reference price.
    # Holding price and travel equal: above the reference price the poor seek less, at it all seek p0, below it
    # the poor (more sensitive) seek more
    m = care_seeking.income_multiplier(np.array([5_000.0, 20_000.0, 80_000.0]), 0.3, 0.5, 2.5)
    ref = np.full(3, 100.0)
    dear = care_seeking.seek_probability(np.full(3, 0.7), np.full(3, 130.0), ref, -0.5, m)
    at = care_seeking.seek_probability(np.full(3, 0.7), np.full(3, 100.0), ref, -0.5, m)
    cheap = care_seeking.seek_probability(np.full(3, 0.7), np.full(3, 70.0), ref, -0.5, m)
    assert dear[0] < dear[1] < dear[2] and np.allclose(at, 0.7) and cheap[0] > cheap[1] > cheap[2]


def test_a_price_rise_cuts_care_seeking_of_the_poor_most(runs):
    # county level, controlling for where people live and the prices they face: the same residents under +30%
    # prices (paired draws). In the baseline the poorest quintile lives mostly in villages next to cheap village
    # clinics and seeks care MORE than the richest (mostly in the county seat, facing county-hospital prices),
    # so the raw gradient is not the mechanism; the change under a price rise is
    b, p = runs["baseline"]["care_seeking_by_income_quintile"], runs["pricier"]["care_seeking_by_income_quintile"]
    drop = {q: b[q] - p[q] for q in ("q1", "q5")}
    assert drop["q1"] > 0 and drop["q5"] > 0
    assert drop["q1"] > 1.3 * drop["q5"]


def test_contracts_raise_first_contact_at_primary_care(runs):
    b, c = runs["baseline"], runs["contracts_up"]
    assert c["contract_rate"] > b["contract_rate"] + 0.1
    assert c["first_contact_primary_share"] > b["first_contact_primary_share"]
    # contracted residents go to primary care first more often than others (§6: about +20-25%)
    ratio = b["first_contact_primary_share_contracted"] / b["first_contact_primary_share_other"]
    assert 1.05 < ratio < 1.6
    assert b["extra_followups"] > 0


def test_refills_at_village_clinics_and_long_prescriptions(runs):
    b, r = runs["baseline"], runs["refill_village"]
    assert r["chronic_visits"] < 0.9 * b["chronic_visits"]     # half on 60-day prescriptions
    assert r["visits_per_capita_by_level"]["village"] > b["visits_per_capita_by_level"]["village"]
