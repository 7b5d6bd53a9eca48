"""County outpatient departments redirect common conditions to primary care 门诊下沉 (the outpatient side of
triage-down 首诊下转).

A county hospital outpatient visit is fee-for-service: it earns its charge, the calibrated behaviour. Under a
community global budget deciding as one purse 一个钱袋子 with surplus retention ``r`` a visit brings the community
only the patient's share ``s`` and the unretained fund payment: ``v = r × s + (1 − r)``; the margin rate of the
visit falls by ``(1 − v) / cost_to_charge`` from fee-for-service. A share of county visits for conditions the
patient's village clinic or township centre can treat is redirected there::

    p = min(max_share, alpha / ((1 - alpha) kappa) × (1 − v) / cost_to_charge + gatekeeping_share × gatekept)

(0 under fee-for-service without gatekeeping). While gatekeeping 基层首诊 is in force the rule adds
``gatekeeping_share`` for its listed conditions. Parameters: ``providers.outpatient_redirect`` (assumptions; see
``docs/providers.md`` §6).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.provider import log_response
from sim.codes import CHRONIC, COUNTY, INPATIENT
from sim.config.providers import ProviderConfig
from sim.payment.cost_sharing import expected_oop


def county_visit_value(cost: np.ndarray, setting: np.ndarray, insurance, one_purse: bool,
                       retention: float) -> np.ndarray:
    """(C,) what a county outpatient visit brings the decision-maker per yuan of charges (1 under its own purse).

    ``cost`` : (C, 5) cost of a visit by level (yuan, NaN where not treated); the patient's share is that of a
    resident-insurance 城乡居民 patient choosing the county hospital on their own."""
    if not one_purse:
        return np.ones(len(setting))
    oop = expected_oop(cost, setting == INPATIENT, setting == CHRONIC, insurance)[0, :, COUNTY]
    c = cost[:, COUNTY]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.nan_to_num(oop / c, nan=1.0)
    return retention * s + (1.0 - retention)


def redirect_probability(value: np.ndarray, cost_to_charge: float, gatekept: np.ndarray, setting: np.ndarray,
                         cfg: ProviderConfig) -> np.ndarray:
    """(C,) probability a county outpatient visit (acute or chronic) for a condition primary care can treat is
    redirected to primary care; 0 for inpatient conditions."""
    c = cfg.outpatient_redirect
    loss = np.clip(1.0 - value, 0.0, None) / cost_to_charge
    p = log_response(loss, cfg.profit_weight, c.curvature) + c.gatekeeping_share * gatekept
    return np.where(setting == INPATIENT, 0.0, np.clip(p, 0.0, c.max_share))
