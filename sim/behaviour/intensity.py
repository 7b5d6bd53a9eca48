"""Service intensity 诊疗强度: tests, drugs and procedures per day move with the marginal revenue of a yuan
of services.

``multiplier = exp(alpha / ((1 - alpha) kappa_int) × Δm + share defence)`` on a stay's cost per day and its
fixed part (:mod:`sim.behaviour.provider`). Fee-for-service is the calibrated level; case payment and a
one-purse budget lower it (``docs/sources/behaviour_evidence.md`` §3: capitation cut drug intensity about 15%,
Ningxia; about -4% of inpatient cost at a 0.28 drug share). Where a cap is laid over fee-for-service points
and each facility keeps its own purse, ``intensity.cap_share_defence`` raises it (§5, Taiwan: +15% per case).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.provider import Margins, log_response
from sim.codes import COUNTY
from sim.config.providers import ProviderConfig


def intensity_multiplier(m: Margins, cfg: ProviderConfig, capped_own_purse: bool) -> np.ndarray:
    """(5, C, 3) cost per day (and fixed cost) of a stay over the calibrated cost."""
    c = cfg.intensity
    log = log_response(m.delta, cfg.profit_weight, c.curvature)
    if capped_own_purse and c.cap_share_defence:
        log = log.copy()
        log[:COUNTY + 1] += c.cap_share_defence
    return np.exp(log)
