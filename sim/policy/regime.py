"""Which rules are in force in a year, and the behavioural tables they imply.

The rules in force in a year come from the scenario's reform timeline (:mod:`sim.policy.timeline`). The mechanism
switches freeze a channel at the ``before`` rules: patients' expected prices (patient price response), facilities'
margins (facility margin response), the one-purse view of a global budget (budget incentive).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.codes import CHRONIC, COUNTY, DAYS_PER_YEAR, INPATIENT, TOWNSHIP, VILLAGE
from sim.config.payment import FacilityPaymentConfig
from sim.config.scenario import ScenarioConfig
from sim.county.casemix import Casemix
from sim.payment.cost_sharing import expected_oop
from sim.policy.economics import case_economics, expected_drg_scale
from sim.policy.incentives import CaseEconomics, Propensities, propensities
from sim.policy.margins import Margins, margins
from sim.policy.rules import ReferralRules
from sim.policy.timeline import RULE_SECTIONS, rules_before, rules_in_year

__all__ = ["RULE_SECTIONS", "Regime", "contract_route_prices", "fee_for_service", "expected_prices", "regime_for_year",
           "rules_before"]

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
    contract_via : (2, 2, C) out-of-pocket of county outpatient care via the contracted doctor's referral, by the
        slot the contract names (0 village doctor, 1 township team), scheme and condition, yuan (NaN where that
        route is not open or not cheaper than bypassing), under the prices patients expect; None unless
        gatekeeping counts only the contracted doctor's referral (``policy.gatekeeping.referral_by``).
    contract_route : (2, C) bool, by named slot and condition: a contracted patient bound for a county hospital
        takes the route through the contracted facility (under the rules in force); None as above.
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
    contract_via: np.ndarray | None = None
    contract_route: np.ndarray | None = None


def regime_for_year(config: ScenarioConfig, before: ScenarioConfig, year: int, casemix: Casemix) -> Regime:
    """Build the regime of simulated year ``year`` (0-based)."""
    mech = config.mechanisms
    rules = rules_in_year(config, before, year)
    referral = ReferralRules.build(casemix, rules)
    price_rules = rules if mech.patient_price_response else before
    margin_rules = rules if mech.facility_margin_response else before
    scale = expected_drg_scale(casemix, config.casemix, rules)
    expected, route = expected_prices(casemix, price_rules)
    via = contract_route_prices(casemix, price_rules)
    croute = via if price_rules is rules else contract_route_prices(casemix, rules)
    if price_rules is not rules:   # the price patients expect may be frozen; the route open is the rules'
        route = expected_prices(casemix, rules)[1]
    return Regime(rules=rules, referral=referral, expected_oop=expected, referral_route=route,
                  contract_via=None if via is None else via[0], contract_route=None if croute is None else croute[1],
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


def _refills_per_year(rules: ScenarioConfig) -> float | None:
    """Two-disease refills a year (when patients count the annual cap in a refill's price), else None."""
    if not rules.mechanisms.refill_cap_in_price:
        return None
    return DAYS_PER_YEAR / rules.demography.followup_interval_days


def _self_referred(casemix: Casemix, rules: ScenarioConfig):
    """Costs (C, 5, NaN filled up), settings, referral rules, self-referral cut and (2, C, 5) expected
    out-of-pocket of choosing each level on one's own (bypassing primary care where gatekept), yuan."""
    cost = pd.DataFrame(casemix.cost).bfill(axis=1).to_numpy()
    referral = ReferralRules.build(casemix, rules)
    inpatient, chronic = casemix.setting == INPATIENT, casemix.setting == CHRONIC
    cut = referral.self_referral_cut()
    out = expected_oop(cost, inpatient, chronic, rules.insurance, ratio_cut=cut,
                       refills_per_year=_refills_per_year(rules))
    return cost, inpatient, chronic, referral, cut, out


def _via_referral(casemix: Casemix, rules: ScenarioConfig, consult_level: int) -> tuple[np.ndarray, np.ndarray]:
    """(2, C) out-of-pocket of the gatekeeping referral route to a county hospital, yuan: a consultation at
    ``consult_level`` (its median outpatient cost), then the county visit reimbursed as referred; and (C,) bool,
    the outpatient conditions where the route is open and cheaper than bypassing for both schemes."""
    cost, inpatient, chronic, referral, cut, out = _self_referred(casemix, rules)
    per_year = _refills_per_year(rules)
    open_ = referral.gatekept & ~inpatient
    referred = expected_oop(cost, inpatient, chronic, rules.insurance, ratio_cut=np.where(
        open_[:, None] & (np.arange(cut.shape[1]) == COUNTY)[None], 0.0, cut), refills_per_year=per_year)
    consult = np.broadcast_to(casemix.consult_cost()[consult_level], (casemix.n, 1)) * np.ones((1, cut.shape[1]))
    consult_oop = expected_oop(consult, inpatient, chronic, rules.insurance, ratio_cut=np.zeros_like(cut),
                               refills_per_year=per_year)
    via = referred[:, :, COUNTY] + consult_oop[:, :, consult_level]
    return via, (open_[None, :] & (via < out[:, :, COUNTY])).all(axis=0)


def expected_prices(casemix: Casemix, rules: ScenarioConfig) -> tuple[np.ndarray, np.ndarray]:
    """(2, C, 5) expected out-of-pocket: a level that cannot treat sends the patient up, so expect the first
    capable level's price; the ratio cut of self-referral under the rules (unreferred out-of-county care,
    bypassing primary care). Where gatekeeping has a referral route open to everyone (``referral_by:
    any_primary``), a county hospital's outpatient price is the cheaper of bypassing and the route (a township
    consultation, then the county visit as referred); a route through the contracted doctor only is priced
    per patient (:func:`contract_route_prices`). Also returns the (C,) conditions whose open-to-all route is the
    cheaper way for both schemes."""
    out = _self_referred(casemix, rules)[5]
    route = np.zeros(casemix.n, dtype=bool)
    gk = rules.policy.gatekeeping
    if gk.enabled and gk.referral_route and gk.referral_by == "any_primary":
        via, route = _via_referral(casemix, rules, TOWNSHIP)
        out[:, :, COUNTY] = np.where(route[None, :], via, out[:, :, COUNTY])
    return out, route


def contract_route_prices(casemix: Casemix, rules: ScenarioConfig) -> tuple[np.ndarray, np.ndarray] | None:
    """Gatekeeping that counts only the contracted doctor's referral (``referral_by: contracted_doctor``):
    ``(via, route)``: (2 named slots, 2 schemes, C) out-of-pocket of county outpatient care via a referral at
    the contracted village clinic (slot 0) or township centre (slot 1), yuan, NaN where that route is not open
    or not cheaper than bypassing; (2, C) bool where it is. None under other rules (no such route)."""
    gk = rules.policy.gatekeeping
    if not (gk.enabled and gk.referral_route and gk.referral_by == "contracted_doctor"):
        return None
    parts = [_via_referral(casemix, rules, lvl) for lvl in (VILLAGE, TOWNSHIP)]
    route = np.stack([p[1] for p in parts])
    via = np.stack([np.where(p[1][None, :], p[0], np.nan) for p in parts])
    return via, route


def _propensities(config: ScenarioConfig, rules: ScenarioConfig, casemix: Casemix) -> Propensities:
    inc, ref = config.incentives, config.referral
    one_purse = _one_purse(config, rules)
    return propensities(
        case_economics(casemix, config.casemix, rules, expected_drg_scale(casemix, config.casemix, rules)),
        case_economics(casemix, config.casemix, fee_for_service(rules)),
        one_purse=one_purse, retention=rules.budget.surplus_retention, elasticity=inc.margin_elasticity,
        refer_up0=np.array(ref.refer_up_capable.as_list()), triage_down0=inc.triage_down,
        accept0=inc.township_accept, down_recovery0=ref.down_referral)
