"""The money of a typical case at each level under a set of payment rules (input to facility incentives)."""

from __future__ import annotations

import numpy as np

from sim.codes import COUNTY, N_LEVELS, TOWNSHIP
from sim.config.payment import METHODS
from sim.config.scenario import CasemixConfig
from sim.county.casemix import Casemix
from sim.payment.cost_sharing import inpatient_split
from sim.payment.facility_payment import expected_case_revenue
from sim.policy.incentives import CaseEconomics

_SEVERITIES = 3


def case_economics(casemix: Casemix, casemix_cfg: CasemixConfig, rules, drg_scale: float = 1.0) -> CaseEconomics:
    """Charges, revenue, patient payment and resource cost of a resident's direct admission.

    Parameters
    ----------
    casemix : conditions (costs by level, LOS, recovery fractions).
    casemix_cfg : severity cost factors and the recovery bed-day cost.
    rules : anything with ``.insurance`` (cost sharing) and ``.payment`` (facility payment), e.g. a
        ``ScenarioConfig``.
    drg_scale : expected control factor of a floating DRG point value (:func:`expected_drg_scale`).

    Returns
    -------
    :class:`~sim.policy.incentives.CaseEconomics` with (5, C, 3) and (5, C) tables in yuan. Out-of-pocket is
    that of a resident-insurance 城乡居民 patient admitted without referral, no deductible paid before.
    """
    C = casemix.n
    factor = np.array(casemix_cfg.cost_factor.as_list())
    cost = casemix.cost[:, None, :] * factor[None, :, None]                        # (C, 3, 5)
    # the group's weight by severity (CC/MCC split; ones when the split is off)
    rw = casemix.rw[:, None] * rules.payment.severity_groups.as_array()[None, :]
    drg = np.broadcast_to(np.asarray(casemix.drg_codes, dtype=object)[:, None], (C, _SEVERITIES))
    revenue = expected_case_revenue(cost, rw, rules, drg_code=drg, setting=casemix.setting, drg_scale=drg_scale)
    oop = _resident_oop(cost, rules)
    ctc = rules.payment.cost_to_charge.as_array()

    def to_lcs(a: np.ndarray) -> np.ndarray:
        """(C, 3, 5) -> (5, C, 3)"""
        return np.moveaxis(a, -1, 0)

    # recovery phase of a county stay: its days at county per-day cost, or at a township centre per bed-day
    rec_days = np.nan_to_num(casemix.los[:, COUNTY] * casemix.recovery_fraction)
    per_day = np.full((N_LEVELS, C), np.nan)
    per_day[COUNTY] = casemix.cost[:, COUNTY] * (1 - casemix_cfg.cost_fixed_share) / casemix.los[:, COUNTY]
    per_day[TOWNSHIP] = casemix_cfg.recovery_bed_day_cost
    rec_charges = rec_days[None, :] * per_day
    rec_revenue = _recovery_revenue(rec_charges, rec_days, rules)
    # no new deductible on the recovery days, whether they stay or move down (docs/sources/payment_rules.md §4.3)
    rec_oop = _resident_oop(np.moveaxis(rec_charges, 0, -1)[:, None, :], rules, deductible_paid=np.inf)[:, 0, :]
    return CaseEconomics(
        charges=to_lcs(cost), revenue=to_lcs(revenue), oop=to_lcs(oop), resource=to_lcs(cost * ctc),
        recovery_charges=rec_charges, recovery_revenue=rec_revenue, recovery_oop=np.moveaxis(rec_oop, -1, 0),
        recovery_resource=rec_charges * ctc[:, None])


def expected_drg_scale(casemix: Casemix, casemix_cfg: CasemixConfig, rules) -> float:
    """Control factor facilities expect of a floating DRG point value: the budget-neutral one before behaviour,
    total cost of the typical cases over their payment at the configured point value (weights: incidence × severity
    share, every DRG-paid level that treats the case alike). 1 for a fixed point value or no DRG level."""
    pay = rules.payment
    if pay.drg.point_value_mode != "floating":
        return 1.0
    drg_levels = np.array([METHODS[m] == "drg" for m in pay.inpatient_method.codes()])
    inpatient = casemix.setting == 1
    if not drg_levels.any() or not inpatient.any():
        return 1.0
    factor = np.array(casemix_cfg.cost_factor.as_list())
    cost = casemix.cost[:, None, :] * factor[None, :, None]                        # (C, 3, 5)
    rw = casemix.rw[:, None] * pay.severity_groups.as_array()[None, :]
    drg = np.broadcast_to(np.asarray(casemix.drg_codes, dtype=object)[:, None], rw.shape)
    revenue = expected_case_revenue(cost, rw, rules, drg_code=drg, setting=casemix.setting)
    w = (casemix.incidence.sum(axis=1)[:, None] * casemix.severity_shares)[:, :, None] * \
        (inpatient & (casemix.rw > 0))[:, None, None] * drg_levels[None, None, :]
    ok = np.isfinite(cost) & np.isfinite(revenue) & (w > 0)
    num, den = (np.where(ok, w * cost, 0)).sum(), (np.where(ok, w * revenue, 0)).sum()
    return float(num / den) if den > 0 else 1.0


def _resident_oop(cost: np.ndarray, rules, deductible_paid: float = 0.0) -> np.ndarray:
    """Out-of-pocket of resident-insurance inpatients, shaped like ``cost`` (last axis = level)."""
    lvl = np.broadcast_to(np.arange(N_LEVELS), cost.shape)
    c = np.nan_to_num(cost)
    oop = inpatient_split(c.ravel(), lvl.ravel(), np.zeros(c.size, dtype=np.int64), np.zeros(c.size, dtype=bool),
                          deductible_paid, rules.insurance)["oop_payment"]
    return np.where(np.isnan(cost), np.nan, oop.reshape(cost.shape))


def _recovery_revenue(charges: np.ndarray, days: np.ndarray, rules) -> np.ndarray:
    """(5, C) revenue of recovery days: charges under fee-for-service, nothing extra under case payment
    (the case's DRG/DIP payment does not grow with its days), the per-diem rate where per diem applies.

    A down-referred recovery segment at a township centre, under DRG/DIP, is paid about its cost (a low
    outlier paid by cost, docs/sources/payment_rules.md §1.6).
    """
    pay = rules.payment
    method = np.array([METHODS[m] for m in pay.inpatient_method.codes()])
    revenue = np.where((method == "ffs")[:, None], charges, 0.0)
    revenue[TOWNSHIP] = charges[TOWNSHIP]
    if pay.per_diem.enabled:
        revenue[TOWNSHIP] = pay.per_diem.rate.as_array()[TOWNSHIP] * days
    return np.where(np.isnan(charges), np.nan, revenue)
