"""Payment: what a claim costs the patient and what the fund pays the facility.

* :mod:`sim.payment.cost_sharing` — deductibles, reimbursement ratios, caps (patient side);
* :mod:`sim.payment.facility_payment` — fee-for-service, DRG, DIP, per diem, base groups 基础病组;
* :mod:`sim.payment.capitation` — chronic-disease capitation 按人头包干; :mod:`sim.payment.caps` — annual
  outpatient caps tracked per resident during a run.

Pricing a whole claims table and settling the budget is :func:`sim.settlement.settle`.
"""

from __future__ import annotations

from sim.payment.caps import OutpatientCapTracker
from sim.payment.facility_payment import expected_case_margin, expected_case_revenue

__all__ = ["OutpatientCapTracker", "expected_case_margin", "expected_case_revenue"]
