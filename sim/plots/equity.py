"""Financial protection and equity: catastrophic spending by income quintile, concentration curves.

Both read a run's ``households`` table (one row per household and year, :mod:`sim.results.equity`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.plots.io import NotApplicable, Source, table
from sim.plots.style import ARM_COLORS, new_figure, styled, zh

_THRESHOLDS = (("che_10", "OOP ≥ 10% of consumption"), ("che_25", "OOP ≥ 25% of consumption"),
               ("che_40", "OOP ≥ 40% of capacity to pay"))


def _households(source: Source, year: int | None) -> tuple[pd.DataFrame, int]:
    h = table(source, "households")
    if h is None or len(h) == 0:
        raise NotApplicable("the run has no household table (households.parquet)")
    year = int(h["year"].max()) if year is None else int(year)
    return h[h["year"] == year], year


@styled
def che_by_quintile(source: Source, year: int | None = None):
    """Catastrophic health expenditure 灾难性卫生支出 by per-capita income quintile at the three standard
    thresholds, share of households (%), one year (default the last)."""
    h, year = _households(source, year)
    fig, ax = new_figure(3.8)
    q = np.arange(1, 6)
    width = 0.26
    for i, (col, label) in enumerate(_THRESHOLDS):
        share = h.groupby("income_quintile")[col].mean().reindex(q) * 100
        ax.bar(q + (i - 1) * width, share.to_numpy(), width, color=ARM_COLORS[i + 1], label=label)
    ax.set_xticks(q, ["Q1\npoorest", "Q2", "Q3", "Q4", "Q5\nrichest"])
    ax.set_ylabel("households (%)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(zh("Catastrophic health expenditure by income quintile", "分收入组灾难性卫生支出")
                 + f", year {year}", loc="left", fontweight="bold")
    return fig


def concentration_curve(income: np.ndarray, weight: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative population share (x, persons ranked poorest first) and cumulative share of ``value`` (y)."""
    order = np.argsort(income, kind="stable")
    w, v = weight[order], value[order]
    x = np.concatenate([[0.0], np.cumsum(w) / w.sum()])
    total = v.sum()
    y = np.concatenate([[0.0], np.cumsum(v) / total]) if total else x
    return x, y


@styled
def concentration_curves(source: Source, year: int | None = None):
    """Concentration curves 集中曲线 of out-of-pocket spending, admissions and fund benefit against residents
    ranked by per-capita household income (below the diagonal: concentrated among the richer)."""
    h, year = _households(source, year)
    fig, ax = new_figure(4.4)
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="equality")
    income, size = h["income_per_capita"].to_numpy(float), h["size"].to_numpy(float)
    for i, (col, name, term) in enumerate((("oop", "out-of-pocket", "自付"), ("admissions", "admissions", "住院"),
                                           ("fund_benefit", "fund benefit", "基金受益"))):
        x, y = concentration_curve(income, size, h[col].to_numpy(float))
        ax.plot(x, y, color=ARM_COLORS[i + 1], lw=1.6, label=zh(name, term))
    ax.set_xlabel("cumulative share of residents, poorest first")
    ax.set_ylabel("cumulative share")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(zh("Concentration curves by income", "集中曲线") + f", year {year}", loc="left", fontweight="bold")
    return fig
