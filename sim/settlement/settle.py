"""The payment and budget engine's entry point: price a claims table, run the budget, keep the ledger.

::

    from sim.settlement import PaymentRules, settle
    s = settle(inpatient, outpatient, PaymentRules())      # or settle(..., scenario_config)
    s.inpatient, s.outpatient      # claims with fund, out-of-pocket, provider payment, cost, margin
    s.budget, s.ledger, s.checks   # community-years, every flow, balance checks
    s.facility_finances, s.kpis    # facility-year revenue/cost/margin; budget KPIs by year
    s.pool                         # the fund's income, spending, balance and reserve by year and scheme

Works on plain pandas tables (see ``docs/payment.md``); :func:`sim.simulation.collect` calls it for a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.budget.community import BUDGET_COLUMNS, BudgetState, run_budget_year
from sim.budget.ledger import build_ledger, check_ledger, ledger_balanced, payer_outflow
from sim.budget.pool import POOL_COLUMNS, PoolState, income_growth, pool_year
from sim.codes import CHRONIC, COUNTY, DOWN_PATHS, LEVEL_NAMES, TOWNSHIP, UP_PATHS, VILLAGE
from sim.config.budget import INDICATORS, BudgetConfig
from sim.config.insurance import CostSharingConfig
from sim.config.payment import FacilityPaymentConfig
from sim.payment.base_groups import resolve_base_groups
from sim.payment.capitation import (
    allocate_to_facilities,
    capitation_by_level,
    care_cost_table,
    enrolled_table,
    split_capitation,
)
from sim.payment.facility_payment import price_inpatient, price_outpatient


@dataclass(frozen=True)
class PaymentRules:
    """The three rule sections the engine applies (the scenario's ``insurance``, ``payment``, ``budget``)."""

    insurance: CostSharingConfig = field(default_factory=CostSharingConfig)
    payment: FacilityPaymentConfig = field(default_factory=FacilityPaymentConfig)
    budget: BudgetConfig = field(default_factory=BudgetConfig)

    @classmethod
    def of(cls, rules: Any) -> PaymentRules:
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
    pool : the pooled fund by year and scheme (:data:`sim.budget.pool.POOL_COLUMNS`); empty without enrolment.
    """

    inpatient: pd.DataFrame
    outpatient: pd.DataFrame
    budget: pd.DataFrame
    ledger: pd.DataFrame
    checks: pd.DataFrame
    facility_finances: pd.DataFrame
    kpis: dict[str, dict]
    info: dict
    pool: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(POOL_COLUMNS)))
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
    """Priced claims stacked: ``community, year, month, facility_index, level, scheme, fund, oop, contacts, ...``;
    ``inpatient`` marks stay segments, ``condition_index``, ``path_code``, ``segment``, ``readmission`` where known."""
    cols = ["community", "year", "month", "facility_index", "level", "scheme", "total_cost", "fund_to_provider",
            "oop_payment", "provider_payment", "facility_cost"]
    extra = ["condition_index", "path_code", "segment", "readmission"]
    ip_c = ip[cols + [c for c in extra if c in ip]].assign(contacts=1, inpatient=True)
    op_c = op[cols + [c for c in ("condition_index",) if c in op]].assign(
        contacts=op.get("visits", 1), inpatient=False)
    stacked = pd.concat([ip_c, op_c], ignore_index=True)
    stacked = stacked.astype({"community": np.int64, "year": np.int64, "month": np.int64, "level": np.int64,
                              "facility_index": np.int64, "scheme": np.int64})
    return stacked.rename(columns={"fund_to_provider": "fund", "oop_payment": "oop"})


def _activity(pkg: pd.DataFrame) -> pd.DataFrame:
    """The package's insured's counts behind the performance indicators, by community
    (:data:`sim.budget.community.ACTIVITY_COLUMNS`; a count the claims cannot give is left out)."""
    lv = pkg["level"].to_numpy()
    inp = pkg["inpatient"].to_numpy(bool)
    contacts = pkg["contacts"].to_numpy(float)
    cols = {"contacts": contacts, "in_county": np.where(lv <= COUNTY, contacts, 0.0),
            "visits_in_county": np.where(~inp & (lv <= COUNTY), contacts, 0.0),
            "visits_primary": np.where(~inp & (lv <= TOWNSHIP), contacts, 0.0),
            "oop": pkg["oop"].to_numpy(float), "total_cost": pkg["total_cost"].to_numpy(float)}
    if "path_code" in pkg:
        path = pkg["path_code"].to_numpy()
        cols["up_referrals"] = (inp & np.isin(path, UP_PATHS)).astype(float)
        cols["down_referrals"] = (inp & np.isin(path, DOWN_PATHS)).astype(float)
    if "segment" in pkg and "readmission" in pkg:
        first = inp & (pkg["segment"].fillna(-1).to_numpy() == 0)
        cols["admissions"] = first.astype(float)
        cols["readmissions"] = (first & pkg["readmission"].fillna(False).to_numpy(bool)).astype(float)
    return pd.DataFrame({"community": pkg["community"].to_numpy(np.int64), **cols}).groupby(
        "community", as_index=False).sum()


def _shock_excess(money: pd.DataFrame, shocks: Sequence, year: int, codes: Sequence[str] | None) -> dict[int, float]:
    """``{community: yuan}``: fund spending the year's shocks caused, as the pool estimates it: on the claims a
    shock touches (its months; its conditions), fund × (1 − 1 / multiplier) (none for a multiplier below 1)."""
    out: dict[int, float] = {}
    for sh in shocks or ():
        if sh.year != year or sh.multiplier <= 1:
            continue
        sel = money["month"].isin(sh.months).to_numpy()
        if sh.conditions and codes is not None and "condition_index" in money:
            wanted = [i for i, c in enumerate(codes) if c in sh.conditions]
            sel &= money["condition_index"].isin(wanted).to_numpy()
        part = money.loc[sel].groupby("community")["fund"].sum() * (1.0 - 1.0 / sh.multiplier)
        for c, v in part.items():
            out[int(c)] = out.get(int(c), 0.0) + float(v)
    return out


def apply_price_shocks(claims: pd.DataFrame, shocks: Sequence, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Claims with ``total_cost`` × multiplier where a price shock (:class:`sim.config.shocks.Shock`) covers their
    year and month (and condition, when the shock names some); the table itself when no shock applies."""
    price = [s for s in (shocks or ()) if s.kind == "price"]
    if not price or not len(claims):
        return claims
    factor = np.ones(len(claims))
    yr, mo = claims["year"].to_numpy(), claims["month"].to_numpy()
    for sh in price:
        sel = (yr == sh.year) & np.isin(mo, sh.months)
        if sh.conditions and codes is not None and "condition_index" in claims:
            wanted = [i for i, c in enumerate(codes) if c in sh.conditions]
            sel &= np.isin(claims["condition_index"].to_numpy(), wanted)
        factor[sel] *= sh.multiplier
    if (factor == 1).all():
        return claims
    return claims.assign(total_cost=claims["total_cost"].to_numpy(float) * factor)


def _budget_weighted(b: pd.DataFrame, col: str, total: float) -> float:
    """``col`` averaged over the year's budget rows ``b`` weighted by their ``budget_total`` (summing to ``total``);
    the plain mean when the budgets total zero."""
    return float((b[col] * b["budget_total"]).sum() / total) if total else float(b[col].mean())


def _kpis(years: Sequence[int], budget: pd.DataFrame, capitation: pd.DataFrame, ip: pd.DataFrame,
          op: pd.DataFrame, checks: pd.DataFrame, pool: pd.DataFrame | None = None) -> dict[str, dict]:
    out = {}
    for y in years:
        b = budget[budget["year"] == y]
        # inpatient and outpatient summed apart, as in sim.results.kpis (same sums for either outpatient layout)
        fund = ip.loc[ip["year"] == y, "fund_to_provider"].sum() + op.loc[op["year"] == y, "fund_to_provider"].sum()
        k: dict[str, Any] = {"fund_to_provider": float(fund),
                             "ledger_balanced": ledger_balanced(checks[checks["year"] == y]),
                             "capitation": float(capitation.loc[capitation["year"] == y, "amount"].sum())}
        if "care_cost" in capitation:
            c = capitation[capitation["year"] == y]
            k["capitation_care_cost"] = float(c["care_cost"].sum())
            k["capitation_surplus"] = float(c["amount"].sum() - c["care_cost"].sum())
            k["capitation_surplus_by_level"] = {LEVEL_NAMES[lv]: float(c.loc[c["level"] == lv, "surplus_part"].sum())
                                                for lv in (VILLAGE, TOWNSHIP, COUNTY)}
        if len(b):
            total = float(b["budget_total"].sum())
            k.update(budget_total=total, budget_surplus=float(b["surplus"].sum()),
                     surplus_share_by_level={n: float(b[f"share_{n}"].sum())
                                             for n in ("county", "township", "village")},
                     risk_fund_balance=float(b["risk_fund_balance"].sum()),
                     performance_score=_budget_weighted(b, "performance_score", total),
                     budget_spent=float(b["spent"].sum()), budget_growth=_budget_weighted(b, "growth", total),
                     deposit=float(b["deposit"].sum()), deposit_returned=float(b["deposit_returned"].sum()),
                     retained_surplus=float(b["retained_surplus"].sum()),
                     reasonable_overspend=float(b["reasonable_overspend"].sum()),
                     shock_overspend=float(b["shock_overspend"].sum()),
                     behaviour_overspend=float(b["behaviour_overspend"].sum()),
                     risk_fund_draw=float(b["risk_fund_draw"].sum()),
                     budget_net_result=float(b["net_result"].sum()),
                     score_by_indicator={i: _budget_weighted(b, f"score_{i}", total) for i in INDICATORS})
        else:  # None, not NaN: summaries of two runs without a budget compare equal
            k.update(budget_total=None, budget_surplus=None, surplus_share_by_level={}, risk_fund_balance=None,
                     performance_score=None)
        if pool is not None and len(pool):
            p = pool[pool["year"] == y]
            if len(p):
                spend = float(p["spending"].sum())
                bal = float(p["balance"].sum())
                k.update(pool_income=float(p["income"].sum()), pool_spending=spend, pool_balance=bal,
                         pool_reserve_months=bal / (spend / 12.0) if spend > 0 else None,
                         pool_enrollees=float(p["enrollees"].sum()))
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


def _chronic(chronic_condition, casemix, inpatient, outpatient) -> np.ndarray:
    if chronic_condition is None:
        if casemix is not None:
            return np.asarray(casemix.setting) == CHRONIC
        n_cond = int(max(inpatient["condition_index"].max() if len(inpatient) else -1,
                         outpatient["condition_index"].max() if len(outpatient) else -1)) + 1
        return np.zeros(max(n_cond, 1), dtype=bool)
    return np.asarray(chronic_condition, dtype=bool)


class YearBooks:
    """The budget's and the pool's books, closed one year at a time (年终清算).

    Carries from year to year what the next year needs: the spending history of every scheme (the base),
    last year's total, the risk fund's balance (:class:`sim.budget.community.BudgetState`) and the pool's
    balance (:class:`sim.budget.pool.PoolState`). :meth:`close` settles one year's priced claims;
    :func:`combine` assembles the closed years into one :class:`Settlement`.

    Parameters
    ----------
    history : past fund spending of the package's insured (see :func:`settle`).
    enrollees : ``{scheme: residents enrolled}`` (0 resident, 1 employee) for the pool's income; None = no pool.
    shocks : the scenario's shocks (:class:`sim.config.shocks.Shock`), for the settlement to tell a shock's
        overspend from behaviour's. codes : condition codes (shocks naming conditions).
    """

    def __init__(self, history=None, enrollees: Mapping[int, float] | None = None, shocks: Sequence = (),
                 codes: Sequence[str] | None = None):
        self.history = history
        self.enrollees = dict(enrollees) if enrollees else None
        self.shocks = list(shocks or ())
        self.codes = list(codes) if codes is not None else None
        self.state = BudgetState()
        self.pool_state = PoolState()
        self.closed: list[Settlement] = []

    def close(self, ip: pd.DataFrame, op: pd.DataFrame, rules: PaymentRules, year: int, *, capitation_enrolled=None,
              facility_level: np.ndarray | None = None, cap_mode: str = "none",
              base_codes: frozenset[str] = frozenset()) -> Settlement:
        """Settle ``year`` from its priced claims (``ip``, ``op``: priced by :func:`price_claims`)."""
        r = PaymentRules.of(rules)
        ip, op = _with_community(ip).reset_index(drop=True), _with_community(op).reset_index(drop=True)
        if r.payment.capitation.enabled and capitation_enrolled is None:
            raise ValueError("payment.capitation.enabled is true but no capitation_enrolled counts were given")
        enrolled = enrolled_table(capitation_enrolled, [year])
        # the capitation by level: each level's care of the enrolled back, then the surplus split (or the whole
        # payment split, split_basis 'payment'); ``cap_split`` keeps the two parts for the facilities and KPIs
        cap_split = split_capitation(capitation_by_level(enrolled[enrolled["year"] == year], r.payment.capitation),
                                     care_cost_table(op), r.payment.capitation)
        cap_level = cap_split[["community", "year", "level", "amount"]]
        money = _money(ip, op)
        in_scheme = money["scheme"].isin(r.budget.scheme_codes()).to_numpy()
        on = r.budget.enabled
        money["package"] = in_scheme & on
        monthly = money.groupby(["community", "year", "month", "level", "package"],
                                as_index=False)[["fund", "oop"]].sum()
        income_g = income_growth(self.enrollees, r.budget.scheme_codes(), year, r.budget.pool)
        shock = _shock_excess(money[in_scheme], self.shocks, year, self.codes)
        budget, schedule = run_budget_year(
            money.groupby(["community", "level", "scheme"], as_index=False)["fund"].sum(),
            cap_level, _activity(money[in_scheme]) if in_scheme.any() else pd.DataFrame({"community": []}),
            r.budget, year, self.state, self.history, income_g, shock)
        cap_level = cap_level.assign(package=on and len(budget) > 0)
        ledger = build_ledger(monthly, cap_level, budget if on else None, schedule if on else None)
        checks = check_ledger(ledger, monthly, cap_level, budget if on else None, r.budget.risk_fund_cap_months)
        pool = None
        if self.enrollees is not None and r.budget.pool.enabled:
            by_scheme = money.groupby("scheme")["fund"].sum().to_dict()
            pool = pool_year(year, self.enrollees, {int(k): float(v) for k, v in by_scheme.items()},
                             float(cap_level["amount"].sum()), float(budget["net_result"].sum()) if on else 0.0,
                             r.budget.scheme_codes(), r.budget.pool, self.pool_state)
            checks = pd.concat([checks, pool_checks(pool, ledger, year)], ignore_index=True)
        levels = _facility_levels(ip, op, facility_level)
        fac_cap = _capitation_to_facilities(cap_split, op, levels, r.payment.capitation.split_basis)
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
        pool_t = pool if pool is not None else pd.DataFrame(columns=list(POOL_COLUMNS))
        out = Settlement(inpatient=ip, outpatient=op, budget=budget if on else _empty_budget(), ledger=ledger,
                         checks=checks, facility_finances=finances,
                         kpis=_kpis([year], budget if on else _empty_budget(), cap_split, ip, op, checks, pool),
                         info={"outpatient_caps": cap_mode, "base_groups": sorted(base_codes)}, pool=pool_t)
        self.closed.append(out)
        return out


def _capitation_to_facilities(cap_split: pd.DataFrame, op: pd.DataFrame, levels: np.ndarray,
                              basis: str) -> pd.DataFrame:
    """Each facility's capitation, ``community, year, facility_index, amount`` (yuan): under the surplus rule its
    care part by its own care cost (the fund's share of its capitated follow-ups) and its level's surplus part by
    its share of the level's capitated visits (a deficit part by care cost); under the payment rule the level's
    amount by visits."""
    cap = op.loc[op["capitated"]] if len(op) else op
    ids = cap[["community", "year", "facility_index"]]
    by_visits = ids.assign(weight=cap.get("visits", 1.0))
    key = ["community", "year", "level"]
    if basis != "surplus":
        return allocate_to_facilities(cap_split[key + ["amount"]], by_visits, levels)
    by_care = ids.assign(weight=cap["fund_payment"])
    deficit = cap_split["surplus_part"].to_numpy() < 0      # a deficit is borne pro rata to care: by care again
    care = allocate_to_facilities(cap_split[key].assign(amount=cap_split["care_cost"] + np.where(
        deficit, cap_split["surplus_part"], 0.0)), by_care, levels)
    rest = allocate_to_facilities(cap_split.loc[~deficit, key].assign(
        amount=cap_split.loc[~deficit, "surplus_part"]), by_visits, levels)
    both = pd.concat([care, rest], ignore_index=True)
    return both.groupby(["community", "year", "facility_index"], as_index=False)["amount"].sum() if len(both) \
        else both


def _empty_budget() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=np.int64 if c in ("community", "year") else float) for c in BUDGET_COLUMNS})


def pool_checks(pool: pd.DataFrame, ledger: pd.DataFrame, year: int) -> pd.DataFrame:
    """The pool balances: balance = opening + income − spending (each scheme), and the pool's spending = the
    payer's net outflow in the ledger (every month's flows of the year). Rows as :func:`check_ledger`'s."""
    rows = [("pool_balance", 0, year, 0, float(p["balance_opening"] + p["income"] - p["spending"]), float(p["balance"]),
             float(p["balance"] - (p["balance_opening"] + p["income"] - p["spending"]))) for _, p in pool.iterrows()]
    out = payer_outflow(ledger)
    want = float(pool["spending"].sum())
    rows.append(("pool_spending", 0, year, 0, want, out, out - want))
    return pd.DataFrame(rows, columns=["check", "community", "year", "month", "expected", "actual", "residual"])


def combine(parts: Sequence[Settlement]) -> Settlement:
    """One :class:`Settlement` from the closed years, in order."""
    def cat(name):
        frames = [getattr(p, name) for p in parts if len(getattr(p, name))]
        return pd.concat(frames, ignore_index=True) if frames else getattr(parts[0], name).iloc[0:0]
    kpis: dict[str, dict] = {}
    for p in parts:
        kpis.update(p.kpis)
    modes = sorted({p.info["outpatient_caps"] for p in parts})
    codes = sorted(set().union(*[p.info["base_groups"] for p in parts]))
    ledger = cat("ledger")
    return Settlement(inpatient=cat("inpatient"), outpatient=cat("outpatient"), budget=cat("budget"), ledger=ledger,
                      checks=cat("checks"), facility_finances=cat("facility_finances"), kpis=kpis,
                      info={"outpatient_caps": "/".join(modes), "base_groups": codes}, pool=cat("pool"))


def settle(inpatient: pd.DataFrame, outpatient: pd.DataFrame, rules: Any = None, *, casemix=None,
           chronic_condition: np.ndarray | None = None, facility_level: np.ndarray | None = None,
           capitation_enrolled=None, outpatient_caps: pd.DataFrame | bool | None = None,
           history: Sequence[float] | Mapping[int, Sequence[float]] | None = None,
           years: Sequence[int] | None = None, rules_by_year: Mapping[int, Any] | None = None,
           enrollees: Mapping[int, float] | None = None, shocks: Sequence = ()) -> Settlement:
    """Price claims, settle the global budget and record every flow.

    Parameters
    ----------
    inpatient : one row per stay segment: ``episode_id, segment, condition_index, facility_index, level,
        scheme, year, month, total_cost, unreferred_out`` (caps also use ``resident, discharge_day``;
        per-diem ``path_code, days``; optional ``drg_code``, ``rw``, ``ratio_cut``, ``community``; the
        indicators use ``path_code``, ``segment``, ``readmission`` when present).
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
    enrollees : ``{scheme: enrolled residents}`` (0 resident, 1 employee): keeps the pool's accounts
        (``Settlement.pool``); None = no pool.
    shocks : :class:`sim.config.shocks.Shock` list: price shocks scale the claims' cost; every shock's estimated
        spending is told apart in an overspend.

    Raises
    ------
    ConfigError : an explicit base-group code is not in the case-mix.
    ValueError : capitation is on but no enrolment counts were given.
    """
    base_rules = PaymentRules.of(rules)
    chronic_condition = _chronic(chronic_condition, casemix, inpatient, outpatient)
    codes = list(getattr(casemix, "codes", ())) or None   # condition codes, for shocks naming conditions
    inpatient = apply_price_shocks(inpatient.reset_index(drop=True), shocks, codes)
    outpatient = apply_price_shocks(outpatient.reset_index(drop=True), shocks, codes)
    in_claims = set(inpatient["year"].astype(int)) | set(outpatient["year"].astype(int))
    years = sorted(in_claims | {int(y) for y in (years if years is not None else ())})
    rules_of = {y: PaymentRules.of((rules_by_year or {}).get(y, base_rules)) for y in years}
    if not years:
        rules_of = {0: base_rules}
    if any(r.payment.capitation.enabled for r in rules_of.values()) and capitation_enrolled is None:
        raise ValueError("payment.capitation.enabled is true but no capitation_enrolled counts were given")
    ip, op, cap_mode, base_codes = _price_by_year(inpatient, outpatient, rules_of, casemix, chronic_condition,
                                                   outpatient_caps)
    # the caller's row order is kept: the years are closed one by one, then the claims put back in place
    ip, op = _with_community(ip).assign(_row=np.arange(len(ip))), _with_community(op).assign(_row=np.arange(len(op)))
    books = YearBooks(history, enrollees, shocks, codes)
    iy, oy = ip["year"].to_numpy(), op["year"].to_numpy()
    parts = [books.close(ip[iy == y], op[oy == y], rules_of[y], y, capitation_enrolled=capitation_enrolled,
                         facility_level=facility_level, cap_mode=cap_mode, base_codes=base_codes)
             for y in sorted(rules_of)]
    out = combine(parts)
    for name in ("inpatient", "outpatient"):
        t = getattr(out, name)
        if "_row" in t:
            setattr(out, name, t.sort_values("_row", kind="stable").drop(columns="_row").reset_index(drop=True))
    return out


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
