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
from sim.behaviour.outpatient_redirect import county_visit_value, redirect_probability
from sim.behaviour.selection import split_probability
from sim.codes import COUNTY
from sim.policy.margins import Margins
from sim.policy.rules import ReferralRules


@dataclass(frozen=True)
class ProviderTables:
    """(5, C, 3) by level, condition and true severity.

    los : planned stay over the calibrated stay. intensity : cost per day over the calibrated cost.
    readmit_added : added 30-day readmission probability. admit : probability of admitting a case.
    upcode : probability of coding a case one severity group higher. self_pay : share of a stay's charges
    billed outside the payment list. severity_weights : (3,) weight factor
    of each coded severity (payment rules in force). detection : probability an upcoded claim is detected.
    split : probability an admitted stay is split into two admissions 分解住院. split_detection : probability
    supervision confirms a flagged split admission. redirect : (C,) probability a county outpatient visit
    that primary care can treat is redirected there 门诊下沉 (zeros without a case-mix).
    """

    los: np.ndarray
    intensity: np.ndarray
    readmit_added: np.ndarray
    admit: np.ndarray
    upcode: np.ndarray
    self_pay: np.ndarray
    severity_weights: np.ndarray
    detection: float
    split: np.ndarray
    split_detection: float
    redirect: np.ndarray


def provider_tables(config, regime, casemix) -> ProviderTables:
    """Tables of the year whose regime is ``regime`` (:class:`sim.policy.regime.Regime`) for the ``casemix``
    (:class:`sim.county.casemix.Casemix`)."""
    cfg, mech = config.providers, config.mechanisms
    now: Margins = regime.margins
    before: Margins = regime.margins_before

    def pick(on: bool) -> Margins:
        """The margins a channel reads: this year's when its switch is on, the frozen pre-reform ones when off."""
        return now if on else before

    los = los_multiplier(pick(mech.length_of_stay), cfg)
    sup = (regime.rules if mech.coding else regime.rules_before).payment.supervision
    capped = bool(regime.rules.budget.enabled and not now.one_purse.any()) if mech.intensity else False
    # split admissions weigh the supervision in force (frozen with the channel, like coding)
    sup_split = (regime.rules if mech.split_admission else regime.rules_before).payment.supervision
    split = split_probability(pick(mech.split_admission), cfg, config.casemix.cost_fixed_share,
                              sup_split.detection(), sup_split.penalty_multiple)
    return ProviderTables(
        los=los, intensity=intensity_multiplier(pick(mech.intensity), cfg, capped),
        readmit_added=readmission_added(los, cfg), admit=admit_probability(pick(mech.admission), cfg),
        upcode=upcode_probability(pick(mech.coding), cfg, sup.detection(), sup.penalty_multiple),
        self_pay=self_pay_share(pick(mech.cost_shifting), cfg),
        severity_weights=regime.rules.payment.severity_groups.as_array(), detection=sup.detection(),
        split=split, split_detection=sup_split.detection(),
        redirect=_redirect(config, regime, casemix))


def _redirect(config, regime, casemix) -> np.ndarray:
    """(C,) county outpatient redirect propensity under the rules in force (before the reform when off)."""
    on = config.mechanisms.outpatient_redirect
    rules = regime.rules if on else regime.rules_before
    m: Margins = regime.margins if on else regime.margins_before
    gatekept = (regime.referral if on else ReferralRules.build(casemix, rules)).gatekept
    value = county_visit_value(casemix.cost, casemix.setting, rules.insurance, bool(m.one_purse[COUNTY]),
                               rules.budget.surplus_retention)
    return redirect_probability(value, float(m.cost_to_charge[COUNTY]), gatekept, casemix.setting, config.providers)
