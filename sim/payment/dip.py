"""DIP case payment 按病种分值付费 (``docs/sources/payment_rules.md`` §2.2-§2.4).

score = RW × score_scale; avg = score × k × reference point value (the disease's average cost at
the case's level); r = C / avg::

    low   (r ≤ 0.5):  score × r                      费用超低
    high  (r ≥ 2):    score × ((r − 2) + 1)          费用超高 (r > 5 is flagged for expert review)
    pay = adjusted score × k × point value

The point value is fixed, or floating: the year's DIP budget (total-cost terms, ``budget_share`` ×
the year's cost of DIP cases) / Σ adjusted score × k of that year's DIP cases (§2.3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.config.payment import DipConfig
from sim.payment.drg import HIGH, LOW, NORMAL, REVIEW


def dip_scores(total: np.ndarray, rw: np.ndarray, k: np.ndarray, cfg: DipConfig) -> tuple[np.ndarray, np.ndarray]:
    """Adjusted, coefficient-weighted scores (score × k after deviation rules) and outlier codes.

    Parameters: total (n,) yuan; rw (n,) relative weight (> 0); k (n,) level coefficient; ``payment.dip``.
    """
    total = np.asarray(total, dtype=float)
    score = np.asarray(rw, dtype=float) * cfg.score_scale
    r = total / (score * k * cfg.point_value)
    low = r <= cfg.low_outlier
    high = r >= cfg.high_outlier
    adjusted = np.where(low, score * r, np.where(high, score * (r - cfg.high_outlier + 1.0), score))
    outlier = np.where(low, LOW, np.where(r > cfg.extreme_review, REVIEW, np.where(high, HIGH, NORMAL)))
    return adjusted * k, outlier.astype(np.int8)


def dip_point_values(weighted: np.ndarray, total: np.ndarray, year: np.ndarray, cfg: DipConfig) -> np.ndarray:
    """(n,) point value of each case (yuan per point): fixed, or the floating value of its year."""
    if cfg.point_value_mode == "fixed" or len(weighted) == 0:
        return np.full(len(weighted), cfg.point_value)
    sums = pd.DataFrame({"y": year, "w": weighted, "t": total}).groupby("y")[["w", "t"]].transform("sum")
    w = sums["w"].to_numpy()
    return np.where(w > 0, cfg.budget_share * sums["t"].to_numpy() / np.where(w > 0, w, 1.0), cfg.point_value)
