"""How facilities respond to the payment rules in force: length of stay, service intensity, admissions and
coding, all from one objective (the Ellis-McGuire provider model, ``shared/DESIGN.md`` §7).

A facility chooses each kind of provision ``x`` (days of a stay, yuan of services per day, admitting a
borderline case, coding a case one severity group higher) to maximise::

    U = profit_weight * margin(x) + (1 - profit_weight) * patient_benefit(x)

Provision is calibrated under fee-for-service: the case-mix table's stays and costs are what providers do
when an extra day or test earns its charge. Under other rules the log of provision moves by
``profit_weight / ((1 - profit_weight) * curvature) * change in the marginal margin`` (the first-order condition
with a quadratic benefit loss around the calibrated level; :mod:`sim.behaviour.provider`). The evidence pins
only that ratio (the implied response), so ``profit_weight`` is shared and each channel's ``curvature`` is
set so the implied response matches the channel's micro-evidence (``docs/sources/behaviour_evidence.md`` §3-§5).
"""

from __future__ import annotations

from sim.config.fields import Section, param


class LengthOfStayConfig(Section):
    """Length of stay 住院天数: days are cut when an extra day earns nothing and lengthen when it earns more."""

    curvature: float = param(
        13.0, "patient-benefit curvature of a stay's length: benefit lost per unit of squared log deviation from "
        "the clinically calibrated stay (per unit of profit weight)", unit="1 / (log days)^2",
        source="docs/sources/behaviour_evidence.md §4: DRG vs cost-based payment LOS -8.07% (Meng et al. 2020, 18 "
               "studies); with profit_weight 0.5 and the marginal margin of a day falling by 1/cost_to_charge "
               "(about 1.087) when a day earns nothing: exp(-1.087 / 13) = 0.92 [D]", gt=0)
    floor: float = param(0.6, "clinical floor: a stay is never planned below this share of the calibrated mean",
                         unit="share of the calibrated stay",
                         source="assumption: discharge criteria keep stays above about 60% of the norm", ge=0, le=1)
    readmission_per_cut: float = param(
        0.169, "added 30-day readmission probability per unit share of the stay cut below the calibrated mean",
        unit="probability per share of stay",
        source="docs/sources/behaviour_evidence.md §4: readmissions +1.36 points with LOS -8.07% under DRG (Meng "
               "et al. 2020): 1.36 / 8.07", ge=0)


class IntensityConfig(Section):
    """Service intensity 诊疗强度: the cost of a day's tests, drugs and procedures."""

    curvature: float = param(
        25.0, "patient-benefit curvature of service intensity per day (log deviation from the calibrated "
        "intensity)", unit="1 / (log yuan)^2",
        source="docs/sources/behaviour_evidence.md §3: capitation vs fee-for-service -15% antibiotic/drug "
               "intensity (Yip et al. 2014, Ningxia trial) x inpatient drug share 0.28 at county hospitals "
               "(docs/sources/calibration_data.md §9) = -4.2% cost per day when a yuan of services earns nothing: "
               "exp(-1.087 / 25) = 0.957 [D]", gt=0)
    cap_share_defence: float = param(
        0.0, "extra log intensity per case when a cap is laid over fee-for-service points and facilities defend "
        "their share (Taiwan style); 0 = the county budget is one purse and no such cap applies",
        unit="log factor", source="docs/sources/behaviour_evidence.md §5: +10-15% per case under Taiwan's cap "
        "over FFS points (Cheng et al. 2009); not the county community's one-purse budget, so off by default", ge=0)


class CostShiftingConfig(Section):
    """Cost shifting 费用转移: items billed outside the payment list (self-pay 自费), paid by the patient in full
    and kept by the facility on top of a case payment."""

    curvature: float = param(
        8.3, "patient-benefit curvature of billing items outside the list (the patient pays them in full); share "
        "of a stay's charges billed outside = (1 - marginal revenue share of listed items) / curvature at "
        "profit weight 0.5", unit="1 / share",
        source="docs/sources/behaviour_evidence.md §4: cost shifting to OOP about +10% where items outside the list "
               "are uncapped (Zunyi DIP: patient payments +0.108 log); 1/8.3 = 6% of charges, at an OOP share of "
               "about 0.4 that is +9% OOP [D]; §5 YC county global budget OOP +188 yuan per case", gt=0)
    max_share: float = param(0.2, "most of a stay's charges billed outside the list", unit="share",
                             source="assumption", ge=0, le=1)


class AdmissionConfig(Section):
    """Admission threshold 收治门槛: a borderline case is admitted or treated as an outpatient."""

    price_elasticity: float = param(
        0.1, "elasticity of admissions of non-severe cases to the revenue an admission brings relative to its "
        "charges (below fee-for-service only: the case-mix incidence is the fee-for-service admission rate)",
        unit="elasticity", source="docs/sources/behaviour_evidence.md §3: a 10% rise in a DRG's price raised "
        "medical admissions 0.8-1.3% (Norway); ratio 0.1", ge=0)
    severe_admitted: bool = param(True, "severe cases are always admitted (clinical necessity)",
                                  source="assumption")


class CodingConfig(Section):
    """Coding 编码: a share of cases is coded one severity group higher (CC/MCC 并发症) as the price gap rises."""

    curvature: float = param(
        5.0, "honesty curvature: disutility of coding a case above its severity (per unit of profit weight); "
        "the share upcoded = ln(1 + net price gap) / curvature (profit weight 0.5)", unit="1 / log price ratio",
        source="docs/sources/behaviour_evidence.md §4: at least 3% of reimbursement due to upcoding after the "
               "MS-DRG switch (PMC10211476), 3.3 of 8.4% case-mix rise from upcoding (Carter and Ginsburg 1985); "
               "with severity groups 1.33x (mild->moderate) and 1.6x (moderate->severe) ln(1.33) / 5 = 5.8% of mild "
               "and ln(1.6) / 5 = 9.4% of moderate cases are coded up, about +3% coded case-mix index [D]", gt=0)
    max_share: float = param(0.5, "most of a cell's cases coded up", unit="share", source="assumption", ge=0, le=1)


class SplitAdmissionConfig(Section):
    """Split admissions 分解住院: a stay discharged part-way and readmitted the same day at the same facility, so
    that a case-paid facility earns a second case payment (the negative list 负面清单)."""

    curvature: float = param(
        55.0, "honesty curvature of splitting a stay into two admissions (per unit of profit weight): the share of "
        "stays split = ln(1 + net gain of a second admission per yuan of the stay's charges) / curvature at profit "
        "weight 0.5; the net gain is the second case payment less the expected claw-back (detection x penalty "
        "multiple) less the resource cost of a second admission's fixed part", unit="1 / log gain",
        source="assumption [A]: docs/sources/behaviour_evidence.md §4 has no estimate of the share of split "
               "admissions; kept small so that recorded readmissions under DRG (+1.36 points from shorter stays, "
               "Meng et al. 2020) plus splits stay inside that meta-analysis' 95% interval (+0.45 to +2.27 "
               "points): at the default supervision the net gain is about 0.58 and ln(1.58) / 55 = 0.8% of "
               "case-paid stays [D]", gt=0)
    max_share: float = param(0.2, "most of a cell's stays split", unit="share", source="assumption", ge=0, le=1)


class OutpatientRedirectConfig(Section):
    """County outpatient departments redirect common conditions to primary care 门诊下沉 (as triage-down 首诊下转
    does for admissions)."""

    curvature: float = param(
        10.0, "patient-benefit curvature of redirecting a county outpatient visit that primary care can treat: "
        "share redirected = (loss of margin rate of a county visit from fee-for-service) / curvature at profit "
        "weight 0.5", unit="1 / margin rate",
        source="assumption [A]: docs/sources/behaviour_evidence.md §5 (Maryland: no clear change in primary-care "
               "use; Anhui: the township share rose in one of two counties) suggests a small response; §3 "
               "(Shaanxi: -1.2% of township visits per point of revenue turned into budget funding) bounds the "
               "whole volume response well above it. Under a one-purse budget with full retention a county visit "
               "earns the patient's share (about 0.5), a margin loss of about 0.55 and 5% of visits redirected",
        gt=0)
    max_share: float = param(0.5, "most of a cell's county visits redirected", unit="share", source="assumption",
                             ge=0, le=1)
    gatekeeping_share: float = param(
        0.1, "share of county outpatient visits for gatekept conditions (policy.gatekeeping.codes) that the county "
        "outpatient department sends back to primary care while gatekeeping is in force (the rule, on top of the "
        "margin response)", unit="share",
        source="assumption [A]: first contact at primary care 基层首诊 (docs/sources/payment_rules.md §5.1) is "
               "enforced at registration in some areas; no published share", ge=0, le=1)


class ProviderConfig(Section):
    """Facilities' responses to the margins of the payment rules in force (switches: ``mechanisms``)."""

    profit_weight: float = param(
        0.5, "weight of the facility's margin against the patient's benefit in every provider decision "
        "(Ellis-McGuire alpha)", unit="share",
        source="assumption: the evidence pins profit_weight / ((1 - profit_weight) x curvature) per channel "
               "(docs/sources/behaviour_evidence.md §3-§5); 0.5 weighs them equally", ge=0, lt=1)
    length_of_stay: LengthOfStayConfig = param(default_factory=LengthOfStayConfig, description="length of stay")
    intensity: IntensityConfig = param(default_factory=IntensityConfig, description="service intensity")
    cost_shifting: CostShiftingConfig = param(default_factory=CostShiftingConfig,
                                              description="items billed outside the payment list")
    admission: AdmissionConfig = param(default_factory=AdmissionConfig, description="admission threshold")
    coding: CodingConfig = param(default_factory=CodingConfig, description="coding one group higher")
    split_admission: SplitAdmissionConfig = param(default_factory=SplitAdmissionConfig,
                                                  description="split admissions (negative list)")
    outpatient_redirect: OutpatientRedirectConfig = param(
        default_factory=OutpatientRedirectConfig, description="county outpatient visits redirected to primary care")

    def response(self, curvature: float) -> float:
        """Implied log response per unit change of the marginal margin: alpha / ((1 - alpha) * curvature)."""
        a = self.profit_weight
        return a / ((1.0 - a) * curvature)
