"""Financial protection as configuration: household bills (catastrophic spending), critical-illness insurance
大病保险 and medical assistance 医疗救助.

The two layers are rules a scenario turns on (both off by default, so the basic insurance's out-of-pocket is
unchanged); household bills are how the model reads what the household pays. Evidence:
``docs/sources/behaviour_evidence.md §9``, ``docs/sources/payment_rules.md §4``; derivations in ``docs/protection.md``.
"""

from __future__ import annotations

from pydantic import model_validator

from sim.config.fields import Section, param


class HouseholdBillsConfig(Section):
    """How a household's bill is read against its means (yuan a year, per household unless said).

    ``consumption = max(consumption_share * income, consumption_floor) * size``; capacity to pay = non-food
    consumption ``consumption * (1 - food_share)``; out-of-pocket = the modelled claims' household out-of-pocket
    plus the unmodelled out-of-pocket (care the model does not simulate: pharmacy purchases, other conditions),
    a household draw of mean ``unmodelled_oop_per_capita * size`` and log dispersion ``unmodelled_oop_sigma``.
    """

    consumption_share_rural: float = param(
        0.84, "consumption expenditure per capita as a share of disposable income, rural households", unit="share",
        source="docs/sources/behaviour_evidence.md §9 (CHE on consumption); NBS 2023 communiqué: rural consumption "
               "18,175 / income 21,691 yuan per capita [M]", ge=0.1, le=2)
    consumption_share_urban: float = param(
        0.64, "consumption expenditure per capita as a share of disposable income, county-seat households",
        unit="share", source="NBS 2023 communiqué: urban consumption 32,994 / income 51,821 yuan per capita [M]",
        ge=0.1, le=2)
    consumption_floor: float = param(
        6_000.0, "lowest consumption per capita (poor households consume more than their measured income)",
        unit="yuan a year per person", source="assumption: about the rural subsistence allowance 低保 standard, "
                                             "about 6,000-7,500 yuan a year in 2023 [M]", ge=0)
    food_share: float = param(
        0.32, "food share of consumption (Engel coefficient); capacity to pay is the rest (non-food spending)",
        unit="share", source="docs/sources/behaviour_evidence.md §9 (capacity to pay = non-food spending); NBS 2023 "
                             "rural Engel coefficient 32.4 % [M]", ge=0, lt=1)
    poverty_line: float = param(
        4_000.0, "poverty line: consumption per capita below it is poor (impoverishment = pushed below by paying)",
        unit="yuan a year per person", source="assumption: the 2010 rural line of 2,300 yuan in about 2020 prices "
                                             "(about 4,000 yuan) [M]", ge=0)
    unmodelled_oop_per_capita: float = param(
        1_250.0, "mean out-of-pocket spending the household bill does not get from the claims (pharmacy, other "
                 "conditions, outpatient visits kept only as aggregates)", unit="yuan a year per person",
        source="docs/protection.md section 2: rural health-care consumption per capita about 1,900-2,000 yuan "
               "(NBS 2023 [M]) minus the model's inpatient out-of-pocket per capita on the baseline (about 670 "
               "yuan) [D]",
        ge=0)
    unmodelled_oop_sigma: float = param(
        1.0, "standard deviation of log unmodelled out-of-pocket across households (lognormal, mean-preserving)",
        unit="log yuan", source="calibrated once on the baseline so that rural CHE at 40 % of capacity to pay is "
                                "about 15-18 % (docs/sources/behaviour_evidence.md §9; docs/protection.md section 2); "
                                "never on a reform's effect", ge=0, le=4)
    che_thresholds: list[float] = param(
        default_factory=lambda: [0.10, 0.25], description="CHE thresholds on total consumption",
        unit="share", source="docs/sources/behaviour_evidence.md §9: standard thresholds 10 % and 25 % (SDG 3.8.2)")
    che_ctp_threshold: float = param(
        0.40, "CHE threshold on capacity to pay (the headline CHE)", unit="share",
        source="docs/sources/behaviour_evidence.md §9: OOP of at least 40 % of capacity to pay", gt=0, le=1)


class CriticalIllnessConfig(Section):
    """Critical-illness insurance 大病保险 for resident-insurance 城乡居民医保 enrollees.

    Per person and year, the policy-range out-of-pocket left by basic insurance on admissions accumulates; above
    the deductible ``deductible_income_multiple * rural per-capita disposable income`` it pays ``tier_rates[i]``
    on the part between ``tier_bounds[i-1]`` and ``tier_bounds[i]`` yuan above the deductible, up to ``annual_cap``.
    Its fund receives ``premium_per_enrollee`` per resident-insurance enrollee from the basic fund.
    """

    enabled: bool = param(False, "critical-illness insurance 大病保险 in force")
    deductible_income_multiple: float = param(
        0.5, "annual deductible as a multiple of the rural per-capita disposable income", unit="multiple",
        source="docs/sources/behaviour_evidence.md §9 and docs/sources/payment_rules.md §4.1: about 0.5 after 2019 "
               "(1.0 before) [M]", ge=0, le=3)
    tier_bounds: list[float] = param(
        default_factory=lambda: [50_000.0, 100_000.0],
        description="upper bounds of the tiers, yuan of cumulative policy-range out-of-pocket above the deductible",
        unit="yuan", source="assumption: provinces pay more in higher tiers (docs/sources/behaviour_evidence.md §9)")
    tier_rates: list[float] = param(
        default_factory=lambda: [0.60, 0.65, 0.70], description="reimbursement rate in each tier (one more than "
                                                                 "tier_bounds)",
        unit="share", source="docs/sources/behaviour_evidence.md §9: at least 60 % from 2019 [M]; tiers [A]")
    annual_cap: float = param(
        300_000.0, "most the insurance pays per person and year", unit="yuan",
        source="assumption: local caps of 200,000-400,000 yuan [A]", ge=0)
    premium_per_enrollee: float = param(
        60.0, "premium per resident-insurance enrollee transferred from the basic fund to this fund",
        unit="yuan a year", source="assumption: about 5 % of resident financing per enrollee (about 1,100 yuan, "
                                   "docs/sources/calibration_data.md §4.1) [A]", ge=0)

    @model_validator(mode="after")
    def _tiers(self):
        if len(self.tier_rates) != len(self.tier_bounds) + 1:
            raise ValueError("critical_illness.tier_rates needs one more entry than tier_bounds")
        if any(b <= a for a, b in zip(self.tier_bounds, self.tier_bounds[1:])):
            raise ValueError("critical_illness.tier_bounds must increase")
        if any(not 0 <= r <= 1 for r in self.tier_rates):
            raise ValueError("critical_illness.tier_rates must lie in [0, 1]")
        return self


class AssistanceConfig(Section):
    """Medical assistance 医疗救助 for poor households, by rank of household per-capita income (poorest first).

    Groups: extreme poverty 特困 (``extreme_poverty_share`` of residents), subsistence allowance 低保 (the next
    ``subsistence_share``), households monitored for falling back into poverty 防返贫监测 (the next
    ``monitored_share``). It subsidises their individual premium, pays ``rate`` of the policy-range out-of-pocket
    left after basic and critical-illness insurance up to ``annual_cap`` per person, and tops up in-county
    admissions so that the patient pays at most ``in_county_oop_cap_share`` of the total cost.
    """

    enabled: bool = param(False, "medical assistance 医疗救助 in force")
    extreme_poverty_share: float = param(
        0.01, "share of residents in extreme-poverty 特困 households (the poorest)", unit="share",
        source="assumption: about 4.7 million 特困 among about 490 million rural residents [M]", ge=0, le=1)
    subsistence_share: float = param(
        0.07, "share of residents in subsistence-allowance 低保 households (next poorest)", unit="share",
        source="assumption: about 34 million rural 低保 recipients among about 490 million [M]", ge=0, le=1)
    monitored_share: float = param(
        0.02, "share of residents in households monitored for falling back into poverty 防返贫监测 (next poorest)",
        unit="share", source="assumption: about 6-7 million monitored people [M], widened locally [A]", ge=0, le=1)
    rate: float = param(
        0.70, "share of the remaining policy-range out-of-pocket that assistance pays", unit="share",
        source="docs/sources/behaviour_evidence.md §9: about 70 % after 2021 [M]", ge=0, le=1)
    annual_cap: float = param(
        30_000.0, "most assistance pays per person and year (before the in-county top-up)", unit="yuan",
        source="assumption: annual caps are set locally (docs/sources/behaviour_evidence.md §9) [A]", ge=0)
    in_county_oop_cap_share: float = param(
        0.10, "most an eligible patient pays of an in-county admission's total cost (the rest topped up)",
        unit="share", source="docs/protection.md section 3: the rule that poor patients' in-county out-of-pocket "
                             "share stays at or below 10 % (issue #18; docs/sources/calibration_data.md §4.3: above "
                             "90 % combined reimbursement for low-income rural groups) [M]", ge=0, le=1)
    individual_premium: float = param(
        380.0, "individual resident-insurance premium", unit="yuan a year",
        source="docs/sources/calibration_data.md §4.1: 380 yuan in 2023 [M]", ge=0)
    premium_subsidy_extreme: float = param(
        1.0, "share of the individual premium assistance pays for extreme-poverty members", unit="share",
        source="assumption: full subsidy for 特困 [M]", ge=0, le=1)
    premium_subsidy_other: float = param(
        0.7, "share of the individual premium assistance pays for subsistence-allowance and monitored members",
        unit="share", source="docs/sources/behaviour_evidence.md §9: subsidised enrolment for half of low-income "
                             "households; fixed partial subsidy [A]", ge=0, le=1)
    appropriation_per_eligible: float = param(
        1_500.0, "government appropriation to the assistance fund per eligible person and year", unit="yuan",
        source="assumption; docs/sources/behaviour_evidence.md §9 reports 32.7-149.1 yuan per eligible person "
               "in 2011, far below today's benefits [A]", ge=0)


class ProtectionConfig(Section):
    """Household bills and the second and third layers of protection (docs/protection.md)."""

    bills: HouseholdBillsConfig = param(default_factory=HouseholdBillsConfig,
                                        description="household bills and catastrophic spending")
    critical_illness: CriticalIllnessConfig = param(default_factory=CriticalIllnessConfig,
                                                    description="critical-illness insurance 大病保险")
    assistance: AssistanceConfig = param(default_factory=AssistanceConfig, description="medical assistance 医疗救助")
