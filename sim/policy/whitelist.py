"""Referral whitelist 转诊白名单 (``policy.whitelist``; ``docs/sources/payment_rules.md`` §5.1, §7.1).

The listed conditions may leave the county with full benefit, pre-approved even without a visit to the
county hospital. Out-of-county care for every other condition is unreferred (its reimbursement ratio cut by
``penalty_pp``) unless the county hospital files the referral because it cannot treat or admit the case,
and the county hospital does not refer such cases out by choice.
"""

from __future__ import annotations

import numpy as np

from sim.codes import CITY
from sim.policy.base import OUT_APPROVED, OUT_BLOCKED, OutOfCountyRules, Policy, YearClaims
from sim.policy.conditions import condition_mask


def _referral(rules: OutOfCountyRules, casemix, cfg, insurance) -> None:
    listed = condition_mask(casemix, cfg.codes, "policy.whitelist.codes")
    rules.status[:] = np.where(listed, OUT_APPROVED, OUT_BLOCKED)
    rules.penalty[:] = np.where(listed, rules.penalty, np.maximum(rules.penalty, cfg.penalty_pp))


def _kpis(year: YearClaims) -> dict:
    from sim.config.policy import DEFAULT_WHITELIST
    listed = condition_mask(year.casemix, list(DEFAULT_WHITELIST), "policy.whitelist.codes")
    adm = year.admissions
    out = adm["level"].to_numpy() >= CITY
    on_list = listed[adm["condition_index"].to_numpy(np.int64)]
    return {"out_of_county_admissions_listed": int((out & on_list).sum()),
            "out_of_county_admissions_unlisted": int((out & ~on_list).sum())}


POLICY = Policy(
    name="whitelist", title="referral whitelist 转诊白名单", section="policy.whitelist", kind="referral",
    active=lambda rules: rules.policy.whitelist.enabled, referral=_referral, kpis=_kpis,
    doc=__doc__.split("\n\n")[1])
