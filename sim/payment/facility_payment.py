"""Pricing claims: the patient's share, the facility's payment standard and the fund's payment to it.

Per inpatient claim (all yuan)::

    fund_payment, oop_payment   patient cost sharing (sim.payment.cost_sharing, annual caps applied);
                                fund_payment + oop_payment = total_cost
    payment_standard            what the method pays for the case: total_cost (fee-for-service 按项目),
                                DRG (sim.payment.drg), DIP (sim.payment.dip), bed-days × rate for
                                down-referred recovery stays (per-diem 按床日), cost × ungrouped factor
    fund_to_provider            what the fund pays the facility: fund_payment under fee-for-service;
                                otherwise standard − listed oop (not below 0), or standard × fund share
                                (pro rata); self_pay_cost (items outside the list, all out-of-pocket) is
                                not part of the standard, cost sharing or the fund's payment
    point_value_factor          floating DRG point value of the claim's year over the configured one (1 otherwise)
    audit_recovery              what supervision claws back from a detected upcoded claim or a confirmed split
                                admission 分解住院 (yuan), already deducted from fund_to_provider
    split_recovery              the part of audit_recovery that repays a confirmed split admission (yuan)
    provider_payment            the facility's case revenue = fund_to_provider + oop_payment
    facility_cost, margin       resource cost = total_cost × cost_to_charge[level]; margin = revenue − cost

Outpatient visits are fee-for-service; with capitation on, the fund share of in-community two-disease
follow-ups is paid through the capitation (``fund_to_provider`` 0, sim.payment.capitation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import CHRONIC, COUNTY, N_LEVELS, RECOVERY_PATH, level_code
from sim.config.insurance import CostSharingConfig
from sim.config.payment import FacilityPaymentConfig
from sim.payment.base_groups import is_base_group, resolve_base_groups
from sim.payment.caps import AGG_KEYS, cap_inpatient, cap_outpatient_visits
from sim.payment.cost_sharing import chain_deductible_paid, inpatient_split, outpatient_split
from sim.payment.dip import dip_point_values, dip_scores
from sim.payment.drg import OUTLIER_NAMES, drg_payment

FFS, DRG, DIP, PER_DIEM, UNGROUPED, CAPITATION = range(6)
METHOD_NAMES = ("ffs", "drg", "dip", "per_diem", "ungrouped", "capitation")


def _rule_level(level: np.ndarray, base: np.ndarray, cs: CostSharingConfig) -> np.ndarray:
    """Level whose deductible and ratio apply (base groups may pay another in-county level's)."""
    if cs.base_group_cost_sharing_level == "own":
        return level
    return np.where(base & (level <= COUNTY), level_code(cs.base_group_cost_sharing_level), level)


def case_payment(total: np.ndarray, rw: np.ndarray, level: np.ndarray, scheme: np.ndarray, base: np.ndarray,
                 pc: FacilityPaymentConfig, *, recovery: np.ndarray | None = None, days: np.ndarray | None = None,
                 year: np.ndarray | None = None, dip_point_value: float | None = None,
                 budget_cost: np.ndarray | None = None, drg_scale: float | None = None):
    """Payment standard of inpatient cases under the level's method.

    Parameters
    ----------
    total : (n,) total cost, yuan. rw : (n,) relative weight (NaN or 0 = ungrouped).
    level, scheme : (n,) codes. base : (n,) bool, base group 基础病组.
    pc : ``payment`` config.
    recovery : (n,) bool, down-referred recovery segment (per-diem when enabled). days : (n,) bed-days.
    year : (n,) year of each claim, for the floating DIP point value.
    dip_point_value : use this DIP point value instead of the fixed/floating one (expected revenue).
    budget_cost : (n,) what each case would have cost under fee-for-service with fee-for-service behaviour
        (yuan): the basis of floating DRG and DIP budgets (default ``total``).
    drg_scale : multiply DRG payments by this control factor instead of the floating one (expected revenue);
        None = floating point value when ``pc.drg.point_value_mode == 'floating'``, else 1.

    Returns
    -------
    pay : (n,) yuan. method : (n,) int8 code of :data:`METHOD_NAMES`. outlier : (n,) int8 code of
    :data:`sim.payment.drg.OUTLIER_NAMES`.
    """
    total = np.asarray(total, dtype=float)
    level = np.asarray(level, dtype=np.int64)
    n = len(total)
    method = pc.inpatient_method.codes()[level]
    rw = np.asarray(rw, dtype=float)
    grouped = np.isfinite(rw) & (rw > 0)
    safe_rw = np.where(grouped, rw, 1.0)
    k = np.where(base, pc.base_groups.coefficient, pc.level_coefficient.as_array()[level])
    pay = total.copy()
    outlier = np.zeros(n, dtype=np.int8)
    is_drg = (method == DRG) & grouped
    basis = total if budget_cost is None else np.asarray(budget_cost, dtype=float)
    if is_drg.any():
        p, o = drg_payment(total[is_drg], safe_rw[is_drg], k[is_drg], np.asarray(scheme)[is_drg], pc.drg)
        if drg_scale is not None:
            p = p * drg_scale
        elif pc.drg.point_value_mode == "floating":
            yr = np.zeros(len(p), dtype=np.int64) if year is None else np.asarray(year)[is_drg]
            p = p * drg_point_value_factor(p, basis[is_drg], yr, pc.drg.budget_share)
        pay[is_drg], outlier[is_drg] = p, o
    is_dip = (method == DIP) & grouped
    if is_dip.any():
        w, o = dip_scores(total[is_dip], safe_rw[is_dip], k[is_dip], pc.dip)
        yr = np.zeros(is_dip.sum(), dtype=np.int64) if year is None else np.asarray(year)[is_dip]
        pv = np.full(len(w), dip_point_value) if dip_point_value is not None else \
            dip_point_values(w, basis[is_dip], yr, pc.dip)
        pay[is_dip], outlier[is_dip] = w * pv, o
    code = np.where(is_drg, DRG, np.where(is_dip, DIP, FFS))
    ungrouped = (method != FFS) & ~grouped
    pay = np.where(ungrouped, total * pc.ungrouped_pay_factor, pay)
    code = np.where(ungrouped, UNGROUPED, code)
    if pc.per_diem.enabled and recovery is not None:
        rec = np.asarray(recovery, dtype=bool)
        bed_days = np.maximum(np.asarray(days if days is not None else np.ones(n), dtype=float), 1.0)
        pay = np.where(rec, bed_days * pc.per_diem.rate.as_array()[level], pay)
        code = np.where(rec, PER_DIEM, code)
        outlier = np.where(rec, 0, outlier).astype(np.int8)
    return pay, code.astype(np.int8), outlier


def drg_point_value_factor(pay: np.ndarray, basis: np.ndarray, year: np.ndarray, budget_share: float) -> np.ndarray:
    """(n,) floating point value of each DRG case's year over the configured one 浮动点值 (点数法).

    The year's DRG budget in total-cost terms is ``budget_share`` × ``basis`` summed over its DRG cases
    (:func:`price_inpatient` passes the fund's fee-for-service-equivalent payment plus the patients' itemised
    out-of-pocket, §1.4 (b); without it, the cases' cost); the point value is that budget / the year's points,
    so every payment of the year (normal and outlier, all ∝ the point value) scales by budget / Σ payments at
    the configured value. Budget-neutral at ``budget_share`` 1; coded points above the true ones lower it.
    """
    if len(pay) == 0:
        return np.ones(0)
    sums = pd.DataFrame({"y": year, "p": pay, "b": basis}).groupby("y")[["p", "b"]].transform("sum")
    p = sums["p"].to_numpy()
    return np.where(p > 0, budget_share * sums["b"].to_numpy() / np.where(p > 0, p, 1.0), 1.0)


def fund_to_provider(pay: np.ndarray, method: np.ndarray, fund: np.ndarray, oop: np.ndarray, total: np.ndarray,
                     pc: FacilityPaymentConfig) -> np.ndarray:
    """What the fund pays the facility (yuan): the fund share under FFS, else per ``fund_split_mode``."""
    if pc.fund_split_mode == "standard_minus_oop":
        other = np.maximum(pay - oop, 0.0)
    else:
        other = pay * np.divide(fund, total, out=np.zeros(len(fund)), where=total > 0)
    return np.where(method == FFS, fund, other)


def price_inpatient(claims: pd.DataFrame, cs: CostSharingConfig, pc: FacilityPaymentConfig,
                    base_codes: frozenset[str], drg_code: np.ndarray, rw: np.ndarray) -> pd.DataFrame:
    """Inpatient claims with cost sharing, payment standard, fund payment to the facility, cost and margin.

    ``claims`` needs ``episode_id, segment, level, scheme, total_cost, unreferred_out, year`` (and for caps
    ``resident, discharge_day``; for per-diem ``path_code, days``; optional ``ratio_cut``, the referral
    rules' cut of the ratio in share points). ``drg_code`` and ``rw`` are per claim.
    """
    ip = claims.copy()
    n = len(ip)
    total = ip["total_cost"].to_numpy(float)
    # items billed outside the payment list 自费 (cost shifting): the patient pays them in full, outside cost
    # sharing and outside the case payment; everything else is priced on the listed cost
    self_pay = ip["self_pay_cost"].to_numpy(float) if "self_pay_cost" in ip else np.zeros(n)
    listed = total - self_pay
    level = ip["level"].to_numpy(np.int64)
    scheme = ip["scheme"].to_numpy(np.int64)
    base = is_base_group(drg_code, base_codes)
    rule = _rule_level(level, base, cs)
    split = inpatient_split(listed, level, scheme, ip["unreferred_out"].to_numpy(bool),
                            chain_deductible_paid(ip, cs, rule) if n else np.zeros(0), cs, rule,
                            ratio_cut=ip["ratio_cut"].to_numpy(float) if "ratio_cut" in ip else None)
    fund = cap_inpatient(ip, split["fund_payment"], cs) if n else split["fund_payment"]
    oop = total - fund
    recovery = ip["path_code"].to_numpy() == RECOVERY_PATH if "path_code" in ip else None
    days = ip["days"].to_numpy() if "days" in ip else None
    year = ip["year"].to_numpy() if "year" in ip else None
    basis = None
    if "ffs_equivalent_cost" in ip:
        # floating budgets 点数法: (the fund's budget + patients' itemised out-of-pocket) / points
        # (docs/sources/payment_rules.md §1.4 (b)); the fund's budget is what it would have paid for these cases
        # under fee-for-service behaviour (cost sharing applied to each claim's fee-for-service-equivalent cost)
        ffs = ip["ffs_equivalent_cost"].to_numpy(float)
        if np.array_equal(ffs, listed):
            fund_ffs = fund
        else:
            split_ffs = inpatient_split(ffs, level, scheme, ip["unreferred_out"].to_numpy(bool),
                                        chain_deductible_paid(ip, cs, rule) if n else np.zeros(0), cs, rule,
                                        ratio_cut=ip["ratio_cut"].to_numpy(float) if "ratio_cut" in ip else None)
            fund_ffs = cap_inpatient(ip, split_ffs["fund_payment"], cs) if n else split_ffs["fund_payment"]
        basis = fund_ffs + (oop - self_pay)
    pay, method, outlier = case_payment(listed, rw, level, scheme, base, pc, recovery=recovery, days=days,
                                        year=year, budget_cost=basis)
    to_provider = fund_to_provider(pay, method, fund, oop - self_pay, listed, pc)
    recovered, split_recovered = audit_recovery(ip, pay, method, listed, rw, level, scheme, base, pc, recovery, days)
    factor = np.ones(n)
    if pc.drg.point_value_mode == "floating" and (method == DRG).any():
        fixed, _, _ = case_payment(listed, rw, level, scheme, base, pc, recovery=recovery, days=days, drg_scale=1.0)
        sel = (method == DRG) & (fixed > 0)
        factor[sel] = pay[sel] / fixed[sel]
    to_provider = to_provider - recovered
    ip["policy_scope_cost"] = split["policy_scope_cost"]
    ip["deductible"] = split["deductible"]
    ip["fund_payment"] = fund
    ip["oop_payment"] = oop
    ip["payment_method"] = pd.Categorical.from_codes(method, categories=list(METHOD_NAMES))
    ip["outlier"] = pd.Categorical.from_codes(outlier, categories=list(OUTLIER_NAMES))
    ip["base_group_paid"] = base & (method != FFS)
    ip["payment_standard"] = pay
    ip["audit_recovery"] = recovered
    ip["split_recovery"] = split_recovered
    ip["point_value_factor"] = factor
    ip["fund_to_provider"] = to_provider
    ip["provider_payment"] = np.where(method == FFS, total, to_provider + oop)
    ip["facility_cost"] = total * pc.cost_to_charge.as_array()[level]
    ip["margin"] = ip["provider_payment"].to_numpy() - ip["facility_cost"].to_numpy()
    return ip


def audit_recovery(ip: pd.DataFrame, pay, method, total, rw, level, scheme, base, pc: FacilityPaymentConfig,
                   recovery, days) -> tuple[np.ndarray, np.ndarray]:
    """(n,) yuan each claim repays 追回 (claw-back × ``supervision.penalty_multiple``), and (n,) the part of it
    that repays a split admission.

    A claim with ``audit_detected`` true is repriced at its true relative weight (``rw_true``) under the
    same point value; the overpayment is what the coded weight added. A confirmed split admission 分解住院
    (``split_detected``: the second admission of a split stay) repays its whole payment standard at the point
    value in force: the case payment it should not have earned. Deducted from the fund's payment to the
    facility at settlement; the patient's payment is untouched.
    """
    out = np.zeros(len(ip))
    split = np.zeros(len(ip))
    if "split_detected" in ip:
        sd = ip["split_detected"].to_numpy(bool)
        split[sd] = np.asarray(pay, dtype=float)[sd] * pc.supervision.penalty_multiple
    if "audit_detected" not in ip or "rw_true" not in ip:
        return out + split, split
    # a confirmed split admission already repays its whole payment, upcoding included
    det = ip["audit_detected"].to_numpy(bool) & (method != FFS) & (split == 0)
    if not det.any():
        return out + split, split

    def sub(a):
        return None if a is None else np.asarray(a)[det]

    kw = dict(recovery=sub(recovery), days=sub(days), drg_scale=1.0, dip_point_value=pc.dip.point_value)
    coded, _, _ = case_payment(total[det], np.asarray(rw, dtype=float)[det], level[det], scheme[det], base[det], pc,
                               **kw)
    true, _, _ = case_payment(total[det], ip["rw_true"].to_numpy(float)[det], level[det], scheme[det], base[det], pc,
                              **kw)
    scale = np.divide(pay[det], coded, out=np.ones(len(coded)), where=coded > 0)  # floating point value in force
    out[det] = np.maximum(coded - true, 0.0) * scale * pc.supervision.penalty_multiple
    return out + split, split


def price_outpatient(visits: pd.DataFrame, cs: CostSharingConfig, pc: FacilityPaymentConfig,
                     chronic_condition: np.ndarray,
                     caps: pd.DataFrame | None | bool = None) -> tuple[pd.DataFrame, str]:
    """Outpatient rows (single visits or monthly aggregates) with fund, out-of-pocket, provider payment.

    Caps: exact on single visits (``resident, day, visit_id``); on aggregates, scaled by the
    ``fund_capped / fund_uncapped`` of an :class:`~sim.payment.caps.OutpatientCapTracker` table ``caps``;
    otherwise, or with ``caps=False``, not applied. Returns the table and the cap mode (``'exact'``,
    ``'tracker'``, ``'none'``).
    """
    op = visits.copy()
    total = op["total_cost"].to_numpy(float)
    level = op["level"].to_numpy(np.int64)
    cond = op["condition_index"].to_numpy(np.int64)
    chronic = chronic_condition[cond] if len(op) else np.zeros(0, dtype=bool)
    cut = op["ratio_cut"].to_numpy(float) if "ratio_cut" in op else 0.0
    fund = outpatient_split(total, level, op["scheme"].to_numpy(np.int64), chronic, cs, ratio_cut=cut)["fund_payment"]
    mode = "none"
    if caps is False:
        pass
    elif len(op) and {"resident", "day", "visit_id"} <= set(op.columns):
        fund, mode = cap_outpatient_visits(op, fund, chronic_condition, cs), "exact"
    elif len(op) and caps is not None and len(caps):
        keys = op[AGG_KEYS].astype({"referred": bool})
        c = caps.astype({"referred": bool})
        factor = c["fund_capped"] / c["fund_uncapped"].where(c["fund_uncapped"] > 0)
        merged = keys.merge(c[AGG_KEYS].assign(factor=factor.fillna(1.0)), on=AGG_KEYS, how="left")
        f = merged["factor"].fillna(1.0).to_numpy()
        fund, mode = np.where(f < 1.0, fund * np.minimum(f, 1.0), fund), "tracker"
    capitated = (chronic & (level <= COUNTY)) if pc.capitation.enabled else np.zeros(len(op), dtype=bool)
    op["fund_payment"] = fund
    op["oop_payment"] = total - fund
    op["capitated"] = capitated
    op["fund_to_provider"] = np.where(capitated, 0.0, fund)
    op["provider_payment"] = np.where(capitated, total - fund, total)
    op["facility_cost"] = total * pc.cost_to_charge.as_array()[level]
    op["margin"] = op["provider_payment"].to_numpy() - op["facility_cost"].to_numpy()
    return op, mode


def _lead(a, shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast a per-condition (or per-condition-and-severity) array to ``shape`` (leading axes aligned)."""
    a = np.asarray(a)
    while a.ndim < len(shape):
        a = a[..., None]
    return np.broadcast_to(a, shape)


def expected_case_revenue(cost: np.ndarray, rw: np.ndarray, rules, *, drg_code=None, setting=None,
                          scheme: int = 0, drg_scale: float = 1.0) -> np.ndarray:
    """Expected facility revenue (yuan) of a typical case at each level under the scenario's payment rules.

    Revenue = the fund's payment to the facility + the patient's out-of-pocket, for a case admitted
    directly (no referral, no earlier deductible, no annual cap reached), with outlier rules applied to
    the typical cost. DIP uses the fixed (reference) point value. Use with :func:`expected_case_margin`.

    Parameters
    ----------
    cost : (C, 5) or (C, S, 5) typical total cost per condition [and severity] at each level (last axis
        = level code), yuan; NaN where a level does not treat.
    rw : (C,) or (C, S) relative weight (NaN/0 = ungrouped).
    rules : anything with ``.insurance`` (cost sharing) and ``.payment`` (facility payment): a
        ``ScenarioConfig`` or :class:`sim.settlement.settle.PaymentRules`.
    drg_code : (C,) or (C, S) DRG codes (base-group membership); None = no base groups.
    setting : (C,) case-mix setting (0 outpatient, 1 inpatient, 2 chronic); None = all inpatient.
        Outpatient cases earn their cost (FFS); capitated chronic follow-ups earn the out-of-pocket only when
        the capitation's whole payment is split (``split_basis = 'payment'``), and their cost less the level's
        split of the fund's share when the surplus is split (the care is paid back, the level's surplus falls).
    scheme : 0 resident, 1 employee.
    drg_scale : expected control factor of a floating DRG point value (1 = the configured value).

    Returns
    -------
    Array shaped like ``cost``, yuan (NaN where ``cost`` is NaN).
    """
    cs, pc = rules.insurance, rules.payment
    cost = np.asarray(cost, dtype=float)
    lead = cost.shape[:-1]
    levels = cost.shape[-1]
    if levels != N_LEVELS:
        raise ValueError(f"cost has {levels} levels on its last axis; expected {N_LEVELS}")
    c = np.nan_to_num(cost).reshape(-1)
    lvl = np.broadcast_to(np.arange(N_LEVELS), cost.shape).reshape(-1)
    rw_full = np.broadcast_to(_lead(rw, lead)[..., None], cost.shape).reshape(-1).astype(float)
    if drg_code is None:
        base = np.zeros(c.shape, dtype=bool)
    else:
        codes = np.broadcast_to(_lead(np.asarray(drg_code, dtype=object), lead)[..., None], cost.shape).reshape(-1)
        base = is_base_group(codes, resolve_base_groups(pc.base_groups))
    sch = np.full(c.shape, scheme, dtype=np.int64)
    rule = _rule_level(lvl, base, cs)
    split = inpatient_split(c, lvl, sch, np.zeros(c.shape, dtype=bool), 0.0, cs, rule)
    pay, method, _ = case_payment(c, rw_full, lvl, sch, base, pc, dip_point_value=pc.dip.point_value,
                                  drg_scale=drg_scale)
    to_provider = fund_to_provider(pay, method, split["fund_payment"], split["oop_payment"], c, pc)
    revenue = np.where(method == FFS, c, to_provider + split["oop_payment"])
    if setting is not None:
        st = np.broadcast_to(_lead(setting, lead)[..., None], cost.shape).reshape(-1)
        outp = outpatient_split(c, lvl, sch, st == CHRONIC, cs)
        capitated = (st == CHRONIC) & (lvl <= COUNTY) & pc.capitation.enabled
        cap_revenue = outp["oop_payment"]
        if pc.capitation.split_basis == "surplus":
            # the community pays the level its care back and the level loses its split of the surplus it used up
            part = np.zeros(N_LEVELS)
            part[:COUNTY + 1] = pc.capitation.split.as_array()
            cap_revenue = c - part[lvl] * outp["fund_payment"]
        revenue = np.where(st == 1, revenue, np.where(capitated, cap_revenue, c))
    return np.where(np.isnan(cost), np.nan, revenue.reshape(cost.shape))


def expected_case_margin(cost: np.ndarray, rw: np.ndarray, rules, **kwargs) -> np.ndarray:
    """Expected revenue − resource cost (cost × ``payment.cost_to_charge`` by level) of a typical case, yuan.

    Same arguments as :func:`expected_case_revenue`.
    """
    ccr = rules.payment.cost_to_charge.as_array()
    return expected_case_revenue(cost, rw, rules, **kwargs) - np.asarray(cost, dtype=float) * ccr
