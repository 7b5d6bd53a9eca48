"""Who manages, and why: primary facilities' management effort 管理积极性 — the share of their managed
hypertension and diabetes patients they put under protocol care — responds to how they are paid
(docs/health.md §4).

The incentive, yuan per managed patient a year, is what the primary facilities keep when a patient stays well:
the township and village parts of chronic-disease capitation 慢病按人头包干 (split county:township:village 2:5:3,
docs/sources/payment_rules.md §3.5) times the share they retain as surplus, plus, under a global budget with
retained surplus 结余留用, the admissions avoided (docs/sources/behaviour_evidence.md §7: admissions plus deaths
RR 0.94), plus any public-health per-patient package. Effort = ``response * incentive / cost of protocol care``,
bounded by ``max_share``; the rule's own ``protocol_share`` is a floor. All response parameters are assumptions.

Expectations adapt to what the facilities realised (``health.effort.realised``): after year 0 the capitation part
is last year's realised surplus of the township and village levels per enrolled patient-disease (capitation paid
to them minus the fund's share of their capitated follow-ups: :class:`Realised`, handed over by the books at
each year end), shifted by any change of the rate; the global-budget part is the admissions avoided times the
share of a yuan of surplus the primary levels actually kept last year (retention × performance ramp × their
split; in an overspend, the community's share of it). Year 0, or a mechanism new this year: the rule-based
expectation (:func:`incentive_per_patient`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Realised:
    """What the year-end settlement 年终清算 of a year showed the primary facilities (yuan).

    capitation_on : capitation was paid that year. rate : its rate (yuan per patient-disease). enrolled :
    enrolled patient-diseases. primary_surplus : capitation paid to the township and village levels minus the
    fund's share of their capitated follow-ups (yuan; negative: a deficit). budget_on : a global budget was
    settled. budget_primary_share : yuan the township and village levels kept per yuan of the community's
    surplus (or bore per yuan of overspend), 0-1."""

    capitation_on: bool = False
    rate: float = 0.0
    enrolled: float = 0.0
    primary_surplus: float = 0.0
    budget_on: bool = False
    budget_primary_share: float = 0.0

    @property
    def primary_surplus_per_patient(self) -> float:
        """Yuan of realised primary-level capitation surplus per enrolled patient-disease."""
        return self.primary_surplus / self.enrolled if self.enrolled > 0 else 0.0


@dataclass(frozen=True)
class YearClose:
    """What the books hand the model when they close a year: each facility's retained budget surplus
    (``surplus``, (F,) yuan or None) and what the year realised for management effort (``realised``)."""

    surplus: np.ndarray | None
    realised: Realised | None = None


def budget_primary_share(surplus: float, retained: float, community_overspend: float, primary_split: float) -> float:
    """Yuan the primary levels keep per yuan of the community's surplus: ``retained / surplus × split`` (a
    surplus), ``community's share of the overspend / overspend × split`` (an overspend), 0 at balance."""
    if surplus > 0:
        return float(np.clip(retained / surplus, 0.0, 1.0)) * primary_split
    if surplus < 0:
        return float(np.clip(community_overspend / -surplus, 0.0, 1.0)) * primary_split
    return 0.0


def realised_incentive(last: Realised, capitation_enabled: bool, capitation_rate: float, primary_split: float,
                       budget_enabled: bool, budget_saving: float, rule_budget_share: float,
                       rule_capitation: float) -> tuple[float, float]:
    """``(capitation part, budget part)`` of the incentive, yuan per managed patient a year, expected from last
    year's realised results ``last``.

    Capitation: last year's primary surplus per enrolled patient-disease plus ``primary_split`` × any rise of the
    rate, floored at 0 (a deficit gives no reason to manage more, and the enrolled cannot be turned away);
    ``rule_capitation`` where capitation is new this year. Budget: ``budget_saving`` × the primary levels' share of
    a yuan of surplus last year (``rule_budget_share`` where the budget is new this year)."""
    cap = 0.0
    if capitation_enabled:
        cap = max(last.primary_surplus_per_patient + primary_split * (capitation_rate - last.rate), 0.0) \
            if last.capitation_on else rule_capitation
    budget = 0.0
    if budget_enabled:
        budget = budget_saving * (last.budget_primary_share if last.budget_on else rule_budget_share)
    return cap, budget


def rule_incentive(capitation_enabled: bool, capitation_rate: float, primary_split: float, retained_share: float,
                   budget_enabled: bool, budget_saving: float) -> tuple[float, float]:
    """``(capitation part, budget part)`` of the incentive the rules promise, yuan per managed patient a year."""
    return (capitation_rate * primary_split * retained_share if capitation_enabled else 0.0,
            budget_saving if budget_enabled else 0.0)


def incentive_per_patient(capitation_enabled: bool, capitation_rate: float, primary_split: float,
                          retained_share: float, budget_enabled: bool, budget_saving: float,
                          public_health: float) -> float:
    """Yuan a year a primary facility gains per managed patient kept well under protocol care."""
    cap, budget = rule_incentive(capitation_enabled, capitation_rate, primary_split, retained_share,
                                 budget_enabled, budget_saving)
    return cap + budget + public_health


def protocol_share(rule_share: float, incentive: float, cost_per_patient: float, response: float,
                   max_share: float) -> float:
    """Share of managed patients under protocol care: ``max(rule, min(max_share, response * incentive / cost))``."""
    effort = response * incentive / cost_per_patient if cost_per_patient > 0 else max_share
    return max(rule_share, min(max_share, max(effort, 0.0)))
