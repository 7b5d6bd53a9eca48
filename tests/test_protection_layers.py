"""Critical-illness insurance 大病保险 and medical assistance 医疗救助: arithmetic, conservation, equity outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.protection import AssistanceConfig, CriticalIllnessConfig, HouseholdBillsConfig
from sim.payment.protection import (
    EXTREME_POVERTY,
    MONITORED,
    NOT_ELIGIBLE,
    SUBSISTENCE,
    apply_layers,
    eligibility,
    protection_ledger,
    tiered,
)
from sim.results.equity import concentration_index, equity_kpis, household_bills

CII = CriticalIllnessConfig(enabled=True)
AID = AssistanceConfig(enabled=True)
INCOME_REF = 20_000.0   # deductible 0.5 x 20,000 = 10,000 yuan


def claims(n: int, rng: np.random.Generator, residents: int = 50, years: int = 2) -> pd.DataFrame:
    total = rng.lognormal(9.0, 1.2, n)
    policy = total * rng.uniform(0.7, 0.95, n)
    fund = policy * rng.uniform(0.4, 0.85, n)
    return pd.DataFrame({"resident": rng.integers(0, residents, n), "year": rng.integers(0, years, n),
                         "discharge_day": rng.integers(0, 365, n), "episode_id": np.arange(n), "segment": 0,
                         "scheme": (rng.random(n) < 0.2).astype(int), "level": rng.integers(1, 5, n),
                         "total_cost": total, "policy_scope_cost": policy, "fund_payment": fund,
                         "oop_payment": total - fund})


def test_tiered_payment_rates_and_cap():
    x = np.array([5_000.0, 10_000.0, 20_000.0, 70_000.0, 2e6])
    pay = tiered(x, 10_000.0, [50_000.0, 100_000.0], [0.6, 0.65, 0.7], 300_000.0)
    assert pay[:3].tolist() == pytest.approx([0.0, 0.0, 6_000.0])
    assert pay[3] == pytest.approx(0.6 * 50_000 + 0.65 * 10_000)
    assert pay[4] == 300_000.0


def test_layers_off_leave_out_of_pocket_unchanged():
    c = claims(500, np.random.default_rng(1))
    out = apply_layers(c, eligibility(np.arange(50.0), (0.1, 0.1, 0.1)), CriticalIllnessConfig(), AssistanceConfig(),
                       INCOME_REF)
    assert (out["household_oop"] == c["oop_payment"]).all()
    assert (out["cii_payment"] == 0).all() and (out["assistance_payment"] == 0).all()


def test_critical_illness_pays_above_the_annual_deductible_whatever_the_split():
    # one person, one year: 3 claims of 8,000 yuan residual policy-range OOP = 24,000 -> 0.6 * 14,000
    c = pd.DataFrame({"resident": [0, 0, 0], "year": 0, "discharge_day": [10, 50, 90], "episode_id": [0, 1, 2],
                      "segment": 0, "scheme": 0, "level": 2, "total_cost": 20_000.0, "policy_scope_cost": 16_000.0,
                      "fund_payment": 8_000.0, "oop_payment": 12_000.0})
    out = apply_layers(c, None, CII, None, INCOME_REF)
    assert out["cii_payment"].sum() == pytest.approx(0.6 * 14_000)
    assert out["cii_payment"].tolist() == pytest.approx([0.0, 0.6 * 6_000, 0.6 * 8_000])
    # employees are not covered by resident critical-illness insurance
    assert apply_layers(c.assign(scheme=1), None, CII, None, INCOME_REF)["cii_payment"].sum() == 0


def test_eligibility_by_income_rank():
    g = eligibility(np.arange(1000.0)[::-1], (0.01, 0.07, 0.02))
    assert np.bincount(g, minlength=4).tolist() == [900, 10, 70, 20]
    assert (g[-10:] == EXTREME_POVERTY).all() and g[0] == NOT_ELIGIBLE
    assert (g[-80:-10] == SUBSISTENCE).all() and (g[-100:-80] == MONITORED).all()


def test_assistance_caps_in_county_out_of_pocket_share_of_eligible():
    rng = np.random.default_rng(3)
    c = claims(2_000, rng)
    group = eligibility(rng.random(50), (0.1, 0.2, 0.1))
    out = apply_layers(c, group, CII, AID, INCOME_REF)
    elig = group[out["resident"].to_numpy()] > 0
    in_county = out["level"].to_numpy() <= 2
    share = out["household_oop"] / out["total_cost"]
    assert share[elig & in_county].max() <= AID.in_county_oop_cap_share + 1e-12
    assert share[~elig & in_county].max() > 0.2      # the non-eligible still pay much more
    assert (out.loc[~elig, "assistance_payment"] == 0).all()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 300), seed=st.integers(0, 10_000), cii_on=st.booleans(), aid_on=st.booleans(),
       rate=st.floats(0, 1), cap=st.floats(0, 1e5), multiple=st.floats(0, 2))
def test_conservation_and_bounds_on_random_claims(n, seed, cii_on, aid_on, rate, cap, multiple):
    rng = np.random.default_rng(seed)
    c = claims(n, rng)
    cii = CriticalIllnessConfig(enabled=cii_on, deductible_income_multiple=multiple, annual_cap=cap)
    aid = AssistanceConfig(enabled=aid_on, rate=rate, annual_cap=cap)
    group = eligibility(rng.random(50), (0.05, 0.1, 0.05))
    out = apply_layers(c, group, cii, aid, INCOME_REF)
    parts = out["fund_payment"] + out["cii_payment"] + out["assistance_payment"] + out["household_oop"]
    assert np.allclose(parts, out["total_cost"], rtol=1e-9, atol=1e-6)
    assert (out["cii_payment"] >= 0).all() and (out["assistance_payment"] >= 0).all()
    assert (out["household_oop"] >= -1e-6).all()
    if n:
        per_person = out.groupby(["resident", "year"])["cii_payment"].sum()
        assert per_person.max() <= cap + 1e-6
    # layers never pay outside the policy range left by basic insurance, except the in-county top-up
    led = protection_ledger(out, [0, 1], 40, group, {0: cii, 1: cii}, {0: aid, 1: aid})
    assert np.allclose(led["opening"] + led["income"] - led["spending"], led["closing"])
    assert np.isclose(led.loc[led.fund == "critical_illness", "claims_paid"].sum(), out["cii_payment"].sum())
    assert np.allclose(led.groupby("fund")["closing"].last().to_numpy(),
                       led.groupby("fund").apply(lambda g: (g["income"] - g["spending"]).sum()).to_numpy())


def _bills(ip, group=None):
    rng = np.random.default_rng(0)
    n = 3_000
    household = np.repeat(np.arange(1_000), 3)
    income = np.repeat(rng.lognormal(np.log(18_000), 0.8, 1_000), 3)
    township = np.ones(n, dtype=int)
    return household_bills(household, income, township, ip, [0], HouseholdBillsConfig(), seed=1, group=group)


def test_critical_illness_lowers_catastrophic_spending_among_high_spenders():
    rng = np.random.default_rng(5)
    c = claims(1_500, rng, residents=3_000, years=1)
    off = apply_layers(c, None, None, None, INCOME_REF)
    on = apply_layers(c, None, CII, None, INCOME_REF)
    b_off, b_on = _bills(off), _bills(on)
    high = b_off["modelled_oop"] > 20_000
    assert high.sum() > 20
    # evidence (docs/sources/behaviour_evidence.md §9): 2-11 points lower among high spenders
    assert b_on.loc[high, "che_40"].mean() < b_off.loc[high, "che_40"].mean() - 0.01
    assert b_on.loc[high, "modelled_oop"].mean() < 0.9 * b_off.loc[high, "modelled_oop"].mean()
    assert (b_on["che_40"] <= b_off["che_40"]).all()       # nobody is made worse off
    low = b_off["modelled_oop"] < 0.5 * CII.deductible_income_multiple * INCOME_REF   # below the deductible
    assert (b_on.loc[low, "oop"] == b_off.loc[low, "oop"]).all()


def test_equity_kpis_gradient_and_concentration_index():
    assert concentration_index(np.array([1.0, 1, 1, 1]), np.arange(4)) == pytest.approx(0.0)
    assert concentration_index(np.array([0.0, 0, 0, 4]), np.arange(4)) == pytest.approx(0.75)
    assert concentration_index(np.array([4.0, 0, 0, 0]), np.arange(4)) == pytest.approx(-0.75)
    b = _bills(apply_layers(claims(0, np.random.default_rng(0)), None, None, None, INCOME_REF))
    k = equity_kpis(b)["0"]
    q = k["che_40_by_income_quintile"]
    assert q["q1"] > q["q3"] > q["q5"]          # the same spending weighs most on the poor
    assert 0.05 < k["che_40"] < 0.35


def test_concentration_curve_of_a_pro_rich_value_lies_below_the_diagonal():
    from sim.plots.equity import concentration_curve

    income = np.array([1.0, 2.0, 3.0, 4.0])
    x, y = concentration_curve(income, np.ones(4), income * 10)   # the richer get more
    assert np.allclose(x, [0, 0.25, 0.5, 0.75, 1.0]) and np.allclose(y, [0, 0.1, 0.3, 0.6, 1.0])
    assert (y <= x + 1e-12).all()
