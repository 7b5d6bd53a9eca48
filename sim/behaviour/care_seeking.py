"""Care seeking 就医 with an outside option (self-treatment, a pharmacy, no care).

An ill resident seeks formal care with probability ``p = g(x; p0)`` where::

    x = (P / P_ref) ** (elasticity * m) * (T / T_ref) ** travel_elasticity
    g(x; p0) = p0 * x                                  if x <= 1   (dearer or farther than the reference)
             = 1 - (1 - p0) * x ** (-p0 / (1 - p0))    if x > 1    (cheaper or nearer: the shortfall 1 - p shrinks)

* ``p0`` : ``casemix.seek_care`` by severity (the probability at the county's reference price);
* ``P`` : the episode's money-metric expected out-of-pocket price (yuan): the share-weighted price over the
  facilities it would choose under the reference prices, plus the compensating variation of the prices in force
  (the change of the logit inclusive value, in yuan; :func:`money_metric_price`). A uniform price rise therefore
  always raises ``P``: substitution towards cheaper facilities softens the rise but cannot reverse it (as the
  share-weighted price at the new shares could);
* ``T`` : expected travel time (hours) over the choice shares under the reference prices (prices act through
  ``P`` only, so a price rise that moves patients to nearer facilities does not count as better access);
* ``P_ref``, ``T_ref`` : the county's mean for the same condition, severity and scheme under the rules in force
  before the reform (``reform.before``): the reference the severity table ``p0`` was calibrated at;
* ``m`` : income multiplier of price sensitivity (:func:`income_multiplier`), 1 at the geometric-mean income.

``g`` has elasticity exactly ``d log p / d log x = 1`` at ``x = 1`` on both sides, so the local price elasticity
at the reference is the evidence's (``docs/sources/behaviour_evidence.md`` §1: −0.5 outpatient visits, −0.35
admissions, rural China, Zhou et al. 2011, estimated with a probit, itself bounded by 1); above the reference it
is the constant-elasticity form; below it ``p`` approaches 1 smoothly instead of being cut at 1, so residents
with cheaper-than-average access (``p`` near 1) still respond to a price rise. ``p0 = 1`` (severe cases,
scheduled follow-ups) responds only to prices above the reference. The travel elasticity is an assumption
(``care_seeking.travel_elasticity``).
"""

from __future__ import annotations

import numpy as np


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


def logsum(u: np.ndarray) -> np.ndarray:
    """(n,) logit inclusive value ``log sum_k exp(u_k)`` (``-inf`` alternatives count as absent)."""
    top = u.max(axis=1)
    return top + np.log(np.exp(u - top[:, None]).sum(axis=1))


def money_metric_price(u_now: np.ndarray, oop_now: np.ndarray, oop_ref: np.ndarray | None, beta: np.ndarray,
                       travel_hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(price, hours)``, each (n,): the money-metric expected out-of-pocket price (yuan) and expected travel
    time (hours) of episodes.

    ``u_now`` (n, K) utilities under the prices in force (which enter as ``-beta * oop_now``); ``oop_now``,
    ``oop_ref`` (n, K) out-of-pocket of each alternative now and under the reference prices, yuan (None: the
    prices in force are the reference's, and the price change is 0); ``beta`` (n,)
    disutility per yuan (> 0). The price is ``E_ref + (logsum(u_ref) - logsum(u_now)) / beta``: the share-weighted
    reference price plus the compensating variation of the price change (by the envelope theorem the share-weighted
    price change at the reference shares, to first order; a little less, as patients substitute). Where ``beta``
    is 0 the price change is weighted by the reference shares. Travel is weighted by the reference shares.
    """
    if oop_ref is None:
        # no change to weigh: the reference shares are today's (the general formula gives the same numbers,
        # adding zeros)
        sh = logit_shares(u_now)
        return (sh * oop_now).sum(axis=1), (sh * travel_hours).sum(axis=1)
    beta = np.asarray(beta, dtype=float)
    change = oop_now - oop_ref
    u_ref = u_now + beta[:, None] * change
    sh = logit_shares(u_ref)
    e_ref = (sh * oop_ref).sum(axis=1)
    dp = (sh * change).sum(axis=1)
    # the compensating variation only where a price moved: elsewhere both logsums are equal and it is exactly 0
    pos = (beta > 0) & change.any(axis=1)
    if pos.any():
        dp[pos] = (logsum(u_ref[pos]) - logsum(u_now[pos])) / beta[pos]
    return e_ref + dp, (sh * travel_hours).sum(axis=1)


def bounded_response(p0: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(n,) ``g(x; p0)``: ``p0 * x`` for ``x <= 1``; ``1 - (1 - p0) * x ** (-p0 / (1 - p0))`` for ``x > 1``
    (1 where ``p0 = 1``). Continuous with elasticity 1 at ``x = 1``, increasing, never above 1."""
    x = np.asarray(x, dtype=float)
    p0 = np.asarray(p0, dtype=float)
    if p0.shape != x.shape:
        p0 = np.broadcast_to(p0, x.shape)
    out = p0 * x
    up = np.flatnonzero(x > 1)
    if up.size:
        q0 = p0[up]
        below = q0 < 1
        # the exponent p0 / (1 - p0) where p0 < 1; where p0 = 1 the response is 1 and it is not used
        k = np.where(below, q0 / np.where(below, 1 - q0, 1.0), 0.0)
        out[up] = np.where(below, 1 - (1 - q0) * x[up] ** (-k), 1.0)
    return np.minimum(out, 1.0, out=out)


def seek_probability(p0: np.ndarray, price: np.ndarray, reference: np.ndarray, elasticity: float,
                     multiplier: np.ndarray, hours: np.ndarray | None = None,
                     hours_reference: np.ndarray | None = None, travel_elasticity: float = 0.0) -> np.ndarray:
    """(n,) probability of seeking care ``g(x; p0)`` with
    ``x = (price / reference) ** (elasticity * multiplier) * (hours / hours_reference) ** travel_elasticity``
    (see the module docstring).

    A zero reference or price (free care) leaves the price term at 1; likewise for travel."""
    def ratio(a, r):
        return np.where((r > 0) & (a > 0), a / np.where(r > 0, r, 1.0), 1.0)
    x = ratio(price, reference) ** (elasticity * multiplier)
    if hours is not None and travel_elasticity:
        x = x * ratio(hours, hours_reference) ** travel_elasticity
    return bounded_response(p0, x)
