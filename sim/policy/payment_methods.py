"""Facility payment reforms 医保支付方式改革 as policy modules: DRG, DIP, DRG base groups, per diem for
recovery care, chronic-disease capitation.

Each is a :class:`~sim.policy.base.Policy` whose rule is a price: its config section says how a claim is
paid, and the price arithmetic it names is applied where every claim is priced (:mod:`sim.payment`), so a
claim priced at settlement and the margin a facility expects when it decides (:mod:`sim.policy.economics`)
come from the same function. Behaviour responds to the price only (``docs/sources/payment_rules.md`` §1-§2).
"""

from __future__ import annotations

from sim.policy.base import Policy


def _uses(method: str):
    """``rules -> bool``: some level's admissions are paid by ``method``."""
    def active(rules) -> bool:
        return method in rules.payment.inpatient_method.model_dump().values()
    return active


DRG = Policy(
    name="drg", title="DRG payment with level coefficients 按病组付费", section="payment.drg", kind="price",
    active=_uses("drg"), arithmetic=("sim/payment/drg.py", "sim/payment/facility_payment.py"),
    doc="CHS-DRG: relative weight x points x point value (or base rate) x level coefficient, outliers by "
        "the pool's rules (docs/sources/payment_rules.md §1).")
DIP = Policy(
    name="dip", title="DIP payment by diagnosis-intervention packet 按病种分值付费", section="payment.dip",
    kind="price", active=_uses("dip"), arithmetic=("sim/payment/dip.py", "sim/payment/facility_payment.py"),
    doc="DIP: score x point value, fixed or floating with the DIP budget (docs/sources/payment_rules.md §2).")
BASE_GROUPS = Policy(
    name="base_groups", title="DRG base groups 基础病组 (same price at every level)", section="payment.base_groups",
    kind="price", active=lambda rules: _uses("drg")(rules) and rules.payment.base_groups.enabled,
    arithmetic=("sim/payment/base_groups.py", "sim/payment/facility_payment.py"),
    doc="The listed groups pay coefficient 1.0 at every level 同病同价 (docs/sources/payment_rules.md §1.9).")
PER_DIEM = Policy(
    name="per_diem", title="per-diem payment of recovery care 按床日付费", section="payment.per_diem", kind="price",
    active=lambda rules: rules.payment.per_diem.enabled, arithmetic=("sim/payment/facility_payment.py",),
    doc="Down-referred recovery segments paid per bed-day (docs/sources/payment_rules.md §2).")
CAPITATION = Policy(
    name="capitation", title="chronic-disease capitation 按人头包干", section="payment.capitation", kind="price",
    active=lambda rules: rules.payment.capitation.enabled, arithmetic=("sim/payment/capitation.py",),
    doc="A fixed amount per enrolled hypertension or diabetes patient and year, split across levels "
        "(docs/sources/payment_rules.md §3.6).")
