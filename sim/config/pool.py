"""The insurance fund's financing side 基金筹资 and the named factors of budget growth, as configuration.

Used by :mod:`sim.budget.pool` (income, spending, balance, months of reserve of each scheme's fund) and by
:mod:`sim.budget.annual` (growth of the community's budget set from factors or from income).
"""

from __future__ import annotations

from pydantic import field_validator

from sim.config.fields import Section, param


class GrowthFactors(Section):
    """Named contributions to the growth of the budget (``budget.growth_source: factors``), share per year each;
    g = their sum (negative factors lower it). The provincial documents list these drivers without numbers;
    every default is an assumption anchored on a fact of docs/sources."""

    ageing: float = param(0.01, "ageing of the insured 人口老龄化", unit="share per year",
                          source="assumption: the share aged 65+ rises about 0.6 pp a year (13.5% 2020 -> 15.4% 2023, "
                                 "docs/sources/calibration_data.md §7 [V]) and older people cost a few times more")
    drug_price_cuts: float = param(-0.01, "centrally procured drug price cuts 集中带量采购 (negative)",
                                   unit="share per year",
                                   source="assumption: drug shares fell to about 38% (outpatient) and 25% (inpatient) "
                                          "after zero mark-up and volume-based procurement, "
                                          "docs/sources/calibration_data.md §3.1 [M]")
    new_technology: float = param(0.01, "new drugs and technologies 新药新技术", unit="share per year",
                                  source="assumption: new drugs and technologies are paid outside the groups for 2-3 "
                                         "years, docs/sources/payment_rules.md §1.6 [S]")
    service_prices: float = param(0.01, "medical service price adjustments 医疗服务价格调整", unit="share per year",
                                  source="assumption: cost per visit rose 5.5% nominal in 2023, "
                                         "docs/sources/calibration_data.md §3.1 [V]")
    utilisation: float = param(0.01, "growth of service volume 服务量", unit="share per year",
                               source="assumption: the residents' hospitalisation rate rose from 15.2% (2021) to 20.7% "
                                      "(2023), docs/sources/calibration_data.md §2.2 [V]; a budget covers part of it")
    other: float = param(0.0, "any other factor (benefit changes 待遇调整, policy)", unit="share per year",
                         source="assumption: none")

    def total(self) -> float:
        """g = the sum of the factors."""
        return self.ageing + self.drug_price_cuts + self.new_technology + self.service_prices + self.utilisation \
            + self.other


class PoolConfig(Section):
    """Enrolment, contributions and reserve of the pooled fund 统筹基金, one fund per scheme.

    Enrolment is the simulated residents by scheme (every resident is insured in one scheme). Income per
    enrollee and year = individual premium + government subsidy (resident insurance), or ``employee_income_yuan``.
    Values by simulation year (year 0 first); the last value holds for later years.
    """

    enabled: bool = param(True, "keep the pool's accounts (income, spending, balance) in a run",
                          source="lever: accounts only, no effect on behaviour")
    individual_premium_yuan: list[float] = param(
        default_factory=lambda: [400.0, 400.0], description="resident insurance individual premium 个人缴费, by "
        "simulation year (year 0 = 2025)", unit="yuan per enrollee per year",
        source="docs/sources/calibration_data.md §4.1: 400 in 2025 [V], 400 in 2026 [M]")
    government_subsidy_yuan: list[float] = param(
        default_factory=lambda: [700.0, 724.0], description="resident insurance government subsidy 财政补助, by "
        "simulation year (year 0 = 2025)", unit="yuan per enrollee per year",
        source="docs/sources/calibration_data.md §4.1: 700 in 2025 [V], 724 in 2026 [M]")
    employee_income_yuan: list[float] = param(
        default_factory=lambda: [2200.0], description="employee insurance pooled-fund income per enrollee "
        "(employer and employee contributions to the pooled fund), by simulation year",
        unit="yuan per enrollee per year",
        source="assumption: docs/sources/calibration_data.md §4 covers resident insurance only; twice the resident "
               "financing (1,100 yuan, §4.1)")
    opening_reserve_months: float = param(
        8.5, "accumulated balance 累计结存 at the start, in months of the first year's income", unit="months",
        source="docs/sources/calibration_data.md §4.2: resident fund balance covered 8.5 months of payments in "
               "2023 [V]",
        ge=0)

    @field_validator("individual_premium_yuan", "government_subsidy_yuan", "employee_income_yuan")
    @classmethod
    def _series(cls, v):
        if not v or any(x < 0 for x in v):
            raise ValueError("expected at least one value, none negative")
        return v

    def by_year(self, series: list[float], year: int) -> float:
        """Value of a by-year series in simulation year ``year`` (the last value after the series ends)."""
        return float(series[min(year, len(series) - 1)])

    def income_per_enrollee(self, scheme: int, year: int) -> float:
        """Fund income per enrollee of scheme (0 resident, 1 employee) in ``year``, yuan."""
        if scheme == 0:
            return self.by_year(self.individual_premium_yuan, year) + self.by_year(self.government_subsidy_yuan, year)
        return self.by_year(self.employee_income_yuan, year)
