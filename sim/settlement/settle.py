"""The payment and budget engine's entry point: price a claims table, run the budget, keep the ledger.

::

    from sim.settlement import PaymentRules, settle
    s = settle(inpatient, outpatient, PaymentRules())      # or settle(..., scenario_config)
    s.inpatient, s.outpatient      # claims with fund, out-of-pocket, provider payment, cost, margin
    s.budget, s.ledger, s.checks   # community-years, every flow, balance checks
    s.facility_finances, s.kpis    # facility-year revenue/cost/margin; budget KPIs by year

Works on plain pandas tables (see ``docs/payment.md``); :func:`sim.simulation.collect` calls it for a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from sim.config.budget import BudgetConfig
from sim.budget.community import BUDGET_COLUMNS, run_budget
from sim.budget.ledger import build_ledger, check_ledger, ledger_balanced
from sim.codes import CHRONIC, COUNTY, LEVEL_NAMES, TOWNSHIP
from sim.payment.base_groups import resolve_base_groups
from sim.payment.capitation import allocate_to_facilities, capitation_by_level, enrolled_table
from sim.config.insurance import CostSharingConfig
from sim.config.payment import FacilityPaymentConfig
from sim.payment.facility_payment import price_inpatient, price_outpatient

CHRONIC = 2  # sim.county.casemix.CHRONIC


@dataclass(frozen=True)
class PaymentRules:
    """The three rule sections the engine applies (the scenario's ``insurance``, ``payment``, ``budget``)."""

    insurance: CostSharingConfig = field(default_factory=CostSharingConfig)
    payment: FacilityPaymentConfig = field(default_factory=FacilityPaymentConfig)
    budget: BudgetConfig = field(default_factory=BudgetConfig)

    @classmethod
    def of(cls, rules: Any) -> "PaymentRules":
        """From a ``ScenarioConfig`` (or anything with these attributes), a ``CostSharingConfig``, or None."""
        if isinstance(rules, PaymentRules):
            return rules
        if rules is None:
            return cls()
        if isinstance(rules, CostSharingConfig):
            return cls(insurance=rules)
        return cls(insurance=getattr(rules, "insurance", CostSharingConfig()),
                   payment=getattr(rules, "payment", FacilityPaymentConfig()),
                   budget=getattr(rules, "budget", BudgetConfig()))


@dataclass
class Settlement:
    """What :func:`settle` returns.

    Attributes
    ----------
    inpatient, outpatient : priced claims (columns ``fund_payment, oop_payment, fund_to_provider,
        provider_payment, facility_cost, margin``; inpatient also ``payment_standard, payment_method,
        outlier, base_group_paid, deductible, policy_scope_cost``; outpatient ``capitated``).
    budget : one row per community and year (:data:`sim.budget.community.BUDGET_COLUMNS`); empty without a budget.
    ledger : every flow (:mod:`sim.budget.ledger`). checks : the ledger's balance checks.
    facility_finances : ``year, facility_index, level, claims_revenue, capitation, budget_share, revenue,
        fund_to_provider, oop_payment, total_cost, cost, margin`` (yuan).
    kpis : ``{year: {budget_total, budget_surplus, surplus_share_by_level, risk_fund_balance,
        performance_score, capitation, fund_to_provider, ledger_balanced}}`` (yuan; budget keys None
        in a year without a global budget).
    info : ``outpatient_caps`` mode (``'exact'``, ``'tracker'``, ``'none'``), base groups in force.
    """

    inpatient: pd.DataFrame
    outpatient: pd.DataFrame
    budget: pd.DataFrame
    ledger: pd.DataFrame
    checks: pd.DataFrame
    facility_finances: pd.DataFrame
    kpis: dict[str, dict]
    info: dict
    protection: pd.DataFrame | None = None   # the protection funds' ledger (:func:`apply_protection`)

    @property
    def balanced(self) -> bool:
        """Every ledger check holds."""
        return ledger_balanced(self.checks)


def check_rules(rules: Any, casemix) -> None:
    """Check the rules against the case-mix before simulating (explicit base-group codes must exist).

    Raises ``ConfigError`` naming the field, the value and what was expected.
    """
    resolve_base_groups(PaymentRules.of(rules).payment.base_groups, _casemix_codes(casemix))


def _claim_drg(claims: pd.DataFrame, casemix) -> tuple[np.ndarray, np.ndarray]:
    """Per-claim DRG code and relative weight: the claim's own columns, else the case-mix by condition."""
    ci = claims["condition_index"].to_numpy(np.int64) if "condition_index" in claims else np.zeros(len(claims), int)
    if "drg_code" in claims:
        drg = claims["drg_code"].astype(object).where(claims["drg_code"].notna(), "").to_numpy(dtype=object)
    elif casemix is not None:
        drg = np.asarray(casemix.drg_codes, dtype=object)[ci]
    else:
        drg = np.full(len(claims), "", dtype=object)
    if "rw" in claims:
        rw = claims["rw"].to_numpy(dtype=float)
        if casemix is not None:
            rw = np.where(np.isnan(rw), np.asarray(casemix.rw, dtype=float)[ci], rw)
    elif casemix is not None:
        rw = np.asarray(casemix.rw, dtype=float)[ci]
    else:
        rw = np.full(len(claims), np.nan)
    return drg, rw


def _casemix_codes(casemix) -> list[str] | None:
    if casemix is None:
        return None
    return list(casemix.drg_codes) + list(getattr(casemix, "drg_codes_70plus", ()))


def _with_community(df: pd.DataFrame) -> pd.DataFrame:
    return df if "community" in df else df.assign(community=0)


def _facility_levels(ip: pd.DataFrame, op: pd.DataFrame, facility_level) -> np.ndarray:
    if facility_level is not None:
        return np.asarray(facility_level, dtype=np.int64)
    both = pd.concat([ip[["facility_index", "level"]], op[["facility_index", "level"]]])
    if both.empty:
        return np.zeros(0, dtype=np.int64)
    lv = np.full(int(both["facility_index"].max()) + 1, -1, dtype=np.int64)
    first = both.drop_duplicates("facility_index")
    lv[first["facility_index"].to_numpy(np.int64)] = first["level"].to_numpy(np.int64)
    return lv


def _money(ip: pd.DataFrame, op: pd.DataFrame) -> pd.DataFrame:
    """Priced claims stacked: ``community, year, month, facility_index, level, scheme, fund, oop, contacts, ...``."""
    cols = ["community", "year", "month", "facility_index", "level", "scheme", "total_cost", "fund_to_provider",
            "oop_payment", "provider_payment", "facility_cost"]
    op_c = op.assign(contacts=op["visits"] if "visits" in op else 1)
    stacked = pd.concat([ip[cols].assign(contacts=1), op_c[cols + ["contacts"]]], ignore_index=True)
    stacked = stacked.astype({"community": np.int64, "year": np.int64, "month": np.int64, "level": np.int64,
                              "facility_index": np.int64, "scheme": np.int64})
    return stacked.rename(columns={"fund_to_provider": "fund", "oop_payment": "oop"})


def _kpis(years: Sequence[int], budget: pd.DataFrame, capitation: pd.DataFrame, ip: pd.DataFrame,
          op: pd.DataFrame, checks: pd.DataFrame) -> dict[str, dict]:
    out = {}
    for y in years:
        b = budget[budget["year"] == y]
        # inpatient and outpatient summed apart, as in sim.results.kpis (same sums for either outpatient layout)
        fund = ip.loc[ip["year"] == y, "fund_to_provider"].sum() + op.loc[op["year"] == y, "fund_to_provider"].sum()
        k: dict[str, Any] = {"fund_to_provider": float(fund),
                             "ledger_balanced": ledger_balanced(checks[checks["year"] == y]),
                             "capitation": float(capitation.loc[capitation["year"] == y, "amount"].sum())}
        if len(b):
            total = float(b["budget_total"].sum())
            k.update(budget_total=total, budget_surplus=float(b["surplus"].sum()),
                     surplus_share_by_level={n: float(b[f"share_{n}"].sum()) for n in ("county", "township", "village")},
                     risk_fund_balance=float(b["risk_fund_balance"].sum()),
                     performance_score=float((b["performance_score"] * b["budget_total"]).sum() / total)
                     if total else float(b["performance_score"].mean()))
        else:  # None, not NaN: summaries of two runs without a budget compare equal
            k.update(budget_total=None, budget_surplus=None, surplus_share_by_level={}, risk_fund_balance=None,
                     performance_score=None)
        out[str(int(y))] = k
    return out


def _price(inpatient: pd.DataFrame, outpatient: pd.DataFrame, r: PaymentRules, casemix, chronic: np.ndarray,
           outpatient_caps) -> tuple[pd.DataFrame, pd.DataFrame, str, frozenset[str]]:
    base_codes = resolve_base_groups(r.payment.base_groups, _casemix_codes(casemix))
    drg, rw = _claim_drg(inpatient, casemix)
    ip = price_inpatient(inpatient, r.insurance, r.payment, base_codes, drg, rw)
    op, cap_mode = price_outpatient(outpatient, r.insurance, r.payment, chronic, outpatient_caps)
    return ip, op, cap_mode, base_codes


def _price_by_year(inpatient, outpatient, rules_of: dict[int, PaymentRules], casemix, chronic, outpatient_caps):
    """Price each year's claims under that year's rules (years with equal rules together)."""
    groups: list[tuple[PaymentRules, list[int]]] = []
    for y, r in rules_of.items():
        for rr, ys in groups:
            if rr == r:
                ys.append(y)
                break
        else:
            groups.append((r, [y]))
    if len(groups) == 1:
        return _price(inpatient, outpatient, groups[0][0], casemix, chronic, outpatient_caps)
    ips, ops, modes, codes = [], [], set(), frozenset()
    for r, ys in groups:
        ip, op, mode, bc = _price(inpatient[inpatient["year"].isin(ys)], outpatient[outpatient["year"].isin(ys)], r,
                                  casemix, chronic, outpatient_caps)
        ips.append(ip)
        ops.append(op)
        modes.add(mode)
        codes |= bc
    # a referral chain that spans two rule regimes pays its deductible again in the new one
    ip = pd.concat(ips).loc[inpatient.index]
    op = pd.concat(ops).loc[outpatient.index]
    return ip, op, "/".join(sorted(modes)), codes


def settle(inpatient: pd.DataFrame, outpatient: pd.DataFrame, rules: Any = None, *, casemix=None,
           chronic_condition: np.ndarray | None = None, facility_level: np.ndarray | None = None,
           capitation_enrolled=None, outpatient_caps: pd.DataFrame | bool | None = None,
           history: Sequence[float] | Mapping[int, Sequence[float]] | None = None,
           years: Sequence[int] | None = None, rules_by_year: Mapping[int, Any] | None = None) -> Settlement:
    """Price claims, settle the global budget and record every flow.

    Parameters
    ----------
    inpatient : one row per stay segment: ``episode_id, segment, condition_index, facility_index, level,
        scheme, year, month, total_cost, unreferred_out`` (caps also use ``resident, discharge_day``;
        per-diem ``path_code, days``; optional ``drg_code``, ``rw``, ``ratio_cut``, ``community``).
    outpatient : monthly aggregates (``year, month, facility_index, condition_index, scheme, referred, visits,
        total_cost, level``) or single visits (also ``resident, day, visit_id``); optional ``ratio_cut``.
    rules : ``ScenarioConfig``, :class:`PaymentRules`, ``CostSharingConfig`` or None (defaults).
    casemix : a :class:`sim.county.casemix.Casemix` (DRG codes, weights, chronic conditions); optional when the
        claims carry ``drg_code``/``rw`` and ``chronic_condition`` is given.
    chronic_condition : (C,) bool, two-disease follow-up conditions (default: case-mix setting == chronic).
    facility_level : (F,) level of every facility (default: from the claims).
    capitation_enrolled : enrolled patient-diseases for capitation: a number, a list by year, ``{year: n}``
        or a DataFrame ``year, enrolled[, community]``; required when capitation is on.
    outpatient_caps : outpatient annual caps: None = exact on single visits, not applied to aggregates;
        the table of an :class:`~sim.payment.caps.OutpatientCapTracker` = applied to aggregates through it;
        False = not applied (``info['outpatient_caps']`` says which).
    history : past fund spending of the package's insured, oldest first (default ``budget.history_yuan``).
    years : years to settle besides those in the claims (e.g. a year without claims still gets its budget).
    rules_by_year : ``{year: rules}`` where a reform changes the rules (other years use ``rules``).

    Raises
    ------
    ConfigError : an explicit base-group code is not in the case-mix.
    ValueError : capitation is on but no enrolment counts were given.
    """
    base_rules = PaymentRules.of(rules)
    if chronic_condition is None:
        if casemix is not None:
            chronic_condition = np.asarray(casemix.setting) == CHRONIC
        else:
            n_cond = int(max(inpatient["condition_index"].max() if len(inpatient) else -1,
                             outpatient["condition_index"].max() if len(outpatient) else -1)) + 1
            chronic_condition = np.zeros(max(n_cond, 1), dtype=bool)
    chronic_condition = np.asarray(chronic_condition, dtype=bool)
    inpatient, outpatient = inpatient.reset_index(drop=True), outpatient.reset_index(drop=True)
    in_claims = set(inpatient["year"].astype(int)) | set(outpatient["year"].astype(int))
    years = sorted(in_claims | {int(y) for y in (years if years is not None else ())})
    rules_of = {y: PaymentRules.of((rules_by_year or {}).get(y, base_rules)) for y in years}
    if not years:
        rules_of = {0: base_rules}

    ip, op, cap_mode, base_codes = _price_by_year(inpatient, outpatient, rules_of, casemix, chronic_condition,
                                                   outpatient_caps)
    ip, op = _with_community(ip), _with_community(op)

    enrolled = enrolled_table(capitation_enrolled, years)
    if any(r.payment.capitation.enabled for r in rules_of.values()) and capitation_enrolled is None:
        raise ValueError("payment.capitation.enabled is true but no capitation_enrolled counts were given")
    cap_level = pd.concat([capitation_by_level(enrolled[enrolled["year"] == y], rules_of[y].payment.capitation)
                           for y in rules_of], ignore_index=True)

    money = _money(ip, op)
    yr = money["year"].to_numpy()
    in_scheme = np.zeros(len(money), dtype=bool)
    on_year = np.zeros(len(money), dtype=bool)
    for y, r in rules_of.items():
        sel = yr == y
        in_scheme[sel] = money.loc[sel, "scheme"].isin(r.budget.scheme_codes()).to_numpy()
        on_year[sel] = r.budget.enabled
    money["package"] = in_scheme & on_year
    on = any(r.budget.enabled for r in rules_of.values())
    by = ["community", "year", "month", "level", "package"]
    monthly = money.groupby(by, as_index=False)[["fund", "oop"]].sum()
    budget, schedule = None, None
    if on:
        pkg = money[in_scheme]
        activity = pkg.assign(in_county=np.where(pkg["level"] <= COUNTY, pkg["contacts"], 0)) \
            .groupby(["community", "year"], as_index=False)[["in_county", "contacts"]].sum()
        budget, schedule = run_budget(pkg.groupby(["community", "year", "level"], as_index=False)["fund"].sum(),
                                      cap_level, activity, {y: r.budget for y, r in rules_of.items()}, years, history)
        on_years = set(budget["year"])
        cap_level = cap_level.assign(package=cap_level["year"].isin(on_years))
    else:
        cap_level = cap_level.assign(package=False)
    last = rules_of[max(rules_of)].budget
    ledger = build_ledger(monthly, cap_level, budget, schedule)
    checks = check_ledger(ledger, monthly, cap_level, budget, last.risk_fund_cap_months,
                          next((r.budget.risk_fund_opening_balance for r in rules_of.values() if r.budget.enabled), 0.0))

    levels = _facility_levels(ip, op, facility_level)
    fac_cap = allocate_to_facilities(
        cap_level, op.loc[op["capitated"], ["community", "year", "facility_index"]].assign(
            weight=op.loc[op["capitated"], "visits"] if "visits" in op else 1.0), levels)
    fac_budget = fac_cap.iloc[0:0]
    if on and len(budget):
        shares = budget.melt(id_vars=["community", "year"], value_vars=["share_village", "share_township",
                                                                        "share_county"], value_name="amount")
        shares["level"] = shares["variable"].map({"share_village": 0, "share_township": TOWNSHIP,
                                                  "share_county": COUNTY})
        inside = money[money["package"] & (money["level"] <= COUNTY)]
        weights = pd.concat([inside[["community", "year", "facility_index"]].assign(weight=inside["fund"]),
                             fac_cap.rename(columns={"amount": "weight"})], ignore_index=True)
        fac_budget = allocate_to_facilities(shares[["community", "year", "level", "amount"]], weights, levels)
    finances = _facility_finances(money, fac_cap, fac_budget, levels)
    if budget is None:
        budget = pd.DataFrame({c: pd.Series(dtype=np.int64 if c in ("community", "year") else float)
                               for c in BUDGET_COLUMNS})
    info = {"outpatient_caps": cap_mode, "base_groups": sorted(base_codes)}
    return Settlement(inpatient=ip, outpatient=op, budget=budget, ledger=ledger, checks=checks,
                      facility_finances=finances, kpis=_kpis(years, budget, cap_level, ip, op, checks), info=info)


def apply_protection(settled: Settlement, rules_by_year: Mapping[int, Any], income: np.ndarray,
                     income_reference: float, enrollees: int) -> Settlement:
    """Apply critical-illness insurance 大病保险 and medical assistance 医疗救助 after basic insurance (in place).

    Adds ``cii_payment, assistance_payment, household_oop`` (yuan) to the inpatient claims (outpatient claims:
    zeros and ``household_oop = oop_payment``; the layers cover admissions) and sets ``settled.protection``,
    the two funds' ledger (:func:`sim.payment.protection.protection_ledger`). ``rules_by_year``: ``{year:
    ScenarioConfig}``; ``income``: (N,) household per-capita income of every resident (assistance eligibility by
    rank); ``income_reference``: per-capita income the deductible is a multiple of (yuan a year);
    ``enrollees``: resident-insurance enrollees (the critical-illness premium base). The provider's and the basic
    fund's books do not change; with both layers off ``household_oop == oop_payment``.
    """
    from sim.payment.protection import apply_layers, eligibility, protection_ledger

    years = sorted(rules_by_year)
    cii_of = {y: rules_by_year[y].protection.critical_illness for y in years}
    aid_of = {y: rules_by_year[y].protection.assistance for y in years}
    group = None
    on_aid = [a for a in aid_of.values() if a.enabled]
    if on_aid and len(income):
        a = on_aid[0]
        group = eligibility(np.asarray(income, dtype=float),
                            (a.extreme_poverty_share, a.subsistence_share, a.monitored_share))
    ip = settled.inpatient
    yr = ip["year"].to_numpy(np.int64) if len(ip) else np.zeros(0, np.int64)
    parts = [apply_layers(ip[yr == y], group, cii_of[y], aid_of[y], income_reference) for y in years]
    parts.append(apply_layers(ip[~np.isin(yr, years)], None, None, None, income_reference))
    settled.inpatient = pd.concat(parts).loc[ip.index]
    op = settled.outpatient
    settled.outpatient = op.assign(cii_payment=0.0, assistance_payment=0.0,
                                   household_oop=op["oop_payment"].to_numpy(dtype=float) if len(op) else [])
    settled.protection = protection_ledger(settled.inpatient, years, enrollees, group, cii_of, aid_of)
    settled.info["protection"] = {"critical_illness": [y for y in years if cii_of[y].enabled],
                                  "assistance": [y for y in years if aid_of[y].enabled]}
    settled.info["assistance_group"] = group
    return settled


def _facility_finances(money: pd.DataFrame, capitation: pd.DataFrame, budget_share: pd.DataFrame,
                       levels: np.ndarray) -> pd.DataFrame:
    """Facility-year revenue, cost and margin (yuan)."""
    key = ["year", "facility_index"]
    claims = money.groupby(key)[["provider_payment", "fund", "oop", "total_cost", "facility_cost"]].sum()
    out = claims.join(capitation.groupby(key)["amount"].sum().rename("capitation"), how="outer") \
        .join(budget_share.groupby(key)["amount"].sum().rename("budget_share"), how="outer").fillna(0.0)
    out = out.rename(columns={"provider_payment": "claims_revenue", "fund": "fund_to_provider",
                              "oop": "oop_payment", "facility_cost": "cost"}).reset_index()
    out["revenue"] = out["claims_revenue"] + out["capitation"] + out["budget_share"]
    out["margin"] = out["revenue"] - out["cost"]
    fi = out["facility_index"].to_numpy(np.int64)
    out["level"] = np.where(fi < len(levels), levels[np.minimum(fi, max(len(levels) - 1, 0))], -1) \
        if len(levels) else -1
    out["level_name"] = [LEVEL_NAMES[i] if i >= 0 else "" for i in out["level"]]
    return out[["year", "facility_index", "level", "level_name", "claims_revenue", "capitation", "budget_share",
                "revenue", "fund_to_provider", "oop_payment", "total_cost", "cost", "margin"]]
