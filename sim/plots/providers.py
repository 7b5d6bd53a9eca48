"""How facilities respond to how they are paid (docs/providers.md): coding, the negative list, stays and redirects.

Three panels, one bar per arm (a comparison folder: the last year; a single run: the year before its reform
against the last year), the mean over seeds with the 2.5-97.5% range as whiskers:

* the case-mix index 病例组合指数 of the year's admissions at their true severity and as coded on the claim
  (the gap is upcoding 高套编码);
* negative-list events 负面清单 per 1,000 admissions: upcoded claims, split admissions 分解住院, refusals 推诿,
  stays planned below the norm, readmissions flagged by rule screening, claims caught by supervision;
* average length of stay 平均住院日 by level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.codes import LEVEL_NAMES
from sim.plots.io import NotApplicable, Source, arms, kind, kpi, reform_year, years
from sim.plots.style import ARM_COLORS, level_label, new_figure, styled, zh
from sim.results import Result
from sim.results.registry import REGISTRY

#: negative-list events drawn per 1,000 admissions (summary.json KPIs, docs/providers.md)
EVENTS = ("upcoded_claims", "split_admissions", "refusals", "stays_shortened", "readmissions_flagged",
          "audits_detected")
#: levels whose length of stay is drawn (villages do not admit)
LOS_LEVELS = ("township", "county", "city")


def provider_groups(source: Source | Mapping[str, Sequence[Source]],
                    year: int | None = None) -> dict[str, tuple[list[Result], str]]:
    """``{label: (runs, year)}`` to compare: each arm of a comparison in ``year`` (default: the last), or one
    run's year before its reform against its last year."""
    if not isinstance(source, Mapping) and kind(source) == "sweep":
        raise NotApplicable("drawn for comparisons and single runs (plot a sweep's runs/<run_id>)")
    groups = arms(source)
    if len(groups) >= 2:
        y = str(year) if year is not None else years(next(iter(groups.values()))[0])[-1]
        return {arm: (rs, y) for arm, rs in groups.items()}
    (arm, rs), = groups.items()
    start = reform_year(rs[0].config)
    ys = years(rs[0])
    if not start or len(ys) < 2:
        raise NotApplicable("needs two arms (a comparison folder) or a run whose reform starts after year 0")
    post = str(year) if year is not None else ys[-1]
    return {f"{arm} year {start - 1}": (rs, str(start - 1)), f"{arm} year {post}": (rs, post)}


def _values(runs: Sequence[Result], year: str, key: str, sub: str | None = None,
            per_1000_admissions: bool = False) -> np.ndarray:
    """(runs,) one KPI per run (``sub``: its per-level entry), optionally per 1,000 admissions."""
    out = []
    for r in runs:
        v = kpi(r, key, year)
        if isinstance(v, dict):
            v = v.get(sub, np.nan)
        if v is None:
            raise NotApplicable(f"summary.json has no {key} for year {year}")
        if per_1000_admissions:
            adm = kpi(r, "admissions", year) or 0
            v = 1000.0 * v / adm if adm else np.nan
        out.append(float(v))
    return np.array(out)


def _bars(ax, groups, series: list[tuple[str, Sequence]], ylabel: str) -> None:
    """Grouped bars: one group per series item, one bar per compared group (mean, 95% range)."""
    width = 0.8 / len(groups)
    for i, (label, (runs, year)) in enumerate(groups.items()):
        vals = [_values(runs, year, *spec) for _, spec in series]
        mean = np.array([np.nanmean(v) if np.isfinite(v).any() else 0.0 for v in vals])
        err = None
        if len(runs) > 1:
            lo = np.array([np.nanquantile(v, 0.025) if np.isfinite(v).any() else 0.0 for v in vals])
            hi = np.array([np.nanquantile(v, 0.975) if np.isfinite(v).any() else 0.0 for v in vals])
            err = np.vstack([mean - lo, hi - mean])
        x = np.arange(len(series)) + (i - (len(groups) - 1) / 2) * width
        n = f" ({len(runs)} seeds)" if len(runs) > 1 else ""
        ax.bar(x, mean, width=width * 0.95, color=ARM_COLORS[i % len(ARM_COLORS)], yerr=err, capsize=2,
               error_kw={"lw": 0.8}, label=f"{label}{n}")
    ax.set_xticks(range(len(series)), [name for name, _ in series], fontsize=7.5)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)


@styled
def provider_behaviour(source: Source | Mapping[str, Sequence[Source]], year: int | None = None):
    """Case-mix index true vs coded, negative-list events per 1,000 admissions, and length of stay by level.

    Parameters
    ----------
    source : a comparison folder or ``{arm: runs}`` (each arm in ``year``, default the last), or a single run whose
        reform starts after year 0 (the year before the reform against the last year).
    year : simulation year of a comparison (0-based).
    """
    groups = provider_groups(source, year)
    fig, (ax_cmi, ax_neg, ax_los) = new_figure(4.2, ncols=3, width_ratios=[1.0, 2.4, 1.4])
    _bars(ax_cmi, groups, [("true", ("case_mix_index_true",)), ("coded", ("case_mix_index_coded",))],
          "relative weight")
    ax_cmi.set_title(zh("Case-mix index", "病例组合指数"), fontsize=9)
    _bars(ax_neg, groups, [(REGISTRY[k].name.replace(" ", "\n", 1), (k, None, True)) for k in EVENTS],
          "per 1,000 admissions")
    ax_neg.set_title(zh("Negative-list events", "负面清单"), fontsize=9)
    _bars(ax_los, groups, [(level_label(LEVEL_NAMES.index(lv)).replace(" ", "\n", 1), ("alos_by_level", lv))
                           for lv in LOS_LEVELS], "days")
    ax_los.set_title(zh("Average length of stay", "平均住院日"), fontsize=9)
    ax_neg.legend(loc="upper right", fontsize=7.5)
    fig.suptitle(zh("Provider behaviour", "医疗机构行为"), x=0.01, ha="left", fontweight="bold")
    return fig
