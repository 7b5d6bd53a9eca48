"""Facility payment rules (医保支付方式) as configuration: how the fund pays a facility for a case.

Methods by level: fee-for-service 按项目付费, CHS-DRG 按病组付费, DIP 按病种分值付费; plus per-diem
按床日付费 for recovery stays after a down-referral, chronic-disease capitation 慢病按人头包干, and the
DRG/DIP base groups 基础病组 paid the same at every level (同病同价). Numbers from
``docs/sources/payment_rules.md`` §1.4-§1.9, §2 and §7.1 (tags as there).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import field_validator

from sim.config.fields import Section, param
from sim.config.insurance import LevelSplit, LevelValues

Method = Literal["ffs", "drg", "dip"]
METHODS: tuple[str, ...] = ("ffs", "drg", "dip")

#: the 31 national DRG base groups of CHS-DRG 3.0 (27 medical + 4 surgical), docs/sources/payment_rules.md §1.9 [S]
NATIONAL_BASE_GROUPS: tuple[str, ...] = (
    "BR29", "BV39", "BZ15", "DS19", "DT19", "DT1H", "ES45", "ES4G", "ET25", "EX15", "EX39", "EX3H", "FR59", "FV29",
    "GU25", "GW19", "GZ19", "IU19", "IU29", "KS39", "LU15", "LU1G", "LX15", "LX1G", "NZ19", "SZ19", "SZ1H",
    "GE29", "GF49", "GG19", "IF19")


class LevelMethods(Section):
    """Inpatient payment method by facility level: 'ffs', 'drg' or 'dip'."""

    village: Method = param("ffs", "village clinics (do not admit)")
    township: Method = param("ffs", "township health centres")
    county: Method = param("ffs", "county hospitals")
    city: Method = param("ffs", "out-of-county city hospitals (paid by the fund directly)")
    province: Method = param("ffs", "provincial hospitals (paid by the fund directly)")

    def codes(self) -> np.ndarray:
        """Method code by level (index into :data:`METHODS`), shape (5,)."""
        return np.array([METHODS.index(getattr(self, n)) for n in ("village", "township", "county", "city",
                                                                   "province")])


class SchemeValues(Section):
    """One positive number per insurance scheme."""

    resident: float = param(1.0, "城乡居民医保", gt=0)
    employee: float = param(1.0, "职工医保", gt=0)

    def as_array(self) -> np.ndarray:
        """Values indexed by scheme code (0 resident, 1 employee)."""
        return np.array([self.resident, self.employee])


class BaseGroupConfig(Section):
    """DRG/DIP base groups 基础病组: one payment standard at every level (同城同病同价)."""

    enabled: bool = param(True, "pay the listed groups with the base-group coefficient at every level",
                          source="docs/sources/payment_rules.md §1.9, NHSA 2026-09-17 [S]")
    codes: list[str] | None = param(
        None, "DRG codes of the base groups; null = the national CHS-DRG 3.0 list of 31 (those present in the "
        "case-mix). An explicit list must only name DRG codes of the case-mix",
        source="docs/sources/payment_rules.md §1.9 (national 3.0 list) [S]")
    coefficient: float = param(1.0, "level coefficient of a base group at every level", unit="factor",
                               source="docs/sources/payment_rules.md §1.5, §7.1 base_group_coefficient [S]", gt=0)

    def code_list(self) -> tuple[str, ...]:
        """The configured codes, or the national list."""
        return NATIONAL_BASE_GROUPS if self.codes is None else tuple(self.codes)


class DrgConfig(Section):
    """CHS-DRG payment (§1.4-§1.6): points × point value (or RW × base rate) × level coefficient, with outliers."""

    formulation: Literal["points", "rate"] = param(
        "points", "'points' 点数法: pay = RW·k·point_scale·point_value; 'rate' 费率法: pay = RW·k·base_rate",
        source="docs/sources/payment_rules.md §1.4 (a)/(b) [K]/[S]")
    point_scale: float = param(100.0, "points per unit of relative weight", unit="points per RW",
                               source="docs/sources/payment_rules.md §1.4, §7.1 point_scale [S]", gt=0)
    point_value: SchemeValues = param(
        default_factory=lambda: SchemeValues(resident=52.8094, employee=53.8381),
        description="value of one point by scheme (points formulation)", unit="yuan per point",
        source="docs/sources/payment_rules.md §1.4 Zhoukou 2026 demo pack [S]")
    base_rate: SchemeValues = param(
        default_factory=lambda: SchemeValues(resident=5280.94, employee=5383.81),
        description="payment per unit of relative weight by scheme (rate formulation)", unit="yuan per RW",
        source="derived: point_scale × point_value of docs/sources/payment_rules.md §1.4 [S]")
    point_value_mode: Literal["floating", "fixed"] = param(
        "floating", "'floating' 点数法: the year's DRG budget / the year's total points sets the value of a point "
        "(all DRG payments of the year scaled so they sum to the budget; coding inflation lowers the value of a "
        "point); 'fixed': point_value / base_rate as configured",
        source="docs/sources/payment_rules.md §1.4 (b): point value = (DRG fund budget + patients' OOP) / Σ points, "
               "set at year-end [S/K]")
    budget_share: float = param(
        1.0, "floating mode: the DRG fund budget as a share of what the fund would have paid for the year's DRG "
        "cases under fee-for-service with fee-for-service behaviour (budget-neutral 以收定支 at 1); the point value "
        "= (fund budget + patients' itemised out-of-pocket) / the year's points", unit="share",
        source="docs/sources/payment_rules.md §1.4 (a): budget grossed up to total inpatient cost, rate = budget / "
               "Σ RW·cases; assumption: budget-neutral at the reform", gt=0)
    cost_per_rw: float = param(5270.76, "pooling area's average cost of a case of weight 1; the group average "
                               "cost A = RW × this sets the outlier ratio r = cost / A", unit="yuan per RW",
                               source="docs/sources/payment_rules.md §1.4, §7.1 cost_per_rw (Zhoukou demo) [S]", gt=0)
    low_outlier_threshold: float = param(0.35, "a case with cost / A below this is a low outlier 低倍率病例",
                                         unit="ratio", source="docs/sources/payment_rules.md §1.6 DRGX default [S]",
                                         ge=0, lt=1)
    low_outlier_mode: Literal["points_no_factor", "by_actual"] = param(
        "points_no_factor", "low outliers: 'points_no_factor' pay = cost × cf (no level coefficient); "
        "'by_actual' pay = cost", source="docs/sources/payment_rules.md §1.6 (Zhoukou, Dazhou / Wuhan, Panjin) [S]")
    high_outlier_bands: list[tuple[float | None, float]] = param(
        default_factory=lambda: [(1.0, 3.0), (2.0, 2.5), (3.0, 2.0), (5.0, 1.5), (None, 1.3)],
        description="high-outlier threshold H by relative weight: [(RW upper bound, H), ...], bounds increasing, "
        "last bound null (no upper bound); a case with cost / A above H is a high outlier 高倍率病例",
        unit="[RW, ratio]", source="docs/sources/payment_rules.md §1.6, §7.1 (DRGX default) [S]")
    high_outlier_mode: Literal["linear_add", "deduct", "cap"] = param(
        "linear_add", "high outliers: 'linear_add' pay = A·k·cf + (cost − H·A)·cf; 'deduct' pay = cost·cf − "
        "(H−1)·RW·k·rate; 'cap' pay = H·A·k·cf",
        source="docs/sources/payment_rules.md §1.6 (Dazhou / Zhoukou / Panjin) [S]")

    @field_validator("high_outlier_bands")
    @classmethod
    def _bands(cls, bands, info):
        bounds = [b for b, _ in bands]
        if not bounds or bounds[-1] is not None or any(b is None for b in bounds[:-1]):
            raise ValueError("expected [(RW bound, H), ..., (null, H)] with only the last bound null")
        if any(b2 <= b1 for b1, b2 in zip(bounds[:-2], bounds[1:-1])):
            raise ValueError(f"RW bounds {bounds[:-1]} must increase")
        low = info.data.get("low_outlier_threshold", 0.0)
        if any(h <= max(1.0, low) for _, h in bands):
            raise ValueError(f"thresholds H {[h for _, h in bands]} must exceed 1 and low_outlier_threshold {low}")
        return bands

    def rate(self) -> np.ndarray:
        """Payment per RW (yuan) by scheme: point_scale × point_value, or base_rate."""
        return self.point_scale * self.point_value.as_array() if self.formulation == "points" \
            else self.base_rate.as_array()

    def high_threshold(self, rw: np.ndarray) -> np.ndarray:
        """High-outlier threshold H of each case from its relative weight."""
        bounds = np.array([np.inf if b is None else b for b, _ in self.high_outlier_bands])
        hs = np.array([h for _, h in self.high_outlier_bands])
        return hs[np.searchsorted(bounds, rw, side="right").clip(max=len(hs) - 1)]


class DipConfig(Section):
    """DIP payment (§2): scores × level coefficient × point value, with deviation-case rules (§2.4)."""

    score_scale: float = param(1000.0, "score of a case of relative weight 1", unit="points per RW",
                               source="docs/sources/payment_rules.md §2.2, §7.1 score_scale [K]", gt=0)
    point_value_mode: Literal["floating", "fixed"] = param(
        "floating", "'floating': point value = the year's DIP budget / total scores 浮动点值; 'fixed': point_value",
        source="docs/sources/payment_rules.md §2.3 [S]")
    point_value: float = param(5.27076, "fixed point value, also the reference for deviation cases and for "
                               "expected revenue", unit="yuan per point",
                               source="assumption: cost_per_rw 5,270.76 / score_scale 1000 "
                                      "(docs/sources/payment_rules.md §1.4)",
                               gt=0)
    budget_share: float = param(1.0, "floating mode: the DIP budget (total-cost terms) as a share of the year's "
                                "DIP-paid cases' fund payment at their fee-for-service-equivalent cost plus their "
                                "patients' itemised out-of-pocket (their total cost without provider responses)",
                                unit="share",
                                source="assumption: budget-neutral pooling area (以收定支)", gt=0)
    low_outlier: float = param(0.5, "cost / same-level average at or below which a case is paid by its cost "
                               "费用超低", unit="ratio", source="docs/sources/payment_rules.md §2.4, §7.1 [S]",
                               gt=0, lt=1)
    high_outlier: float = param(2.0, "cost / same-level average at or above which extra score is added 费用超高",
                                unit="ratio", source="docs/sources/payment_rules.md §2.4, §7.1 [S]", gt=1)
    extreme_review: float = param(5.0, "ratio above which a case goes to expert review (flagged; paid as a high "
                                  "outlier)", unit="ratio", source="docs/sources/payment_rules.md §2.4, §7.1 [S]", gt=1)


class PerDiemConfig(Section):
    """Per-bed-day payment 按床日付费 for recovery stays after a down-referral (path ``referred_down``)."""

    enabled: bool = param(False, "pay down-referred recovery segments per bed-day instead of the level's method",
                          source="docs/sources/payment_rules.md §5.1 下转病种清单: per diem at township [K]")
    rate: LevelValues = param(
        default_factory=lambda: LevelValues(village=0.0, township=370.0, county=600.0, city=800.0, province=900.0),
        description="payment per bed-day by level", unit="yuan per bed-day",
        source="township: docs/sources/calibration_data.md §3.1 THC cost per bed-day 317.5 (2020) +5%/yr [V]/[A]; "
               "others assumption")


class CapitationConfig(Section):
    """Chronic-disease capitation 慢病按人头包干 for contracted hypertension/diabetes patients."""

    enabled: bool = param(False, "pay the community a fixed amount per enrolled patient instead of the fund's "
                          "share of their in-community two-disease follow-up visits",
                          source="docs/sources/payment_rules.md §3.5 Suixi [B]")
    rate: float = param(300.0, "capitation per enrolled patient and disease per year", unit="yuan per person-year",
                        source="assumption: ≈ 12 follow-ups × 40 yuan × 60% fund share "
                               "(docs/sources/calibration_data.md §9 village visit cost; "
                               "docs/sources/payment_rules.md §7.1 two-disease ratio)", ge=0)
    split: LevelSplit = param(
        default_factory=lambda: LevelSplit(county=0.2, township=0.5, village=0.3),
        description="split of the capitation across levels (county : township : village)", unit="share",
        source="docs/sources/payment_rules.md §3.5, §7.1 chronic_capitation_split 2:5:3 (Suixi) [B]")
    split_basis: Literal["surplus", "payment"] = param(
        "surplus", "what the 2:5:3 split divides: 'surplus' = the capitation left after the community has paid "
                   "the fund's share of the enrolled patients' capitated follow-ups to the facilities that gave "
                   "them (each level gets its care back plus its share of the surplus 结余); "
                   "'payment' = the whole capitation, whoever gave the care (the engine's earlier rule)",
        source="docs/sources/payment_rules.md §3.5: the Suixi split 2:5:3 is a split of the capitation's "
               "surplus 结余 (issue #16, the national reform report); a deficit borne by the levels in proportion "
               "to the care they gave (no level's capitation negative) is an assumption")


class SeverityGroupConfig(Section):
    """Severity splits of a DRG/DIP group (CC/MCC 并发症/合并症): the relative weight paid by coded severity."""

    enabled: bool = param(True, "multiply a case's relative weight by its coded severity's weight (off: one weight "
                          "per group, whatever the severity)",
                          source="docs/sources/payment_rules.md §1.2: ADRG split into groups by complications")
    mild: float = param(0.75, "weight factor of a case coded without complications", unit="factor",
                        source="assumption: = casemix.cost_factor (CC/MCC groups carry 1.3-2x the weight of the "
                               "uncomplicated group)", gt=0)
    moderate: float = param(1.0, "weight factor of a case coded with complications (CC)", unit="factor",
                            source="assumption: the case-mix weight is that of the moderate case", gt=0)
    severe: float = param(1.6, "weight factor of a case coded with major complications (MCC)", unit="factor",
                          source="assumption: = casemix.cost_factor", gt=0)

    def as_array(self) -> np.ndarray:
        """(3,) factors by severity code; ones when disabled."""
        return np.array([self.mild, self.moderate, self.severe]) if self.enabled else np.ones(3)


class SupervisionConfig(Section):
    """Fund supervision 医保基金监管: rule screening of claims 智能监控 and random audits 飞行检查.

    A claim coded above the case's severity is detected with probability
    ``1 - (1 - screening_detection) * (1 - audit_rate * audit_detection)``; a detected claim repays the
    overpayment times ``penalty_multiple`` (claw-back plus fine), deducted from the fund's payment at
    settlement. Providers weigh the expected penalty when they code (``providers.coding``). A split admission
    分解住院 (a second admission within ``readmission_window_days``, flagged by screening) is confirmed with the same
    probability and repays its whole payment times ``penalty_multiple`` (``providers.split_admission``).
    """

    screening_detection: float = param(
        0.0, "probability that rule screening flags an upcoded claim (coded severity above the case's)",
        unit="probability", source="assumption: lever; screening rules exist (readmission within 15 days, coded "
        "severity, stays below the floor, docs/sources/payment_rules.md §1.7) but their hit rate is not published",
        ge=0, le=1)
    audit_rate: float = param(0.05, "share of inpatient claims audited at random", unit="share",
                              source="assumption: lever", ge=0, le=1)
    audit_detection: float = param(0.5, "probability that an audit of an upcoded claim finds it",
                                   unit="probability", source="assumption", ge=0, le=1)
    penalty_multiple: float = param(
        2.0, "repayment of a detected claim as a multiple of its overpayment (claw-back plus fine)",
        unit="factor", source="assumption: fines of two to five times the amount obtained by fraud in the 2021 "
        "fund supervision regulation 医疗保障基金使用监督管理条例 (not in docs/sources)", ge=0)
    readmission_window_days: int = param(15, "a readmission within this many days of a discharge is flagged "
                                         "by rule screening as a possible split admission 分解住院 (KPI "
                                         "readmissions_flagged); a flagged split admission is confirmed with "
                                         "the detection probability and its payment clawed back x "
                                         "penalty_multiple (genuine readmissions are not penalised)", unit="days",
                                         source="docs/sources/payment_rules.md §1.7 (7-30 days by area) [K]", ge=0)

    def detection(self) -> float:
        """Probability that an upcoded claim is detected."""
        return 1.0 - (1.0 - self.screening_detection) * (1.0 - self.audit_rate * self.audit_detection)


class FacilityPaymentConfig(Section):
    """How the fund pays facilities, and the facilities' resource cost."""

    inpatient_method: LevelMethods = param(
        default_factory=LevelMethods, description="inpatient payment method by level (outpatient care is "
        "fee-for-service, chronic follow-ups optionally capitated)",
        source="default fee-for-service: the pre-reform county (configs/county/default.yaml); DRG/DIP are "
               "scenario levers (docs/sources/payment_rules.md §7.1 payment_method_inpatient)")
    level_coefficient: LevelValues = param(
        default_factory=lambda: LevelValues(village=1.0, township=0.75, county=1.0, city=1.10, province=1.20),
        description="level coefficient 级别系数 k of DRG and DIP payments", unit="factor",
        source="docs/sources/payment_rules.md §7.1 (township 0.75, county 1.00, city 1.10) [K]; "
               "province 1.20 = 三甲 of §1.5 [S]")
    base_groups: BaseGroupConfig = param(default_factory=BaseGroupConfig, description="base groups 基础病组")
    drg: DrgConfig = param(default_factory=DrgConfig, description="CHS-DRG payment")
    dip: DipConfig = param(default_factory=DipConfig, description="DIP payment")
    fund_split_mode: Literal["standard_minus_oop", "pro_rata"] = param(
        "standard_minus_oop", "what the fund pays the facility under DRG/DIP/per-diem: the payment standard minus "
        "the patient's itemised out-of-pocket (not below 0), or the standard × the claim's fund share",
        source="docs/sources/payment_rules.md §1.4 'Who pays what', §7.1 fund_split_mode [K]")
    ungrouped_pay_factor: float = param(0.8, "DRG/DIP cases without a group (no relative weight) are paid "
                                        "cost × this", unit="factor",
                                        source="docs/sources/payment_rules.md §1.7, §7.1 ungrouped_pay_factor [K]",
                                        ge=0)
    per_diem: PerDiemConfig = param(default_factory=PerDiemConfig, description="per-bed-day recovery stays")
    severity_groups: SeverityGroupConfig = param(default_factory=SeverityGroupConfig,
                                                 description="relative weight by coded severity (CC/MCC)")
    supervision: SupervisionConfig = param(default_factory=SupervisionConfig, description="fund supervision")
    capitation: CapitationConfig = param(default_factory=CapitationConfig, description="chronic capitation")
    cost_to_charge: LevelValues = param(
        default_factory=lambda: LevelValues(village=0.95, township=0.95, county=0.92, city=0.90, province=0.90),
        description="facility resource cost per yuan charged (cost-to-charge ratio): cost = total_cost × this; "
        "margin = revenue − cost", unit="yuan per yuan",
        source="assumption: public facilities' medical revenue exceeds medical cost by 5-10% before subsidies; "
               "docs/sources/payment_rules.md §7.4 uses 1 (charge = cost)")
