"""Policies: one module each, declaring its config section, its rules, its stages and its KPIs.

=====================  ===========================================  ========================================
policy                 module                                       config section
=====================  ===========================================  ========================================
whitelist              :mod:`sim.policy.whitelist`                  ``policy.whitelist``
do_not_refer_out       :mod:`sim.policy.do_not_refer_out`           ``policy.do_not_refer_out``
gatekeeping            :mod:`sim.policy.gatekeeping`                ``policy.gatekeeping``
drg, dip, base_groups  :mod:`sim.policy.payment_methods`            ``payment.drg``, ``payment.dip``,
per_diem, capitation                                                ``payment.base_groups`` ...
global_budget          :mod:`sim.policy.global_budget`              ``budget``
reinvestment           :mod:`sim.policy.reinvestment`               ``reinvestment``
=====================  ===========================================  ========================================

The rest of the package supports them: :mod:`~sim.policy.rules` applies the referral rules to claims,
:mod:`~sim.policy.timeline` says which rules are in force each year, :mod:`~sim.policy.regime` what
behaviour reads from them, :mod:`~sim.policy.economics` and :mod:`~sim.policy.incentives` the margins
facilities weigh.
"""

from __future__ import annotations

from sim.policy import do_not_refer_out, gatekeeping, global_budget, payment_methods, reinvestment, whitelist
from sim.policy.base import Policy

#: every policy, in the order their referral rules are written (a later list overrides an earlier one)
POLICIES: tuple[Policy, ...] = (
    whitelist.POLICY, do_not_refer_out.POLICY, gatekeeping.POLICY,
    payment_methods.DRG, payment_methods.DIP, payment_methods.BASE_GROUPS, payment_methods.PER_DIEM,
    payment_methods.CAPITATION, global_budget.POLICY, reinvestment.POLICY,
)


def in_force(rules) -> list[Policy]:
    """The policies active under ``rules`` (a scenario's rule sections in a year)."""
    return [p for p in POLICIES if p.active(rules)]


__all__ = ["POLICIES", "Policy", "in_force"]
