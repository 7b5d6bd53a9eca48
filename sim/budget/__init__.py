"""The community global budget 医共体医保基金总额付费 (``docs/sources/payment_rules.md`` §3, §7.3).

* :mod:`sim.config.budget` — ``BudgetConfig`` (the scenario's ``budget:`` section).
* :mod:`sim.budget.annual` — the annual total: base × (1 + capped growth).
* :mod:`sim.budget.performance` — the year-end performance score 绩效考核.
* :mod:`sim.budget.year_end` — withholds, monthly prepayment, year-end settlement 年终清算 of one year.
* :mod:`sim.budget.community` — ``run_budget``: every community and year in turn.
* :mod:`sim.budget.ledger` — every money flow, and the balance checks.

Claims are priced, and this package called, by :func:`sim.settlement.settle`.
"""

from __future__ import annotations

from sim.budget.community import run_budget

__all__ = ["run_budget"]
