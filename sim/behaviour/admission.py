"""Admission threshold 收治门槛: a borderline (non-severe) case is admitted or treated as an outpatient.

The case-mix incidence is the admission rate under fee-for-service. Where an admission brings the
decision-maker less per yuan of charges than fee-for-service does (its own revenue, or under a one-purse
global budget the patient's share plus the unretained fund payment), the probability of admitting a
non-severe case is ``value_ratio ** price_elasticity`` (at most 1); the rest are treated as outpatients at
the same facility. ``docs/sources/behaviour_evidence.md`` §3: admissions' elasticity to the DRG price about 0.1
(Norway); §4: Medicare discharges per 1,000 fell 387 -> 328 after prospective payment (Latta and Keene).
Under fee-for-service and budget-neutral case payment the ratio is about 1; the rise above
fee-for-service of a group paid more than its charges is not modelled (no pool of unadmitted cases).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.provider import Margins
from sim.codes import SEVERE
from sim.config.providers import ProviderConfig


def admit_probability(m: Margins, cfg: ProviderConfig) -> np.ndarray:
    """(5, C, 3) probability a case reaching a facility that can treat it is admitted."""
    c = cfg.admission
    ratio = np.clip(m.value_ratio, 1e-6, None)
    p = np.minimum(1.0, ratio ** c.price_elasticity)
    if c.severe_admitted:
        p[:, :, SEVERE] = 1.0
    return p
