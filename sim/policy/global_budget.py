"""The community global budget 医共体医保基金总额付费 (``budget``; ``docs/sources/payment_rules.md`` §3, §7.3).

The fund pays the community an annual total (base x growth) in monthly prepayments, withholds a deposit and
a risk-adjustment fund, settles at year end and lets the community retain its surplus. Behaviour responds
through the one-purse margin (:mod:`sim.policy.incentives`) and the reinvested surplus
(:mod:`sim.policy.reinvestment`); the settlement arithmetic is :mod:`sim.budget`.
"""

from __future__ import annotations

from sim.policy.base import Policy

POLICY = Policy(
    name="global_budget", title="community global budget 总额付费", section="budget", kind="budget",
    active=lambda rules: rules.budget.enabled,
    arithmetic=("sim/budget/annual.py", "sim/budget/performance.py", "sim/budget/year_end.py",
                "sim/budget/community.py", "sim/budget/ledger.py"),
    doc=__doc__.split("\n\n")[1])
