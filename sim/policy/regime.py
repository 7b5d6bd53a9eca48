"""Which rules are in force in a year, and the behavioural tables they imply.

The rules in force in a year come from the scenario's reform timeline (:mod:`sim.policy.timeline`). The mechanism switches freeze a channel at the
``before`` rules: patients' expected prices (patient price response), facilities' margins (facility
margin response), the one-purse view of a global budget (budget incentive).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.codes import CHRONIC, INPATIENT
from sim.county.casemix import Casemix
from sim.config.scenario import ScenarioConfig
from sim.payment.cost_sharing import expected_oop
from sim.config.payment import FacilityPaymentConfig
from sim.policy.economics import case_economics, expected_drg_scale
from sim.policy.incentives import CaseEconomics, Propensities, propensities
from sim.policy.margins import Margins, margins
from sim.policy.rules import ReferralRules
from sim.policy.timeline import RULE_SECTIONS, rules_before, rules_in_year

__all__ = ["RULE_SECTIONS", "Regime", "fee_for_service", "regime_for_year", "rules_before"]

def fee_for_service(rules: ScenarioConfig) -> ScenarioConfig:
    """The same rules with fee-for-service payment and no global budget: where propensities are calibrated."""
    return rules.model_copy(update={"payment": FacilityPaymentConfig(),
                                    "budget": rules.budget.model_copy(update={"enabled": False})})


@dataclass(frozen=True)
class Regime:
    """The rules of one simulated year and what behaviour reads from them.

    Attributes
    ----------
    rules : the scenario (with this year's rule sections) claims are priced and settled under.
    referral : referral rules of ``rules``.
    expected_oop : (2, C, 5) out-of-pocket patients expect when choosing a level themselves, yuan.
    propensities : facilities' referral propensities by level.
    margins : what one more day, yuan of services, admission or coded group earns, by level, condition and
        severity under ``rules`` (:class:`sim.policy.margins.Margins`); ``margins_before`` the same under the
        rules before the reform (where switched-off provider channels stay).
    rules_before : the rules before the reform.
    drg_scale : the control factor facilities expect of a floating DRG point value.
    """

    rules: ScenarioConfig
    referral: ReferralRules
    expected_oop: np.ndarray
    propensities: Propensities
    margins: Margins
    margins_before: Margins
    rules_before: ScenarioConfig
    drg_scale: float


def regime_for_year(config: ScenarioConfig, before: ScenarioConfig, year: int, casemix: Casemix) -> Regime:
    """Build the regime of simulated year ``year`` (0-based)."""
    mech = config.mechanisms
    rules = rules_in_year(config, before, year)
    referral = ReferralRules.build(casemix, rules)
    price_rules = rules if mech.patient_price_response else before
    margin_rules = rules if mech.facility_margin_response else before
    scale = expected_drg_scale(casemix, config.casemix, rules)
    return Regime(rules=rules, referral=referral,
                  expected_oop=_expected_oop(casemix, price_rules),
                  propensities=_propensities(config, margin_rules, casemix),
                  margins=_margins(config, rules, casemix, scale),
                  margins_before=_margins(config, before, casemix, expected_drg_scale(casemix, config.casemix, before)),
                  rules_before=before, drg_scale=scale)


def _one_purse(config: ScenarioConfig, rules: ScenarioConfig) -> bool:
    return bool(rules.budget.enabled and config.incentives.one_purse_under_global_budget
                and config.mechanisms.budget_incentive)


def _margins(config: ScenarioConfig, rules: ScenarioConfig, casemix: Casemix, drg_scale: float) -> Margins:
    econ: CaseEconomics = case_economics(casemix, config.casemix, rules, drg_scale)
    return margins(econ, rules, one_purse=_one_purse(config, rules), retention=rules.budget.surplus_retention,
                   severity_weights=rules.payment.severity_groups.as_array())


def _expected_oop(casemix: Casemix, rules: ScenarioConfig) -> np.ndarray:
    """(2, C, 5): a level that cannot treat sends the patient up, so expect the first capable level's price;
    the ratio cut of self-referral under the rules (unreferred out-of-county care, bypassing primary care)."""
    cost = pd.DataFrame(casemix.cost).bfill(axis=1).to_numpy()
    cut = ReferralRules.build(casemix, rules).self_referral_cut()
    return expected_oop(cost, casemix.setting == INPATIENT, casemix.setting == CHRONIC, rules.insurance,
                        ratio_cut=cut)


def _propensities(config: ScenarioConfig, rules: ScenarioConfig, casemix: Casemix) -> Propensities:
    inc, ref = config.incentives, config.referral
    one_purse = _one_purse(config, rules)
    return propensities(
        case_economics(casemix, config.casemix, rules, expected_drg_scale(casemix, config.casemix, rules)),
        case_economics(casemix, config.casemix, fee_for_service(rules)),
        one_purse=one_purse, retention=rules.budget.surplus_retention, elasticity=inc.margin_elasticity,
        refer_up0=np.array(ref.refer_up_capable.as_list()), triage_down0=inc.triage_down,
        accept0=inc.township_accept, down_recovery0=ref.down_referral)
