"""Which rules are in force in a year, and the behavioural tables they imply.

The rules in force in a year come from the scenario's reform timeline (:mod:`sim.policy.timeline`). The mechanism switches freeze a channel at the
``before`` rules: patients' expected prices (patient price response), facilities' margins (facility
margin response), the one-purse view of a global budget (budget incentive).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.codes import CHRONIC, COUNTY, INPATIENT, TOWNSHIP
from sim.config.payment import FacilityPaymentConfig
from sim.config.scenario import ScenarioConfig
from sim.county.casemix import Casemix
from sim.payment.cost_sharing import expected_oop
from sim.policy.economics import case_economics, expected_drg_scale
from sim.policy.incentives import CaseEconomics, Propensities, propensities
from sim.policy.margins import Margins, margins
from sim.policy.rules import ReferralRules
from sim.policy.timeline import RULE_SECTIONS, rules_before, rules_in_year

__all__ = ["RULE_SECTIONS", "Regime", "fee_for_service", "expected_prices", "regime_for_year", "rules_before"]

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
    referral_route : (C,) bool, outpatient conditions for which a patient bound for a county hospital takes the
        gatekeeping referral route (a township consultation, then reimbursed as referred), because it is open
        and cheaper than bypassing.
    """

    rules: ScenarioConfig
    referral: ReferralRules
    expected_oop: np.ndarray
    propensities: Propensities
    margins: Margins
    margins_before: Margins
    rules_before: ScenarioConfig
    drg_scale: float
    referral_route: np.ndarray | None = None


def regime_for_year(config: ScenarioConfig, before: ScenarioConfig, year: int, casemix: Casemix) -> Regime:
    """Build the regime of simulated year ``year`` (0-based)."""
    mech = config.mechanisms
    rules = rules_in_year(config, before, year)
    referral = ReferralRules.build(casemix, rules)
    price_rules = rules if mech.patient_price_response else before
    margin_rules = rules if mech.facility_margin_response else before
    scale = expected_drg_scale(casemix, config.casemix, rules)
    expected, route = expected_prices(casemix, price_rules)
    if price_rules is not rules:   # the price patients expect may be frozen; the route open is the rules'
        route = expected_prices(casemix, rules)[1]
    return Regime(rules=rules, referral=referral, expected_oop=expected, referral_route=route,
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


def expected_prices(casemix: Casemix, rules: ScenarioConfig) -> tuple[np.ndarray, np.ndarray]:
    """(2, C, 5) expected out-of-pocket: a level that cannot treat sends the patient up, so expect the first
    capable level's price; the ratio cut of self-referral under the rules (unreferred out-of-county care,
    bypassing primary care). Where gatekeeping has a referral route, a county hospital's outpatient price is
    the cheaper of bypassing and the route (a township consultation, then the county visit as referred).
    Also returns the (C,) conditions whose route is the cheaper way for both schemes."""
    cost = pd.DataFrame(casemix.cost).bfill(axis=1).to_numpy()
    referral = ReferralRules.build(casemix, rules)
    inpatient, chronic = casemix.setting == INPATIENT, casemix.setting == CHRONIC
    cut = referral.self_referral_cut()
    out = expected_oop(cost, inpatient, chronic, rules.insurance, ratio_cut=cut)
    route = np.zeros(casemix.n, dtype=bool)
    gk = rules.policy.gatekeeping
    if gk.enabled and gk.referral_route:
        open_ = referral.gatekept & ~inpatient
        referred = expected_oop(cost, inpatient, chronic, rules.insurance, ratio_cut=np.where(
            open_[:, None] & (np.arange(cut.shape[1]) == COUNTY)[None], 0.0, cut))
        consult = np.broadcast_to(casemix.consult_cost()[TOWNSHIP], (casemix.n, 1)) * np.ones((1, cut.shape[1]))
        consult_oop = expected_oop(consult, inpatient, chronic, rules.insurance, ratio_cut=np.zeros_like(cut))
        via = referred[:, :, COUNTY] + consult_oop[:, :, TOWNSHIP]
        cheaper = open_[None, :] & (via < out[:, :, COUNTY])
        route = cheaper.all(axis=0)
        out[:, :, COUNTY] = np.where(route[None, :], via, out[:, :, COUNTY])
    return out, route


def _propensities(config: ScenarioConfig, rules: ScenarioConfig, casemix: Casemix) -> Propensities:
    inc, ref = config.incentives, config.referral
    one_purse = _one_purse(config, rules)
    return propensities(
        case_economics(casemix, config.casemix, rules, expected_drg_scale(casemix, config.casemix, rules)),
        case_economics(casemix, config.casemix, fee_for_service(rules)),
        one_purse=one_purse, retention=rules.budget.surplus_retention, elasticity=inc.margin_elasticity,
        refer_up0=np.array(ref.refer_up_capable.as_list()), triage_down0=inc.triage_down,
        accept0=inc.township_accept, down_recovery0=ref.down_referral)
