"""Care seeking 就医 with an outside option (self-treatment, a pharmacy, no care).

An ill resident seeks formal care with probability::

    p = min(1, p0[severity] * (G / G_ref) ** (elasticity[setting] * m))

* ``p0`` : ``casemix.seek_care`` by severity (the probability at the county's reference price);
* ``G`` : the episode's expected generalised price, yuan: out-of-pocket plus the value of travel time,
  averaged over the facilities the resident would choose with their logit choice probabilities (so a nearer
  or cheaper primary option lowers ``G`` and raises care seeking);
* ``G_ref`` : the county's mean ``G`` for the same condition, severity and scheme under the rules in force
  before the reform (``reform.before``): the reference the severity table ``p0`` was calibrated at;
* ``m`` : income multiplier of price sensitivity (:func:`income_multiplier`), 1 at the geometric-mean income.

The constant-elasticity form is the evidence's simulator default (``docs/sources/behaviour_evidence.md`` §1):
−0.5 for outpatient visits, −0.35 for admissions (rural China, Zhou et al. 2011). Travel time is valued at
the choice model's own trade-off, ``travel_per_hour / oop_per_100_yuan * 100`` yuan an hour (§2 [D]).
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


def generalised_price(u: np.ndarray, oop_yuan: np.ndarray, travel_hours: np.ndarray,
                      yuan_per_hour: float) -> np.ndarray:
    """(n,) expected generalised price, yuan: Σ_k share_k * (oop_k + yuan_per_hour * hours_k)."""
    return (logit_shares(u) * (oop_yuan + yuan_per_hour * travel_hours)).sum(axis=1)


def seek_probability(p0: np.ndarray, price: np.ndarray, reference: np.ndarray, elasticity: float,
                     multiplier: np.ndarray) -> np.ndarray:
    """(n,) probability of seeking care: ``min(1, p0 * (price / reference) ** (elasticity * multiplier))``.

    A zero reference or price (free care) leaves ``p0`` unchanged."""
    ratio = np.where((reference > 0) & (price > 0), price / np.where(reference > 0, reference, 1.0), 1.0)
    return np.minimum(1.0, p0 * ratio ** (elasticity * multiplier))


def elasticity_of(cfg: CareSeekingConfig, setting: str) -> float:
    """The configured elasticity of ``setting`` ('outpatient', 'inpatient' or 'chronic')."""
    return float(getattr(cfg, f"elasticity_{setting}"))
