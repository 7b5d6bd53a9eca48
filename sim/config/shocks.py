"""Exogenous shocks 突发事件 injected in a chosen period: an epidemic (incidence multiplier) or a price shock.

``docs/sources/payment_rules.md`` §3.4: an overspend caused by an epidemic or a policy change is "reasonable"
合理超支 and shared with the fund. A shock acts through the model's mechanisms: an incidence shock multiplies
the daily onset rates (:mod:`sim.model.onset`), a price shock the cost of claims dated in its months
(:mod:`sim.settlement.books`); the settlement estimates the spending each shock caused and tells that part of an
overspend from the part caused by behaviour (:mod:`sim.budget.year_end`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from sim.config.fields import Section, param


class Shock(Section):
    """One shock: ``kind`` in ``year`` (simulation year), ``months`` (1-12), multiplying incidence or prices."""

    kind: Literal["incidence", "price"] = param(
        "incidence", "'incidence' = epidemic: onset rates × multiplier; "
        "'price' = the cost of every claim dated in the period × multiplier",
        source="docs/sources/payment_rules.md §3.4 (epidemics, policy change) [K]")
    year: int = param(0, "simulation year of the shock", unit="year", source="input", ge=0)
    months: list[int] = param(default_factory=lambda: list(range(1, 13)), description="months of the year "
                              "affected (1-12)", unit="month", source="input: default the whole year")
    multiplier: float = param(1.3, "factor on incidence or on claim costs in the period", unit="factor",
                              source="input: no default shock (the scenario lists none)", gt=0)
    conditions: list[str] = param(default_factory=list, description="condition codes affected (empty = every "
                                  "condition; incidence shocks act on acute conditions only)", source="input")

    @field_validator("months")
    @classmethod
    def _months(cls, v):
        if not v or any(m < 1 or m > 12 for m in v):
            raise ValueError(f"months {v}: expected values 1-12, at least one")
        return sorted(set(v))
