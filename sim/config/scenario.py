"""The scenario: every input of one simulation, validated.

A scenario YAML overlays a base (``extends:``) and sets any field below by its
dotted path. Defaults describe the built-in typical county of
``docs/sources/calibration_data.md`` §9 (500k residents, 18 township
health centres, ~300 village clinics, 2 county hospitals).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator

from sim.config.budget import BudgetConfig
from sim.config.fields import Section, folder_safe_name, out_of_unit_range, param
from sim.config.health import HealthConfig
from sim.config.insurance import CostSharingConfig
from sim.config.patients import CareSeekingConfig, ChronicContinuityConfig, ContractResponseConfig, HouseholdConfig
from sim.config.payment import FacilityPaymentConfig
from sim.config.policy import IncentiveConfig, MechanismConfig, PolicyConfig, ReformConfig, ReinvestmentConfig
from sim.config.protection import ProtectionConfig
from sim.config.providers import ProviderConfig
from sim.config.shocks import Shock

AGE_BANDS: tuple[str, ...] = ("0_14", "15_44", "45_64", "65p")
AGE_BAND_EDGES: tuple[int, ...] = (0, 15, 45, 65, 100)  # years; last edge is the oldest age + 1


class AgeBandValues(Section):
    """One number per age band, keyed ``0-14``, ``15-44``, ``45-64``, ``65+`` in YAML.

    (Keys like ``0_14`` would not work: YAML reads digits with underscores as integers.)
    """

    b0_14: float = param(0.0, "value for ages 0-14", ge=0, alias="0-14")
    b15_44: float = param(0.0, "value for ages 15-44", ge=0, alias="15-44")
    b45_64: float = param(0.0, "value for ages 45-64", ge=0, alias="45-64")
    b65p: float = param(0.0, "value for ages 65 and over", ge=0, alias="65+")

    model_config = Section.model_config | {"populate_by_name": True}

    def as_list(self) -> list[float]:
        """Values in age-band order."""
        return [self.b0_14, self.b15_44, self.b45_64, self.b65p]


class AgeBandShares(AgeBandValues):
    """Age-band values that are probabilities."""

    @model_validator(mode="after")
    def _probabilities(self):
        for v in self.as_list():
            if v > 1:
                raise ValueError(f"value {v} is not a probability in [0, 1]")
        return self


class WorldConfig(Section):
    """The county's geography and facilities (synthetic unless CSV files are given)."""

    facilities_csv: Path | None = param(
        None, "CSV of a real county's facilities (id,name,level,township,x,y or lat,lon,beds,doctors); "
        "with villages_csv it replaces the synthetic generator", unit="path")
    villages_csv: Path | None = param(
        None, "CSV of a real county's villages (id,township,population,x,y or lat,lon)", unit="path")
    townships: int = param(18, "number of townships, each with one township health centre", unit="count",
                           source="docs/sources/calibration_data.md §1.3: 33,753 THCs / 1,867 counties ≈ 18 [D]",
                           ge=1, le=200)
    village_clinics: int = param(300, "number of village clinics (one per administrative village)", unit="count",
                                 source="docs/sources/calibration_data.md §1.3: 581,964 / 1,867 ≈ 310 [D]",
                                 ge=1, le=5000)
    urban_share: float = param(0.40, "share of residents living in the county seat (城关镇)", unit="share",
                               source="docs/sources/calibration_data.md §9 rural_share 0.60 [A]", ge=0, lt=1)
    reference_population: int = param(
        500_000, "population the synthetic facilities' beds are sized for; beds scale with population / this "
        "(so a 50k test county keeps realistic occupancy)", unit="persons",
        source="docs/sources/calibration_data.md §9 county.population", ge=1)
    thc_beds: int = param(45, "beds per township health centre (at the reference population)", unit="beds",
                          source="docs/sources/calibration_data.md §1.3: 150.5万 beds / 33,753 THCs ≈ 45 [D]", ge=0)
    county_hospital_beds: list[int] = param(
        default_factory=lambda: [1000, 500], description="beds of each county-level public hospital at the "
        "reference population "
        "(general hospital 县人民医院, TCM hospital 县中医院); the list length is the number of hospitals",
        unit="beds",
        source="docs/sources/calibration_data.md §9: 2 public county hospitals, 2,000 beds incl. MCH/private [A]; "
        "public general+TCM ≈ 3 per 1,000 [A]")
    thc_beds_population_elasticity: float = param(
        0.5, "township centres' beds scale with their township's population to this power; the total stays "
        "townships x thc_beds (0 = every centre the same size)", unit="elasticity",
        source="assumption: larger townships run larger centres (county-seat centres 100+ beds, remote ones 20-30; "
               "docs/sources/calibration_data.md §1.3 gives only the mean, 45)", ge=0, le=1)
    village_doctors_per_clinic: float = param(1.9, "doctors and village doctors per village clinic", unit="persons",
                                              source="docs/sources/calibration_data.md §1.3 [D]", ge=0)
    thc_doctors_per_bed: float = param(0.9, "licensed doctors per township health centre bed", unit="persons/bed",
                                       source="assumption: 141.2万 THC health workers / 150.1万 beds "
                                              "(docs/sources/calibration_data.md §1.1), ~45% doctors",
                                       ge=0)
    county_doctors_per_bed: float = param(0.45, "licensed doctors per county hospital bed", unit="persons/bed",
                                          source="assumption: national 3.40 doctors vs 7.23 beds per 1,000 "
                                                 "(docs/sources/calibration_data.md §1.1)", ge=0)
    area_km: float = param(60.0, "side of the (square) synthetic county", unit="km",
                           source="assumption: a 3,600 km² county, typical of central plains", gt=0)
    road_speed_kmh: float = param(35.0, "average door-to-door travel speed inside the county", unit="km/h",
                                  source="assumption: rural roads and buses", gt=0)
    access_minutes: float = param(10.0, "fixed time to reach any facility (waiting for transport, registration)",
                                  unit="minutes", source="assumption", ge=0)
    city_distance_km: float = param(70.0, "road distance from the county seat to the city tertiary hospital",
                                    unit="km", source="assumption: prefecture city within 1-1.5 h", gt=0)
    province_distance_km: float = param(220.0, "road distance from the county seat to the provincial hospital",
                                        unit="km", source="assumption", gt=0)
    intercity_speed_kmh: float = param(60.0, "travel speed to out-of-county hospitals (expressway, coach)",
                                       unit="km/h", source="assumption", gt=0)

    @model_validator(mode="after")
    def _csv_pair(self):
        if (self.facilities_csv is None) != (self.villages_csv is None):
            raise ValueError("facilities_csv and villages_csv must be given together")
        if not self.county_hospital_beds:
            raise ValueError("county_hospital_beds needs at least one county hospital")
        if any(b <= 0 for b in self.county_hospital_beds):
            raise ValueError(f"county_hospital_beds = {self.county_hospital_beds}: every hospital needs beds > 0")
        return self


class DemographyConfig(Section):
    """Residents' age, sex, insurance and chronic conditions."""

    age_shares: AgeBandValues = param(
        default_factory=lambda: AgeBandValues(b0_14=0.16, b15_44=0.38, b45_64=0.28, b65p=0.18),
        description="share of residents in each age band (must sum to 1)", unit="share",
        source="docs/sources/calibration_data.md §7 and §9: 65+ 0.18 for a rural county (census 2020 rural 17.7% [M]); "
               "0-14 16% [A]")
    female_share: float = param(0.49, "share of residents who are female", unit="share",
                                source="NBS sex ratio ≈104.7 [A]", ge=0, le=1)
    employee_share_urban: float = param(0.45, "share of county-seat residents insured by employee insurance 职工医保",
                                        unit="share",
                                        source="assumption: national 37,948万 employees of 132,662万 insured "
                                        "(docs/sources/calibration_data.md §4.2), higher in towns", ge=0, le=1)
    employee_share_rural: float = param(0.05, "share of rural residents insured by employee insurance", unit="share",
                                        source="assumption", ge=0, le=1)
    hypertension_prevalence: AgeBandShares = param(
        default_factory=lambda: AgeBandShares(b0_14=0.0, b15_44=0.08, b45_64=0.35, b65p=0.55),
        description="prevalence of hypertension by age band", unit="share",
        source="docs/sources/calibration_data.md §7: adults 27.5% (2015-19 survey) [V]; age gradient [A] "
               "(adult mean 0.27)")
    diabetes_prevalence: AgeBandShares = param(
        default_factory=lambda: AgeBandShares(b0_14=0.0, b15_44=0.04, b45_64=0.15, b65p=0.22),
        description="prevalence of diabetes by age band", unit="share",
        source="docs/sources/calibration_data.md §7: adults 11.9% [V]; age gradient [A] (adult mean 0.116)")
    hypertension_managed_share: float = param(
        0.45, "share of hypertensive residents under primary-care management (规范管理) with regular follow-up",
        unit="share", source="assumption: ~1.1亿 managed of ~2.45亿 hypertensives (NHC) [M]", ge=0, le=1)
    diabetes_managed_share: float = param(
        0.35, "share of diabetic residents under primary-care management with regular follow-up",
        unit="share", source="assumption: ~3,500万 managed [M]", ge=0, le=1)
    followup_interval_days: int = param(
        30, "days between a managed chronic patient's follow-up/refill visits", unit="days",
        source="assumption: monthly drug refill (长处方 up to 12 weeks exists)", ge=1, le=365)
    contract_share_priority: float = param(
        0.70, "family-doctor contract 家庭医生签约 rate among priority groups (65+, hypertension, diabetes)",
        unit="share", source="assumption: NHC reports ~75% for key populations [M]", ge=0, le=1)
    contract_share_other: float = param(
        0.25, "family-doctor contract rate among other residents", unit="share",
        source="assumption: overall coverage ~35% [M]", ge=0, le=1)

    @model_validator(mode="after")
    def _shares_sum(self):
        total = sum(self.age_shares.as_list())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"age_shares sum to {total:g}; expected 1")
        return self


class SeverityValues(Section):
    """One number per severity (mild, moderate, severe)."""

    mild: float = param(1.0, "value for mild cases", ge=0)
    moderate: float = param(1.0, "value for moderate cases", ge=0)
    severe: float = param(1.0, "value for severe cases", ge=0)

    def as_list(self) -> list[float]:
        return [self.mild, self.moderate, self.severe]


class CasemixConfig(Section):
    """Which conditions occur and how severity shapes them."""

    table: Path = param(Path("casemix/conditions.csv"), "case-mix table (CSV), relative to the configs/ folder "
                        "or to the scenario file", unit="path")
    incidence_scale: float = param(1.0, "multiplier on every condition's incidence (sensitivity analysis)",
                                   unit="factor", source="1 = table values", gt=0)
    incidence_multipliers: dict[str, float] = param(
        default_factory=dict, description="per-condition incidence multipliers {condition code: factor}",
        unit="factor", source="empty = table values")
    seek_care: SeverityValues = param(
        default_factory=lambda: SeverityValues(mild=0.70, moderate=0.95, severe=1.0),
        description="probability that an ill resident seeks care, by severity", unit="probability",
        source="assumption: two-week illness care-seeking ~70% in National Health Services Surveys [M]")
    cost_factor: SeverityValues = param(
        default_factory=lambda: SeverityValues(mild=0.75, moderate=1.0, severe=1.6),
        description="cost of a case relative to the moderate cost in the case-mix table", unit="factor",
        source="assumption: CC/MCC splits of CHS-DRG carry 1.3-2x the weight of the uncomplicated group")
    los_factor: SeverityValues = param(
        default_factory=lambda: SeverityValues(mild=0.8, moderate=1.0, severe=1.4),
        description="length of stay relative to the moderate mean", unit="factor", source="assumption")
    los_cv: float = param(0.5, "coefficient of variation of length of stay around its mean (lognormal)",
                          unit="ratio", source="assumption: typical LOS dispersion within a DRG", ge=0, le=3)
    cost_fixed_share: float = param(
        0.4, "share of an inpatient stay's cost that does not scale with its length (procedures, tests)",
        unit="share", source="assumption", ge=0, le=1)
    recovery_bed_day_cost: float = param(
        370.0, "cost of one recovery-phase bed-day at a township health centre", unit="yuan",
        source="docs/sources/calibration_data.md §3.1: THC per bed-day 317.5 yuan in 2020 [V], +5%/yr to 2023 [A]",
        ge=0)

    @field_validator("incidence_multipliers")
    @classmethod
    def _multipliers_non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        for code, factor in v.items():
            if factor < 0:
                raise ValueError(f"multiplier of '{code}' = {factor}: expected a factor >= 0")
        return v


class LevelCoefficients(Section):
    """One utility or probability by level."""

    village: float = param(0.0, "village clinic")
    township: float = param(0.0, "township health centre")
    county: float = param(0.0, "county hospital")
    city: float = param(0.0, "out-of-county city tertiary hospital")
    province: float = param(0.0, "provincial hospital")

    def as_list(self) -> list[float]:
        return [self.village, self.township, self.county, self.city, self.province]


class ChoiceConfig(Section):
    """First-contact choice: a multinomial logit over the facilities a resident can reach.

    Utility of facility k for an episode: ``asc[level] + quality * q_k - travel_per_hour * hours_k
    - oop_per_100_yuan * oop_k / 100 + contract * (own primary facility and contracted)
    - incapable * (facility cannot treat a moderate case) + Gumbel noise``.
    """

    asc_outpatient: LevelCoefficients = param(
        default_factory=lambda: LevelCoefficients(village=0.0, township=-0.1, county=-0.110, city=0.336,
                                                  province=-1.75),
        description="level constants for outpatient first contact (relative to the village clinic)",
        unit="utility", source="fitted (county, city) by `countysim calibrate configs/calibration/default_targets.yaml "
        "--population 200000 --seeds 2 --max-trials 30` to the default county's targets (docs/calibration.md, "
        "'The default county's fit'; targets from docs/sources/calibration_data.md §2-§5, §9); township and "
        "province hand-set (before the fit: county -0.25, city -0.35)")
    asc_inpatient: LevelCoefficients = param(
        default_factory=lambda: LevelCoefficients(village=0.0, township=-2.172, county=0.0, city=3.545, province=3.523),
        description="level constants for the first facility chosen for an inpatient condition "
        "(village clinics do not admit)", unit="utility",
        source="fitted (township, city) by `countysim calibrate configs/calibration/default_targets.yaml "
               "--population 200000 --seeds 2 --max-trials 30` (docs/calibration.md, 'The default county's fit'; "
               "targets: admissions by level, in-county admission rate, bed occupancy, out-of-county inpatient fund "
               "share, docs/sources/calibration_data.md §2-§5, §9); province fitted next by `countysim calibrate "
               "configs/calibration/province.yaml` to the provincial cost per stay (§9); the large out-of-county "
               "constants offset 1.5-4 h of travel and the unreferred out-of-county price (before the fits: township "
               "-1.6, city 3.95, province 2.0)")
    quality: float = param(2.0, "utility per unit of facility quality (0-1 scale)", unit="utility per unit",
                           source="assumption: patients prefer higher-level care for serious illness")
    quality_by_level: LevelCoefficients = param(
        default_factory=lambda: LevelCoefficients(village=0.3, township=0.5, county=0.75, city=0.95, province=1.0),
        description="perceived quality of a facility of each level (facilities may differ later)", unit="0-1 score",
        source="assumption: ordering by level")
    travel_per_hour: float = param(0.9, "disutility of one hour of travel", unit="utility per hour",
                                   source="assumption: distance decay in rural China care-seeking studies", ge=0)
    oop_per_100_yuan: float = param(0.18, "disutility of 100 yuan of expected out-of-pocket cost (mild and "
                                    "moderate cases, household of the county's geometric-mean income)",
                                    unit="utility per 100 yuan", source="docs/sources/behaviour_evidence.md §2: "
                                    "β(OOP) -0.168 per 100 yuan; effect/WTP gives 0.181 [D] (Yu et al. BMJ Open "
                                    "2021, DCE mixed logit, hypertensive patients)", ge=0)
    oop_severity_factor: SeverityValues = param(
        default_factory=lambda: SeverityValues(mild=1.0, moderate=1.0, severe=0.3),
        description="multiplier on oop_per_100_yuan by severity", unit="factor",
        source="docs/sources/behaviour_evidence.md §2: no significant response for a severe illness (Liu, Kong, "
               "de Bekker-Grob 2019, DCE) and modest cost-sharing effects for rural stroke/IHD admissions (CKB, "
               "conditional logit); 0.3 is an assumption within 'almost no response'")
    oop_income_elasticity: float = param(
        0.3, "the out-of-pocket coefficient scales with (household per-capita income / county geometric mean) "
             "to minus this power (bounded as care_seeking.income_multiplier_min/max)", unit="elasticity",
        source="assumption: poorer households weigh money more (docs/sources/behaviour_evidence.md §2 reports "
               "mean coefficients only); 0 = one coefficient for all", ge=0, le=2)
    contract_named: float = param(
        0.45, "extra utility of the facility a contract names (village doctor or township team), with "
             "mechanisms.contracts on", unit="utility",
        source="calibrated to docs/sources/behaviour_evidence.md §6: contracting raises first contact at primary "
               "care by about 20-25% (Fu et al. BMC Geriatr 2024, Shandong rural DID, -24.5%); see "
               "tests/test_patients_contracts.py", ge=0)
    contract: float = param(0.15, "utility bonus of the own village clinic and township centre for a "
                            "resident with a family-doctor contract 签约", unit="utility",
                            source="calibrated with contract_named to docs/sources/behaviour_evidence.md §6: first "
                                   "contact at primary care about +20-25% for contracted residents (Fu et al. 2024); "
                                   "the earlier assumption 0.6 gave about +50%", ge=0)
    incapable: float = param(4.0, "utility penalty of a facility that cannot treat a moderate case of the "
                             "condition (patients largely know where conditions are treated)", unit="utility",
                             source="assumption", ge=0)
    hospital_size: float = param(1.0, "utility per unit log of a county hospital's beds relative to the county "
                                 "hospitals' mean (destination-choice size term)", unit="utility per log(beds)",
                                 source="assumption: 1 = patients split across county hospitals in proportion to "
                                 "beds, other things equal", ge=0)
    severity_upshift: float = param(0.6, "extra utility of hospitals (county and above) for severe cases, "
                                    "per level above the township", unit="utility per level",
                                    source="assumption: severe cases bypass primary care", ge=0)


class ReferralConfig(Section):
    """Referral decisions of facilities."""

    refer_up_capable: LevelCoefficients = param(
        default_factory=lambda: LevelCoefficients(village=0.0, township=0.03, county=0.02, city=0.0, province=0.0),
        description="probability that a facility refers up an inpatient case it could treat "
        "(defensive or preference referral)", unit="probability",
        source="calibrated: with incapability and full beds, THC up-referrals ≈ 5% of THC admissions "
               "(docs/sources/calibration_data.md §9 up_referral_rate_from_thc_admissions 0.05 [A])")
    down_referral: float = param(0.15, "probability that a recovery-eligible county-hospital inpatient is "
                                 "referred down to a township centre for the recovery phase 下转",
                                 unit="probability", source="calibrated: down-referrals ≈ 1/3-1/10 of "
                                 "up-referrals (docs/sources/calibration_data.md §5 [A])", ge=0, le=1)
    readmission_by_level: LevelCoefficients = param(
        default_factory=lambda: LevelCoefficients(village=1.0, township=1.15, county=1.0, city=0.9, province=0.9),
        description="multiplier on a condition's 30-day readmission risk by the level that treated it",
        unit="factor", source="assumption: lower-capability care has more unplanned returns")


class CalendarConfig(Section):
    """Calendar labels of simulated time (the model itself counts 0-based years and days)."""

    first_year: int = param(2024, "calendar year of simulated year 0; outputs carry a calendar_year column and "
                            "a date column next to the 0-based year and day", unit="calendar year",
                            source="assumption: labels only, no effect on results", ge=1900, le=2200)


class OutputConfig(Section):
    """What a run writes."""

    claims: Literal["inpatient", "all", "none"] = param(
        "inpatient", "claims table: inpatient claims (outpatient aggregated), all claims individually, or none")
    daily: bool = param(True, "write the daily KPI table")


class ScenarioConfig(Section):
    """One simulation scenario."""

    name: str = param("default", "scenario name (used in output folder names)")
    description: str = param("", "free text")
    seed: int = param(1, "root random seed", ge=0)
    years: int = param(1, "simulated years", unit="years", ge=1, le=50)
    population: int = param(500_000, "number of residents", unit="persons",
                            source="docs/sources/calibration_data.md §9 county.population 500,000 [A]; at least 100 "
                            "so that a year has admissions to settle", ge=100, le=20_000_000)
    world: WorldConfig = param(default_factory=WorldConfig, description="geography and facilities")
    demography: DemographyConfig = param(default_factory=DemographyConfig, description="residents")
    casemix: CasemixConfig = param(default_factory=CasemixConfig, description="conditions")
    choice: ChoiceConfig = param(default_factory=ChoiceConfig, description="first-contact choice")
    referral: ReferralConfig = param(default_factory=ReferralConfig, description="referrals")
    insurance: CostSharingConfig = param(default_factory=CostSharingConfig, description="patient cost sharing")
    payment: FacilityPaymentConfig = param(default_factory=FacilityPaymentConfig,
                                           description="how the fund pays facilities 医保支付方式")
    budget: BudgetConfig = param(default_factory=BudgetConfig, description="the community's global budget 总额付费")
    policy: PolicyConfig = param(default_factory=PolicyConfig, description="referral and first-contact rules")
    incentives: IncentiveConfig = param(default_factory=IncentiveConfig,
                                        description="facilities' response to payment margins")
    reinvestment: ReinvestmentConfig = param(default_factory=ReinvestmentConfig,
                                             description="retained surplus reinvested into capacity next year")
    households: HouseholdConfig = param(default_factory=HouseholdConfig, description="households and income")
    care_seeking: CareSeekingConfig = param(default_factory=CareSeekingConfig,
                                            description="care seeking with an outside option")
    contracts: ContractResponseConfig = param(default_factory=ContractResponseConfig,
                                              description="behavioural response to family-doctor contracts")
    chronic: ChronicContinuityConfig = param(default_factory=ChronicContinuityConfig,
                                             description="continuity of chronic follow-ups")
    protection: ProtectionConfig = param(default_factory=ProtectionConfig,
                                         description="household bills, critical-illness insurance and assistance")
    providers: ProviderConfig = param(default_factory=ProviderConfig,
                                      description="facilities' length of stay, intensity, admission and coding")
    health: HealthConfig = param(default_factory=HealthConfig, description="chronic control, ageing and deaths, "
                                 "emergencies, DALY weights")
    mechanisms: MechanismConfig = param(default_factory=MechanismConfig, description="behavioural channel switches")
    reform: ReformConfig = param(default_factory=ReformConfig, description="when the scenario's rules start")
    calendar: CalendarConfig = param(default_factory=CalendarConfig, description="calendar labels of outputs")
    shocks: list[Shock] = param(default_factory=list, description="exogenous shocks (epidemic, prices) in chosen "
                                "periods; none by default")
    output: OutputConfig = param(default_factory=OutputConfig, description="outputs")

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        return folder_safe_name(v)

    @model_validator(mode="after")
    def _consistent(self):
        problems = out_of_unit_range(self)
        if self.reform.start_year >= self.years:
            problems.append(f"field 'reform.start_year' = {self.reform.start_year}: the reform never starts within "
                            f"years = {self.years}; expected start_year < years (add years, e.g. --years "
                            f"{self.reform.start_year + 1}, or lower reform.start_year)")
        if problems:
            raise ValueError("; ".join(problems))
        return self
