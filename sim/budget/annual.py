"""The annual total B of a community's fund package (``docs/sources/payment_rules.md`` §3.2, Guangdong 2025 [S]).

First year: B = mean(pooled-fund spending of the last ``base_years`` years) × (1 + g), with
g = min(growth, pool_growth_cap). Later years: the same on a rolling window that includes the
simulated years' actual spending ('rolling_mean'), or B_t = B_t-1 × (1 + g) ('chain').
With fewer past years than ``base_years`` the mean of those available is used; with none, the
first simulated year's own spending stands for the history (a budget set from the status quo).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from sim.config.budget import BudgetConfig


def capped_growth(cfg: BudgetConfig) -> float:
    """Growth applied to the base: the configured growth, capped by the pool's spending growth."""
    return min(cfg.growth, cfg.pool_growth_cap)


def annual_total(past_spending: Sequence[float], previous_total: float | None, first_year: bool,
                 cfg: BudgetConfig) -> tuple[float, float]:
    """(base, total) of one year, yuan.

    Parameters
    ----------
    past_spending : fund spending of earlier years, oldest first (history, then simulated years).
    previous_total : last year's total B (for the 'chain' rule), None in the first year.
    first_year : the first simulated year.
    """
    g = capped_growth(cfg)
    if cfg.base_rule == "chain" and not first_year and previous_total is not None:
        base = previous_total
    else:
        window = list(past_spending)[-cfg.base_years:]
        base = float(np.mean(window)) if window else float("nan")
    return base, base * (1.0 + g)
