"""The second and third layers of protection: critical-illness insurance 大病保险 and medical assistance 医疗救助.

Both act after basic insurance, per person and calendar year, on the **policy-range out-of-pocket** a claim leaves
(``policy_scope_cost - fund_payment``: deductible, co-insurance and anything above the basic fund's cap). An
annual rule ``f`` of the person's cumulative amount is applied claim by claim in date order, so a claim receives
``f(cum_after) - f(cum_before)``: exact, vectorised, and independent of how the year's claims are split.

Per claim (yuan): ``total_cost = fund_payment + cii_payment + assistance_payment + household_oop``, and
``oop_payment = cii_payment + assistance_payment + household_oop`` (the patient side the provider collects at
the one-stop settlement 一站式结算; the provider's and the basic fund's books do not change).
Rules: ``docs/sources/behaviour_evidence.md §9``, ``docs/sources/payment_rules.md §4``; ``docs/protection.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.codes import COUNTY

#: eligibility groups of medical assistance (by household income rank)
NOT_ELIGIBLE, EXTREME_POVERTY, SUBSISTENCE, MONITORED = 0, 1, 2, 3
PROTECTION_COLUMNS = ("cii_payment", "assistance_payment", "household_oop")


def tiered(x: np.ndarray, deductible: float | np.ndarray, bounds: Sequence[float], rates: Sequence[float],
           cap: float) -> np.ndarray:
    """Critical-illness payment on a cumulative annual amount ``x`` (yuan): tiered rates above the deductible,
    capped."""
    above = np.maximum(np.asarray(x, dtype=float) - deductible, 0.0)
    edges = np.r_[0.0, np.asarray(bounds, dtype=float), np.inf]
    pay = np.zeros_like(above)
    for lo, hi, r in zip(edges[:-1], edges[1:], rates):
        pay += r * np.clip(above - lo, 0.0, hi - lo)
    return np.minimum(pay, cap)


def annual_increments(key: np.ndarray, amount: np.ndarray, rule) -> np.ndarray:
    """Per-claim payment of an annual rule: ``rule(cum_after) - rule(cum_before)`` within each ``key`` group.

    ``key`` (n,) person-year, ``amount`` (n,) yuan, both already in date order; ``rule`` maps cumulative
    amounts to cumulative payment (non-decreasing)."""
    amount = np.asarray(amount, dtype=float)
    if len(amount) == 0:
        return np.zeros(0)
    cum = pd.Series(amount).groupby(np.asarray(key)).cumsum().to_numpy()
    return np.maximum(rule(cum) - rule(cum - amount), 0.0)


def eligibility(income: np.ndarray, shares: tuple[float, float, float]) -> np.ndarray:
    """Assistance group of each resident by rank of household per-capita income (poorest first), (N,) int8.

    ``shares`` = (extreme poverty, subsistence allowance, monitored) shares of residents; ties broken by order."""
    n = len(income)
    out = np.zeros(n, dtype=np.int8)
    if n == 0:
        return out
    rank = np.empty(n)
    rank[np.argsort(income, kind="stable")] = (np.arange(n) + 0.5) / n
    bounds = np.cumsum(shares)
    out[rank < bounds[2]] = MONITORED
    out[rank < bounds[1]] = SUBSISTENCE
    out[rank < bounds[0]] = EXTREME_POVERTY
    return out


def apply_layers(claims: pd.DataFrame, group: np.ndarray | None, critical_illness, assistance,
                 income_reference: float) -> pd.DataFrame:
    """Add ``cii_payment``, ``assistance_payment``, ``household_oop`` (yuan) to priced inpatient claims.

    Parameters
    ----------
    claims : priced inpatient claims with ``resident, year, scheme, level, total_cost, policy_scope_cost,
        fund_payment, oop_payment`` (ordered by ``discharge_day, episode_id, segment`` where present).
    group : (N,) assistance group of every resident (:func:`eligibility`), or None (no one eligible).
    critical_illness, assistance : :class:`~sim.config.protection.CriticalIllnessConfig` and
        :class:`~sim.config.protection.AssistanceConfig` (or None = off).
    income_reference : per-capita disposable income the deductible is a multiple of, yuan a year.

    With both layers off ``household_oop == oop_payment`` exactly.
    """
    out = claims.copy()
    n = len(out)
    oop = out["oop_payment"].to_numpy(dtype=float) if n else np.zeros(0)
    cii = np.zeros(n)
    aid = np.zeros(n)
    if n and ((critical_illness is not None and critical_illness.enabled) or
              (assistance is not None and assistance.enabled)):
        sort_cols = [c for c in ("discharge_day", "episode_id", "segment") if c in out]
        order = np.lexsort(tuple(out[c].to_numpy() for c in reversed(sort_cols))) if sort_cols else np.arange(n)
        res = out["resident"].to_numpy(np.int64)[order]
        key = res * 1000 + out["year"].to_numpy(np.int64)[order]
        policy_left = np.maximum(out["policy_scope_cost"].to_numpy(float) - out["fund_payment"].to_numpy(float), 0.0)
        policy_left = np.minimum(policy_left, oop)[order]
        cii_o = np.zeros(n)
        if critical_illness is not None and critical_illness.enabled:
            c = critical_illness
            ded = c.deductible_income_multiple * income_reference
            covered = out["scheme"].to_numpy(np.int64)[order] == 0        # resident insurance 城乡居民医保
            cii_o = np.where(covered, annual_increments(
                key, np.where(covered, policy_left, 0.0),
                lambda x: tiered(x, ded, c.tier_bounds, c.tier_rates, c.annual_cap)), 0.0)
        aid_o = np.zeros(n)
        if assistance is not None and assistance.enabled and group is not None:
            a = assistance
            eligible = np.asarray(group)[res] > NOT_ELIGIBLE
            left = np.where(eligible, policy_left - cii_o, 0.0)
            aid_o = np.where(eligible, annual_increments(key, left, lambda x: np.minimum(a.rate * x, a.annual_cap)),
                             0.0)
            # in-county admissions: the patient pays at most the cap share of the total cost (兜底)
            total = out["total_cost"].to_numpy(float)[order]
            in_county = out["level"].to_numpy(np.int64)[order] <= COUNTY
            remaining = oop[order] - cii_o - aid_o
            top_up = np.where(eligible & in_county, np.maximum(remaining - a.in_county_oop_cap_share * total, 0.0), 0.0)
            aid_o = aid_o + top_up
        cii[order] = cii_o
        aid[order] = aid_o
    out["cii_payment"] = cii
    out["assistance_payment"] = aid
    out["household_oop"] = oop - cii - aid
    return out


def protection_ledger(claims: pd.DataFrame, years: Sequence[int], enrollees: int, group: np.ndarray | None,
                      critical_illness_by_year: dict, assistance_by_year: dict) -> pd.DataFrame:
    """One row per fund and year: ``fund, year, opening, income, spending, closing`` (yuan) and the items.

    Critical-illness fund: income = premium per resident-insurance enrollee; spending = its claim payments.
    Assistance fund: income = appropriation per eligible person; spending = claim payments + premium subsidies.
    ``closing = opening + income - spending``; a fund's balance carries over from year to year.
    """
    rows = []
    n_group = np.bincount(np.asarray(group, dtype=np.int64), minlength=4) if group is not None else np.zeros(4, int)
    yr = claims["year"].to_numpy(np.int64) if len(claims) else np.zeros(0, np.int64)
    for fund, col in (("critical_illness", "cii_payment"), ("assistance", "assistance_payment")):
        balance = 0.0
        for y in years:
            cfg = (critical_illness_by_year if fund == "critical_illness" else assistance_by_year).get(y)
            on = cfg is not None and cfg.enabled
            paid = float(claims[col].to_numpy()[yr == y].sum()) if len(claims) else 0.0
            subsidy = 0.0
            if not on:
                income = 0.0
            elif fund == "critical_illness":
                income = cfg.premium_per_enrollee * enrollees
            else:
                eligible = int(n_group[1:].sum())
                income = cfg.appropriation_per_eligible * eligible
                subsidy = cfg.individual_premium * (cfg.premium_subsidy_extreme * n_group[EXTREME_POVERTY]
                                                    + cfg.premium_subsidy_other * (n_group[SUBSISTENCE]
                                                                                   + n_group[MONITORED]))
            spending = paid + subsidy
            rows.append({"fund": fund, "year": int(y), "opening": balance, "income": income,
                         "claims_paid": paid, "premium_subsidy": float(subsidy), "spending": spending,
                         "closing": balance + income - spending})
            balance = balance + income - spending
    return pd.DataFrame(rows, columns=["fund", "year", "opening", "income", "claims_paid", "premium_subsidy",
                                       "spending", "closing"])
