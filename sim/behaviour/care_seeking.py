"""Care seeking 就医 with an outside option (self-treatment, a pharmacy, no care).

An ill resident seeks formal care with probability::

    p = min(1, p0[severity] * (P / P_ref) ** (elasticity[setting] * m) * (T / T_ref) ** travel_elasticity)

* ``p0`` : ``casemix.seek_care`` by severity (the probability at the county's reference price);
* ``P``, ``T`` : the episode's expected out-of-pocket price (yuan) and travel time (hours), averaged over the
  facilities the resident would choose with their logit choice probabilities (so a nearer or cheaper primary
  option lowers them and raises care seeking);
* ``P_ref``, ``T_ref`` : the county's mean for the same condition, severity and scheme under the rules in force
  before the reform (``reform.before``): the reference the severity table ``p0`` was calibrated at;
* ``m`` : income multiplier of price sensitivity (:func:`income_multiplier`), 1 at the geometric-mean income.

The constant-elasticity form is the evidence's simulator default (``docs/sources/behaviour_evidence.md`` §1):
−0.5 for outpatient visits, −0.35 for admissions (rural China, Zhou et al. 2011). The travel elasticity is an
assumption (``care_seeking.travel_elasticity``).
"""

from __future__ import annotations

import numpy as np

from sim.config.patients import CareSeekingConfig


def income_multiplier(income: np.ndarray, power: float, lo: float, hi: float) -> np.ndarray:
    """(N,) price-sensitivity multiplier ``(income / geometric mean) ** -power``, clipped to ``[lo, hi]``.

    ``power = 0`` gives exactly 1 everywhere (the channel off)."""
    income = np.asarray(income, dtype=float)
    if power == 0 or len(income) == 0:
        return np.ones(len(income))
    g = np.exp(np.mean(np.log(income)))
    return np.clip((income / g) ** -power, lo, hi)


def logit_shares(u: np.ndarray) -> np.ndarray:
    """(n, K) multinomial-logit probabilities of deterministic utilities ``u`` (rows sum to 1)."""
    z = u - u.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def expected_price_and_travel(u: np.ndarray, oop_yuan: np.ndarray, travel_hours: np.ndarray) -> np.ndarray:
    """(2, n): expected out-of-pocket (yuan) and travel time (hours) over the logit choice probabilities."""
    sh = logit_shares(u)
    return np.stack([(sh * oop_yuan).sum(axis=1), (sh * travel_hours).sum(axis=1)])


def seek_probability(p0: np.ndarray, price: np.ndarray, reference: np.ndarray, elasticity: float,
                     multiplier: np.ndarray, hours: np.ndarray | None = None,
                     hours_reference: np.ndarray | None = None, travel_elasticity: float = 0.0) -> np.ndarray:
    """(n,) probability of seeking care:
    ``min(1, p0 * (price / reference) ** (elasticity * multiplier) * (hours / hours_reference) ** travel_elasticity)``.

    A zero reference or price (free care) leaves the price term at 1; likewise for travel."""
    def ratio(a, r):
        return np.where((r > 0) & (a > 0), a / np.where(r > 0, r, 1.0), 1.0)
    p = p0 * ratio(price, reference) ** (elasticity * multiplier)
    if hours is not None and travel_elasticity:
        p = p * ratio(hours, hours_reference) ** travel_elasticity
    return np.minimum(1.0, p)


def elasticity_of(cfg: CareSeekingConfig, setting: str) -> float:
    """The configured elasticity of ``setting`` ('outpatient', 'inpatient' or 'chronic')."""
    return float(getattr(cfg, f"elasticity_{setting}"))
