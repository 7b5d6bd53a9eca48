"""Every KPI of a run, defined once: key, English name, Chinese term, unit, display scale and formula.

``summary.json`` holds, per simulated year, one value per key (``_by_level`` keys hold one value per facility
level). Plots, the report and ``countysim compare`` take their labels and units from here, and
``tests/test_kpi_registry.py`` fails when a run reports a KPI that is not registered.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KPI:
    """One indicator.

    Attributes
    ----------
    key : name in ``summary.json``; name : English label; zh : Chinese term 中文 (None if none is usual).
    unit : unit of the stored value; display_unit, scale : unit and factor for figures (shares -> %,
    yuan -> million yuan); formula : how it is computed, in words.
    """

    key: str
    name: str
    zh: str | None
    unit: str
    formula: str
    display_unit: str | None = None
    scale: float = 1.0

    @property
    def shown_unit(self) -> str:
        return self.display_unit if self.display_unit is not None else self.unit


def _share(key, name, zh, formula):
    return KPI(key, name, zh, "share", formula, "%", 100.0)


def _money(key, name, zh, formula):
    return KPI(key, name, zh, "yuan", formula, "million yuan", 1e-6)


_ALL: tuple[KPI, ...] = (
    # -- flows ------------------------------------------------------------------------------------------------
    KPI("onsets", "Illness episodes", "发病", "episodes", "new episodes (onset) in the year, every condition"),
    KPI("no_care", "Episodes without care", "未就诊", "episodes",
        "episodes whose patient did not seek care (unmet need)"),
    KPI("visits", "Outpatient visits", "门诊人次", "visits", "outpatient visits, referral consultations included"),
    KPI("chronic_visits", "Chronic follow-up visits", "慢病随访", "visits",
        "follow-up and refill visits of managed hypertension and diabetes patients"),
    KPI("outpatient_referrals", "Outpatient referrals", "门诊转诊", "referrals",
        "visits at a facility that could not treat the case and referred it up"),
    KPI("gatekeeping_referrals", "Gatekeeping referrals", "基层首诊转诊", "referrals",
        "referrals a township centre issued to patients bound for a county hospital for a gatekept condition"),
    KPI("admissions", "Admissions", "住院人次", "admissions", "admissions (first stay segment) in the year"),
    KPI("admission_rate", "Admissions per resident", "住院率", "per resident per year", "admissions / residents"),
    KPI("admissions_by_level", "Admissions by level", "分级住院人次", "admissions",
        "admissions at township centres, county hospitals and out of the county"),
    KPI("in_county_visit_rate", "In-county visit rate", "县域内就诊率", "share",
        "visits at county facilities (village, township, county) / all visits", "%", 100.0),
    KPI("in_county_admission_rate", "In-county admission rate", "县域内住院率", "share",
        "admissions at county facilities / all admissions", "%", 100.0),
    _share("primary_visit_share", "Primary-care visit share", "基层就诊占比",
           "visits at village clinics and township centres / all visits"),
    KPI("up_referrals", "Up-referrals", "上转", "referrals",
        "inpatient referrals up: the facility could not treat, chose to refer, or had no bed"),
    KPI("up_referrals_out_of_county", "Up-referrals out of the county", "县外转诊", "referrals",
        "up-referrals that end in an out-of-county hospital"),
    KPI("down_referrals", "Down-referrals", "下转", "referrals",
        "recovery-phase transfers to a township centre plus admissions redirected down by a county hospital"),
    KPI("out_of_county_admissions", "Out-of-county admissions", "县外住院", "admissions",
        "admissions at city and provincial hospitals"),
    KPI("unreferred_out_of_county_admissions", "Unreferred out-of-county admissions", "未转诊县外住院", "admissions",
        "out-of-county admissions not counted as referred under the rules in force"),
    KPI("readmissions", "Readmissions", "再入院", "admissions", "readmissions within 30 days of a discharge"),
    _share("readmission_rate_30d", "30-day readmission rate", "30天再入院率", "readmissions / discharges"),
    KPI("alos_by_level", "Average length of stay", "平均住院日", "days",
        "mean days of closed stay segments, by level"),
    KPI("bed_occupancy_by_level", "Bed occupancy", "病床使用率", "share",
        "occupied bed-days / (beds x days), township centres and county hospitals", "%", 100.0),
    KPI("cost_per_stay_by_level", "Cost per stay", "次均住院费用", "yuan",
        "total cost of admissions / admissions, by level"),
    KPI("cost_per_visit_by_level", "Cost per visit", "次均门诊费用", "yuan", "outpatient cost / visits, by level"),
    KPI("base_group_admissions_by_level", "Base-group admissions", "基础病组住院", "admissions",
        "admissions of the DRG base groups 基础病组, by level"),
    # -- policies (declared by their modules in sim.policy) ------------------------------------------------------
    KPI("out_of_county_admissions_listed", "Out-of-county admissions, whitelisted conditions", "白名单病种县外住院",
        "admissions", "out-of-county admissions of the default whitelist's conditions (sim.policy.whitelist)"),
    KPI("out_of_county_admissions_unlisted", "Out-of-county admissions, other conditions", "非白名单病种县外住院",
        "admissions", "out-of-county admissions of conditions not on the default whitelist"),
    KPI("bypass_visits", "Visits bypassing primary care", "越级就诊", "visits",
        "self-referred county or out-of-county visits for the default gatekeeping conditions "
        "(sim.policy.gatekeeping)"),
    _share("bypass_visit_share", "Share of gatekept visits bypassing primary care", "越级就诊比例",
           "bypass visits / all visits for the default gatekeeping conditions"),
    KPI("bypass_admissions", "Admissions bypassing primary care", "越级住院", "admissions",
        "self-referred county or out-of-county admissions for the default gatekeeping conditions"),
    # -- patients (sim.behaviour: care seeking, contracts, chronic continuity) -----------------------------------
    KPI("visits_per_capita", "Visits per resident", "人均就诊次数", "visits per resident per year",
        "outpatient visits / residents"),
    KPI("visits_per_capita_by_level", "Visits per resident by level", "分级人均就诊", "visits per resident per year",
        "outpatient visits at each level / residents"),
    KPI("unmet_need", "Unmet need", "未满足需求", "episodes",
        "episodes without care, missed chronic follow-ups, and the share of new episodes without care"),
    KPI("care_seeking_by_income_quintile", "Care seeking by income quintile", "分收入组就诊率", "share",
        "episodes seen / new episodes, by per-capita household income quintile (q1 poorest)", "%", 100.0),
    KPI("outpatient_episodes_seen", "Outpatient episodes seen", "门诊就诊人次", "episodes",
        "acute outpatient episodes whose patient sought care"),
    _share("first_contact_primary_share", "First contact at primary care", "基层首诊率",
           "episodes whose first contact is a village clinic or township centre / episodes seen"),
    _share("first_contact_primary_share_contracted", "First contact at primary care, contracted", "签约居民基层首诊率",
           "the same among residents with a family-doctor contract"),
    _share("first_contact_primary_share_other", "First contact at primary care, not contracted", "未签约居民基层首诊率",
           "the same among residents without a contract"),
    _share("contract_rate", "Family-doctor contract rate", "家庭医生签约率", "residents with a contract / residents"),
    KPI("extra_followups", "Extra follow-ups of contracted patients", "签约增加随访", "visits",
        "chronic follow-ups added by the contract's more frequent visits"),
    # -- the fund (sim.budget: the pool, the year-end settlement, shocks) ----------------------------------------
    _money("budget_spent", "Package spending", "打包基金支出",
           "fund spending of the package's insured (claims + capitation)"),
    KPI("budget_growth", "Budget growth applied", "总额增长率", "share",
        "growth applied to the base: the uncapped growth, capped by the pool's spending growth", "%", 100.0),
    _money("budget_net_result", "Community's net budget result", "医共体结余留用净额",
           "retained surplus - forfeited deposit - the community's overspend share"),
    _money("deposit", "Deposit withheld", "年度保证金", "the annual deposit withheld from prepayments"),
    _money("deposit_returned", "Deposit returned", "保证金返还", "deposit returned by the performance score"),
    _money("retained_surplus", "Retained surplus", "结余留用", "surplus the community keeps"),
    _money("reasonable_overspend", "Reasonable overspend", "合理超支", "overspend within the band the pool shares"),
    _money("shock_overspend", "Overspend caused by shocks", "冲击导致超支",
           "the part of the reasonable overspend the year's shocks caused"),
    _money("behaviour_overspend", "Overspend from behaviour", "行为导致超支", "overspend not caused by shocks"),
    _money("risk_fund_draw", "Risk-fund draw", "风险调节金动用", "risk-fund money paid toward a shock's overspend"),
    KPI("score_by_indicator", "Performance score by indicator", "绩效考核分项得分", "score 0-1",
        "each indicator scored between its floor and target"),
    _money("pool_income", "Pool income", "基金收入", "premiums and subsidies of the pool's enrollees"),
    _money("pool_spending", "Pool spending", "基金支出", "fund spending of all the pool's enrollees"),
    _money("pool_balance", "Pool balance", "基金累计结余", "accumulated balance at year end"),
    KPI("pool_reserve_months", "Pool reserve", "基金可支付月数", "months", "balance / monthly spending"),
    KPI("pool_enrollees", "Pool enrollees", "参保人数", "persons", "residents insured in the pool"),
    # -- financial protection and equity (sim.results.equity, sim.payment.protection) ----------------------------
    _share("che_10", "Catastrophic spending, 10% of consumption", "灾难性卫生支出(10%)",
           "households whose out-of-pocket is at least 10% of total consumption / households"),
    _share("che_25", "Catastrophic spending, 25% of consumption", "灾难性卫生支出(25%)",
           "households whose out-of-pocket is at least 25% of total consumption / households"),
    _share("che_40", "Catastrophic spending, 40% of capacity to pay", "灾难性卫生支出(40%)",
           "households whose out-of-pocket is at least 40% of capacity to pay (non-food spending) / households"),
    _share("che_40_rural", "Catastrophic spending (40%), rural households", "农村灾难性卫生支出",
           "the same among households outside the county seat"),
    _share("che_40_modelled", "Catastrophic spending (40%), modelled care only", "模型内灾难性卫生支出",
           "the same counting only the out-of-pocket of modelled admissions"),
    _share("che_40_assistance_eligible", "Catastrophic spending (40%), assistance-eligible households",
           "救助对象灾难性卫生支出", "the same among households eligible for medical assistance"),
    KPI("che_40_by_income_quintile", "Catastrophic spending (40%) by income quintile", "分收入组灾难性卫生支出",
        "share", "CHE incidence at 40% of capacity to pay, by per-capita income quintile (q1 poorest)", "%", 100.0),
    KPI("che_40_overshoot_by_income_quintile", "Catastrophic spending intensity by quintile", "灾难性支出强度",
        "share", "mean excess of out-of-pocket over the 40% threshold, relative to capacity to pay, among the "
        "catastrophic households of each quintile", "%", 100.0),
    _share("impoverishment_rate", "Impoverished by health spending", "因病致贫率",
           "households above the poverty line before paying and below it after / households"),
    KPI("oop_per_household", "Out-of-pocket per household", "户均自付", "yuan",
        "modelled plus unmodelled out-of-pocket per household and year"),
    KPI("modelled_oop_per_household", "Modelled out-of-pocket per household", "户均模型内自付", "yuan",
        "out-of-pocket of modelled admissions per household and year"),
    KPI("concentration_index_oop", "Concentration index of out-of-pocket", "自付集中指数", "index -1..1",
        "concentration index of household out-of-pocket by per-capita income (positive: the richer pay more)"),
    KPI("concentration_index_admissions", "Concentration index of admissions", "住院集中指数", "index -1..1",
        "concentration index of admissions by per-capita income"),
    KPI("concentration_index_fund", "Concentration index of fund benefit", "基金受益集中指数", "index -1..1",
        "concentration index of fund payments received by per-capita income (benefit incidence)"),
    KPI("fund_share_by_income_quintile", "Fund benefit by income quintile", "分收入组基金受益", "share",
        "fund payments received by each income quintile / all fund payments", "%", 100.0),
    _money("cii_paid", "Critical-illness insurance paid", "大病保险支付", "critical-illness insurance payments"),
    _money("cii_fund_balance", "Critical-illness fund balance", "大病保险基金结余", "closing balance of its fund"),
    _money("assistance_paid", "Medical assistance paid", "医疗救助支付",
           "medical-assistance payments (claims and premium subsidies)"),
    _money("assistance_fund_balance", "Medical-assistance fund balance", "医疗救助基金结余",
           "closing balance of its fund"),
    KPI("protection_conserved", "Protection layers conserve money", "费用平衡", "true/false",
        "every claim: total = basic fund + critical illness + assistance + household out-of-pocket"),
    # -- providers (sim.behaviour: length of stay, intensity, admission threshold, coding, supervision) --------
    KPI("admissions_per_1000", "Admissions per 1,000 residents", "千人住院人次", "per 1,000 residents per year",
        "admissions / residents x 1,000"),
    KPI("admissions_per_1000_by_level", "Admissions per 1,000 residents by level", "分级千人住院人次",
        "per 1,000 residents per year", "admissions at each level / residents x 1,000"),
    KPI("admissions_treated_as_outpatient", "Borderline cases treated as outpatients", "门诊替代住院", "episodes",
        "non-severe admissions the facility treated as an outpatient visit instead (admission threshold)"),
    KPI("case_mix_index_true", "Case-mix index, true", "病例组合指数(真实)", "relative weight",
        "mean DRG relative weight of the year's admissions at their true severity"),
    KPI("case_mix_index_coded", "Case-mix index, coded", "病例组合指数(编码)", "relative weight",
        "mean DRG relative weight of the year's admissions at the severity coded on the claim"),
    KPI("case_mix_index_true_by_level", "Case-mix index by level, true", "分级病例组合指数(真实)", "relative weight",
        "the true case-mix index by treating level"),
    KPI("case_mix_index_coded_by_level", "Case-mix index by level, coded", "分级病例组合指数(编码)",
        "relative weight", "the coded case-mix index by treating level"),
    KPI("upcoded_claims", "Upcoded claims", "高套编码", "claims", "claims coded one severity group above the case's"),
    KPI("audits_detected", "Claims caught by supervision", "智能监控/飞行检查查处", "claims",
        "upcoded claims detected by rule screening or a random audit"),
    _money("audit_recoveries", "Audit recoveries", "追回金额", "overpayment x penalty multiple clawed back"),
    KPI("readmissions_flagged", "Readmissions flagged", "疑似分解住院", "admissions",
        "readmissions within the supervision window, flagged as possible split admissions 分解住院"),
    KPI("refusals", "Refusals", "推诿", "admissions", "cases referred up by a facility that could treat them"),
    KPI("split_admissions", "Split admissions", "分解住院", "admissions",
        "second admissions of stays a facility discharged on paper and readmitted the same day"),
    KPI("split_admissions_per_1000_admissions", "Split admissions per 1,000 admissions", "千次住院分解住院",
        "per 1,000 admissions", "split admissions / admissions x 1,000"),
    KPI("splits_detected", "Split admissions caught by supervision", "分解住院查处", "admissions",
        "split admissions flagged by rule screening and confirmed by an audit"),
    _money("split_recoveries", "Split-admission recoveries", "分解住院追回金额",
           "payment of confirmed split admissions x penalty multiple clawed back (part of audit recoveries)"),
    KPI("outpatient_redirects", "County outpatient visits redirected", "门诊下沉", "visits",
        "county outpatient visits redirected to the patient's township centre or village clinic"),
    KPI("outpatient_redirect_share", "Share of county outpatient visits redirected", "门诊下沉比例", "share",
        "redirected visits / (county outpatient visits + redirected visits)", "%", 100.0),
    _money("self_pay_items", "Items billed outside the payment list", "目录外自费",
           "charges billed to patients in full outside the payment list (cost shifting)"),
    KPI("stays_shortened", "Stays planned below the norm", "缩短住院", "admissions",
        "admissions whose planned stay is below the calibrated length"),
    KPI("drg_point_value_factor", "DRG point value factor", "点值系数", "factor",
        "floating DRG point value over the configured one (mean over DRG claims)"),
    # -- health (sim.behaviour.chronic_control, sim.model.emergency, sim.county.demography, sim.results.health) --
    KPI("avoidable_admissions", "Avoidable admissions", "可避免住院", "admissions",
        "admissions for ambulatory-care-sensitive conditions"),
    KPI("births", "Births", "出生", "persons", "newborns filling the slots of residents who died (demography on)"),
    KPI("deaths", "Deaths", "死亡", "persons", "deaths of residents in the year, every cause"),
    KPI("deaths_by_cause", "Deaths by cause", "分死因死亡", "persons",
        "background (life table), stroke, heart attack and other admitted conditions"),
    KPI("mortality_per_1000", "Mortality per 1,000", "千人死亡率", "per 1,000 residents per year",
        "deaths / residents x 1,000"),
    KPI("dalys", "DALYs", "伤残调整生命年", "years", "years of life lost to modelled deaths + years lived with "
        "disability"),
    KPI("dalys_per_1000", "DALYs per 1,000", "千人伤残调整生命年", "years per 1,000 residents",
        "DALYs / residents x 1,000"),
    KPI("yll", "Years of life lost", "寿命损失年", "years",
        "standard life expectancy at the age of each modelled death"),
    KPI("yll_background", "Years of life lost, background deaths", "背景死亡寿命损失年", "years",
        "the same for life-table deaths (not attributed to a modelled condition)"),
    KPI("yld", "Years lived with disability", "伤残生存年", "years", "disability weight x years, stroke survivors"),
    KPI("strokes", "Strokes", "脑卒中", "episodes", "stroke onsets"),
    KPI("heart_attacks", "Heart attacks", "急性心梗", "episodes", "acute myocardial infarction onsets"),
    KPI("major_cv_events", "Major cardiovascular events", "主要心血管事件", "episodes",
        "strokes, heart attacks, other coronary events and heart failure"),
    KPI("major_cv_events_managed_hypertensives", "Major CV events, managed hypertensives", "管理高血压患者心血管事件",
        "episodes", "the same among hypertensive residents under primary-care management"),
    KPI("strokes_managed_hypertensives", "Strokes, managed hypertensives", "管理高血压患者脑卒中", "episodes",
        "strokes among managed hypertensive residents"),
    KPI("stroke_disabled", "Stroke survivors disabled", "卒中致残", "persons", "stroke survivors left disabled"),
    KPI("managed_hypertensives", "Managed hypertensives", "高血压规范管理人数", "persons",
        "hypertensive residents under primary-care management"),
    _share("hypertension_control", "Hypertension control", "高血压控制率", "controlled / all hypertensive residents"),
    _share("hypertension_control_managed", "Hypertension control, managed", "管理高血压控制率",
           "controlled / managed hypertensive residents"),
    _share("diabetes_control", "Diabetes control", "糖尿病控制率", "controlled / all diabetic residents"),
    KPI("protocol_patients", "Patients under protocol care", "规范化管理人数", "persons",
        "managed chronic patients under protocol care"),
    _share("protocol_share", "Protocol-care share", "规范化管理率", "protocol patients / managed patients"),
    KPI("protocol_cost_yuan", "Protocol care cost", "规范化管理费用", "yuan", "cost of protocol care (not in claims)"),
    KPI("management_incentive_yuan", "Management incentive", "管理激励", "yuan per managed patient a year",
        "what the primary facilities expect to gain per managed patient under protocol care: rule-based in year 0, "
        "last year's realised capitation surplus and budget share after (sim/behaviour/management_effort.py)"),
    KPI("emergency_deaths", "Emergency deaths", "急症死亡", "persons", "deaths of stroke and heart-attack patients"),
    _share("emergency_case_fatality", "Emergency case fatality", "急症病死率",
           "emergency deaths / stroke and heart-attack onsets"),
    KPI("emergency_expected_deaths_treated", "Expected emergency deaths, treated", "急症期望死亡", "persons",
        "sum of death probabilities of treated stroke and heart-attack patients (less noisy than deaths)"),
    KPI("emergency_onset_to_treatment_min", "Onset to treatment", "发病至治疗时间", "minutes",
        "median minutes from onset to treatment of stroke and heart-attack patients"),
    KPI("green_channel_cost_yuan", "Green channel cost", "绿色通道费用", "yuan",
        "annual cost of stroke and chest-pain centres and township ECG (not in claims)"),
    # -- money ------------------------------------------------------------------------------------------------
    _money("total_cost", "Total medical cost", "医疗总费用", "cost of every claim discharged in the year"),
    _money("fund_payment", "Fund payments", "医保基金支出", "insurance fund's share of every claim"),
    _money("oop_payment", "Out-of-pocket payments", "个人自付", "patients' share of every claim"),
    _share("oop_share", "Out-of-pocket share", "自付比例", "out-of-pocket / total cost"),
    KPI("fund_per_resident", "Fund spending per resident", "人均基金支出", "yuan", "fund payments / residents"),
    KPI("oop_per_admission", "Out-of-pocket per admission", "次均住院自付", "yuan",
        "inpatient out-of-pocket / admissions"),
    _share("out_of_county_fund_share", "Out-of-county share of fund spending", "县外基金占比",
           "fund payments to out-of-county hospitals / all fund payments"),
    _share("out_of_county_inpatient_fund_share", "Out-of-county share of inpatient fund spending", "县外住院基金占比",
           "inpatient fund payments to out-of-county hospitals / all inpatient fund payments "
           "(the definition of docs/sources/calibration_data.md §5)"),
    _share("primary_fund_share", "Primary-care share of fund spending", "基层医保基金支出占比",
           "fund payments to village clinics and township centres / all fund payments"),
    _money("fund_to_provider", "Fund paid to providers", "医保支付", "what the fund pays facilities for claims"),
    _money("capitation", "Capitation paid", "按人头付费", "chronic-disease capitation paid in the year"),
    _money("capitation_care_cost", "Care of the capitated enrolled", "包干患者随访费用",
           "fund's share of the enrolled patients' capitated follow-ups (what fee-for-service would pay)"),
    _money("capitation_surplus", "Capitation surplus", "按人头包干结余",
           "capitation paid minus the care of the enrolled (negative: a deficit)"),
    _money("capitation_surplus_by_level", "Capitation surplus by level", "包干结余分配",
           "each level's capitation minus the fund's share of its capitated follow-ups (2:5:3 of the surplus)"),
    # -- the community budget ---------------------------------------------------------------------------------
    _money("budget_total", "Global budget", "医保基金总额", "annual total of the community global budget"),
    _money("budget_surplus", "Budget surplus (+) / overspend (-)", "结余/超支", "budget total - package spending"),
    _money("surplus_share_by_level", "Net budget result by level", "结余分配", "the net result split by level"),
    _money("risk_fund_balance", "Risk-fund balance", "风险调节金", "risk-adjustment fund at year end"),
    KPI("performance_score", "Performance score", "绩效考核得分", "score 0-1",
        "budget-weighted performance score of the communities"),
    KPI("ledger_balanced", "Ledger balanced", "账目平衡", "true/false", "every balance check of the ledger holds"),
    # -- capacity ---------------------------------------------------------------------------------------------
    _money("reinvested_yuan", "Retained surplus reinvested", "结余留用再投入",
           "retained surplus facilities invested at the year's start"),
    KPI("township_quality", "Township centres' perceived quality", "乡镇卫生院服务能力", "score 0-1",
        "mean perceived quality of township centres in force"),
)

#: key -> :class:`KPI`
REGISTRY: dict[str, KPI] = {k.key: k for k in _ALL}
assert len(REGISTRY) == len(_ALL), "a KPI key is defined twice"


def kpi(key: str) -> KPI:
    """The registered KPI; an unregistered key gets a plain label (for user-made tables)."""
    return REGISTRY.get(key) or KPI(key, key.replace("_", " ").capitalize(), None, "", "")
