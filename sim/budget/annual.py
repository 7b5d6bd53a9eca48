"""The annual total B of a community's fund package (``docs/sources/payment_rules.md`` §3.2, Guangdong 2025 [S]).

First budget year: B = mean(fund spending of the package's insured in the last ``base_years`` years) × (1 + g).
Later years ('reference', the rule of §3.2): B_t = B_t-1 × (1 + g_t); or ('rolling_mean') the mean of the
latest ``base_years`` on a window that includes the simulated years' actual spending, × (1 + g).
The spending series is that of every scheme in the package (``budget.schemes``), also in years before
the package took a scheme in. With fewer past years than ``base_years`` the mean of those available is
used; with none, the first simulated year's own spending stands for the history.

g: ``growth`` ('fixed'), the sum of the named ``growth_factors`` ('factors'), or the growth of the package
schemes' fund income ('income', 以收定支); capped ('pool') by the pool's own fund-spending growth in the last
closed year, which :mod:`sim.budget.pool` computes, or by the fixed ``pool_growth_cap``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.config.budget import BudgetConfig


def uncapped_growth(cfg: BudgetConfig, income_growth: float | None = None) -> float:
    """g before the cap: fixed, from the named factors, or the growth of fund income (fixed when unknown)."""
    if cfg.growth_source == "factors":
        return cfg.growth_factors.total()
    if cfg.growth_source == "income" and income_growth is not None and not math.isnan(income_growth):
        return income_growth
    return cfg.growth


def growth_cap(cfg: BudgetConfig, pool_growth: float | None = None) -> float:
    """The cap on g: the pool's spending growth ('pool', the fixed cap while unknown), the fixed cap, or none."""
    if cfg.growth_cap == "none":
        return math.inf
    if cfg.growth_cap == "pool" and pool_growth is not None and not math.isnan(pool_growth):
        return pool_growth
    return cfg.pool_growth_cap


def capped_growth(cfg: BudgetConfig, pool_growth: float | None = None, income_growth: float | None = None) -> float:
    """Growth applied to the base: min(uncapped growth, cap)."""
    return min(uncapped_growth(cfg, income_growth), growth_cap(cfg, pool_growth))


def annual_total(past_spending: Sequence[float], previous_total: float | None, first_year: bool,
                 cfg: BudgetConfig, g: float | None = None) -> tuple[float, float]:
    """(base, total) of one year, yuan.

    Parameters
    ----------
    past_spending : fund spending of the package's schemes in earlier years, oldest first (history, then
        simulated years).
    previous_total : last year's total B (for the 'reference' rule), None in the first year.
    first_year : the first budget year.
    g : growth to apply (default :func:`capped_growth` with the fixed cap).
    """
    g = capped_growth(cfg) if g is None else g
    if cfg.base_rule in ("reference", "chain") and not first_year and previous_total is not None:
        base = previous_total
    else:
        window = list(past_spending)[-cfg.base_years:]
        base = float(np.mean(window)) if window else float("nan")
    return base, base * (1.0 + g)
