"""Who manages, and why: primary facilities' management effort 管理积极性 — the share of their managed
hypertension and diabetes patients they put under protocol care — responds to how they are paid
(docs/health.md §4).

The incentive, yuan per managed patient a year, is what the primary facilities keep when a patient stays well:
the township and village parts of chronic-disease capitation 慢病按人头包干 (split county:township:village 2:5:3,
docs/sources/payment_rules.md §3.5) times the share they retain as surplus, plus, under a global budget with
retained surplus 结余留用, the admissions avoided (docs/sources/behaviour_evidence.md §7: admissions plus deaths
RR 0.94), plus any public-health per-patient package. Effort = ``response * incentive / cost of protocol care``,
bounded by ``max_share``; the rule's own ``protocol_share`` is a floor. All response parameters are assumptions.
"""

from __future__ import annotations


def incentive_per_patient(capitation_enabled: bool, capitation_rate: float, primary_split: float,
                          retained_share: float, budget_enabled: bool, budget_saving: float,
                          public_health: float) -> float:
    """Yuan a year a primary facility gains per managed patient kept well under protocol care."""
    cap = capitation_rate * primary_split * retained_share if capitation_enabled else 0.0
    return cap + (budget_saving if budget_enabled else 0.0) + public_health


def protocol_share(rule_share: float, incentive: float, cost_per_patient: float, response: float,
                   max_share: float) -> float:
    """Share of managed patients under protocol care: ``max(rule, min(max_share, response * incentive / cost))``."""
    effort = response * incentive / cost_per_patient if cost_per_patient > 0 else max_share
    return max(rule_share, min(max_share, max(effort, 0.0)))
