"""Monthly KPIs over time: baseline vs reform, mean over seeds with an uncertainty band, reform year marked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from sim.plots.io import NotApplicable, Source, arms, reform_year, table
from sim.plots.style import ARM_COLORS, KPIS, kpi_scale, new_figure, styled, zh
from sim.results import Result

#: KPIs drawn by default, one panel each
DEFAULT_KPIS = ("in_county_admission_rate", "primary_visit_share", "up_referrals", "down_referrals",
                "out_of_county_admissions", "fund_payment")
#: monthly KPI -> (numerator column of daily.parquet, denominator column or None for a monthly count)
_DAILY_KPIS = {
    "admissions": ("admissions", None), "visits": ("visits", None), "up_referrals": ("up_referrals", None),
    "down_referrals": ("down_referrals", None), "out_of_county_admissions": ("admissions_out_of_county", None),
    "readmissions": ("readmissions", None),
    "in_county_admission_rate": ("admissions_in_county", "admissions"),
    "in_county_visit_rate": ("visits_in_county", "visits"),
    "primary_visit_share": ("visits_primary", "visits"),
}
_MONEY_KPIS = ("total_cost", "fund_payment", "oop_payment", "oop_share")


def monthly_kpis(result: Result) -> pd.DataFrame:
    """One row per simulated month (``t`` = 0, 1, ...; ``year``; ``month`` 1-12) with monthly KPIs.

    Counts and rates come from ``daily.parquet``; money (``total_cost``, ``fund_payment``, ``oop_payment``,
    ``oop_share``) from inpatient claims (dated at discharge) plus outpatient visits, when the run kept claims.
    """
    daily = table(result, "daily")
    if daily.empty:
        raise NotApplicable("the run kept no daily counters (output.daily: false)")
    cols = sorted({c for pair in _DAILY_KPIS.values() for c in pair if c})
    m = daily.groupby(["year", "month"])[cols].sum()
    out = pd.DataFrame(index=m.index)
    for key, (num, den) in _DAILY_KPIS.items():
        out[key] = m[num] / m[den].where(m[den] > 0) if den else m[num]
    money = [t[["year", "month", "total_cost", "fund_payment", "oop_payment"]]
             for t in (_maybe(result, "claims"), _maybe(result, "outpatient")) if t is not None and len(t)]
    if money:
        s = pd.concat(money).groupby(["year", "month"]).sum()
        out = out.join(s, how="left")
        out["oop_share"] = out["oop_payment"] / out["total_cost"]
    out = out.reset_index()
    out.insert(0, "t", out["year"] * 12 + out["month"] - 1)
    return out


def _maybe(result: Result, name: str) -> pd.DataFrame | None:
    try:
        return table(result, name)
    except NotApplicable:
        return None


def seed_band(series: Sequence[pd.Series]) -> pd.DataFrame:
    """Mean and central 95% range (2.5th-97.5th percentile) over seeds of aligned monthly series."""
    stack = pd.concat(series, axis=1)
    return pd.DataFrame({"mean": stack.mean(axis=1), "lo": stack.quantile(0.025, axis=1),
                         "hi": stack.quantile(0.975, axis=1), "n": stack.notna().sum(axis=1)})


def _label(key: str) -> str:
    name, term, unit, _ = KPIS.get(key, (key.replace("_", " ").capitalize(), None, "", 1.0))
    unit = unit if unit == "%" else f"{unit} per month" if unit else "per month"
    return f"{zh(name, term)}\n({unit})"


def _month_axis(ax, n_months: int) -> None:
    """Ticks at year starts (or every quarter for a one-year run) on an axis of months since the start."""
    if n_months <= 12:
        ax.set_xticks(range(0, n_months + 1, 3), [f"month {m}" for m in range(0, n_months + 1, 3)])
    else:
        step = 12 * max(1, n_months // 12 // 8)
        ax.set_xticks(range(0, n_months + 1, step), [f"year {m // 12}" for m in range(0, n_months + 1, step)])
    ax.set_xticks(range(0, n_months + 1), minor=True)
    ax.set_xlim(0, n_months)


@styled
def kpi_timeseries(source: Source | Mapping[str, Sequence[Source]], kpis: Sequence[str] = DEFAULT_KPIS,
                   reform: int | None = None):
    """Monthly KPIs by arm: mean over seeds, shaded 2.5-97.5% range over seeds, reform year marked.

    Parameters
    ----------
    source : a run, a comparison or sweep folder (runs grouped by scenario), or ``{arm: [runs or folders]}``.
    kpis : monthly KPIs to draw (see :func:`monthly_kpis`), one panel each.
    reform : simulation year the reform starts (default: read from the reform arm's config).
    """
    groups = arms(source)
    if not groups:
        raise NotApplicable("no finished runs in the folder")
    monthly = {arm: [monthly_kpis(r) for r in rs] for arm, rs in groups.items()}
    kpis = [k for k in kpis if any(k in m for ms in monthly.values() for m in ms)]
    if not kpis:
        raise NotApplicable("none of the requested KPIs can be computed from these runs")
    if reform is None:
        found = [reform_year(r.config) for rs in groups.values() for r in rs]
        reform = min((y for y in found if y is not None), default=None)
    ncols = 2 if len(kpis) > 1 else 1
    nrows = -(-len(kpis) // ncols)
    fig, axes = new_figure(2.0 + 1.9 * nrows, ncols=ncols, nrows=nrows, sharex=True, squeeze=False)
    n_months = max(int(m["t"].max()) + 1 for ms in monthly.values() for m in ms)
    for ax, key in zip(axes.flat, kpis):
        for i, (arm, ms) in enumerate(monthly.items()):
            band = seed_band([m.set_index("t")[key] * kpi_scale(key) for m in ms if key in m])
            x = band.index.to_numpy() + 0.5
            color = ARM_COLORS[i % len(ARM_COLORS)]
            label = f"{arm} ({len(ms)} seed{'s' if len(ms) > 1 else ''})"
            ax.plot(x, band["mean"], color=color, lw=1.5, label=label)
            if len(ms) > 1:
                ax.fill_between(x, band["lo"], band["hi"], color=color, alpha=0.2, lw=0)
        if reform is not None:
            ax.axvline(reform * 12, color="black", ls="--", lw=1)
        ax.set_ylabel(_label(key))
        ax.grid(alpha=0.3)
        _month_axis(ax, n_months)
    for ax in axes.flat[len(kpis):]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if reform is not None:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color="black", ls="--", lw=1))
        labels.append(zh("reform starts", "改革实施") + f" (year {reform})")
    many = any(len(ms) > 1 for ms in monthly.values())
    fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)))
    fig.suptitle(zh("Monthly KPIs", "月度指标") + (": mean over seeds, band = 2.5-97.5% range over seeds"
                                                 if many else ""), x=0.01, ha="left", fontweight="bold")
    return fig
