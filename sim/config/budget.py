"""The community global budget 医共体医保基金总额付费 as configuration.

Numbers from ``docs/sources/payment_rules.md`` §3 and §7.1 (Guangdong 2025 [S]/[B]; Suixi [B];
analyst knowledge [K]). The engine is in :mod:`sim.budget.community`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from sim.config.fields import Section, param
from sim.config.insurance import LevelSplit
from sim.config.pool import GrowthFactors, PoolConfig


class ScoreComponent(Section):
    """One indicator of the performance evaluation 绩效考核, scored 0 at ``floor`` and 1 at ``target``
    (linear in between; ``floor`` above ``target`` means lower is better)."""

    weight: float = param(1 / 3, "weight in the performance score", unit="share", ge=0, le=1)
    floor: float = param(0.0, "value scoring 0", unit="share")
    target: float = param(1.0, "value scoring 1", unit="share")

    @model_validator(mode="after")
    def _distinct(self):
        if self.floor == self.target:
            raise ValueError(f"floor = target = {self.floor}: expected different values")
        return self


#: indicators of the performance evaluation, in the order they appear in budget tables
INDICATORS = ("in_county_rate", "primary_fund_share", "primary_visit_share", "referral_ratio", "readmission_rate",
              "cost_growth", "oop_rate")


class PerformanceConfig(Section):
    """Year-end performance evaluation 绩效考核: score = Σ weight × indicator score (weights sum to 1), each
    indicator scored 0 at its ``floor`` and 1 at its ``target`` (linear between, clipped; ``floor`` above
    ``target`` = lower is better). The indicators are those docs/sources/payment_rules.md §5.2 names."""

    in_county_rate: ScoreComponent = param(
        default_factory=lambda: ScoreComponent(weight=0.2, floor=0.80, target=0.90),
        description="县域内就诊率: in-county share of the package's insured's visits and admissions",
        source="target 0.90: docs/sources/payment_rules.md §0.1, §5.2 (2019 pilot) [S]; floor 0.80: the national "
               "level of 2016, docs/sources/calibration_data.md §5 [V]; weight assumption")
    primary_fund_share: ScoreComponent = param(
        default_factory=lambda: ScoreComponent(weight=0.15, floor=0.10, target=0.20),
        description="基层医保基金支出占比: share of the package's fund spending at township and village level",
        source="docs/sources/calibration_data.md §5: 10-20% typical [A]; weight assumption")
    primary_visit_share: ScoreComponent = param(
        default_factory=lambda: ScoreComponent(weight=0.15, floor=0.45, target=0.65),
        description="县域内基层就诊率: village and township visits / all in-county visits of the package's insured",
        source="target 0.65: docs/sources/payment_rules.md §5.2 (2019 pilot) [S/K]; floor 0.45: assumption "
               "(20 points below); weight assumption")
    referral_ratio: ScoreComponent = param(
        default_factory=lambda: ScoreComponent(weight=0.1, floor=0.1, target=0.33),
        description="two-way referral 双向转诊: down-referrals / up-referrals of the package's insured's stays",
        source="docs/sources/calibration_data.md §5: 3-10 up-referrals per down-referral in county reports [A] "
               "(floor 1:10, target 1:3); weight assumption")
    readmission_rate: ScoreComponent = param(
        default_factory=lambda: ScoreComponent(weight=0.1, floor=0.10, target=0.05),
        description="30-day readmissions / admissions of the package's insured (lower is better)",
        source="docs/sources/payment_rules.md §5.2 names readmission, no figure [K]; floor and target assumption")
    cost_growth: ScoreComponent = param(
        default_factory=lambda: ScoreComponent(weight=0.2, floor=0.145, target=0.045),
        description="growth of the insured's fund spending over the previous year (lower is better)",
        source="target = the pool's growth cap of docs/sources/payment_rules.md §7.4 (4.5%); floor +10 pp, "
               "weight assumption")
    oop_rate: ScoreComponent = param(
        default_factory=lambda: ScoreComponent(weight=0.1, floor=0.40, target=0.30),
        description="out-of-pocket share of the package's insured's total cost (lower is better)",
        source="docs/sources/payment_rules.md §5.2 names the out-of-pocket share [K]; target 0.30 about the national "
               "out-of-pocket share of health spending, docs/sources/calibration_data.md §3.3 (27.3%) [V]; floor "
               "assumption; weight assumption")
    fixed_score: float | None = param(None, "use this score instead of computing it (sensitivity analyses)",
                                      unit="share", source="lever: null = computed from the indicators", ge=0, le=1)
    zero_score: float = param(0.6, "score at or below which no deposit is returned and no surplus retained",
                              unit="share",
                              source="docs/sources/payment_rules.md §3.4 'score < 60 → partial or no retention' [K]",
                              ge=0, le=1)
    full_score: float = param(0.9, "score from which the whole deposit is returned and the whole surplus "
                              "retained (linear between zero_score and this)", unit="share",
                              source="assumption", ge=0, le=1)

    @model_validator(mode="after")
    def _weights(self):
        total = sum(getattr(self, k).weight for k in INDICATORS)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"weights of {', '.join(INDICATORS)} sum to {total:g}; expected 1")
        return self

    @field_validator("full_score")
    @classmethod
    def _ramp(cls, v, info):
        zero = info.data.get("zero_score")
        if zero is not None and zero >= v:
            raise ValueError(f"full_score {v} must be above zero_score {zero}")
        return v


class BudgetConfig(Section):
    """Annual total, withholds, monthly prepayment and year-end settlement of the community's fund package."""

    enabled: bool = param(False, "pay the community a global budget 总额付费 (off = every claim paid by the "
                          "fund directly)",
                          source="configs/county/default.yaml: no global budget by default; a scenario switches it "
                                 "on (docs/sources/payment_rules.md §3)")
    schemes: list[Literal["resident", "employee"]] = param(
        default_factory=lambda: ["resident"], description="insurance schemes whose insured are attributed to the "
        "package", source="docs/sources/payment_rules.md §3.2: usually 城乡居民医保, some places also 职工 [S]")
    base_years: int = param(3, "years of past fund spending averaged into the base", unit="years",
                            source="docs/sources/payment_rules.md §3.2, §7.1 base_years (Guangdong 2025) [S]",
                            ge=1, le=10)
    history_yuan: list[float] = param(
        default_factory=list, description="pooled-fund spending on the community's insured in the years before "
        "the simulation, oldest first (fewer than base_years: the mean of those given; none: the first simulated "
        "year's own spending stands for the history)", unit="yuan per year",
        source="input: the pooling area's settlement data (or a baseline run's fund spending)")
    base_rule: Literal["reference", "chain", "rolling_mean"] = param(
        "reference", "the base after the first budget year: 'reference' (= 'chain') = last year's total "
        "B_t-1 × (1 + g); 'rolling_mean' = mean of the latest base_years of spending (simulated years included) "
        "× (1 + g). The first budget year is always the mean of the last base_years of spending × (1 + g)",
        source="docs/sources/payment_rules.md §3.2: first year mean × (1+g), later B_t = B_t-1 × (1+g) "
               "(Guangdong 2025) [S]")
    growth_source: Literal["fixed", "factors", "income"] = param(
        "fixed", "where the growth rate g comes from: 'fixed' = growth; 'factors' = the sum of growth_factors; "
        "'income' = growth of the package schemes' fund income over the previous year (以收定支, needs the pool's "
        "enrolment)", source="docs/sources/payment_rules.md §3.2: g from cost growth, financing level, volume, "
                             "quality and fund risk [S]; §3.1 以收定支 [S]")
    growth: float = param(0.04, "growth rate applied to the base ('fixed')", unit="share per year",
                          source="docs/sources/payment_rules.md §7.4 worked example [S]", ge=-0.5, le=1)
    growth_factors: GrowthFactors = param(default_factory=GrowthFactors,
                                          description="named growth factors ('factors': g = their sum)")
    growth_cap: Literal["pool", "fixed", "none"] = param(
        "pool", "cap on g: 'pool' = the pool's own fund-spending growth in the last closed year (computed from the "
        "package schemes' spending; pool_growth_cap while fewer than two years are known); 'fixed' = "
        "pool_growth_cap; 'none'", source="docs/sources/payment_rules.md §3.2: g no higher than the pooling area's "
                                          "fund-spending growth (Guangdong 2025) [S]")
    pool_growth_cap: float = param(0.045, "cap on growth when growth_cap is 'fixed' (and the pool's fallback)",
                                   unit="share per year",
                                   source="docs/sources/payment_rules.md §3.2 [S], §7.4 example 4.5%",
                                   ge=-0.5, le=1)
    deposit_share: float = param(0.03, "annual deposit 年度保证金 withheld from the total, returned by score",
                                 unit="share", source="docs/sources/payment_rules.md §3.3, §7.1 (Guangdong 2025) [B]",
                                 ge=0, le=1)
    risk_fund_share: float = param(0.02, "risk-adjustment fund 风险调节金 accrual per year", unit="share",
                                   source="docs/sources/payment_rules.md §3.3, §7.1 (Guangdong 2025) [B]", ge=0, le=1)
    risk_fund_cap_months: float = param(3.0, "the risk fund stops accruing when its balance reaches this many "
                                        "months of the annual total (B/12 a month)", unit="months",
                                        source="docs/sources/payment_rules.md §3.3, §7.1 [B]", ge=0)
    risk_fund_opening_balance: float = param(0.0, "risk-fund balance at the start of the simulation", unit="yuan",
                                             source="assumption: a new package", ge=0)
    risk_fund_mode: Literal["reserve", "returned"] = param(
        "reserve", "'reserve' = the risk accrual is the pool's reserve for this community: the community is settled "
        "against B minus the accrual, and the fund is drawn (first) for the pool's share of a reasonable overspend "
        "caused by a shock; 'returned' = the year-end transfer pays the accrual back (settled against B)",
        source="docs/sources/payment_rules.md §3.3 (a fund withheld and capped at 3 months) and §3.4 (overspend "
               "from epidemics shared, fund share drawn from the risk fund first, §7.3) [B]/[K]")
    surplus_retention: float = param(1.0, "share of the surplus the community keeps 结余留用 at a full score "
                                     "(scaled down linearly with the score)", unit="share",
                                     source="docs/sources/payment_rules.md §3.4, §7.1 surplus_retention [K]",
                                     ge=0, le=1)
    overspend_band: float = param(0.10, "reasonable overspend 合理超支: up to this share of the total",
                                  unit="share",
                                  source="docs/sources/payment_rules.md §3.4, §7.1 overspend_band (5-10%) [K]",
                                  ge=0, le=1)
    overspend_pool_share: float = param(0.5, "share of a reasonable overspend caused by a shock (epidemic, price "
                                        "shock: ``shocks``) that the pool pays, from the risk fund first",
                                        unit="share", source="docs/sources/payment_rules.md §3.4, §7.1 "
                                                             "overspend_share_fund 50:50 [K]",
                                        ge=0, le=1)
    behaviour_overspend_pool_share: float = param(
        0.5, "share of the rest of a reasonable overspend (within the band, not caused by a shock: volume or case "
        "mix) that the pool pays, from its general fund", unit="share",
        source="docs/sources/payment_rules.md §3.4: unavoidable growth in volume or case mix is reasonable, 50:50 [K]",
        ge=0, le=1)
    surplus_split: LevelSplit = param(
        default_factory=LevelSplit, description="split of the community's net result (retained surplus, or its "
        "share of an overspend) across levels, county : township : village", unit="share",
        source="docs/sources/payment_rules.md §3.5, §7.1 surplus_split 6:3:1 (Suixi) [B]; losses split alike: "
               "assumption")
    performance: PerformanceConfig = param(default_factory=PerformanceConfig, description="year-end evaluation")
    pool: PoolConfig = param(default_factory=PoolConfig, description="the insurance fund's financing side "
                             "(enrolment, premiums, subsidy, balance); kept every year, with or without a budget")

    @field_validator("risk_fund_share")
    @classmethod
    def _withholds(cls, v, info):
        deposit = info.data.get("deposit_share", 0.0)
        if deposit + v >= 1:
            raise ValueError(f"deposit_share {deposit} + risk_fund_share {v} must leave something to prepay "
                             f"(sum below 1)")
        return v

    @field_validator("schemes")
    @classmethod
    def _schemes(cls, v):
        if len(set(v)) != len(v) or not v:
            raise ValueError("expected distinct scheme names, at least one")
        return v

    @field_validator("history_yuan")
    @classmethod
    def _history(cls, v):
        if any(h < 0 for h in v):
            raise ValueError("spending cannot be negative")
        return v

    def scheme_codes(self) -> list[int]:
        """Scheme codes (0 resident, 1 employee) in the package."""
        return [("resident", "employee").index(s) for s in self.schemes]
