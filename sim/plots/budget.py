"""The global budget 医保基金总额付费 of one year as a waterfall, from ``budget.parquet``.

Annual total → withheld deposit 年度保证金 and risk fund 风险调节金 → monthly prepayments
按月预拨 → in- and out-of-community claims → year-end settlement 年终清算 (deposit
returned by score, risk-fund draw, final transfer) → the community's net result
(结余留用 or its share of an overspend), split county : township : village.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sim.plots.io import NotApplicable, Source, table
from sim.plots.style import LEVEL_COLORS, level_label, new_figure, styled, zh

_SUMS = ("budget_total", "deposit", "risk_fund_accrued", "prepaid", "in_community_claims", "capitation",
         "out_of_community_claims", "spent", "surplus", "deposit_returned", "risk_fund_draw", "settlement_transfer",
         "net_result", "share_county", "share_township", "share_village")
POSITIVE, NEGATIVE, TOTAL = "#4daf4a", "#e41a1c", "#377eb8"


def budget_year(source: Source, year: int | None = None, community: int | None = None) -> pd.Series:
    """One year of ``budget.parquet`` (last year by default), summed over communities unless one is chosen."""
    budget = table(source, "budget")
    if budget.empty:
        raise NotApplicable("budget.parquet is empty (the scenario has no global budget: budget.enabled false)")
    year = int(budget["year"].max()) if year is None else year
    rows = budget[budget["year"] == year]
    if community is not None:
        rows = rows[rows["community"] == community]
    if rows.empty:
        raise NotApplicable(f"budget.parquet has no row for year {year}"
                            + (f", community {community}" if community is not None else ""))
    out = rows[[c for c in _SUMS if c in rows]].sum()
    out["year"], out["communities"] = year, len(rows)
    out["performance_score"] = rows["performance_score"].mean() if "performance_score" in rows else np.nan
    return out


def waterfall_steps(b: pd.Series) -> list[tuple[str, float, str]]:
    """``(label, amount, kind)`` of each bar; kind is ``total`` (drawn from zero) or ``step`` (a change).

    The steps add up: total − deposit − risk fund = prepaid; prepaid − claims + deposit returned + risk-fund
    draw + settlement transfer = net result.
    """
    in_claims = b.get("in_community_claims", 0.0) + b.get("capitation", 0.0)
    steps = [
        (zh("Annual total", "总额"), b["budget_total"], "total"),
        (zh("Deposit", "保证金"), -b["deposit"], "step"),
        (zh("Risk fund", "风险调节金"), -b["risk_fund_accrued"], "step"),
        (zh("Prepaid", "预拨"), b["prepaid"], "total"),
        (zh("Claims in\ncommunity", "医共体内"), -in_claims, "step"),
        (zh("Claims out of\ncommunity", "医共体外"), -b["out_of_community_claims"], "step"),
        (zh("Deposit\nreturned", "返还"), b["deposit_returned"], "step"),
        (zh("Risk-fund\ndraw", "调节金补偿"), b.get("risk_fund_draw", 0.0), "step"),
        (zh("Year-end\ntransfer", "年终清算"), b["settlement_transfer"], "step"),
        (zh("Net result", "结余/超支"), b["net_result"], "total"),
    ]
    return [s for s in steps if s[2] == "total" or abs(s[1]) > 0]


@styled
def budget_waterfall(source: Source, year: int | None = None, community: int | None = None):
    """Waterfall of the community's global budget in one year, and the net result's split by level.

    Parameters
    ----------
    source : a Result or run folder with ``budget.parquet`` (a scenario with ``budget.enabled``).
    year : simulation year (default: the last). community : one community (default: all, summed).
    """
    b = budget_year(source, year, community)
    steps = waterfall_steps(b)
    fig, (ax, ax_split) = new_figure(4.6, ncols=2, width_ratios=[4.2, 1])
    scale = 1e-6
    level, seen = 0.0, [0.0]
    for i, (_label, amount, kind) in enumerate(steps):
        if kind == "total":
            bottom, height, color = 0.0, amount, TOTAL
            level = amount
        else:
            bottom, height, color = level, amount, POSITIVE if amount >= 0 else NEGATIVE
            level += amount
        ax.bar(i, height * scale, bottom=bottom * scale, color=color, width=0.7, edgecolor="white")
        seen += [bottom, bottom + height]
        top = max(bottom, bottom + height) * scale
        ax.annotate(f"{amount * scale:+,.1f}" if kind == "step" else f"{amount * scale:,.1f}", (i, top),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=7.5)
        if i < len(steps) - 1:
            ax.plot([i + 0.35, i + 0.65], [level * scale] * 2, color="grey", lw=0.6)
    ax.axhline(0, color="black", lw=0.6)
    lo, hi = min(seen) * scale, max(seen) * scale
    ax.set_ylim(lo - 0.05 * (hi - lo), hi + 0.08 * (hi - lo))
    ax.set_xticks(range(len(steps)), [s[0] for s in steps], fontsize=7.5)
    ax.set_ylabel("million yuan")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(handles=[Patch(color=TOTAL, label="total / subtotal"), Patch(color=POSITIVE, label="inflow"),
                       Patch(color=NEGATIVE, label="outflow")], loc="upper right")
    shares = [("county", 2), ("township", 1), ("village", 0)]
    values = [b.get(f"share_{name}", 0.0) * scale for name, _ in shares]
    ax_split.bar(range(3), values, color=[LEVEL_COLORS[lv] for _, lv in shares], width=0.7)
    for i, v in enumerate(values):
        ax_split.annotate(f"{v:+,.2f}", (i, v), xytext=(0, 2 if v >= 0 else -2), textcoords="offset points",
                          ha="center", va="bottom" if v >= 0 else "top", fontsize=7.5)
    ax_split.axhline(0, color="black", lw=0.6)
    ax_split.margins(y=0.12)
    ax_split.set_ylabel("million yuan")
    ax_split.set_xticks(range(3), [level_label(lv).replace(" ", "\n", 1) for _, lv in shares], fontsize=7.5)
    ax_split.set_title(zh("Net result by level", "结余分配"), fontsize=9)
    ax_split.grid(axis="y", alpha=0.3)
    who = f"community {community}" if community is not None else (
        "the community" if b["communities"] == 1 else f"{int(b['communities'])} communities")
    surplus = b["surplus"]
    score = b["performance_score"]
    fig.suptitle(zh("Global budget", "医保基金总额付费") + f", year {int(b['year'])}, {who}\n"
                 f"{'surplus' if surplus >= 0 else 'overspend'} {abs(surplus) * scale:,.1f} million yuan "
                 f"({surplus / b['budget_total']:+.1%} of the total)"
                 + (f", performance score {score:.2f}" if not np.isnan(score) else ""), x=0.01, ha="left",
                 fontweight="bold")
    return fig


@styled
def budget_fund(source: Source, community: int | None = None):
    """The fund over the years: the budget against spending (with the deposit returned and the risk fund), the
    performance score by indicator, and the pool's balance in months of reserve.

    Parameters
    ----------
    source : a Result or run folder with ``budget.parquet`` (and ``pool.parquet`` for the pool's panel).
    community : one community (default: all, summed; scores weighted by the budget).
    """
    from sim.config.budget import INDICATORS

    budget = table(source, "budget")
    if budget.empty:
        raise NotApplicable("budget.parquet is empty (the scenario has no global budget: budget.enabled false)")
    if community is not None:
        budget = budget[budget["community"] == community]
    by = budget.groupby("year")
    sums = by[["budget_total", "spent", "deposit", "deposit_returned", "risk_fund_balance", "shock_overspend",
               "net_result"]].sum()
    w = budget["budget_total"]
    scores = budget[[f"score_{k}" for k in INDICATORS if f"score_{k}" in budget]].mul(w, axis=0) \
        .groupby(budget["year"]).sum().div(by["budget_total"].sum(), axis=0)
    fig, (ax, ax_s, ax_p) = new_figure(4.2, ncols=3, width_ratios=[1.3, 1.2, 1])
    years = sums.index.to_numpy()
    scale = 1e-6
    ax.bar(years - 0.2, sums["budget_total"] * scale, 0.4, color=TOTAL, label="budget B")
    ax.bar(years + 0.2, sums["spent"] * scale, 0.4, color="#999999", label="spent")
    ax.plot(years, sums["risk_fund_balance"] * scale, "o-", color="#984ea3", label="risk fund balance")
    ax.plot(years, sums["deposit_returned"] * scale, "s--", color=POSITIVE, label="deposit returned")
    ax.set_xlabel("year")
    ax.set_ylabel("million yuan")
    ax.set_title(zh("Budget and spending", "总额与支出"), fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(axis="y", alpha=0.3)
    bottom = np.zeros(len(scores))
    weights = {}
    for k in INDICATORS:
        col = f"score_{k}"
        if col not in scores:
            continue
        from sim.config.budget import PerformanceConfig
        weights[k] = getattr(PerformanceConfig(), k).weight
        part = scores[col].to_numpy() * weights[k]
        ax_s.bar(scores.index, part, bottom=bottom, label=k.replace("_", " "))
        bottom += part
    ax_s.set_ylim(0, 1.05)
    for a in (ax, ax_s, ax_p):
        a.set_xticks(years)
    ax_s.set_xlabel("year")
    ax_s.set_ylabel("score (weighted indicator scores)")
    ax_s.set_title(zh("Performance score by indicator", "绩效考核"), fontsize=9)
    ax_s.legend(fontsize=6, loc="lower left")
    try:
        pool = table(source, "pool")
    except NotApplicable:
        pool = pd.DataFrame()
    if len(pool):
        p = pool.groupby("year")[["balance", "spending", "income"]].sum()
        ax_p.bar(p.index, p["balance"] / (p["spending"] / 12), color="#ff7f00")
        ax_p.set_ylabel("months of payments the balance covers")
        ax_p.set_title(zh("Pool reserve", "基金累计结存"), fontsize=9)
        ax_p.set_xlabel("year")
    else:
        ax_p.text(0.5, 0.5, "no pool table", ha="center", va="center", transform=ax_p.transAxes)
    fig.suptitle(zh("Insurance fund", "医保基金") + ": budget, score and reserve", x=0.01, ha="left",
                 fontweight="bold")
    return fig
