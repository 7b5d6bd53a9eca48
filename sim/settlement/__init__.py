"""Settlement: price a year's claims and settle the community budget under that year's rules.

* :mod:`sim.settlement.settle` — :func:`settle` for any claims tables (payment, then budget, then ledger);
* :mod:`sim.settlement.books` — a model's claims as tables, closed one year at a time by the runner.
"""

from __future__ import annotations

from sim.settlement.settle import PaymentRules, Settlement, check_rules, settle

__all__ = ["PaymentRules", "Settlement", "check_rules", "settle"]
