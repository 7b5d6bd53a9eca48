"""Patient cost-sharing rules (参保人待遇) as configuration: deductibles and ratios by level, annual fund
caps (inpatient 最高支付限额, outpatient pooling 门诊统筹, two-disease drugs 两病), the unreferred
out-of-county cut, one deductible per referral chain; and the per-level value types shared by the
payment and budget configs (``LevelValues``, ``Ratios``, ``LevelSplit``).

Defaults follow ``docs/sources/payment_rules.md`` §4 and §7.1 (tag [K]:
typical mid-range values, calibrate per pooling area) and
``docs/sources/calibration_data.md`` §4.3 / §9 (policy-scope ratios by level, verified
NHSA 2023 figures for residents).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import model_validator

from sim.codes import LEVEL_NAMES
from sim.config.fields import Section, param


class LevelValues(Section):
    """One number per facility level (village, township, county, city, province)."""

    village: float = param(0.0, "value at village clinics 村卫生室", ge=0)
    township: float = param(0.0, "value at township health centres 乡镇卫生院", ge=0)
    county: float = param(0.0, "value at county hospitals 县级医院", ge=0)
    city: float = param(0.0, "value at out-of-county city tertiary hospitals", ge=0)
    province: float = param(0.0, "value at provincial hospitals", ge=0)

    def as_array(self) -> np.ndarray:
        """Values as a float array indexed by level code, shape (5,)."""
        return np.array([getattr(self, n) for n in LEVEL_NAMES], dtype=float)


class Ratios(LevelValues):
    """Shares in [0, 1] by level."""

    village: float = param(0.0, "share at village clinics", ge=0, le=1)
    township: float = param(0.0, "share at township health centres", ge=0, le=1)
    county: float = param(0.0, "share at county hospitals", ge=0, le=1)
    city: float = param(0.0, "share at out-of-county city tertiary hospitals", ge=0, le=1)
    province: float = param(0.0, "share at provincial hospitals", ge=0, le=1)


class LevelSplit(Section):
    """Shares of a sum of money across the community's levels (county : township : village); they sum to 1."""

    county: float = param(0.6, "share of the county hospital(s) 县级医院", unit="share", ge=0, le=1)
    township: float = param(0.3, "share of the township health centres 乡镇卫生院", unit="share", ge=0, le=1)
    village: float = param(0.1, "share of the village clinics 村卫生室", unit="share", ge=0, le=1)

    @model_validator(mode="after")
    def _sums_to_one(self):
        total = self.county + self.township + self.village
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"shares county {self.county:g} + township {self.township:g} + village "
                             f"{self.village:g} sum to {total:g}; expected 1")
        return self

    def as_array(self) -> np.ndarray:
        """Shares indexed by level code (village 0, township 1, county 2), shape (3,)."""
        return np.array([self.village, self.township, self.county])


class SchemeRules(Section):
    """Cost-sharing rules of one insurance scheme."""

    inpatient_deductible: LevelValues = param(
        default_factory=lambda: LevelValues(township=200, county=600, city=1000, province=1500),
        description="inpatient deductible 起付线 per admission, by level", unit="yuan",
        source="docs/sources/payment_rules.md §7.1 cost_sharing_resident [K]; "
               "docs/sources/calibration_data.md §4.3 [A]")
    inpatient_ratio: Ratios = param(
        default_factory=lambda: Ratios(township=0.85, county=0.75, city=0.60, province=0.55),
        description="fund share of policy-scope inpatient cost above the deductible 政策范围内报销比例",
        unit="share", source="docs/sources/payment_rules.md §7.1 [K]; NHSA 2023 residents 80.8/72.4/63.2% by level "
                             "(docs/sources/calibration_data.md §4.3 [V])")
    outpatient_ratio: Ratios = param(
        default_factory=lambda: Ratios(village=0.60, township=0.60, county=0.45, city=0.0, province=0.0),
        description="fund share of outpatient cost under outpatient pooling 门诊统筹 (none outside the county)",
        unit="share", source="docs/sources/payment_rules.md §4.4 and §7.1 outpatient_pooling [K]")
    chronic_outpatient_ratio: Ratios = param(
        default_factory=lambda: Ratios(village=0.60, township=0.60, county=0.60, city=0.0, province=0.0),
        description="fund share of hypertension/diabetes follow-up visits (两病门诊用药保障), no deductible",
        unit="share",
        source="docs/sources/payment_rules.md §4.4 (>=50%, many communities 60-70%) [K]; 医保发〔2019〕54号")
    inpatient_annual_fund_cap: float | None = param(
        200_000.0, "annual cap on the fund's inpatient payments per person 最高支付限额 (null = no cap)",
        unit="yuan per person-year", source="docs/sources/payment_rules.md §4.1: residents 150-300k [K]", ge=0)
    outpatient_annual_fund_cap: float | None = param(
        400.0, "annual cap on the fund's general outpatient payments per person 门诊统筹年度限额 (null = no cap)",
        unit="yuan per person-year",
        source="docs/sources/payment_rules.md §7.1 outpatient_pooling.annual_cap 400; §4.4 200-600 [K]", ge=0)
    chronic_annual_fund_cap: float | None = param(
        600.0, "annual cap on the two-disease outpatient drug benefit 两病门诊用药 per person and disease "
        "(null = no cap)", unit="yuan per person-year per disease",
        source="docs/sources/payment_rules.md §4.4: drug caps ≈ 300-800 per disease [K]", ge=0)

    def caps(self) -> tuple[float, float, float]:
        """(inpatient, general outpatient, chronic) annual fund caps, ``inf`` where none."""
        return tuple(float("inf") if c is None else float(c) for c in
                     (self.inpatient_annual_fund_cap, self.outpatient_annual_fund_cap, self.chronic_annual_fund_cap))


class CostSharingConfig(Section):
    """Patient cost sharing for resident (城乡居民) and employee (职工) insurance."""

    resident: SchemeRules = param(default_factory=SchemeRules, description="城乡居民医保 rules")
    employee: SchemeRules = param(
        default_factory=lambda: SchemeRules(
            inpatient_deductible=LevelValues(township=300, county=700, city=1200, province=1500),
            inpatient_ratio=Ratios(township=0.90, county=0.85, city=0.80, province=0.75),
            outpatient_ratio=Ratios(village=0.70, township=0.70, county=0.60, city=0.50, province=0.50),
            chronic_outpatient_ratio=Ratios(village=0.70, township=0.70, county=0.70, city=0.0, province=0.0),
            inpatient_annual_fund_cap=400_000.0, outpatient_annual_fund_cap=3_000.0,
            chronic_annual_fund_cap=1_000.0),
        description="职工医保 rules",
        source="docs/sources/payment_rules.md §4.2 (一级 85-95%, 二级 80-90%, 三级 75-85%) [K]; "
        "caps: §4.1 ≈ 6x average wage, §4.4 outpatient 2,000-5,000 [K]; two-disease cap 1,000 assumption")
    in_catalogue_share: Ratios = param(
        default_factory=lambda: Ratios(village=0.95, township=0.92, county=0.85, city=0.80, province=0.78),
        description="share of a claim's cost inside the reimbursement catalogue 目录内 (policy scope)",
        unit="share",
        source="docs/sources/calibration_data.md §9 in_catalogue_share 0.85 [A]; lower at higher levels [A]")
    unreferred_outcounty_penalty_pp: float = param(
        0.15, "cut in the inpatient ratio for out-of-county care without a referral 未经转诊",
        unit="share points", source="docs/sources/payment_rules.md §4.1 and §7.1 (10-20 pp) [B]", ge=0, le=1)
    single_deductible_per_chain: bool = param(
        True, "a referral chain inside the community is one admission: an up-referral pays only the "
        "deductible difference, a down-referral none (一次住院一次起付线)",
        source="docs/sources/payment_rules.md §4.3 [B]")

    base_group_cost_sharing_level: Literal["own", "township", "county"] = param(
        "own", "deductible and ratio of in-county admissions in a DRG base group 基础病组: 'own' = the treating "
        "level's (同病同付 does not equalise reimbursement), or the named level's at every in-county level",
        source="docs/sources/payment_rules.md §1.9 'whether patient cost sharing also equalises: it does not by "
               "default' [S]")

    def scheme(self, code: int) -> SchemeRules:
        """Rules of scheme code 0 (resident) or 1 (employee)."""
        return (self.resident, self.employee)[code]
