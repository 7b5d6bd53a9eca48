"""CHS-DRG case payment 按病组付费 (``docs/sources/payment_rules.md`` §1.4-§1.6, §7.2).

Notation: C = the case's total cost (yuan); A = RW × cost_per_rw, the group's average cost;
r = C / A; k = level coefficient (base-group coefficient for a base group); rate = yuan per RW
(point_scale × point_value, or base_rate); cf = rate / cost_per_rw::

    normal   (L ≤ r ≤ H): pay = RW · k · rate
    low      (r < L):     pay = C · cf             ('points_no_factor')   or C ('by_actual')
    high     (r > H):     pay = A·k·cf + (C − H·A)·cf  ('linear_add'), C·cf − (H−1)·RW·k·rate ('deduct'),
                          or H·A·k·cf ('cap')

H comes from the RW band table. Payments are never negative.
"""

from __future__ import annotations

import numpy as np

from sim.config.payment import DrgConfig

NORMAL, LOW, HIGH, REVIEW = 0, 1, 2, 3
OUTLIER_NAMES = ("normal", "low", "high", "review")


def drg_payment(total: np.ndarray, rw: np.ndarray, k: np.ndarray, scheme: np.ndarray,
                cfg: DrgConfig) -> tuple[np.ndarray, np.ndarray]:
    """DRG payment standard of each case, outlier rules applied.

    Parameters
    ----------
    total : (n,) total cost, yuan.
    rw : (n,) relative weight (> 0).
    k : (n,) level coefficient (base-group coefficient for base groups).
    scheme : (n,) 0 resident, 1 employee (point values differ).
    cfg : ``payment.drg``.

    Returns
    -------
    pay : (n,) yuan. outlier : (n,) int8, :data:`NORMAL`, :data:`LOW` or :data:`HIGH`.
    """
    total = np.asarray(total, dtype=float)
    rw = np.asarray(rw, dtype=float)
    rate = cfg.rate()[np.asarray(scheme, dtype=np.int64)]
    cf = rate / cfg.cost_per_rw
    a = rw * cfg.cost_per_rw
    r = total / a
    h = cfg.high_threshold(rw)
    normal = rw * k * rate
    low_pay = total * cf if cfg.low_outlier_mode == "points_no_factor" else total
    if cfg.high_outlier_mode == "linear_add":
        high_pay = normal + (total - h * a) * cf
    elif cfg.high_outlier_mode == "deduct":
        high_pay = total * cf - (h - 1) * rw * k * rate
    else:
        high_pay = h * normal
    low = r < cfg.low_outlier_threshold
    high = r > h
    pay = np.where(low, low_pay, np.where(high, high_pay, normal))
    outlier = np.where(low, LOW, np.where(high, HIGH, NORMAL)).astype(np.int8)
    return np.maximum(pay, 0.0), outlier
