"""Inpatients currently in a bed, as columns of arrays (one row per stay segment).

A stay segment is one facility's part of a hospitalisation; a down-referral
closes the county segment and opens a township one in the same episode.
Segment cost is ``fixed_cost + per_day_cost * days``; ``norm_factor`` is what the stay would have cost under
fee-for-service behaviour (calibrated stay and intensity) over what it is expected to cost now (1 without
provider responses), the basis of floating DRG/DIP budgets; ``self_pay_share`` the share of its charges billed
outside the payment list (cost shifting). ``split_day`` is the day a stay the facility splits 分解住院 is
discharged on paper and readmitted (-1 none); ``split`` marks the second admission of a split stay (its claims
get their own episode id).
"""

from __future__ import annotations

import numpy as np

#: column name -> dtype of a stay segment
STAY_COLUMNS: dict[str, type] = {
    "episode_id": np.uint64, "resident": np.int64, "condition": np.int64, "severity": np.int64,
    "facility": np.int64, "level": np.int64, "segment": np.int64, "path": np.int64, "first_level": np.int64,
    "readmission": bool, "admit_day": np.int64, "end_day": np.int64, "transfer_day": np.int64,
    "fixed_cost": np.float64, "per_day_cost": np.float64, "norm_factor": np.float64,
    "self_pay_share": np.float64, "split_day": np.int64, "split": bool,
}


class Ward:
    """All open stay segments of the county's residents."""

    def __init__(self):
        self.cols = {k: np.zeros(0, dtype=t) for k, t in STAY_COLUMNS.items()}

    def __len__(self) -> int:
        return len(self.cols["episode_id"])

    def add(self, rows: dict[str, np.ndarray]) -> None:
        """Append stay segments; ``rows`` has every column of ``STAY_COLUMNS``."""
        for k, t in STAY_COLUMNS.items():
            self.cols[k] = np.concatenate([self.cols[k], np.asarray(rows[k], dtype=t)])

    def take(self, mask: np.ndarray) -> dict[str, np.ndarray]:
        """Remove and return the segments where ``mask`` is true."""
        out = {k: v[mask] for k, v in self.cols.items()}
        keep = ~mask
        self.cols = {k: v[keep] for k, v in self.cols.items()}
        return out
