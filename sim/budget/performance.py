"""Year-end performance evaluation 绩效考核 of a community (``docs/sources/payment_rules.md`` §3.3-§3.4, §5.2).

Components, each scored linearly between ``floor`` (0) and ``target`` (1) and clipped to [0, 1]:
in-county rate 县域内就诊率 (visits and admissions of the package's insured in the county / all),
primary-care share of the package's fund spending 基层医保基金支出占比, and growth of fund
spending over the previous year (lower is better; no previous year = full marks). The score
(weights sum to 1) sets the share of the deposit returned and of the surplus retained: 0 at or
below ``zero_score``, 1 from ``full_score``, linear in between.
"""

from __future__ import annotations

import math

from sim.config.budget import PerformanceConfig, ScoreComponent


def component_score(value: float, comp: ScoreComponent) -> float:
    """Score of one indicator in [0, 1] (1 where the value is unknown)."""
    if value is None or math.isnan(value):
        return 1.0
    return min(max((value - comp.floor) / (comp.target - comp.floor), 0.0), 1.0)


def performance_score(in_county_rate: float, primary_fund_share: float, cost_growth: float,
                      cfg: PerformanceConfig) -> float:
    """Weighted score in [0, 1] (``fixed_score`` when configured)."""
    if cfg.fixed_score is not None:
        return cfg.fixed_score
    return (cfg.in_county_rate.weight * component_score(in_county_rate, cfg.in_county_rate)
            + cfg.primary_fund_share.weight * component_score(primary_fund_share, cfg.primary_fund_share)
            + cfg.cost_growth.weight * component_score(cost_growth, cfg.cost_growth))


def score_ramp(score: float, cfg: PerformanceConfig) -> float:
    """Share of the deposit returned (and of the surplus retention) at a score."""
    return min(max((score - cfg.zero_score) / (cfg.full_score - cfg.zero_score), 0.0), 1.0)
