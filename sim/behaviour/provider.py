"""The one objective behind every provider channel (Ellis-McGuire; ``shared/DESIGN.md`` §7).

A facility chooses provision ``x`` (days, services per day, admitting, coding up) to maximise::

    U(x) = alpha * margin(x) + (1 - alpha) * patient_benefit(x)

with ``alpha`` = ``providers.profit_weight``. Provision is calibrated under fee-for-service (the case-mix
table is what providers do when a day or a test earns its charge), and the patient's benefit falls
quadratically in log provision away from that level with a channel's ``curvature`` kappa. The first-order
condition then gives log provision relative to fee-for-service::

    ln x = alpha / ((1 - alpha) * kappa) * (m - m_ffs)

where ``m`` is the margin rate of the marginal unit, ``(marginal revenue - marginal cost) / marginal cost``,
under the rules in force and ``m_ffs`` that under fee-for-service. Marginal revenue per yuan of charges
(:func:`sim.policy.margins.marginal_revenue_share`, computed per year in :mod:`sim.policy.regime`):

* fee-for-service: 1 (every item is paid);
* DRG / DIP within the normal band: 0 (the case's payment does not grow with its days or items);
* a community on a global budget deciding as one purse 一个钱袋子 with surplus retention r: an item brings
  the patient's itemised share s and, of the fund's part, only what the community does not retain:
  ``r * s + (1 - r) * R'`` (R' = the level's own marginal revenue above).

Marginal cost per yuan of charges is the level's ``payment.cost_to_charge``. Every channel reads the same
tables; only its curvature differs, set from the channel's micro-evidence (``docs/sources/behaviour_evidence.md``
§3-§5).
"""

from __future__ import annotations

import numpy as np

from sim.policy.margins import Margins, margins  # noqa: F401  (the tables every channel reads)


def log_response(delta: np.ndarray, profit_weight: float, curvature: float) -> np.ndarray:
    """ln(provision / fee-for-service provision) = alpha / ((1 - alpha) kappa) × change of marginal margin."""
    return profit_weight / ((1.0 - profit_weight) * curvature) * np.asarray(delta, dtype=float)
