"""Year-end performance evaluation 绩效考核 of a community (``docs/sources/payment_rules.md`` §3.3-§3.4, §5.2).

Indicators (:data:`sim.config.budget.INDICATORS`), each of the package's insured in the year, scored linearly
between ``floor`` (0) and ``target`` (1) and clipped to [0, 1]:

* ``in_county_rate`` 县域内就诊率 — visits and admissions in the county / all;
* ``primary_fund_share`` 基层医保基金支出占比 — fund spending (claims and capitation) at township and village level
  / all the package's fund spending;
* ``primary_visit_share`` 县域内基层就诊率 — village and township outpatient visits / in-county outpatient visits;
* ``referral_ratio`` 双向转诊 — down-referred stay segments / up-referred stay segments;
* ``readmission_rate`` — 30-day readmissions / admissions (lower is better);
* ``cost_growth`` — fund spending over the previous year's, minus 1 (lower is better);
* ``oop_rate`` — out-of-pocket / total cost of their claims (lower is better).

An indicator that cannot be computed (no such claims, or a claims table without the columns) scores 1.
The score (weights sum to 1) sets the share of the deposit returned and of the surplus retained: 0 at or
below ``zero_score``, 1 from ``full_score``, linear in between.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from sim.config.budget import INDICATORS, PerformanceConfig, ScoreComponent


def component_score(value: float | None, comp: ScoreComponent) -> float:
    """Score of one indicator in [0, 1] (1 where the value is unknown)."""
    if value is None or math.isnan(value):
        return 1.0
    return min(max((value - comp.floor) / (comp.target - comp.floor), 0.0), 1.0)


def indicator_scores(values: Mapping[str, float], cfg: PerformanceConfig) -> dict[str, float]:
    """``{indicator: score in [0, 1]}`` of every indicator (missing values score 1)."""
    return {k: component_score(values.get(k), getattr(cfg, k)) for k in INDICATORS}


def performance_score(values: Mapping[str, float], cfg: PerformanceConfig) -> float:
    """Weighted score in [0, 1] (``fixed_score`` when configured)."""
    if cfg.fixed_score is not None:
        return cfg.fixed_score
    scores = indicator_scores(values, cfg)
    return float(sum(getattr(cfg, k).weight * scores[k] for k in INDICATORS))


def score_ramp(score: float, cfg: PerformanceConfig) -> float:
    """Share of the deposit returned (and of the surplus retention) at a score."""
    return min(max((score - cfg.zero_score) / (cfg.full_score - cfg.zero_score), 0.0), 1.0)
