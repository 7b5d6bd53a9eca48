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
            "cheap_primary": {"extends": "baseline", **cheap_primary},
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
    prim = lambda k: k["visits_per_capita_by_level"]["village"] + k["visits_per_capita_by_level"]["township"]
    assert prim(c) > prim(b) * 1.03
    assert c["visits_per_capita"] > b["visits_per_capita"]      # more episodes seen, not only a shift
    assert c["unmet_need"]["episodes_without_care"] < b["unmet_need"]["episodes_without_care"]


def test_higher_prices_lower_care_seeking(runs):
    b, p = runs["baseline"], runs["pricier"]
    change = p["visits"] / b["visits"] - 1
    assert -0.20 < change < -0.03                               # +30% prices, elasticity about -0.5 on acute visits
    assert p["admissions"] < b["admissions"]


def test_care_seeking_rises_with_income(runs):
    q = runs["baseline"]["care_seeking_by_income_quintile"]
    assert q["q1"] < q["q5"]


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
