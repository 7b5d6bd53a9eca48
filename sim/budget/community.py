"""Run the global budget over every community and year (``docs/sources/payment_rules.md`` §3, §7.3).

Inputs are priced claims aggregated by :func:`sim.settlement.settle.settle`; this module knows nothing
of the claims schema. Years run in order because each year's base rolls from the past (history,
then the simulated years' own spending) and the risk fund carries over.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.budget.annual import annual_total, capped_growth
from sim.config.budget import BudgetConfig
from sim.budget.performance import performance_score
from sim.budget.year_end import MONTHS, settle_year
from sim.codes import COUNTY, TOWNSHIP

BUDGET_COLUMNS = (
    "community", "year", "history_base", "growth", "budget_total", "deposit", "risk_fund_accrued", "prepaid",
    "in_community_claims", "capitation", "out_of_community_claims", "spent", "surplus", "in_county_rate",
    "primary_fund_share", "cost_growth", "performance_score", "deposit_returned", "deposit_forfeited",
    "retained_surplus", "unretained_surplus", "reasonable_overspend", "pool_overspend_share", "risk_fund_draw",
    "pool_general_share", "community_overspend_share", "net_result", "share_county", "share_township", "share_village",
    "risk_fund_opening", "risk_fund_balance", "settlement_transfer")


def _history(history, community: int, cfg: BudgetConfig) -> list[float]:
    if history is None:
        return list(cfg.history_yuan)
    if isinstance(history, Mapping):
        return list(history.get(community, cfg.history_yuan))
    return list(history)


def run_budget(package: pd.DataFrame, capitation: pd.DataFrame, activity: pd.DataFrame,
               cfg: BudgetConfig | Mapping[int, BudgetConfig], years: Sequence[int],
               history: Sequence[float] | Mapping[int, Sequence[float]] | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annual totals and year-end settlements of every community.

    Parameters
    ----------
    package : fund payments for the package's insured: ``community, year, level, fund`` (yuan), every year.
    capitation : ``community, year, level, amount`` (yuan per year), charged to the package.
    activity : ``community, year, in_county, contacts`` (visits + stays of the insured).
    cfg : ``budget`` config, or one per year (``{year: cfg}``: a reform switches the budget on later; years
        without a budget add their spending to the history of the first budget year).
    years : years, in order.
    history : past spending (yuan per year, oldest first) for every community, or ``{community: [...]}``;
        None = ``history_yuan`` of the first budget year's config.

    Returns
    -------
    budget : one row per community and budget year (:data:`BUDGET_COLUMNS`).
    schedule : ``community, year, month, prepayment, deposit, risk`` (yuan).
    """
    cfgs = {y: cfg for y in years} if isinstance(cfg, BudgetConfig) else dict(cfg)
    first_on = next((y for y in years if cfgs[y].enabled), None)
    by = ["community", "year"]
    fund = package.assign(
        in_c=np.where(package["level"] <= COUNTY, package["fund"], 0.0),
        out_c=np.where(package["level"] > COUNTY, package["fund"], 0.0),
        prim=np.where(package["level"] <= TOWNSHIP, package["fund"], 0.0)).groupby(by)[["in_c", "out_c", "prim"]].sum()
    cap = capitation.assign(prim=np.where(capitation["level"] <= TOWNSHIP, capitation["amount"], 0.0)
                            ).groupby(by)[["amount", "prim"]].sum()
    act = activity.groupby(by)[["in_county", "contacts"]].sum()
    communities = sorted(set(fund.index.get_level_values(0)) | set(cap.index.get_level_values(0))
                         | set(act.index.get_level_values(0))) or [0]
    rows, sched_rows = [], []

    def val(table, key, col):
        return float(table.at[key, col]) if key in table.index else 0.0

    for c in communities:
        if first_on is None:
            break
        past = _history(history, c, cfgs[first_on])
        risk = cfgs[first_on].risk_fund_opening_balance
        prev_total = None
        prev_spent = past[-1] if past else float("nan")
        for y in years:
            key = (c, y)
            cy = cfgs[y]
            cap_y = val(cap, key, "amount")
            in_c = val(fund, key, "in_c") + cap_y
            out_c = val(fund, key, "out_c")
            spent = in_c + out_c
            if cy.enabled:
                base, total = annual_total(past if past else [spent], prev_total, prev_total is None, cy)
                contacts = val(act, key, "contacts")
                in_rate = val(act, key, "in_county") / contacts if contacts else float("nan")
                prim = (val(fund, key, "prim") + val(cap, key, "prim")) / spent if spent else float("nan")
                growth = spent / prev_spent - 1 if prev_spent and not np.isnan(prev_spent) else float("nan")
                score = performance_score(in_rate, prim, growth, cy.performance)
                s = settle_year(total, in_c, out_c, score, risk, cy)
                sched = s.pop("schedule")
                rows.append({**s, "community": c, "year": y, "history_base": base, "growth": capped_growth(cy),
                             "in_community_claims": in_c - cap_y, "capitation": cap_y,
                             "out_of_community_claims": out_c, "in_county_rate": in_rate, "primary_fund_share": prim,
                             "cost_growth": growth, "performance_score": score})
                sched_rows.append(pd.DataFrame({"community": c, "year": y, "month": np.arange(1, MONTHS + 1),
                                                **sched}))
                risk = s["risk_fund_balance"]
                prev_total = total
            prev_spent = spent
            past = past + [spent]
    budget = pd.DataFrame(rows, columns=list(BUDGET_COLUMNS))
    schedule = pd.concat(sched_rows, ignore_index=True) if sched_rows else \
        pd.DataFrame(columns=["community", "year", "month", "prepayment", "deposit", "risk"])
    return budget, schedule
