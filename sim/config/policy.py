"""Policy levers, facility incentives, mechanism switches and reform timing, as configuration.

A policy changes prices, rules or capabilities; flows change only through the
behaviour it acts on (``docs/design.md`` §1). The levers here are rules
about referral and first contact; the price levers live in ``insurance``
(patient cost sharing), ``payment`` (how facilities are paid) and ``budget``
(the community's global budget).
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from sim.codes import COUNTY, TOWNSHIP, VILLAGE
from sim.config.fields import Section, param
from sim.config.health import ChronicManagementPolicy, GreenChannelPolicy

#: first-contact-at-primary-care conditions 基层首诊病种 (docs/sources/payment_rules.md §5.1 [K]): chronic and minor
#: acute conditions as the case-mix codes them
DEFAULT_GATEKEEPING_CONDITIONS: tuple[str, ...] = (
    "urti_visit", "gastro_visit", "msk_pain_visit", "hypertension_visit", "diabetes_visit", "dyspepsia_visit",
    "uti_visit", "copd_visit", "htn_followup", "dm_followup", "urti_admission", "bronchitis", "gastroenteritis",
    "hypertension_admission", "diabetes_complication", "uti", "back_neck")

#: conditions allowed out of the county with full benefit 县域外转诊白名单 (docs/sources/payment_rules.md §5.1 [B]/[K]:
#: cardiac surgery, neurosurgery, complex cancer surgery, major trauma, interventional cardiology)
DEFAULT_WHITELIST: tuple[str, ...] = (
    "cardiac_surgery", "neurosurgery", "pci", "ami", "colorectal_surgery", "lung_cancer", "breast_cancer_surgery")


class ConditionList(Section):
    """A list of conditions (case-mix codes or DRG codes) with a reimbursement consequence."""

    enabled: bool = param(False, "apply this list")
    codes: list[str] = param(default_factory=list, description="condition codes or DRG codes of the case-mix")
    penalty_pp: float = param(0.20, "cut in the reimbursement ratio for care that breaks the list's rule",
                              unit="share points",
                              source="docs/sources/payment_rules.md §5.1: reimbursement -10 to -20 pp [K]",
                              ge=0, le=1)


class GatekeepingConfig(Section):
    """First contact at primary care 基层首诊: bypassing it costs the patient reimbursement."""

    enabled: bool = param(False, "self-referred care at county or out-of-county level for the listed "
                          "conditions is reimbursed at a lower ratio (outpatient and inpatient)",
                          source="docs/sources/payment_rules.md §5.1 基层首诊病种 [K]")
    codes: list[str] = param(default_factory=lambda: list(DEFAULT_GATEKEEPING_CONDITIONS),
                             description="conditions that must start at a village clinic or township centre",
                             source="docs/sources/payment_rules.md §5.1: hypertension, diabetes, COPD stable phase, "
                                    "URTI, gastroenteritis, back pain, UTI [K]")
    penalty_pp: float = param(0.15, "cut in the reimbursement ratio for bypassing primary care", unit="share points",
                              source="docs/sources/payment_rules.md §4.1/§5.1: 10-20 pp [B]/[K]", ge=0, le=1)
    referral_required: bool = param(False, "bypassing primary care is not reimbursed at all (a primary-care "
                                    "referral is required), instead of the penalty",
                                    source="docs/sources/payment_rules.md §5.1: family-doctor referral needed for "
                                           "county-level outpatient care in some areas [K]")
    referral_route: bool = param(
        True, "a patient who wants a county hospital for a gatekept outpatient condition may first get a referral "
        "at their own township health centre (one consultation there, paid as a visit) and is then reimbursed "
        "as referred; patients expect the cheaper of that route and bypassing (off: bypassing is the only way)",
        source="docs/sources/payment_rules.md §5.1: first contact at primary care with upward referral "
               "(基层首诊、双向转诊) [K]")
    referral_by: Literal["any_primary", "contracted_doctor"] = param(
        "any_primary", "whose referral opens the referral route: any_primary = the resident's own township centre; "
        "contracted_doctor = only the contracted family doctor's (the village doctor or township team the contract "
        "names; the consultation is at that facility), so residents without a contract have no route and pay the "
        "bypass cut (they do not sign a contract on the spot: the contract rate is policy.family_doctor's)",
        source="docs/sources/payment_rules.md §5.1: in some areas a family-doctor referral is required for "
               "county-level outpatient care [K]; docs/sources/behaviour_evidence.md §6")


class FamilyDoctorConfig(Section):
    """Family-doctor contracting 家庭医生签约服务 as a rule: the contract rate the county reaches (a reform step
    can raise it). Whether gatekeeping counts only the contracted doctor's referral is
    ``policy.gatekeeping.referral_by``.

    Used when ``mechanisms.contracts`` is on; off, contracts are those drawn with the population from
    ``demography.contract_share_*`` and never change.
    """

    contract_share_priority: float = param(
        0.70, "contract rate among priority groups (65+, hypertension, diabetes)", unit="share",
        source="assumption: NHC reports about 75% for key populations [M] (as demography.contract_share_priority)",
        ge=0, le=1)
    contract_share_other: float = param(
        0.25, "contract rate among other residents", unit="share",
        source="assumption: overall coverage about 35% [M] (as demography.contract_share_other)", ge=0, le=1)


class ChronicCarePolicy(Section):
    """Where hypertension and diabetes patients collect their drugs 慢病取药 (used when
    ``mechanisms.chronic_continuity`` is on)."""

    village_drug_list: bool = param(
        True, "village clinics stock the two-disease drug list (off: follow-ups/refills need a township centre "
              "or hospital)", source="docs/sources/payment_rules.md §4.4: two-disease drugs at second-level or lower "
                                     "facilities, village clinics included [K]")
    refill_at_village: bool = param(
        False, "慢病取药下沉: managed patients' usual place for follow-ups and refills is their own village clinic "
               "(otherwise their contracted facility or where they went last)",
        source="docs/sources/payment_rules.md §4.4 [K]: a county lever; effect size comes from choice continuity")
    long_prescription_share: float = param(
        0.0, "share of managed chronic patients given long prescriptions 长处方 (fewer refill visits)",
        unit="share", source="assumption: a lever; 0 = today's monthly refills", ge=0, le=1)
    long_prescription_days: int = param(
        60, "days of drugs on a long prescription (a multiple of the follow-up interval is used)", unit="days",
        source="assumption: long prescriptions up to 12 weeks are allowed (demography.followup_interval_days note)",
        ge=1, le=365)


class PolicyConfig(Section):
    """Referral and first-contact rules of the scenario."""

    whitelist: ConditionList = param(
        default_factory=lambda: ConditionList(codes=list(DEFAULT_WHITELIST), penalty_pp=0.20),
        description="referral whitelist 转诊白名单: listed conditions may leave the county with full benefit "
        "(pre-approved, even without a visit to the county hospital); out-of-county care for every other "
        "condition is unreferred (ratio cut by penalty_pp) and the county hospital does not refer it out "
        "unless it cannot treat it", source="docs/sources/payment_rules.md §5.1, §7.1 referral [B]/[K]")
    do_not_refer_out: ConditionList = param(
        default_factory=lambda: ConditionList(penalty_pp=0.20),
        description="the county's 'do not refer out' list 县外转诊负面清单 (the whitelist's mirror image): the "
        "county hospital must treat the listed conditions and out-of-county care for them is unreferred",
        source="docs/sources/payment_rules.md §5.1: Anhui ~100 conditions for county hospitals [K]")
    gatekeeping: GatekeepingConfig = param(default_factory=GatekeepingConfig, description="基层首诊")
    family_doctor: FamilyDoctorConfig = param(default_factory=FamilyDoctorConfig,
                                              description="family-doctor contract rate 家庭医生签约率")
    chronic_care: ChronicCarePolicy = param(default_factory=ChronicCarePolicy,
                                            description="chronic drug refills 慢病取药: village drug list, "
                                                        "long prescriptions")
    chronic_management: ChronicManagementPolicy = param(default_factory=ChronicManagementPolicy,
                                                        description="protocol care of hypertension and diabetes")
    green_channel: GreenChannelPolicy = param(default_factory=GreenChannelPolicy,
                                              description="stroke / chest-pain green channel 绿色通道")


class IncentiveConfig(Section):
    """How facilities respond to the margin a payment rule gives them.

    Propensities (refer up a case it could treat, redirect an admission down to the patient's township
    centre, accept such a patient, refer a recovery-phase patient down) are calibrated under fee-for-service.
    Under another rule each moves on the logit scale by ``margin_elasticity`` times the change in the
    decision-maker's margin (yuan per case, /1,000) relative to fee-for-service. The decision-maker is the
    facility itself, or the whole community (one purse 一个钱袋子) when a global budget pays it.
    """

    margin_elasticity: float = param(
        0.8, "change in the log-odds of a referral decision per 1,000 yuan change in the decision-maker's "
        "margin from it", unit="log-odds per 1,000 yuan",
        source="assumption: a 1,000-yuan swing (≈ a township stay's margin) roughly doubles a rare referral; "
               "sweep it (DRG studies report 5-20% shifts in admissions within 1-2 years, "
               "docs/sources/payment_rules.md §1.9)",
        ge=0)
    triage_down: float = param(
        0.02, "probability that a county hospital redirects an admission a township centre could treat to the "
        "patient's township centre (首诊下转), under fee-for-service", unit="probability",
        source="assumption: rare under fee-for-service (county hospitals keep profitable simple cases)",
        ge=0, lt=1)
    township_accept: float = param(
        0.8, "probability that a township centre accepts such a redirected patient (bed permitting), under "
        "fee-for-service", unit="probability", source="assumption", gt=0, lt=1)
    one_purse_under_global_budget: bool = param(
        True, "under a global budget the lead hospital decides for the whole community (its margin is the "
        "community's: patient payments minus resource cost, plus the fund payment it does not retain)",
        source="docs/sources/payment_rules.md §3.3-3.5: 打包付费, 结余留用 make the community one purse [B]")


class LevelInvestment(Section):
    """How the facilities of one level reinvest their part of the community's retained surplus.

    At the start of each year a facility invests ``share`` of its part of last year's net budget result
    (its ``budget_share``, when positive: losses are not disinvested). Its perceived quality rises by
    ``quality_per_million_yuan`` per million invested, up to ``max_quality``; once its investment so far
    reaches ``capability_threshold_yuan`` it can treat ``capability_conditions`` up to
    ``capability_severity``.
    """

    share: float = param(0.0, "share of the facility's retained surplus invested in capacity (quality, "
                         "equipment, training) rather than paid out", unit="share", ge=0, le=1)
    quality_per_million_yuan: float = param(0.025, "rise in the facility's perceived quality per million yuan "
                                            "invested", unit="0-1 score per 1,000,000 yuan", ge=0)
    max_quality: float = param(0.75, "perceived quality investment cannot raise the facility above",
                               unit="0-1 score", ge=0, le=1)
    capability_conditions: list[str] = param(
        default_factory=list, description="conditions (case-mix or DRG codes) the facility learns to treat "
        "once its investment reaches the threshold; the case-mix must give this level's cost (and length of "
        "stay, for admissions)")
    capability_severity: Literal["mild", "moderate", "severe"] = param(
        "moderate", "most severe case of those conditions the upgraded facility treats")
    capability_threshold_yuan: float = param(
        500_000.0, "investment so far (cumulative, yuan) at which the facility gains the capability",
        unit="yuan", ge=0)


class ReinvestmentConfig(Section):
    """Reinvestment of retained surplus 结余留用 into capacity: the multi-year feedback of a global budget.

    Retained surplus may pay staff performance bonuses or build capacity at township and village level
    (docs/sources/payment_rules.md §3.4 'use of surplus' [S] Sanming; [K]); the split between the two and what
    capacity a yuan buys are not published, so every number here is an assumption to sweep. Without a global budget
    there is no surplus and nothing is invested.
    """

    township: LevelInvestment = param(
        default_factory=lambda: LevelInvestment(
            share=0.5, quality_per_million_yuan=0.025, max_quality=0.75,
            capability_conditions=["arrhythmia", "limb_injury", "biliary_acute"], capability_severity="moderate",
            capability_threshold_yuan=500_000.0),
        description="township health centres 乡镇卫生院",
        source="assumption: half of the surplus builds capacity. 0.025 per million: closing the 0.25 quality gap "
               "to the county hospital takes about 10 M yuan per centre (a standard-building 优质服务基层行 "
               "upgrade: equipment, staff, wards). Threshold 0.5 M: one specialty unit (特色科室). Conditions: "
               "those a centre treats mild but sends moderate cases to the county for")
    village: LevelInvestment = param(
        default_factory=lambda: LevelInvestment(share=0.5, quality_per_million_yuan=0.25, max_quality=0.5),
        description="village clinics 村卫生室",
        source="assumption: half builds capacity; a clinic's equipment is cheap (0.25 per million); up to the "
               "township centre's quality")
    county: LevelInvestment = param(
        default_factory=lambda: LevelInvestment(share=0.0, quality_per_million_yuan=0.0025, max_quality=0.95),
        description="county hospitals 县级医院",
        source="assumption: the county hospitals' share pays staff performance (Sanming annual-salary system, "
               "docs/sources/payment_rules.md §3.7 [S]); if reinvested, 0.0025 per million: "
               "the 0.2 gap to the city hospital takes about 80 M yuan")

    def by_level(self) -> dict[int, LevelInvestment]:
        """Level code -> that level's rule."""
        return {VILLAGE: self.village, TOWNSHIP: self.township, COUNTY: self.county}


class MechanismConfig(Section):
    """Switch behavioural channels off to attribute a reform's effect to them.

    'Off' freezes the channel at the rules in force before the reform (``reform.before``), so a reform with
    a channel off differs from its baseline only through the other channels.
    """

    patient_price_response: bool = param(True, "patients' choice responds to the reform's out-of-pocket prices")
    facility_margin_response: bool = param(True, "facilities' referral propensities respond to the reform's "
                                           "payment margins")
    capacity: bool = param(True, "beds bind (off: unlimited beds everywhere)")
    budget_incentive: bool = param(True, "a global budget makes the community one purse in facilities' decisions "
                                   "(off: each facility weighs its own margin)")
    care_seeking: bool = param(True, "whether an ill resident seeks care responds to expected out-of-pocket price, "
                               "travel time and income (off: by severity only)")
    contracts: bool = param(True, "family-doctor contracts follow policy.family_doctor year by year, name a "
                            "village doctor or township team, and add follow-ups (off: contracts fixed at the "
                            "population draw, no named facility, no extra follow-ups)")
    chronic_continuity: bool = param(True, "chronic follow-ups go to the patient's usual facility; village drug "
                                     "list and long prescriptions apply (off: a fresh choice at every refill)")
    refill_cap_in_price: bool = param(True, "the out-of-pocket price patients expect for a two-disease refill "
                                      "counts the annual fund cap: the fund pays at most the cap spread over the "
                                      "year's refills (off: the reimbursement ratio alone)")
    length_of_stay: bool = param(True, "facilities lengthen or shorten stays with the marginal revenue of a day "
                                 "(providers.length_of_stay)")
    intensity: bool = param(True, "facilities raise or lower services per day with the marginal revenue of a yuan "
                            "of services (providers.intensity)")
    cost_shifting: bool = param(True, "facilities bill items outside the payment list (self-pay, the patient pays "
                                "in full) when listed items earn less than under fee-for-service "
                                "(providers.cost_shifting)")
    admission: bool = param(True, "facilities treat borderline cases as outpatients when an admission earns less "
                            "than under fee-for-service (providers.admission)")
    coding: bool = param(True, "facilities code cases one severity group higher as the price gap rises, net of the "
                         "expected supervision penalty (providers.coding)")
    split_admission: bool = param(True, "case-paid facilities split a share of stays into two admissions 分解住院 "
                                  "for a second case payment, net of the expected claw-back "
                                  "(providers.split_admission, payment.supervision)")
    outpatient_redirect: bool = param(True, "county outpatient departments redirect visits primary care can treat "
                                      "to the patient's village clinic or township centre when a visit earns "
                                      "less than under fee-for-service or gatekeeping is in force "
                                      "(providers.outpatient_redirect)")
    surplus_reinvestment: bool = param(True, "retained surplus is reinvested into facilities' quality and "
                                       "capability by the ``reinvestment`` rule (off: nothing is invested)")
    chronic_control: bool = param(True, "hypertension and diabetes control (by management) multiplies each "
                                  "resident's incidence of stroke, heart disease and complications (off: "
                                  "incidence by age and sex only)")
    demography: bool = param(True, "residents age each year, die (life table, stroke and heart-attack case "
                             "fatality) and background deaths are replaced by newborns on a schedule that is the "
                             "same in every scenario, so common random numbers hold in every year (off: nobody "
                             "ages or dies; deaths are still counted as outcomes)")
    management_effort: bool = param(True, "primary facilities put more managed chronic patients under protocol "
                                    "care when capitation, a global budget or a public-health package pays them "
                                    "for it (off: the protocol share is the rule's)")
    emergency: bool = param(True, "stroke and heart-attack case fatality depends on onset-to-treatment time and "
                            "the green channel (needs demography to remove the dead)")


#: the sections of a scenario that are rules (switched by a reform) rather than behaviour or the county
RULE_SECTIONS: tuple[str, ...] = ("insurance", "payment", "budget", "policy", "protection")


class ReformStep(Section):
    """One dated step of a reform timeline: from the start of ``year`` the rules change by ``overlay``."""

    year: int = param(0, "first simulated year (0-based) with this step's rules", unit="year", ge=0)
    overlay: str | dict = param(
        default_factory=dict, description="the change: a scenario (built-in name or path) whose rule sections "
        "(insurance, payment, budget, policy, protection) replace the current ones, or a mapping of rule-section "
        "fields merged onto the rules in force (e.g. {payment: {base_groups: {enabled: true}}})")

    @model_validator(mode="after")
    def _rule_sections_only(self):
        if isinstance(self.overlay, dict):
            other = sorted(set(self.overlay) - set(RULE_SECTIONS))
            if other:
                raise ValueError(f"overlay sets {other}: a reform step changes only the rule sections "
                                 f"{', '.join(RULE_SECTIONS)}")
        return self


class ReformConfig(Section):
    """When the scenario's rules take effect: one start year, or a dated timeline of steps.

    Single start: the rules of ``before`` apply in years ``< start_year``, the scenario's own from then on.
    Timeline (``steps``, or ``reform:`` written as a list of steps): the rules start as ``before``'s (or the
    scenario's own when ``before`` is null) and each step changes them from the start of its year, in
    year order, cumulatively: DRG from year 2, base groups from year 3, a global budget from year 4.
    """

    start_year: int = param(0, "first simulated year (0-based) under this scenario's rules (single-start form)",
                            unit="year", ge=0)
    before: str | None = param(
        None, "scenario (built-in name or path) whose rules (insurance, payment, budget, policy, protection) apply "
        "before the reform, and which the mechanism switches freeze to; null = this scenario's own rules")
    steps: list[ReformStep] = param(default_factory=list, description="dated reform steps (timeline form)")

    @model_validator(mode="before")
    @classmethod
    def _list_form(cls, data):
        return {"steps": data} if isinstance(data, list) else data

    @model_validator(mode="after")
    def _needs_before(self):
        if self.steps and self.start_year:
            raise ValueError("give either start_year (one start) or steps (a timeline), not both")
        if self.start_year > 0 and self.before is None:
            raise ValueError(f"start_year = {self.start_year} needs 'before': the scenario whose rules apply "
                             "in the years before the reform")
        years = [s.year for s in self.steps]
        if years != sorted(years) or len(set(years)) != len(years):
            raise ValueError(f"step years {years}: expected strictly increasing years, one step per year")
        return self

    @property
    def first_year(self) -> int:
        """First simulated year whose rules differ from the pre-reform rules (0 = from the start)."""
        return self.steps[0].year if self.steps else self.start_year

    @property
    def change_years(self) -> list[int]:
        """Years in which the rules change (empty when the scenario's rules hold from year 0)."""
        if self.steps:
            return [s.year for s in self.steps if s.year > 0]
        return [self.start_year] if self.start_year > 0 else []
