"""Facilities' referral propensities from the margins a payment rule gives them.

Every table is indexed ``[level, condition, severity]`` (5 x C x 3). For one case the decision-maker
compares the value of referring (up, down at admission, down for recovery) with the value of keeping it:

* a facility on its own purse values a case by its margin ``revenue - resource cost``; a case it sends
  away is worth 0 to it;
* a community paid a global budget 总额付费 with surplus retention r (one purse) values a case treated
  inside the community at ``patient payment + (1 - r) * fund payment - resource cost`` (the fund payment
  comes out of its own budget) and a case sent out of the county at ``- r * fund payment`` (deducted from
  the budget at year end).

Propensities are calibrated under fee-for-service; under the scenario's rules each moves on the logit
scale by ``elasticity * (gain - gain under fee-for-service) / 1,000``, where gain = value(refer) -
value(keep), in yuan. See :class:`sim.config.policy.IncentiveConfig`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from sim.codes import CITY, COUNTY, TOWNSHIP


@dataclass(frozen=True)
class CaseEconomics:
    """Money of a typical case by level, condition and severity (yuan, NaN where the level does not treat).

    Attributes
    ----------
    charges : (5, C, 3) total cost billed 总费用.
    revenue : (5, C, 3) what the facility receives under the payment rule (fund + patient).
    oop : (5, C, 3) the patient's out-of-pocket payment.
    resource : (5, C, 3) the facility's resource cost.
    recovery_charges : (5, C) charges of a stay's recovery-phase days at each level.
    recovery_revenue : (5, C) what the facility receives for those days (0 under case payment).
    recovery_oop : (5, C) the patient's payment for them.
    recovery_resource : (5, C) their resource cost.
    """

    charges: np.ndarray
    revenue: np.ndarray
    oop: np.ndarray
    resource: np.ndarray
    recovery_charges: np.ndarray
    recovery_revenue: np.ndarray
    recovery_oop: np.ndarray
    recovery_resource: np.ndarray

    @property
    def margin(self) -> np.ndarray:
        """(5, C, 3) the facility's own margin on a case."""
        return self.revenue - self.resource

    def community_value(self, retention: float) -> np.ndarray:
        """(5, C, 3) value of a case to a community on a global budget (in-county levels; out-of-county rows
        give the value of sending the case there)."""
        fund = self.revenue - self.oop
        inside = self.oop + (1.0 - retention) * fund - self.resource
        value = inside.copy()
        value[CITY:] = -retention * fund[CITY:]
        return value

    def recovery_value(self, one_purse: bool, retention: float) -> np.ndarray:
        """(5, C) value of hosting a recovery phase at each level to the decision-maker."""
        if not one_purse:
            return self.recovery_revenue - self.recovery_resource
        fund = self.recovery_revenue - self.recovery_oop
        return self.recovery_oop + (1.0 - retention) * fund - self.recovery_resource


@dataclass(frozen=True)
class Propensities:
    """Referral propensities by level (5 x C x 3 unless noted).

    refer_up : probability a facility refers up a case it could treat (上转).
    triage_down : probability a county hospital redirects a township-treatable admission to the patient's
        township centre (首诊下转).
    accept : probability a township centre accepts such a patient.
    down_recovery : (5, C) probability a recovery-phase inpatient is referred down (康复期下转).
    """

    refer_up: np.ndarray
    triage_down: np.ndarray
    accept: np.ndarray
    down_recovery: np.ndarray


def _shift(p0: np.ndarray | float, gain: np.ndarray, gain_ref: np.ndarray, elasticity: float) -> np.ndarray:
    """Move a calibrated probability by the change in gain (yuan); NaN gains (not treated) leave it unchanged."""
    delta = np.nan_to_num(gain - gain_ref, nan=0.0)
    p0 = np.clip(p0, 1e-9, 1 - 1e-9)
    return np.where(np.asarray(p0) <= 1e-9, 0.0, expit(logit(p0) + elasticity * delta / 1000.0))


def _gains(econ: CaseEconomics, one_purse: bool, retention: float) -> dict[str, np.ndarray]:
    """Gain from each referral decision (yuan), by the level deciding."""
    up = np.full_like(econ.charges, np.nan)
    down = np.full_like(econ.charges, np.nan)
    if one_purse:
        v = econ.community_value(retention)
        up[TOWNSHIP] = v[COUNTY] - v[TOWNSHIP]
        up[COUNTY] = v[CITY] - v[COUNTY]
        down[COUNTY] = v[TOWNSHIP] - v[COUNTY]
        accept = down.copy()
        accept[TOWNSHIP] = down[COUNTY]
    else:
        m = econ.margin
        up[TOWNSHIP], up[COUNTY] = -m[TOWNSHIP], -m[COUNTY]
        down[COUNTY] = -m[COUNTY]
        accept = np.full_like(econ.charges, np.nan)
        accept[TOWNSHIP] = m[TOWNSHIP]
    rec = econ.recovery_value(one_purse, retention)
    recovery = np.full_like(rec, np.nan)
    recovery[COUNTY] = (rec[TOWNSHIP] if one_purse else 0.0) - rec[COUNTY]
    return {"up": up, "down": down, "accept": accept, "recovery": recovery}


def propensities(econ: CaseEconomics, reference: CaseEconomics, *, one_purse: bool, retention: float,
                 elasticity: float, refer_up0: np.ndarray, triage_down0: float, accept0: float,
                 down_recovery0: float) -> Propensities:
    """Referral propensities under a payment rule.

    Parameters
    ----------
    econ : case economics under the scenario's rules.
    reference : case economics under fee-for-service (where the base propensities are calibrated).
    one_purse : the community decides as one purse (global budget with surplus retention).
    retention : share of a budget surplus the community keeps.
    elasticity : log-odds per 1,000 yuan of gain.
    refer_up0 : (5,) calibrated probability of referring up a treatable case, by level.
    triage_down0, accept0, down_recovery0 : calibrated probabilities (county triage, township acceptance,
        recovery-phase down-referral).
    """
    g = _gains(econ, one_purse, retention)
    g0 = _gains(reference, False, retention)
    shape = econ.charges.shape
    refer_up = _shift(np.broadcast_to(np.asarray(refer_up0, float)[:, None, None], shape), g["up"], g0["up"],
                      elasticity)
    triage = np.zeros(shape)
    triage[COUNTY] = _shift(triage_down0, g["down"][COUNTY], g0["down"][COUNTY], elasticity)
    accept = np.zeros(shape)
    accept[TOWNSHIP] = _shift(accept0, g["accept"][TOWNSHIP], g0["accept"][TOWNSHIP], elasticity)
    recovery = np.zeros(shape[:2])
    recovery[COUNTY] = _shift(down_recovery0, g["recovery"][COUNTY], g0["recovery"][COUNTY], elasticity)
    return Propensities(refer_up=refer_up, triage_down=triage, accept=accept, down_recovery=recovery)
