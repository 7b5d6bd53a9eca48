"""Every provider channel's table for one year's rules, from the regime's marginal tables.

A switched-off channel (``mechanisms``) is frozen at the rules before the reform (``reform.before``), like
the older channels (:mod:`sim.policy.regime`); before a reform the rules are fee-for-service, so off means
the calibrated stays, costs, admissions and honest coding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.behaviour.admission import admit_probability
from sim.behaviour.coding import upcode_probability
from sim.behaviour.cost_shifting import self_pay_share
from sim.behaviour.intensity import intensity_multiplier
from sim.behaviour.length_of_stay import los_multiplier, readmission_added
from sim.policy.margins import Margins


@dataclass(frozen=True)
class ProviderTables:
    """(5, C, 3) by level, condition and true severity.

    los : planned stay over the calibrated stay. intensity : cost per day over the calibrated cost.
    readmit_added : added 30-day readmission probability. admit : probability of admitting a case.
    upcode : probability of coding a case one severity group higher. self_pay : share of a stay's charges
    billed outside the payment list. severity_weights : (3,) weight factor
    of each coded severity (payment rules in force). detection : probability an upcoded claim is detected.
    """

    los: np.ndarray
    intensity: np.ndarray
    readmit_added: np.ndarray
    admit: np.ndarray
    upcode: np.ndarray
    self_pay: np.ndarray
    severity_weights: np.ndarray
    detection: float


def provider_tables(config, regime) -> ProviderTables:
    """Tables of the year whose regime is ``regime`` (:class:`sim.policy.regime.Regime`)."""
    cfg, mech = config.providers, config.mechanisms
    now: Margins = regime.margins
    before: Margins = regime.margins_before
    pick = lambda on: now if on else before
    los = los_multiplier(pick(mech.length_of_stay), cfg)
    sup = (regime.rules if mech.coding else regime.rules_before).payment.supervision
    capped = bool(regime.rules.budget.enabled and not now.one_purse.any()) if mech.intensity else False
    return ProviderTables(
        los=los, intensity=intensity_multiplier(pick(mech.intensity), cfg, capped),
        readmit_added=readmission_added(los, cfg), admit=admit_probability(pick(mech.admission), cfg),
        upcode=upcode_probability(pick(mech.coding), cfg, sup.detection(), sup.penalty_multiple),
        self_pay=self_pay_share(pick(mech.cost_shifting), cfg),
        severity_weights=regime.rules.payment.severity_groups.as_array(), detection=sup.detection())
