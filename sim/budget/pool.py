"""The pooled insurance fund 统筹基金 with its income side: enrolment, contributions, spending, balance.

One fund per scheme (resident insurance 城乡居民医保, employee insurance 职工医保), yearly, yuan::

    income     = enrollees × (individual premium + government subsidy)       (employees: income per enrollee)
    spending   = fund payments on claims + capitation + the global budget's net results
    balance_t  = balance_t-1 + income − spending          (opening: ``opening_reserve_months`` of income)
    reserve    = balance / (spending / 12)                 months of payments the balance covers

Capitation and the budget's net results are not tied to a scheme; they are shared across schemes in
proportion to their claims spending (the budget's only across the package's schemes). The risk fund and the
deposit are accounts of the fund, so they sit inside the balance. Defaults: ``docs/sources/calibration_data.md``
§4.1 (premium, subsidy), §4.2 (balance of 8.5 months) [V]. Budget growth from income (以收定支, payment_rules
§3.1) reads :func:`income_growth`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.config.pool import PoolConfig

POOL_COLUMNS = ("year", "scheme", "enrollees", "income_per_enrollee", "individual_premium", "government_subsidy",
                "income", "claims_fund", "capitation", "budget_net_result", "spending", "net_income",
                "balance_opening", "balance", "reserve_months", "spending_growth")
SCHEME_NAMES = ("resident", "employee")


@dataclass
class PoolState:
    """The fund's balance and last spending by scheme, carried from year to year."""

    balance: dict[int, float] = field(default_factory=dict)
    spending: dict[int, float] = field(default_factory=dict)


def income(enrollees: Mapping[int, float], schemes: Sequence[int], year: int, cfg: PoolConfig) -> float:
    """Fund income of ``schemes`` in ``year``, yuan."""
    return float(sum(enrollees.get(s, 0.0) * cfg.income_per_enrollee(s, year) for s in schemes))


def income_growth(enrollees: Mapping[int, float] | None, schemes: Sequence[int], year: int, cfg: PoolConfig) -> float:
    """Growth of the schemes' fund income over the previous year (NaN in year 0 or without enrolment)."""
    if not enrollees or year < 1:
        return float("nan")
    prev = income(enrollees, schemes, year - 1, cfg)
    return income(enrollees, schemes, year, cfg) / prev - 1.0 if prev > 0 else float("nan")


def _shares(values: Mapping[int, float], among: Sequence[int]) -> dict[int, float]:
    tot = sum(max(values.get(s, 0.0), 0.0) for s in among)
    if tot <= 0:
        return {s: 1.0 / len(among) for s in among}
    return {s: max(values.get(s, 0.0), 0.0) / tot for s in among}


def pool_year(year: int, enrollees: Mapping[int, float], claims_fund: Mapping[int, float], capitation: float,
              net_result: float, package_schemes: Sequence[int], cfg: PoolConfig, state: PoolState) -> pd.DataFrame:
    """One row per scheme (:data:`POOL_COLUMNS`) of ``year``; ``state`` updated in place.

    ``claims_fund`` : fund payments on claims by scheme (yuan); ``capitation`` : the year's capitation;
    ``net_result`` : the budget's net results (paid to the community; negative = paid back).
    """
    schemes = [s for s in range(len(SCHEME_NAMES)) if enrollees.get(s, 0) > 0 or claims_fund.get(s, 0) != 0]
    if not schemes:
        return pd.DataFrame(columns=list(POOL_COLUMNS))
    cap_share = _shares(claims_fund, schemes)
    pkg = [s for s in schemes if s in package_schemes] or schemes
    net_share = _shares(claims_fund, pkg)
    rows = []
    for s in schemes:
        n = float(enrollees.get(s, 0.0))
        per = cfg.income_per_enrollee(s, year)
        inc = n * per
        if s not in state.balance:
            state.balance[s] = cfg.opening_reserve_months * inc / 12.0
        spend = claims_fund.get(s, 0.0) + capitation * cap_share[s] + net_result * net_share.get(s, 0.0)
        opening = state.balance[s]
        bal = opening + inc - spend
        prev = state.spending.get(s)
        rows.append({"year": year, "scheme": SCHEME_NAMES[s], "enrollees": n, "income_per_enrollee": per,
                     "individual_premium": cfg.by_year(cfg.individual_premium_yuan, year) if s == 0 else np.nan,
                     "government_subsidy": cfg.by_year(cfg.government_subsidy_yuan, year) if s == 0 else np.nan,
                     "income": inc, "claims_fund": claims_fund.get(s, 0.0), "capitation": capitation * cap_share[s],
                     "budget_net_result": net_result * net_share.get(s, 0.0), "spending": spend,
                     "net_income": inc - spend, "balance_opening": opening, "balance": bal,
                     "reserve_months": bal / (spend / 12.0) if spend > 0 else np.nan,
                     "spending_growth": spend / prev - 1.0 if prev else np.nan})
        state.balance[s] = bal
        state.spending[s] = spend
    return pd.DataFrame(rows, columns=list(POOL_COLUMNS))
