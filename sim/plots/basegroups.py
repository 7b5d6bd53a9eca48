"""DRG base-group 基础病组 admissions by level, before and after (two arms, or years before/after a reform).

Base groups pay the same at every level (同病同价), which is meant to move such cases
from county hospitals to township centres; the figure shows whether it does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.codes import LEVEL_NAMES
from sim.plots.io import NotApplicable, Source, arms, kpi, reform_year, years
from sim.plots.style import ARM_COLORS, level_label, new_figure, styled, zh
from sim.results import Result

KEY = "base_group_admissions_by_level"


def _by_level(results: Sequence[Result], year: str) -> pd.DataFrame:
    """Base-group admissions per level (columns) and run (rows) in ``year``."""
    rows = [kpi(r, KEY, year) for r in results]
    if any(row is None for row in rows):
        raise NotApplicable(f"summary.json has no {KEY} for year {year}")
    return pd.DataFrame(rows).reindex(columns=list(LEVEL_NAMES)).fillna(0.0)


def _pooled(source, default: str) -> tuple[str, list[Result]]:
    """All runs of a source, named by their arm if they share one."""
    groups = arms(source)
    return (next(iter(groups)) if len(groups) == 1 else default), [r for rs in groups.values() for r in rs]


def base_group_table(source: Source | Mapping[str, Sequence[Source]], after: Source | None = None,
                     year: int | None = None) -> tuple[dict[str, pd.DataFrame], str]:
    """Two groups of runs to compare, each as a table of admissions per level and run, and a description.

    * ``after`` given: ``source`` (before) against ``after``, in ``year`` (default: the last);
    * a comparison/sweep folder or ``{arm: runs}`` with two or more arms: the first arm against the others;
    * a single run: the year before the reform (or the first year) against the last year.
    """
    if after is not None:
        (nb, rb), (na, ra) = _pooled(source, "before"), _pooled(after, "after")
        if nb == na:
            nb, na = f"{nb} (before)", f"{na} (after)"
        groups = {nb: rb, na: ra}
    else:
        groups = arms(source)
    if len(groups) >= 2:
        y = str(year) if year is not None else years(next(iter(groups.values()))[0])[-1]
        return {arm: _by_level(rs, y) for arm, rs in groups.items()}, f"year {y}"
    (arm, rs), = groups.items()
    ys = years(rs[0])
    if len(ys) < 2:
        raise NotApplicable("needs two runs (e.g. a comparison folder) or a run of two or more years")
    start = reform_year(rs[0].config)
    pre = str(start - 1) if start else ys[0]
    post = str(year) if year is not None else ys[-1]
    return {f"year {pre}": _by_level(rs, pre), f"year {post}": _by_level(rs, post)}, arm


@styled
def base_group_admissions(source: Source | Mapping[str, Sequence[Source]], after: Source | None = None,
                          year: int | None = None):
    """Grouped bars of base-group admissions by level: before vs after (mean over seeds, 95% range as whiskers).

    Parameters
    ----------
    source : a comparison folder, ``{arm: runs}``, a single multi-year run, or the "before" run with ``after``.
    after : the "after" run or folder (optional). year : simulation year compared (default: the last).
    """
    groups, what = base_group_table(source, after, year)
    levels = [lv for lv in range(len(LEVEL_NAMES)) if any(t[LEVEL_NAMES[lv]].sum() > 0 for t in groups.values())]
    fig, ax = new_figure(4.0)
    width = 0.8 / len(groups)
    first = None
    for i, (name, t) in enumerate(groups.items()):
        mean = t.mean()
        x = np.arange(len(levels)) + (i - (len(groups) - 1) / 2) * width
        vals = np.array([mean[LEVEL_NAMES[lv]] for lv in levels])
        err = None
        if len(t) > 1:
            lo = np.array([t[LEVEL_NAMES[lv]].quantile(0.025) for lv in levels])
            hi = np.array([t[LEVEL_NAMES[lv]].quantile(0.975) for lv in levels])
            err = np.vstack([vals - lo, hi - vals])
        n = f" ({len(t)} seeds)" if len(t) > 1 else ""
        ax.bar(x, vals, width=width * 0.95, color=ARM_COLORS[i % len(ARM_COLORS)], yerr=err, capsize=2,
               error_kw={"lw": 0.8}, label=f"{name}{n}")
        total = vals.sum()
        for k, (xi, v) in enumerate(zip(x, vals)):
            text = f"{v:,.0f}\n{v / total:.0%}" if total else "0"
            if first is not None and first[k] > 0:
                text += f"\n{v / first[k] - 1:+.0%}"
            ax.annotate(text, (xi, v), xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                        fontsize=7)
        first = vals if first is None else first
    ax.set_xticks(range(len(levels)), [level_label(lv) for lv in levels])
    ax.set_ylabel("admissions per year")
    ax.margins(y=0.22)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper right")
    fig.suptitle(zh("Base-group admissions by level", "基础病组住院") + f" ({what})", x=0.01, ha="left",
                 fontweight="bold")
    ax.set_title(f"bar labels: admissions, share of the group's base-group admissions, change vs "
                 f"{next(iter(groups))}", loc="left", fontsize=8, fontweight="normal")
    return fig
