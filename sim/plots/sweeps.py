"""Sweep figures: a KPI over two swept parameters (heatmap) and sensitivity indices (tornado, Sobol, Morris)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.plots.io import NotApplicable, Source, kind
from sim.plots.style import ARM_COLORS, kpi_label, kpi_scale, new_figure, styled, zh

DEFAULT_KPI = "in_county_admission_rate"
GRID_MAX = 12        # at most this many distinct values per axis draw as a grid, more as a scatter


def _sweep_folder(source: Source) -> Path:
    """The sweep folder of a source that sweeps at least one parameter."""
    if not isinstance(source, (str, Path)) or kind(source) != "sweep":
        raise NotApplicable("needs a sweep folder (countysim sweep: manifest.parquet and runs/)")
    path = Path(source)
    spec = yaml.safe_load((path / "sweep.yaml").read_text(encoding="utf-8")) if (path / "sweep.yaml").is_file() else {}
    if not (spec or {}).get("parameters"):
        raise NotApplicable("the sweep varies no parameter (only scenarios and seeds)")
    return path


def swept_parameters(source: Source) -> list[str]:
    """Names of a sweep's parameters (dotted config paths), dummies left out, in spec order."""
    spec = yaml.safe_load((_sweep_folder(source) / "sweep.yaml").read_text(encoding="utf-8"))
    return list(spec["parameters"])


def sweep_table(source: Source) -> pd.DataFrame:
    """Finished runs of a sweep, one row per run and year, with parameter values and scalar KPIs."""
    from sim.experiments.store import load

    table = load(_sweep_folder(source))
    if table.empty:
        raise NotApplicable("the sweep has no finished runs yet")
    return table


def _param_label(name: str) -> str:
    """A dotted config path as an axis label, with its unit from the parameter table."""
    from sim.config.fields import iter_params
    from sim.config.scenario import ScenarioConfig

    units = {path: unit for path, _, unit, _, _ in iter_params(ScenarioConfig)}
    unit = units.get(name, "")
    return f"{name} ({unit})" if unit else name


@styled
def sweep_heatmap(source: Source, x: str | None = None, y: str | None = None, kpi: str = DEFAULT_KPI,
                  year: int | None = None):
    """A KPI (mean over replicates and the other parameters) over two swept parameters.

    Grid designs draw as a heatmap with the value in each cell; sampled designs (random, Latin, Sobol, Morris)
    as a scatter of the design points coloured by the KPI. One panel per scenario.

    Parameters
    ----------
    source : a sweep folder. x, y : parameters on the axes (default: the first two of the spec).
    kpi : a scalar KPI of ``summary.json``. year : simulation year (default: the last).
    """
    params = swept_parameters(source)
    x = x or (params[0] if params else None)
    y = y or (params[1] if len(params) > 1 else None)
    if x is None or y is None:
        raise NotApplicable(f"needs two swept parameters, the sweep has {len(params)}")
    table = sweep_table(source)
    if kpi not in table:
        raise NotApplicable(f"the sweep's runs have no KPI {kpi}")
    year = int(table["year"].max()) if year is None else year
    table = table[table["year"] == year]
    scenarios = list(dict.fromkeys(table["scenario"]))
    fig, axes = new_figure(4.2, ncols=len(scenarios), squeeze=False, sharey=True)
    values = table[kpi] * kpi_scale(kpi)
    vmin, vmax = float(values.min()), float(values.max())
    grid = table[x].nunique() <= GRID_MAX and table[y].nunique() <= GRID_MAX
    for ax, scen in zip(axes.flat, scenarios):
        t = table[table["scenario"] == scen].assign(v=values)
        cells = t.groupby([y, x])["v"].mean()
        if grid:
            m = cells.unstack(x)
            im = ax.imshow(m.to_numpy(), origin="lower", aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax)
            ax.set_xticks(range(m.shape[1]), [f"{v:g}" for v in m.columns])
            ax.set_yticks(range(m.shape[0]), [f"{v:g}" for v in m.index])
            mid = (vmin + vmax) / 2
            for (i, j), v in np.ndenumerate(m.to_numpy()):
                if not np.isnan(v):
                    ax.text(j, i, f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}", ha="center", va="center",
                            fontsize=7.5, color="white" if v < mid else "black")
        else:
            pts = cells.reset_index()
            im = ax.scatter(pts[x], pts[y], c=pts["v"], cmap="viridis", vmin=vmin, vmax=vmax, s=30,
                            edgecolor="white", lw=0.4)
        ax.set_xlabel(_param_label(x))
        ax.set_title(f"scenario {scen}", fontsize=9)
    axes.flat[0].set_ylabel(_param_label(y))
    fig.colorbar(im, ax=list(axes.flat), label=kpi_label(kpi), shrink=0.9)
    n = table.groupby("scenario")["replicate"].nunique().max()
    fig.suptitle(zh("Parameter sweep", "参数扫描") + f": {kpi_label(kpi, with_unit=False)}, year {year}, mean over "
                 f"{n} replicate{'s' if n > 1 else ''}" + ("" if len(params) <= 2 else " and the other parameters"),
                 x=0.01, ha="left", fontweight="bold")
    return fig


def sensitivity_kind(table: pd.DataFrame) -> str:
    """``'sobol'`` (S1/ST), ``'morris'`` (mu_star) or ``'tornado'`` (KPI at low and high) by the table's columns."""
    cols = set(table.columns)
    if {"S1", "ST"} <= cols:
        return "sobol"
    if "mu_star" in cols:
        return "morris"
    if {"low", "high"} <= cols or {"kpi_low", "kpi_high"} <= cols:
        return "tornado"
    raise NotApplicable(f"not a sensitivity table (columns {', '.join(sorted(cols))})")


def sensitivity_table(source: Source | pd.DataFrame, kpi: str = DEFAULT_KPI, year: int | None = None,
                      scenario: str | None = None) -> pd.DataFrame:
    """Sensitivity of one KPI in one year and scenario (default: last year, first scenario), by the sweep's design:
    Sobol indices (``sobol``), Morris statistics (``morris``), or a tornado table (``oat`` or a grid holding the
    base point), from :mod:`sim.experiments.analysis`. A table given directly is returned as it is."""
    if isinstance(source, pd.DataFrame):
        return source
    folder = _sweep_folder(source)
    from sim.config.loader import ConfigError
    from sim.experiments import morris_indices, sobol_indices, tornado
    from sim.experiments.store import SweepFolder

    method = SweepFolder(folder).spec().design.method
    analyse = {"sobol": sobol_indices, "morris": morris_indices}.get(method, tornado)
    try:
        table = analyse(folder, [kpi])
    except ConfigError as exc:
        raise NotApplicable(str(exc).replace(f"{folder}: ", "")) from None
    if table.empty:
        raise NotApplicable("the sweep has no finished runs yet")
    year = int(table["year"].max()) if year is None else year
    scenario = scenario if scenario is not None else table["scenario"].iloc[0]
    out = table[(table["year"] == year) & (table["scenario"] == scenario) & (table["kpi"] == kpi)]
    return out.reset_index(drop=True).assign(method=method)


@styled
def sensitivity_chart(source: Source | pd.DataFrame, kpi: str = DEFAULT_KPI, year: int | None = None,
                      top: int = 12):
    """Bars of each parameter's influence on a KPI: tornado (low/high), Sobol (S1, ST) or Morris (mu*).

    Parameters
    ----------
    source : a sweep folder (indices computed for its design) or a sensitivity table.
    kpi : the KPI analysed. year : simulation year (default: the last). top : most influential parameters shown.
    """
    table = sensitivity_table(source, kpi, year)
    what = sensitivity_kind(table)
    if what != "tornado" and table[{"sobol": "ST", "morris": "mu_star"}[what]].isna().all():
        raise NotApplicable(f"{kpi} does not vary over the sweep: no sensitivity to show")
    dummy = table["dummy"] if "dummy" in table else pd.Series(False, index=table.index)
    table = table.assign(parameter=[f"{p} (noise floor)" if d else p for p, d in zip(table["parameter"], dummy)])
    fig, ax = new_figure(1.6 + 0.34 * min(top, len(table)))
    scale = kpi_scale(kpi)
    unit = "percentage points" if kpi_label(kpi).endswith("(%)") else kpi_label(kpi).rsplit("(", 1)[-1].rstrip(")")
    if what == "sobol":
        t = table.sort_values("ST", ascending=False).head(top)
        pos = np.arange(len(t))
        for k, (col, label) in enumerate((("S1", "first-order index S1"), ("ST", "total index ST"))):
            err = t.get(f"{col}_conf")
            ax.barh(pos + (k - 0.5) * 0.38, t[col], height=0.36, xerr=err, color=ARM_COLORS[k + 1], label=label,
                    error_kw={"lw": 0.8, "capsize": 2})
        ax.set_xlabel("share of the KPI's variance (whiskers: 95% bootstrap interval)")
    elif what == "morris":
        t = table.sort_values("mu_star", ascending=False).head(top)
        pos = np.arange(len(t))
        err = t["mu_star_conf"] * scale if "mu_star_conf" in t else None
        ax.barh(pos, t["mu_star"] * scale, xerr=err, color=ARM_COLORS[1], height=0.6,
                label="μ*: mean |elementary effect| (influence)", error_kw={"lw": 0.8, "capsize": 2})
        if "sigma" in t:
            ax.scatter(t["sigma"] * scale, pos, color="black", marker="D", s=18,
                       label="σ: spread of the effects (interactions, non-linearity)", zorder=3)
        ax.set_xlabel(f"change of the KPI per Morris step ({unit})")
    else:
        lo_col, hi_col = ("kpi_low", "kpi_high") if "kpi_low" in table else ("low", "high")
        base = float(table["kpi_base"].iloc[0]) if "kpi_base" in table else \
            float((table[lo_col] + table[hi_col]).mean() / 2)
        t = table.assign(span=(table[hi_col] - table[lo_col]).abs()).sort_values("span", ascending=False).head(top)
        pos = np.arange(len(t))
        for col, end, color in ((lo_col, "low", ARM_COLORS[1]), (hi_col, "high", ARM_COLORS[2])):
            bars = ax.barh(pos, (t[col] - base) * scale, left=base * scale, color=color, height=0.6,
                           label=f"parameter at its {end} value")
            ax.bar_label(bars, labels=[f"{v * scale:,.3g}" for v in t[col]], padding=2, fontsize=7.5)
        ax.axvline(base * scale, color="black", lw=0.8, label=f"all at base: {base * scale:,.3g}")
        ax.set_xlabel(kpi_label(kpi))
        ax.margins(x=0.12)
    ax.set_yticks(pos, list(t["parameter"]))
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=3)
    title = {"sobol": "Sobol indices", "morris": "Morris elementary effects",
             "tornado": "one parameter at a time (tornado)"}[what]
    ax.set_title(zh("Sensitivity", "敏感性分析") + f" of {kpi_label(kpi, with_unit=False)}: {title}", loc="left")
    return fig
