"""Chronic follow-ups and refills 慢病随访/取药 at the patient's usual facility, long prescriptions 长处方.

A managed patient's usual facility is the village clinic when the county moves refills down
(``policy.chronic_care.refill_at_village``, 慢病取药下沉), else the facility the contract names, else the
facility of the last follow-up. A follow-up goes there with probability ``chronic.continuity`` (if it can
dispense the drugs), otherwise the patient chooses afresh. A patient on a long prescription collects
``long_prescription_days`` of drugs at once and skips the visits in between.
"""

from __future__ import annotations

import numpy as np

from sim.config.policy import ChronicCarePolicy


def refill_cycles(rule: ChronicCarePolicy, interval_days: int) -> int:
    """Follow-up cycles one long prescription covers (at least 1)."""
    return max(1, int(round(rule.long_prescription_days / interval_days)))


def visit_due(day: int, phase: np.ndarray, interval_days: int, on_long: np.ndarray, cycles: int) -> np.ndarray:
    """(n,) bool: the scheduled follow-up of these patients (due today) is a visit, not a covered cycle."""
    cycle = (day - phase.astype(np.int64)) // interval_days
    return ~on_long | (cycle % cycles == 0)


def go_to_usual(usual: np.ndarray, u_continuity: np.ndarray, continuity: float,
                usual_capable: np.ndarray) -> np.ndarray:
    """(n,) bool: the follow-up goes to the usual facility (one exists, it dispenses, continuity draw)."""
    return (usual >= 0) & usual_capable & (u_continuity < continuity)
