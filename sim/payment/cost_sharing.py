"""Patient cost sharing: how a claim's total cost splits into fund payment and out-of-pocket.

Inpatient (per claim, vectorised)::

    policy_scope  = total_cost * in_catalogue_share[level]            # 政策范围内费用
    deductible    = deductible[scheme, level] - already paid in the referral chain (>= 0)   # 起付线
    ratio         = ratio[scheme, level] - penalty if out of county without referral
    oop           = (total_cost - policy_scope) + min(policy_scope, deductible)
                    + (1 - ratio) * max(policy_scope - deductible, 0)
    fund_payment  = total_cost - oop

Outpatient visits: ``fund = total_cost * outpatient_ratio[scheme, level]`` (chronic follow-ups use the
two-disease ratio 两病). Every function keeps ``fund + oop == total`` exactly.
Rules: ``docs/sources/payment_rules.md`` §4 and §7.2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import N_LEVELS, OUT_OF_COUNTY_MIN_LEVEL
from sim.config.insurance import CostSharingConfig


def _by_scheme(cfg: CostSharingConfig, field: str) -> np.ndarray:
    """(2, 5) table of one per-level rule for resident (row 0) and employee (row 1) insurance."""
    return np.vstack([getattr(cfg.scheme(s), field).as_array() for s in (0, 1)])


def inpatient_split(total_cost: np.ndarray, level: np.ndarray, scheme: np.ndarray, unreferred_out: np.ndarray,
                    deductible_already_paid: np.ndarray | float, cfg: CostSharingConfig,
                    rule_level: np.ndarray | None = None,
                    ratio_cut: np.ndarray | float | None = None) -> dict[str, np.ndarray]:
    """Split inpatient claims into fund payment and out-of-pocket.

    Parameters
    ----------
    total_cost : (n,) yuan.
    level : (n,) facility level codes.
    scheme : (n,) 0 resident, 1 employee.
    unreferred_out : (n,) bool, out-of-county care without a referral (lower ratio).
    deductible_already_paid : (n,) yuan of deductible paid earlier in the same referral chain
        (0 for a chain's first claim).
    cfg : cost-sharing rules.
    rule_level : (n,) level whose deductible and ratio apply (default ``level``; base groups may use
        another, see ``CostSharingConfig.base_group_cost_sharing_level``).
    ratio_cut : (n,) share points off the ratio from the scenario's referral rules (unreferred
        out-of-county care, whitelist, gatekeeping; :mod:`sim.policy.rules`); when given it replaces the
        ``unreferred_out`` penalty.

    Returns
    -------
    dict of (n,) arrays: ``policy_scope_cost``, ``deductible`` (paid on this claim), ``fund_payment``,
    ``oop_payment`` (all yuan).
    """
    total = np.asarray(total_cost, dtype=float)
    level = np.asarray(level, dtype=np.int64)
    scheme = np.asarray(scheme, dtype=np.int64)
    policy = total * cfg.in_catalogue_share.as_array()[level]
    rule = level if rule_level is None else np.asarray(rule_level, dtype=np.int64)
    ded_full = _by_scheme(cfg, "inpatient_deductible")[scheme, rule]
    if cfg.single_deductible_per_chain:
        ded_due = np.maximum(ded_full - deductible_already_paid, 0.0)
    else:
        ded_due = ded_full
    ded_paid = np.minimum(policy, ded_due)
    ratio = _by_scheme(cfg, "inpatient_ratio")[scheme, rule]
    if ratio_cut is None:
        ratio_cut = np.where(unreferred_out, cfg.unreferred_outcounty_penalty_pp, 0.0)
    ratio = np.maximum(ratio - ratio_cut, 0.0)
    fund = ratio * np.maximum(policy - ded_paid, 0.0)
    return {"policy_scope_cost": policy, "deductible": ded_paid, "fund_payment": fund, "oop_payment": total - fund}


def outpatient_ratio_tables(cfg: CostSharingConfig) -> tuple[np.ndarray, np.ndarray]:
    """(2, 5) two-disease 两病 and general outpatient reimbursement ratios by scheme and level."""
    return _by_scheme(cfg, "chronic_outpatient_ratio"), _by_scheme(cfg, "outpatient_ratio")


def outpatient_split(total_cost: np.ndarray, level: np.ndarray, scheme: np.ndarray, chronic: np.ndarray,
                     cfg: CostSharingConfig, ratio_cut: np.ndarray | float = 0.0,
                     tables: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Split outpatient visit costs (single visits or aggregates) into fund and out-of-pocket.

    ``chronic`` marks hypertension/diabetes follow-ups, paid at the two-disease ratio; ``ratio_cut``
    (share points) as in :func:`inpatient_split` (e.g. bypassing primary care under gatekeeping); ``tables``:
    :func:`outpatient_ratio_tables` of ``cfg`` when the caller keeps them (a daily caller).
    Returns ``fund_payment`` and ``oop_payment`` (yuan), same shape as ``total_cost``.
    """
    total = np.asarray(total_cost, dtype=float)
    fund = outpatient_fund(total, np.asarray(level, dtype=np.int64), np.asarray(scheme, dtype=np.int64), chronic,
                           outpatient_ratio_tables(cfg) if tables is None else tables, ratio_cut)
    return {"fund_payment": fund, "oop_payment": total - fund}


def outpatient_fund(total: np.ndarray, level: np.ndarray, scheme: np.ndarray, chronic: np.ndarray,
                    tables: tuple[np.ndarray, np.ndarray], ratio_cut: np.ndarray | float = 0.0) -> np.ndarray:
    """The fund's part of outpatient costs ``total`` (float, yuan) under :func:`outpatient_ratio_tables`
    ``tables``, for int64 ``level`` and ``scheme``: the arithmetic of :func:`outpatient_split`, for a daily
    caller."""
    chronic_ratio, general_ratio = tables
    ratio = np.where(chronic, chronic_ratio[scheme, level], general_ratio[scheme, level])
    return total * np.maximum(ratio - ratio_cut, 0.0)


def chain_deductible_paid(claims: pd.DataFrame, cfg: CostSharingConfig,
                          rule_level: np.ndarray | None = None) -> np.ndarray:
    """Deductible already paid earlier in each claim's referral chain (same ``episode_id``).

    Within a chain each claim pays only the gap to its level's deductible, so what was paid before
    claim k is the largest full deductible among the chain's earlier claims. Claims are ordered by
    ``segment`` within an episode. ``rule_level`` as in :func:`inpatient_split`. Returns (n,) yuan
    aligned with ``claims``.
    """
    rule = claims["level"].to_numpy(np.int64) if rule_level is None else np.asarray(rule_level, dtype=np.int64)
    ded_full = _by_scheme(cfg, "inpatient_deductible")[claims["scheme"].to_numpy(np.int64), rule]
    order = np.lexsort((claims["segment"].to_numpy(), claims["episode_id"].to_numpy()))
    ep = claims["episode_id"].to_numpy()[order]
    d = ded_full[order]
    prev = pd.Series(d).groupby(ep).cummax().groupby(ep).shift(1).fillna(0.0).to_numpy()
    out = np.empty(len(claims))
    out[order] = prev
    return out


def expected_oop(cost: np.ndarray, inpatient: np.ndarray, chronic: np.ndarray, cfg: CostSharingConfig,
                 ratio_cut: np.ndarray | None = None, refills_per_year: float | None = None) -> np.ndarray:
    """Out-of-pocket a patient expects when choosing a facility on their own (no referral).

    Parameters
    ----------
    cost : (C, 5) expected total cost of a condition at each level, yuan (NaN where not treated).
    inpatient : (C,) bool, condition is treated as an admission.
    chronic : (C,) bool, condition is a chronic follow-up.
    ratio_cut : (C, 5) share points off the ratio for self-referral under the scenario's referral rules
        (:meth:`sim.policy.rules.ReferralRules.self_referral_cut`); default: self-chosen out-of-county
        admissions count as unreferred.
    refills_per_year : two-disease refills a managed patient makes in a year; when given, a chronic refill's
        expected fund payment is at most the annual two-disease cap spread over them (``cap / refills_per_year``,
        yuan): over a year of refills at one level the fund pays ``min(ratio * annual cost, cap)``, so the
        patient expects ``min(ratio, cap / annual cost)`` of each refill reimbursed (:func:`capped_refill_fund`).

    Returns
    -------
    (2, C, 5) expected out-of-pocket by scheme, condition and level, yuan (NaN where cost is NaN).
    """
    C = cost.shape[0]
    out = np.empty((2, C, N_LEVELS))
    lvl = np.broadcast_to(np.arange(N_LEVELS), (C, N_LEVELS))
    c = np.nan_to_num(cost)
    if ratio_cut is None:
        ratio_cut = np.where(lvl >= OUT_OF_COUNTY_MIN_LEVEL, cfg.unreferred_outcounty_penalty_pp, 0.0)
    op_cut = np.where(inpatient[:, None], 0.0, ratio_cut)
    for s in (0, 1):
        sch = np.full_like(lvl, s)
        inp = inpatient_split(c, lvl, sch, lvl >= OUT_OF_COUNTY_MIN_LEVEL, 0.0, cfg, ratio_cut=ratio_cut)["oop_payment"]
        outp = outpatient_split(c, lvl, sch, np.broadcast_to(chronic[:, None], (C, N_LEVELS)), cfg,
                                ratio_cut=op_cut)["oop_payment"]
        if refills_per_year:
            fund = c - outp
            capped = capped_refill_fund(fund, cfg.scheme(s).caps()[2], refills_per_year)
            outp = np.where(chronic[:, None] & (capped < fund), c - capped, outp)
        out[s] = np.where(inpatient[:, None], inp, outp)
    return np.where(np.isnan(cost)[None], np.nan, out)


def capped_refill_fund(fund: np.ndarray, annual_cap: float, refills_per_year: float) -> np.ndarray:
    """Fund payment a patient expects per two-disease refill under an annual cap 两病年度限额, yuan.

    ``fund`` : uncapped fund payment per refill (ratio x cost), yuan; ``annual_cap`` : yuan per person, disease
    and year (``inf`` = none). A patient refilling ``refills_per_year`` times at a facility is paid
    ``min(refills * fund, cap)`` over the year, i.e. ``min(fund, cap / refills)`` per refill on average: once the
    cap binds, a higher ratio no longer lowers the price (the cap and the ratio are separate levers)."""
    if not np.isfinite(annual_cap) or refills_per_year <= 0:
        return fund
    return np.minimum(fund, annual_cap / refills_per_year)


def settle_claims(inpatient: pd.DataFrame, outpatient: pd.DataFrame, cfg: CostSharingConfig,
                  chronic_condition: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fee-for-service settlement of a run's claims: add fund and out-of-pocket columns.

    Under fee-for-service (按项目付费) the facility is paid the claim's total cost:
    ``provider_payment = total_cost``. The budget engine replaces this for DRG/DIP and global budgets.

    Parameters
    ----------
    inpatient : one row per stay segment with ``episode_id, segment, level, scheme, total_cost,
        unreferred_out``.
    outpatient : visits (aggregated or single) with ``condition`` (index), ``level, scheme, total_cost``.
    chronic_condition : (C,) bool, which condition indices are chronic follow-ups.
    """
    ip = inpatient.copy()
    if len(ip):
        split = inpatient_split(ip["total_cost"].to_numpy(), ip["level"].to_numpy(), ip["scheme"].to_numpy(),
                                ip["unreferred_out"].to_numpy(), chain_deductible_paid(ip, cfg), cfg,
                                ratio_cut=ip["ratio_cut"].to_numpy() if "ratio_cut" in ip else None)
    else:
        split = {k: np.zeros(0) for k in ("policy_scope_cost", "deductible", "fund_payment", "oop_payment")}
    for k, v in split.items():
        ip[k] = v
    ip["provider_payment"] = ip["total_cost"]
    op = outpatient.copy()
    chronic = chronic_condition[op["condition_index"].to_numpy(np.int64)] if len(op) else np.zeros(0, bool)
    split = outpatient_split(op["total_cost"].to_numpy(), op["level"].to_numpy(), op["scheme"].to_numpy(), chronic, cfg,
                             ratio_cut=op["ratio_cut"].to_numpy() if "ratio_cut" in op else 0.0)
    for k, v in split.items():
        op[k] = v
    op["provider_payment"] = op["total_cost"]
    return ip, op
