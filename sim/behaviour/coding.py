"""Coding 编码 (upcoding 高编高套): a case coded one severity group higher (CC/MCC) as the price gap rises.

For a case of true severity s at a case-paid level, coding it s + 1 raises its payment by the weight
ratio ``g = w[s+1] / w[s] - 1`` (``payment.severity_groups``); a detected claim repays
``penalty_multiple`` times the gain with probability ``d`` (``payment.supervision``). The share coded up::

    p = min(max_share, alpha / ((1 - alpha) kappa_code) × ln(1 + g × (1 - d × penalty_multiple)))

(0 when the expected penalty takes the whole gain; 0 under fee-for-service). Every claim records its true
and coded severity and weight, so the coded case-mix index rises without sicker patients.
``docs/sources/behaviour_evidence.md`` §4: upcoding at least 3% of reimbursement (PMC10211476), Dafny 2005,
Silverman and Skinner 2004; Norway: +0.3-0.4 points coded with complications per 10% price-ratio rise.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.provider import Margins, log_response
from sim.config.providers import ProviderConfig


def upcode_probability(m: Margins, cfg: ProviderConfig, detection: float, penalty_multiple: float) -> np.ndarray:
    """(5, C, 3) probability a case of each true severity is coded one group higher."""
    c = cfg.coding
    net = m.price_gain * (1.0 - detection * penalty_multiple)
    return np.clip(log_response(np.log1p(np.maximum(net, 0.0)), cfg.profit_weight, c.curvature), 0.0, c.max_share)
