"""Payment: patient cost sharing, facility payment (FFS, DRG, DIP, per-diem, capitation, base groups) and the
engine entry point :func:`settle` (which also runs the global budget of :mod:`sim.budget`).

Public API (imported lazily, because ``sim.config.scenario`` imports the config modules of this package)::

    settle(inpatient, outpatient, rules, ...) -> Settlement
    PaymentRules(insurance=..., payment=..., budget=...)
    expected_case_revenue(cost, rw, rules, drg_code=..., setting=..., scheme=0) -> yuan
    expected_case_margin(cost, rw, rules, ...) -> yuan
    OutpatientCapTracker(cfg, facility_level, chronic_condition, n_residents)
"""

from __future__ import annotations

__all__ = ["OutpatientCapTracker", "PaymentRules", "Settlement", "check_rules", "expected_case_margin",
           "expected_case_revenue", "settle"]

_WHERE = {"settle": "engine", "check_rules": "engine", "PaymentRules": "engine", "Settlement": "engine",
          "expected_case_revenue": "facility_payment", "expected_case_margin": "facility_payment",
          "OutpatientCapTracker": "caps"}


def __getattr__(name: str):
    if name in _WHERE:
        import importlib
        return getattr(importlib.import_module(f"sim.payment.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'sim.payment' has no attribute {name!r}")
