"""Health as configuration: chronic-disease control and its risks, a living population (ageing, deaths,
births), emergencies with a green channel, and the weights that turn deaths and disability into DALYs.

Evidence: ``docs/sources/behaviour_evidence.md`` §7 (hypertension/diabetes control and outcome risks), §8 (stroke
and STEMI time to treatment), ``docs/sources/calibration_data.md`` §11 (life table, DALY weights). How each default
was derived: ``docs/health.md``.

The two levers a county pulls (protocol care by village doctors; a stroke / chest-pain green channel) are rules:
:class:`ChronicManagementPolicy` and :class:`GreenChannelPolicy` live in ``policy`` so that a reform step can
change them and ``reform.before`` gives the reference they are compared with.
"""

from __future__ import annotations

from sim.config.fields import Section, param

_S7 = "docs/sources/behaviour_evidence.md §7"
_S8 = "docs/sources/behaviour_evidence.md §8"
_LT = "docs/sources/calibration_data.md §11"

#: conditions whose incidence depends on blood-pressure control (case-mix codes)
HTN_CONDITIONS = ("stroke", "cerebral_ischaemia", "ami", "chd", "heart_failure", "pci", "hypertension_admission")
#: conditions whose incidence depends on glycaemic control
DM_CONDITIONS = ("diabetes_complication",)
#: ambulatory-care-sensitive conditions (OECD ACSC list, the ones in the case-mix)
ACSC_CONDITIONS = ("hypertension_admission", "diabetes_complication", "heart_failure", "copd", "copd_complicated",
                   "asthma", "chd")


class ChronicManagementPolicy(Section):
    """Protocol care 规范化管理 of hypertension and diabetes patients by village doctors / family-doctor teams
    (CRHCP-style: titration by a protocol, low-cost drugs, monthly follow-up), as a rule."""

    protocol_share: float = param(
        0.0, "share of managed hypertension and diabetes patients under intensive protocol care (the rest get "
             "usual management)", unit="share",
        source=f"assumption: protocol care is a lever; the CRHCP trial ({_S7}) is the intervention", ge=0, le=1)
    annual_cost_per_patient: float = param(
        120.0, "extra cost of protocol care per patient a year (village-doctor time, drugs not counted)",
        unit="yuan a year", source="assumption [A]; reported as a KPI, not booked in the claims", ge=0)


class GreenChannelPolicy(Section):
    """Time-critical care 绿色通道: stroke and chest-pain centres at the county hospital, pre-hospital ECG /
    teleconsultation at township centres."""

    county_stroke_centre: bool = param(False, "county hospital runs a stroke centre (卒中中心): shorter door-to-"
                                              "needle time", source=_S8)
    county_chest_pain_centre: bool = param(False, "county hospital runs a chest-pain centre (胸痛中心): shorter "
                                                  "door-to-reperfusion time", source=_S8)
    township_ecg: bool = param(False, "township centres send pre-hospital ECGs / teleconsult to the county "
                                      "hospital (远程心电): shorter door-to-treatment for heart attacks",
                               source=_S8)
    annual_cost_yuan: float = param(
        1_500_000.0, "yearly running cost of each centre (staff on call, imaging, drugs in stock)", unit="yuan a year",
        source="assumption [A]; reported as a KPI, not booked in the claims", ge=0)
    township_ecg_cost_yuan: float = param(
        30_000.0, "yearly cost per township centre of pre-hospital ECG / teleconsultation", unit="yuan a year",
        source="assumption [A]", ge=0)


class ChronicControlConfig(Section):
    """Awareness, treatment and control of hypertension and diabetes, and what control does to risk.

    Each hypertensive or diabetic resident has a fixed keyed uniform ``u``; they are aware when
    ``u < aware``, treated when ``u < treated``, controlled when ``u < control`` (probabilities by management:
    none / usual / protocol), so raising control only adds controlled patients. The incidence of the
    conditions in ``HTN_CONDITIONS`` (``DM_CONDITIONS``) is multiplied per resident by ``rr / E_ref[rr]``:
    ``rr`` is 1 without the disease, ``uncontrolled_rr`` uncontrolled, ``uncontrolled_rr * controlled_factor``
    controlled; ``E_ref`` is its expected mean in the resident's (age band, sex) stratum under the reference rules
    (``reform.before``), so the county's calibrated incidence holds under the reference.
    """

    effect_scale: float = param(1.0, "scales the log relative risks (0: control changes no incidence)",
                                unit="factor", source="switch for tests and sweeps", ge=0, le=3)
    htn_aware: float = param(0.447, "awareness among unmanaged hypertensives", unit="share",
                             source=f"{_S7}: China PEACE, awareness 44.7%", ge=0, le=1)
    htn_treated: float = param(0.301, "treatment among unmanaged hypertensives", unit="share",
                               source=f"{_S7}: China PEACE, treatment 30.1%", ge=0, le=1)
    htn_control_unmanaged: float = param(0.10, "BP control (<140/90) among unmanaged hypertensives", unit="share",
                                         source=f"{_S7}: rural control about 7-15%", ge=0, le=1)
    htn_control_managed: float = param(
        0.35, "BP control among hypertensives under usual primary-care management", unit="share",
        source=f"assumption between {_S7}'s unmanaged 7-15% and protocol 60-75%; with 45% managed the county's "
               "control is about 21%, inside the 4.2-30.1% of national surveys", ge=0, le=1)
    htn_control_protocol: float = param(0.70, "BP control under village-doctor protocol care", unit="share",
                                        source=f"{_S7}: Chen 2024 (22.1% -> 72.7%), CRHCP 60-75%", ge=0, le=1)
    htn_uncontrolled_rr: float = param(
        2.0, "relative risk of stroke / heart disease events, uncontrolled hypertensive vs normotensive",
        unit="ratio", source=f"{_S7}: CKB, CV death HR 2.04 isolated systolic, 3.81 systolic-diastolic; the lower "
                             "taken", ge=1)
    htn_controlled_factor: float = param(
        0.45, "relative risk of a controlled vs an uncontrolled hypertensive", unit="ratio",
        source=f"{_S7} [D]: CRHCP HR 0.67 for major CV events while control rose 22% -> 73% (Chen 2024) gives "
               "k = 0.43 from 0.67 = (0.73k + 0.27) / (0.22k + 0.78); SBP -19.8 mmHg at 1.3 per 10 mmHg gives "
               "0.59", gt=0, le=1)
    dm_aware: float = param(0.367, "awareness among unmanaged diabetics", unit="share",
                            source=f"{_S7}: Wang 2021, 36.7%", ge=0, le=1)
    dm_treated: float = param(0.329, "treatment among unmanaged diabetics", unit="share",
                              source=f"{_S7}: Wang 2021, 32.9%", ge=0, le=1)
    dm_control_unmanaged: float = param(0.16, "HbA1c < 7% among unmanaged diabetics", unit="share",
                                        source=f"{_S7} [D]: 50.1% of the treated 32.9%", ge=0, le=1)
    dm_control_managed: float = param(0.45, "HbA1c < 7% under usual management", unit="share",
                                      source=f"assumption near {_S7}'s 50.1% of treated patients", ge=0, le=1)
    dm_control_protocol: float = param(0.60, "HbA1c < 7% under protocol care", unit="share",
                                       source="assumption [A]: no trial value in the evidence", ge=0, le=1)
    dm_uncontrolled_rr: float = param(2.0, "relative risk of an admission for a diabetes complication, "
                                           "uncontrolled diabetic vs the stratum's non-diabetics", unit="ratio",
                                      source="assumption [A]", ge=1)
    dm_controlled_factor: float = param(0.6, "relative risk of a controlled vs an uncontrolled diabetic",
                                        unit="ratio", source="assumption [A]", gt=0, le=1)


class LifeTableConfig(Section):
    """Ageing, background deaths and births.

    At each year start residents age one year, the dead of the year before are replaced by newborns in the same
    slots (village, household and insurance kept: births keep the county's size), and each resident dies in the
    coming year with the life table's probability for their age and sex, times ``1 - modelled_cause_share``
    (deaths from stroke and heart attack, drawn at onset, are not counted twice). The day of death is uniform
    over the year.
    """

    age_starts: list[int] = param(
        default_factory=lambda: [0, 1, 5, 15, 25, 35, 45, 55, 65, 75, 85],
        description="first age of each life-table row", unit="years", source=_LT)
    male_qx: list[float] = param(
        default_factory=lambda: [0.0060, 0.0004, 0.0002, 0.0006, 0.0009, 0.0017, 0.0038, 0.0085, 0.0200, 0.0550,
                                 0.1500],
        description="annual probability of death of males, by life-table row", unit="probability a year",
        source=f"{_LT} [M]: China 2020 census abridged life table, restated from memory (unverified)")
    female_qx: list[float] = param(
        default_factory=lambda: [0.0050, 0.0003, 0.00015, 0.00025, 0.00035, 0.0007, 0.0017, 0.0043, 0.0110,
                                 0.0380, 0.1300],
        description="annual probability of death of females, by life-table row", unit="probability a year",
        source=f"{_LT} [M]: China 2020 census abridged life table, restated from memory (unverified)")
    modelled_cause_share: float = param(
        0.20, "share of all deaths that the model draws itself (stroke and heart attack case fatality)",
        unit="share", source=f"{_LT} [D]: stroke 149 and ischaemic heart disease about 120 of about 710 deaths "
                             "per 100,000 (docs/sources/calibration_data.md §7), less pre-hospital deaths not "
                             "modelled", ge=0, le=1)


class EmergencyConfig(Section):
    """Stroke and heart attack: onset-to-door, door-to-treatment, and case fatality that worsens with time."""

    stroke_conditions: list[str] = param(default_factory=lambda: ["stroke"],
                                         description="case-mix codes on the stroke path")
    mi_conditions: list[str] = param(default_factory=lambda: ["ami"], description="case-mix codes on the "
                                                                                   "heart-attack path")
    decision_delay_min: float = param(
        90.0, "minutes from onset until the patient (family) calls or sets off", unit="minutes",
        source=f"{_S8} [D]: onset-to-door about 2 hours or more in China (Shenyang 136 min) less travel", ge=0)
    travel_factor: float = param(1.0, "onset-to-door travel: multiple of the village's travel time to the "
                                      "admitting facility", unit="factor", source="assumption [A]", ge=0)
    door_to_treatment_min: list[float] = param(
        default_factory=lambda: [120.0, 110.0, 75.0, 60.0, 60.0],
        description="door-to-treatment minutes by level (village, township, county, city, province) without a "
                    "green channel", unit="minutes",
        source=f"{_S8}: DTN 62 min before the Jilin stroke map, Fonarow 77 min; township and village: "
               "assumption (no thrombolysis, transfer needed) [A]")
    stroke_centre_door_min: float = param(45.0, "door-to-needle minutes at a county stroke centre",
                                          unit="minutes", source=f"{_S8}: Jilin stroke map 62 -> 45 min", ge=0)
    chest_pain_centre_door_min: float = param(
        55.0, "door-to-reperfusion minutes at a county chest-pain centre", unit="minutes",
        source=f"{_S8}: Suzhou door-to-balloon 85 -> 78, chest-pain association 115 -> 75 (press) [D]", ge=0)
    township_ecg_saving_min: float = param(
        20.0, "minutes a township pre-hospital ECG saves a heart-attack patient first seen there",
        unit="minutes", source=f"{_S8}: Suzhou first-contact-to-device 98 -> 88 [D, rounded up for transfer]", ge=0)
    reference_minutes: float = param(
        240.0, "onset-to-treatment time at which case fatality equals the base rates", unit="minutes",
        source=f"{_S8}: onset-to-needle 195 min (Shenyang) to 4 h in rural counties [A]", gt=0)
    stroke_fatality: list[float] = param(
        default_factory=lambda: [0.01, 0.04, 0.20],
        description="stroke in-hospital case fatality by severity (mild, moderate, severe) at the reference time",
        unit="probability", source="assumption [A]: about 4-5% average in-hospital stroke mortality in China")
    mi_fatality: list[float] = param(
        default_factory=lambda: [0.02, 0.06, 0.25],
        description="heart-attack in-hospital case fatality by severity at the reference time", unit="probability",
        source="assumption [A]: 5-10% in-hospital AMI mortality in China (chest-pain association: 10% -> 3%)")
    untreated_fatality_factor: float = param(
        2.0, "case fatality of a stroke or heart attack that gets no care, times the reference rate",
        unit="factor", source="assumption [A]", ge=1)
    stroke_odds_per_15min: float = param(
        0.96, "odds of death (and of disability) per 15 minutes saved in onset-to-treatment", unit="odds ratio",
        source=f"{_S8}: Saver 2013, OR 0.96 per 15 min; walking independently 1.04", gt=0)
    mi_relative_per_30min: float = param(
        1.036, "relative heart-attack mortality per 30 minutes of delay", unit="ratio",
        source=f"{_S8}: Larsen 2022, +3.6% per 30 min", gt=0)
    stroke_disability: list[float] = param(
        default_factory=lambda: [0.15, 0.35, 0.60],
        description="share of stroke survivors left disabled, by severity, at the reference time",
        unit="probability", source="assumption [A]")
    other_fatality: dict[str, float] = param(
        default_factory=lambda: {"pneumonia_severe": 0.05, "copd_complicated": 0.03, "heart_failure": 0.03,
                                 "lung_cancer": 0.03, "neurosurgery": 0.05, "head_injury": 0.02},
        description="in-hospital case fatality of other admissions (moderate severity; x0.3 mild, x3 severe)",
        unit="probability", source="assumption [A]; documented in docs/health.md")


class OutcomeConfig(Section):
    """DALYs: years of life lost against a standard life table, years lived with disability."""

    standard_life_expectancy: list[float] = param(
        default_factory=lambda: [88.9, 88.0, 84.0, 74.1, 64.1, 54.2, 44.4, 34.9, 25.7, 17.1, 10.3, 5.9],
        description="standard remaining life expectancy at ages 0, 1, 5, 15, 25, ..., 85, 95", unit="years",
        source=f"{_LT} [M]: GBD 2019 reference life table, restated from memory (unverified)")
    stroke_disability_weight: float = param(
        0.316, "disability weight of a disabled stroke survivor", unit="weight 0-1",
        source=f"{_LT} [M]: GBD 2019, long-term stroke consequences, moderate plus cognition 0.312-0.316", ge=0,
        le=1)
    stroke_disability_years: float = param(
        8.0, "years a disabled stroke survivor lives with the disability (incidence-based YLD)", unit="years",
        source="assumption [A]", ge=0)


class ManagementEffortConfig(Section):
    """Primary facilities' management effort as a response to payment (sim/behaviour/management_effort.py)."""

    response: float = param(
        0.25, "protocol share gained per unit of incentive relative to the cost of protocol care", unit="share",
        source="assumption [A]: no estimate in docs/sources/behaviour_evidence.md §7; sweep it", ge=0)
    max_share: float = param(0.8, "highest protocol share effort alone reaches", unit="share",
                             source="assumption [A]", ge=0, le=1)
    capitation_retained_share: float = param(
        0.5, "share of their capitation the township and village levels keep as surplus when patients stay well",
        unit="share", source="assumption [A]", ge=0, le=1)
    budget_saving_per_patient: float = param(
        60.0, "admissions avoided per managed patient under protocol care, as surplus a global budget lets the "
              "community keep (the primary levels see their share of it: retention × their surplus split, or "
              "last year's realised share)", unit="yuan a year",
        source="docs/sources/behaviour_evidence.md §7 [D]: admissions plus deaths RR 0.94 x about 0.2 admissions "
               "a year per hypertensive x about 5,000 yuan per stay", ge=0)
    realised: bool = param(
        True, "after year 0, expect last year's realised surpluses (the primary levels' capitation surplus per "
              "enrolled patient, their share of a yuan of the global budget's surplus) instead of the rule-based "
              "expectation (off: the rules alone, every year)",
        source="assumption [A]: adaptive expectations; docs/sources/payment_rules.md §3.4-§3.5 for what is "
               "realised (retained surplus 结余留用, capitation surplus split 2:5:3)")
    public_health_per_patient: float = param(
        0.0, "public-health package 基本公共卫生服务 paid per managed chronic patient for protocol follow-up (a lever)",
        unit="yuan a year", source="assumption: off by default; the national package is about 89 yuan per "
                                   "resident (2023) [M]", ge=0)


class HealthConfig(Section):
    """Chronic control, the living population, emergencies, and DALY weights."""

    chronic: ChronicControlConfig = param(default_factory=ChronicControlConfig, description="chronic control")
    life_table: LifeTableConfig = param(default_factory=LifeTableConfig, description="ageing, deaths, births")
    emergency: EmergencyConfig = param(default_factory=EmergencyConfig, description="stroke and heart attack")
    outcomes: OutcomeConfig = param(default_factory=OutcomeConfig, description="DALY weights")
    effort: ManagementEffortConfig = param(default_factory=ManagementEffortConfig,
                                           description="management effort responding to payment")
