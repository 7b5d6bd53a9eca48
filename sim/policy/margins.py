"""Marginal tables of the payment rules in force: what one more day, yuan of services, admission or
coded group earns a facility (the inputs of the provider channels in :mod:`sim.behaviour`; the objective
and its first-order condition are described in :mod:`sim.behaviour.provider`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import COUNTY, N_LEVELS
from sim.config.payment import METHODS
from sim.policy.incentives import CaseEconomics


@dataclass(frozen=True)
class Margins:
    """What a facility earns at the margin, by level, condition and severity ((5, C, 3) unless noted).

    Attributes
    ----------
    mr_share : marginal revenue per yuan of charges (0-1).
    cost_to_charge : (5,) marginal resource cost per yuan of charges.
    margin_rate : ``mr_share / cost_to_charge - 1``; ``margin_rate_ffs`` the same under fee-for-service.
    value_ratio : value of admitting a case to the decision-maker (revenue, or the one-purse value plus the
        resource cost) over its charges.
    price_gain : (5, C, 3) value share a case coded one severity higher brings (0 where it does not pay).
    one_purse : (5,) bool, the level decides as part of a one-purse community.
    case_paid : (5,) bool, the level's admissions are paid per case (DRG, DIP): a second admission earns a
        second case payment (split admissions 分解住院).
    revenue_ratio : (5, C, 3) the facility's revenue of a case over its charges (what a claw-back of the case's
        payment takes back, per yuan of charges).
    """

    mr_share: np.ndarray
    cost_to_charge: np.ndarray
    margin_rate: np.ndarray
    margin_rate_ffs: np.ndarray
    value_ratio: np.ndarray
    price_gain: np.ndarray
    one_purse: np.ndarray
    case_paid: np.ndarray
    revenue_ratio: np.ndarray

    @property
    def delta(self) -> np.ndarray:
        """(5, C, 3) change of the marginal margin rate from fee-for-service (NaN -> 0)."""
        return np.nan_to_num(self.margin_rate - self.margin_rate_ffs)


def method_codes(rules) -> np.ndarray:
    """(5,) inpatient payment method name by level."""
    return np.array([METHODS[m] for m in rules.payment.inpatient_method.codes()])


def marginal_revenue_share(econ: CaseEconomics, rules, one_purse: bool, retention: float) -> tuple[np.ndarray,
                                                                                                    np.ndarray]:
    """(5, C, 3) marginal revenue per yuan of charges, and (5,) which levels decide as one purse."""
    method = method_codes(rules)
    own = np.where(method == "ffs", 1.0, 0.0)                                    # R' by level
    shape = econ.charges.shape
    mr = np.broadcast_to(own[:, None, None], shape).astype(float)
    purse = np.zeros(N_LEVELS, dtype=bool)
    if one_purse:
        purse[:COUNTY + 1] = True
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.nan_to_num(econ.oop / econ.charges)
        mr = np.where(purse[:, None, None], retention * s + (1.0 - retention) * mr, mr)
    return mr, purse


def margins(econ: CaseEconomics, rules, *, one_purse: bool, retention: float, severity_weights: np.ndarray) -> Margins:
    """The marginal tables every provider channel reads, under ``rules`` (a scenario's rule sections)."""
    ctc = rules.payment.cost_to_charge.as_array()
    mr, purse = marginal_revenue_share(econ, rules, one_purse, retention)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = mr / ctc[:, None, None] - 1.0
        rate_ffs = np.broadcast_to((1.0 / ctc - 1.0)[:, None, None], rate.shape)
        if one_purse:
            value = econ.oop + (1.0 - retention) * (econ.revenue - econ.oop)
            value = np.where(purse[:, None, None], value, econ.revenue)
        else:
            value = econ.revenue
        ratio = value / econ.charges
        revenue_ratio = econ.revenue / econ.charges
    # coding one severity higher: the weight ratio of the next group, where the level is case-paid;
    # a one-purse community gains only the fund payment it does not retain
    w = np.asarray(severity_weights, dtype=float)
    step = np.r_[w[1:] / w[:-1] - 1.0, 0.0]                                       # (3,)
    method = method_codes(rules)
    case_paid = (method != "ffs").astype(float)
    keep = np.where(purse, 1.0 - retention, 1.0)
    gain = (case_paid * keep)[:, None, None] * step[None, None, :] * np.isfinite(econ.charges)
    return Margins(mr_share=mr, cost_to_charge=ctc, margin_rate=rate, margin_rate_ffs=rate_ffs,
                   value_ratio=np.nan_to_num(ratio, nan=1.0), price_gain=np.nan_to_num(gain), one_purse=purse,
                   case_paid=case_paid.astype(bool), revenue_ratio=np.nan_to_num(revenue_ratio, nan=1.0))
