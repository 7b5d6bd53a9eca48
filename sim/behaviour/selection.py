"""Selection and the negative list 负面清单: split admissions 分解住院 as a provider decision.

Under case payment (DRG 按病组, DIP 按病种分值) a stay discharged part-way and readmitted the same day at the same
facility earns a second case payment. Per yuan of the stay's charges the net gain of splitting is::

    g = case_paid × (value_ratio − d × penalty_multiple × revenue_ratio) − fixed_share × cost_to_charge

``value_ratio`` : what a second admission brings the decision-maker (its payment; under a one-purse budget the
patient's share plus the unretained fund payment); ``d`` : probability that supervision confirms a flagged split
(``payment.supervision.detection()``: rule screening flags every readmission within the window, an audit confirms
it) and ``penalty_multiple`` times the second admission's payment is clawed back; the second admission repeats the
fixed part of a stay's cost (``casemix.cost_fixed_share``, admission work-up) at the level's resource cost. Under
fee-for-service every day and item is paid anyway, so the gain is 0 and nobody splits. The share of stays split
follows the objective of :mod:`sim.behaviour.provider` as coding does::

    p = min(max_share, alpha / ((1 - alpha) kappa_split) × ln(1 + max(g, 0)))

``kappa_split`` is an assumption (``docs/sources/behaviour_evidence.md`` §4 has no estimate of the share split).

Refusals 推诿 and early discharges 未达出院标准出院 are already decisions on margins: a facility refers up a case
it could treat with a propensity that moves with the case's margin (:mod:`sim.policy.incentives`, KPI
``refusals``), and the length-of-stay channel plans stays below the calibrated one when a day earns nothing
(:mod:`sim.behaviour.length_of_stay`, bounded by the clinical floor, KPI ``stays_shortened``).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.provider import Margins, log_response
from sim.config.providers import ProviderConfig


def split_gain(m: Margins, fixed_share: float, detection: float, penalty_multiple: float) -> np.ndarray:
    """(5, C, 3) net gain of splitting a stay into two admissions, per yuan of the stay's charges."""
    paid = m.case_paid.astype(float)[:, None, None]
    second = m.value_ratio - detection * penalty_multiple * m.revenue_ratio
    cost = fixed_share * np.asarray(m.cost_to_charge, dtype=float)[:, None, None]
    return np.where(paid > 0, paid * second - cost, 0.0)


def split_probability(m: Margins, cfg: ProviderConfig, fixed_share: float, detection: float,
                      penalty_multiple: float) -> np.ndarray:
    """(5, C, 3) probability that an admitted stay is split into two admissions."""
    c = cfg.split_admission
    g = np.maximum(split_gain(m, fixed_share, detection, penalty_multiple), 0.0)
    return np.clip(log_response(np.log1p(g), cfg.profit_weight, c.curvature), 0.0, c.max_share)
