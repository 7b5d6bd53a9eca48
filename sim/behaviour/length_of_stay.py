"""Length of stay 住院天数: the planned stay moves with the marginal revenue of a day.

``multiplier = max(floor, exp(alpha / ((1 - alpha) kappa_los) × Δm))`` by level, condition and severity
(:mod:`sim.behaviour.provider`): below 1 where an extra day earns nothing (DRG, DIP, a one-purse global
budget), 1 under fee-for-service, above 1 where a day earns more than its cost relative to fee-for-service.
A stay cut below its calibrated mean raises the 30-day readmission risk by
``readmission_per_cut × (1 - multiplier)``. Evidence: ``docs/sources/behaviour_evidence.md`` §4 (Meng et al.
2020: LOS -8.07%, readmissions +1.36 points under DRG vs cost-based payment).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.provider import Margins, log_response
from sim.config.providers import ProviderConfig


def los_multiplier(m: Margins, cfg: ProviderConfig) -> np.ndarray:
    """(5, C, 3) planned stay over the calibrated (fee-for-service) stay."""
    c = cfg.length_of_stay
    return np.maximum(c.floor, np.exp(log_response(m.delta, cfg.profit_weight, c.curvature)))


def readmission_added(multiplier: np.ndarray, cfg: ProviderConfig) -> np.ndarray:
    """(5, C, 3) added 30-day readmission probability of stays cut below the calibrated mean."""
    return cfg.length_of_stay.readmission_per_cut * np.maximum(0.0, 1.0 - multiplier)
