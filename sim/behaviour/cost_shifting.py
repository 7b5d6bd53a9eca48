"""Cost shifting 费用转移: items billed outside the payment list 自费, paid in full by the patient.

Under fee-for-service a listed item earns its charge, so billing it outside the list gains nothing. Under
case payment (a listed item earns 0 at the margin) or a one-purse budget (it earns the patient's share), an
item billed outside earns its full charge on top of the case payment, at a cost to the patient. The share of
a stay's charges billed outside: ``min(max_share, alpha / ((1 - alpha) kappa) × (1 - mr_share))``. Claims carry
``self_pay_cost``; settlement keeps it out of cost sharing and out of the case payment
(:func:`sim.payment.facility_payment.price_inpatient`). ``docs/sources/behaviour_evidence.md`` §4 (Zunyi DIP,
patient payments +0.108 log; simulator default +10% OOP), §5 (YC county OOP +188 yuan per case).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.provider import Margins, log_response
from sim.config.providers import ProviderConfig


def self_pay_share(m: Margins, cfg: ProviderConfig) -> np.ndarray:
    """(5, C, 3) share of a stay's charges billed outside the payment list."""
    c = cfg.cost_shifting
    gap = np.clip(1.0 - np.nan_to_num(m.mr_share, nan=1.0), 0.0, None)
    return np.clip(log_response(gap, cfg.profit_weight, c.curvature), 0.0, c.max_share)
