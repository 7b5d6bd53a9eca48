"""Run the global budget of every community, one year at a time (``docs/sources/payment_rules.md`` §3, §7.3).

Inputs are priced claims aggregated by :mod:`sim.settlement.settle`; this module knows nothing of the
claims schema. Each year's base rolls from the past (history, then the simulated years' own spending of the
package's schemes) and the risk fund carries over: a :class:`BudgetState` holds what one year hands the next,
so a runner closes each year once (:func:`run_budget_year`); :func:`run_budget` runs whole tables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.budget.annual import annual_total, capped_growth, uncapped_growth
from sim.budget.performance import indicator_scores, performance_score
from sim.budget.year_end import MONTHS, settle_year
from sim.codes import COUNTY, TOWNSHIP
from sim.config.budget import INDICATORS, BudgetConfig

BUDGET_COLUMNS = (
    "community", "year", "history_base", "growth", "growth_uncapped", "pool_growth", "budget_total", "deposit",
    "risk_fund_accrued", "prepaid", "settlement_target", "in_community_claims", "capitation",
    "out_of_community_claims", "spent", "surplus", *INDICATORS, *(f"score_{k}" for k in INDICATORS),
    "performance_score", "deposit_returned", "deposit_forfeited", "retained_surplus", "unretained_surplus",
    "reasonable_overspend", "shock_excess", "shock_overspend", "behaviour_overspend", "pool_overspend_share",
    "risk_fund_draw", "pool_general_share", "community_overspend_share", "net_result", "share_county",
    "share_township", "share_village", "risk_fund_opening", "risk_fund_balance", "settlement_transfer")
SCHEDULE_COLUMNS = ["community", "year", "month", "prepayment", "deposit", "risk"]
#: optional activity columns (counts of the package's insured's claims) behind the indicators
ACTIVITY_COLUMNS = ("contacts", "in_county", "visits_in_county", "visits_primary", "up_referrals", "down_referrals",
                    "admissions", "readmissions", "oop", "total_cost")


@dataclass
class BudgetState:
    """What a year's settlement hands the next, by community: spending of every scheme in each simulated year
    (so a package that takes a scheme in has its history), capitation, last total, risk-fund balance."""

    fund: dict[int, list[dict[int, float]]] = field(default_factory=dict)
    capitation: dict[int, list[float]] = field(default_factory=dict)
    history: dict[int, list[float]] = field(default_factory=dict)
    prev_total: dict[int, float] = field(default_factory=dict)
    risk: dict[int, float] = field(default_factory=dict)
    shock: dict[int, list[float]] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)

    def series(self, community: int, schemes: Sequence[int], net_of_shocks: bool = False) -> list[float]:
        """Spending of the package's schemes (claims + capitation) by year: history, then simulated years;
        ``net_of_shocks``: less the spending the year's shocks caused (what the trend is made of)."""
        shocks = self.shock.get(community, [])
        by_year = zip(self.fund.get(community, []), self.capitation.get(community, []))
        sim_years = [sum(f.get(s, 0.0) for s in schemes) + cap
                     - (shocks[i] if net_of_shocks and i < len(shocks) else 0.0)
                     for i, (f, cap) in enumerate(by_year)]
        return list(self.history.get(community, [])) + sim_years


def _history(history, community: int, cfg: BudgetConfig) -> list[float]:
    if history is None:
        return list(cfg.history_yuan)
    if isinstance(history, Mapping):
        return list(history.get(community, cfg.history_yuan))
    return list(history)


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def pool_growth(state: BudgetState, schemes: Sequence[int]) -> float:
    """The pool's fund-spending growth in the last closed year (package schemes, all communities), net of the
    spending shocks caused (an epidemic year neither raises the next cap nor, once over, cuts the one after):
    NaN while fewer than two years are known."""
    num = den = 0.0
    for c in set(state.fund) | set(state.history):
        s = state.series(c, schemes, net_of_shocks=True)
        if len(s) >= 2:
            num, den = num + s[-1], den + s[-2]
    return num / den - 1.0 if den > 0 else float("nan")


def run_budget_year(fund: pd.DataFrame, capitation: pd.DataFrame, activity: pd.DataFrame, cfg: BudgetConfig,
                    year: int, state: BudgetState, history=None, income_growth: float | None = None,
                    shock_excess: Mapping[int, float] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Settle one year of every community and record its spending in ``state``.

    Parameters
    ----------
    fund : the year's fund payments of every scheme: ``community, level, scheme, fund`` (yuan; ``scheme``
        optional: without it every row belongs to the package).
    capitation : ``community, level, amount`` (yuan per year), charged to the package.
    activity : the package's insured's ``community`` and :data:`ACTIVITY_COLUMNS` (``contacts, in_county``
        at least; a missing column leaves its indicator unknown, which scores 1).
    cfg : the year's ``budget`` config (off: the spending only joins the history).
    state : carried from the previous year, updated in place.
    history : past spending (yuan per year, oldest first), or ``{community: [...]}``; None = ``history_yuan``.
    income_growth : growth of the package schemes' fund income this year ('income' growth).
    shock_excess : ``{community: yuan}`` of fund spending the year's shocks caused.
    """
    schemes = cfg.scheme_codes()
    if "scheme" not in fund:
        fund = fund.assign(scheme=schemes[0])
    communities = sorted(set(fund["community"].astype(int)) | set(capitation["community"].astype(int))
                         | set(activity["community"].astype(int)) | set(state.fund)) or [0]
    for c in communities:
        if cfg.enabled and c not in state.history and c not in state.prev_total:
            state.history[c] = _history(history, c, cfg)
    g_pool = pool_growth(state, schemes)
    rows, sched_rows = [], []
    for c in communities:
        f = fund[fund["community"] == c]
        lv, sc, amt = (f[k].to_numpy() for k in ("level", "scheme", "fund"))
        in_pkg = np.isin(sc, schemes)
        cp = capitation[capitation["community"] == c]
        cap_y = float(cp["amount"].sum())
        in_c = float(amt[in_pkg & (lv <= COUNTY)].sum()) + cap_y
        out_c = float(amt[in_pkg & (lv > COUNTY)].sum())
        spent = in_c + out_c
        if cfg.enabled:
            past = state.series(c, schemes)
            prev_spent = past[-1] if past else float("nan")
            first = c not in state.prev_total
            risk = cfg.risk_fund_opening_balance if first else state.risk[c]
            g = capped_growth(cfg, g_pool, income_growth)
            base, total = annual_total(past if past else [spent], state.prev_total.get(c), first, cfg, g)
            a = activity[activity["community"] == c]
            col = {k: float(a[k].sum()) if k in a else float("nan") for k in ACTIVITY_COLUMNS}
            prim = float(amt[in_pkg & (lv <= TOWNSHIP)].sum()) + float(cp.loc[cp["level"] <= TOWNSHIP, "amount"].sum())
            values = {"in_county_rate": _ratio(col["in_county"], col["contacts"]),
                      "primary_fund_share": _ratio(prim, spent),
                      "primary_visit_share": _ratio(col["visits_primary"], col["visits_in_county"]),
                      "referral_ratio": _ratio(col["down_referrals"], col["up_referrals"]),
                      "readmission_rate": _ratio(col["readmissions"], col["admissions"]),
                      "cost_growth": (spent / prev_spent - 1 if prev_spent and not math.isnan(prev_spent)
                                      else float("nan")),
                      "oop_rate": _ratio(col["oop"], col["total_cost"])}
            score = performance_score(values, cfg.performance)
            s = settle_year(total, in_c, out_c, score, risk, cfg, (shock_excess or {}).get(c, 0.0))
            sched = s.pop("schedule")
            by_indicator = {f"score_{k}": v for k, v in indicator_scores(values, cfg.performance).items()}
            rows.append({**s, **values, **by_indicator,
                         "community": c, "year": year, "history_base": base, "growth": g,
                         "growth_uncapped": uncapped_growth(cfg, income_growth), "pool_growth": g_pool,
                         "in_community_claims": in_c - cap_y, "capitation": cap_y, "out_of_community_claims": out_c,
                         "performance_score": score})
            sched_rows.append(pd.DataFrame({"community": c, "year": year, "month": np.arange(1, MONTHS + 1), **sched}))
            state.risk[c] = s["risk_fund_balance"]
            state.prev_total[c] = total
        by_scheme = pd.Series(amt).groupby(sc).sum().to_dict() if len(amt) else {}
        state.fund.setdefault(c, []).append({int(k): float(v) for k, v in by_scheme.items()})
        state.capitation.setdefault(c, []).append(cap_y)
        state.shock.setdefault(c, []).append(float((shock_excess or {}).get(c, 0.0)))
    state.years.append(year)
    budget = pd.DataFrame(rows, columns=list(BUDGET_COLUMNS))
    schedule = pd.concat(sched_rows, ignore_index=True) if sched_rows else pd.DataFrame(columns=SCHEDULE_COLUMNS)
    return budget, schedule


def run_budget(package: pd.DataFrame, capitation: pd.DataFrame, activity: pd.DataFrame,
               cfg: BudgetConfig | Mapping[int, BudgetConfig], years: Sequence[int],
               history: Sequence[float] | Mapping[int, Sequence[float]] | None = None,
               state: BudgetState | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annual totals and year-end settlements of every community over ``years`` (:func:`run_budget_year` in turn).

    ``package`` : ``community, year, level, fund`` (and ``scheme``) of every year; ``capitation`` : ``community,
    year, level, amount``; ``activity`` : ``community, year`` and :data:`ACTIVITY_COLUMNS`; ``cfg`` : one config
    or ``{year: cfg}`` (a reform switches the budget on later; years without a budget add their spending to the
    history of the first budget year). Returns ``(budget, schedule)``.
    """
    cfgs = {y: cfg for y in years} if isinstance(cfg, BudgetConfig) else dict(cfg)
    state = state if state is not None else BudgetState()
    out, sched = [], []
    for y in years:
        b, s = run_budget_year(package[package["year"] == y], capitation[capitation["year"] == y],
                               activity[activity["year"] == y], cfgs[y], y, state, history)
        out.append(b)
        sched.append(s)
    return (pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=list(BUDGET_COLUMNS)),
            pd.concat(sched, ignore_index=True) if sched else pd.DataFrame(columns=SCHEDULE_COLUMNS))
