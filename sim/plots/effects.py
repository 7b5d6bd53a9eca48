"""Reform effects 改革效果: paired differences reform − baseline with 95% intervals, from ``comparison.parquet``.

Rates and shares are shown as differences in percentage points; counts and money
as relative differences (% of the baseline mean). A filled dot is an effect whose
interval excludes zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sim.plots.io import NotApplicable, Source, folder_table, read_json
from sim.plots.style import ARM_COLORS, KPIS, new_figure, styled, zh

#: KPIs shown by default (those present in the comparison), top to bottom
DEFAULT_KPIS = ("in_county_admission_rate", "in_county_visit_rate", "primary_visit_share", "primary_fund_share",
                "out_of_county_fund_share", "oop_share", "readmission_rate_30d", "admissions", "up_referrals",
                "down_referrals", "out_of_county_admissions", "fund_payment", "oop_payment", "total_cost",
                "oop_per_admission", "budget_surplus")
REQUIRED = ("year", "kpi", "diff", "ci_low", "ci_high")


def comparison_table(source: Source | pd.DataFrame) -> pd.DataFrame:
    """``comparison.parquet`` (``year, kpi, baseline, reform, diff, ci_low, ci_high, n``, see
    :func:`sim.experiments.compare`) with ``ci_low, ci_high, baseline`` renamed ``lo, hi, base`` and the year as
    text."""
    df = folder_table(source, "comparison")
    missing = [c for c in REQUIRED if c not in df]
    if missing:
        raise NotApplicable(f"comparison.parquet lacks column(s) {', '.join(missing)}")
    out = df.rename(columns={"ci_low": "lo", "ci_high": "hi", "baseline": "base"})
    out["year"] = out["year"].astype(str)
    return out


def _is_share(key: str) -> bool:
    return KPIS.get(key, ("", None, "", 1.0))[2] == "%"


@styled
def reform_effects(source: Source | pd.DataFrame, year: int | str | None = None, kpis: Sequence[str] = DEFAULT_KPIS):
    """Dot-and-whisker chart of each KPI's reform effect with its 95% interval.

    Parameters
    ----------
    source : a comparison folder (``countysim compare``) or its table.
    year : simulation year shown (default: the last); ``'all'`` shows every year side by side.
    kpis : KPIs to show, in order (those missing from the comparison are left out).
    """
    table = comparison_table(source)
    years = sorted(table["year"].unique(), key=lambda y: (len(y), y))
    shown = years if year == "all" else [str(year) if year is not None else years[-1]]
    table = table[table["year"].isin(shown) & table["kpi"].isin(kpis)]
    if table.empty:
        raise NotApplicable(f"comparison.parquet has none of the standard KPIs for year {', '.join(shown)}")
    order = [k for k in kpis if k in set(table["kpi"])]
    shares = [k for k in order if _is_share(k)]
    others = [k for k in order if not _is_share(k)]
    if "base" not in table:
        others = []
    panels = [(p, ks) for p, ks in (("pp", shares), ("rel", others)) if ks]
    if not panels:
        raise NotApplicable("no KPI can be drawn: relative effects need the baseline mean in comparison.parquet")
    height = 1.2 + 0.28 * max(len(ks) for _, ks in panels) * (1 + 0.3 * (len(shown) - 1))
    fig, axes = new_figure(height, ncols=len(panels), squeeze=False)
    for ax, (unit, ks) in zip(axes.flat, panels):
        for j, y in enumerate(shown):
            rows = table[table["year"] == y].set_index("kpi").reindex(ks)
            scale = 100.0 if unit == "pp" else 100.0 / rows["base"].where(rows["base"] != 0)
            d, lo, hi = (rows[c] * scale for c in ("diff", "lo", "hi"))
            pos = np.arange(len(ks)) + (j - (len(shown) - 1) / 2) * 0.25
            color = ARM_COLORS[1 + j % (len(ARM_COLORS) - 1)]
            ax.errorbar(d, pos, xerr=np.vstack([d - lo, hi - d]), fmt="none", ecolor=color, elinewidth=1.2,
                        capsize=2.5)
            significant = ((lo > 0) | (hi < 0)).to_numpy()
            ax.scatter(d[significant], pos[significant], color=color, zorder=3, s=22,
                       label=f"year {y}" if len(shown) > 1 else None)
            ax.scatter(d[~significant], pos[~significant], facecolor="white", edgecolor=color, zorder=3, s=22)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(range(len(ks)), [zh(KPIS.get(k, (k,))[0], KPIS.get(k, (k, None))[1]) for k in ks])
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel("difference (percentage points)" if unit == "pp" else "difference (% of baseline)")
        ax.set_title("Rates and shares" if unit == "pp" else "Counts and money", fontsize=9)
        if len(shown) > 1:
            ax.legend(loc="lower right")
    when = f"year {shown[0]}" if len(shown) == 1 else "each year"
    meta = {} if isinstance(source, pd.DataFrame) else read_json(Path(source) / "comparison.json")
    arms = f"{meta.get('reform', 'reform')} − {meta.get('baseline', 'baseline')}"
    n = f", {int(table['n'].max())} paired seeds" if "n" in table else ""
    fig.suptitle(zh("Reform effects", "改革效果") + f": {arms}, {when}{n}\nmean paired difference with 95% "
                 "interval; hollow = the interval includes 0", x=0.01, ha="left", fontweight="bold")
    return fig
