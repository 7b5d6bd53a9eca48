"""The community global budget 医共体医保基金总额付费 (``shared/reference/payment_rules.md`` §3, §7.3).

* :mod:`sim.budget.config` — ``BudgetConfig`` (the scenario's ``budget:`` section).
* :mod:`sim.budget.annual` — the annual total: base × (1 + capped growth).
* :mod:`sim.budget.performance` — the year-end performance score 绩效考核.
* :mod:`sim.budget.settlement` — withholds, monthly prepayment, year-end settlement of one year.
* :mod:`sim.budget.engine` — ``run_budget``: every community and year in turn.
* :mod:`sim.budget.ledger` — every money flow, and the balance checks.

Claims are priced by :func:`sim.payment.settle`, which calls this package.
"""

from __future__ import annotations

__all__ = ["BudgetConfig", "run_budget"]


def __getattr__(name: str):
    # lazy: the config module is imported by sim.config.scenario, the engine only when settling
    if name == "BudgetConfig":
        from sim.budget.config import BudgetConfig
        return BudgetConfig
    if name == "run_budget":
        from sim.budget.engine import run_budget
        return run_budget
    raise AttributeError(name)
