"""Analysing a finished sweep: KPI means with intervals over seeds, Sobol' and Morris indices, tornado tables.

Every function takes a sweep folder and a list of KPI names (columns of :func:`~sim.experiments.load`,
e.g. ``admissions`` or ``alos_by_level.county``; default: the spec's ``kpis``, else :data:`DEFAULT_KPIS`)
and returns a long table with one row per scenario, year, KPI (and point or parameter). Sensitivity
indices use each design point's KPI mean over replicates; the analyzers are SALib's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.config.loader import ConfigError
from sim.experiments.design import UNIT_PREFIX, problem
from sim.experiments.optional import optional_import
from sim.experiments.spec import SweepSpec
from sim.experiments.store import SweepFolder, load

DEFAULT_KPIS = ("admissions", "in_county_admission_rate", "primary_visit_share", "fund_payment", "oop_share")


def t_interval(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval ``mean +- t_{(1+level)/2, n-1} * sd / sqrt(n)`` (arrays of one shape); NaN where n < 2."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf((1 + level) / 2, np.where(n > 1, n - 1, np.nan)) * np.asarray(sd, float) / np.sqrt(n)
    return np.asarray(mean, float) - half, np.asarray(mean, float) + half


def _inputs(folder: str | Path, kpis: Sequence[str] | None) -> tuple[SweepSpec, pd.DataFrame, list[str]]:
    sf = SweepFolder(folder).require()
    spec, table = sf.spec(), load(folder)
    if table.empty:
        raise ConfigError(f"{folder}: no finished runs to analyse (see `countysim sweep-status {folder}`)")
    kpis = list(kpis or spec.kpis or DEFAULT_KPIS)
    unknown = [k for k in kpis if k not in table.columns[table.columns.get_loc("year") + 1:]]
    if unknown:
        raise ConfigError(f"{folder}: unknown KPI {', '.join(map(repr, unknown))} "
                          f"(available: {', '.join(table.columns[table.columns.get_loc('year') + 1:])})")
    return spec, table, kpis


def summarize(folder: str | Path, kpis: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Mean and t-interval over replicates of each KPI by scenario, design point and year.

    Returns columns ``scenario, point, <parameters...>, year, kpi, n, mean, sd, ci_low, ci_high``.
    """
    spec, table, kpis = _inputs(folder, kpis)
    keys = ["scenario", "point", "year"]
    long = table.melt(id_vars=keys, value_vars=kpis, var_name="kpi")
    out = long.groupby([*keys, "kpi"], sort=False)["value"].agg(n="count", mean="mean", sd="std").reset_index()
    out["ci_low"], out["ci_high"] = t_interval(out["mean"], out["sd"], out["n"], level)
    design = SweepFolder(folder).design()[["point", *spec.names]]
    out = out.merge(design, on="point", how="left")
    return out[["scenario", "point", *spec.names, "year", "kpi", "n", "mean", "sd", "ci_low", "ci_high"]]


def _point_means(spec: SweepSpec, table: pd.DataFrame, kpis: list[str], folder) -> pd.DataFrame:
    """KPI means over replicates by scenario, year and point; every design point must be present."""
    means = table.groupby(["scenario", "year", "point"])[kpis].mean().reset_index()
    n_points = len(SweepFolder(folder).design())
    counts = means.groupby(["scenario", "year"])["point"].nunique()
    short = counts[counts < n_points]
    if len(short):
        (scenario, year), n = short.index[0], short.iloc[0]
        raise ConfigError(f"{folder}: the indices need every design point, but scenario '{scenario}' year {year} "
                          f"has {n} of {n_points} (see `countysim sweep-status {folder}`)")
    return means.sort_values(["scenario", "year", "point"])


def _require_method(spec: SweepSpec, method: str, folder) -> None:
    if spec.design.method != method:
        raise ConfigError(f"{folder}: {method} indices need a '{method}' design (this sweep's is "
                          f"'{spec.design.method}')")


def _constant(y: np.ndarray) -> bool:
    return not np.isfinite(y).all() or np.ptp(y) == 0


def sobol_indices(folder: str | Path, kpis: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """First-order and total Sobol' indices with bootstrap confidence half-widths (SALib ``sobol.analyze``).

    Returns columns ``scenario, year, kpi, parameter, dummy, S1, S1_conf, ST, ST_conf``; NaN for a KPI that
    does not vary. A dummy parameter's indices estimate the method's noise floor (zero when it truly has no
    effect, as the replicate seeds are shared).
    """
    spec, table, kpis = _inputs(folder, kpis)
    _require_method(spec, "sobol", folder)
    analyzer = optional_import("SALib.analyze.sobol", "Sobol indices")
    prob, rows = problem(spec), []
    for (scenario, year), g in _point_means(spec, table, kpis, folder).groupby(["scenario", "year"]):
        for kpi in kpis:
            y = g[kpi].to_numpy(float)
            res = None if _constant(y) else analyzer.analyze(prob, y, calc_second_order=spec.design.second_order,
                                                              conf_level=level, seed=spec.sampler_seed)
            for i, name in enumerate(prob["names"]):
                vals = {k: (float(res[k][i]) if res is not None else np.nan)
                        for k in ("S1", "S1_conf", "ST", "ST_conf")}
                rows.append({"scenario": scenario, "year": year, "kpi": kpi, "parameter": name,
                             "dummy": name in spec.dummy, **vals})
    return pd.DataFrame(rows)


def morris_indices(folder: str | Path, kpis: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Morris elementary-effect statistics (SALib ``morris.analyze``) in unit-range terms: the effect of moving
    a parameter by the Morris step as a share of its range.

    Returns columns ``scenario, year, kpi, parameter, dummy, mu, mu_star, mu_star_conf, sigma``.
    """
    spec, table, kpis = _inputs(folder, kpis)
    _require_method(spec, "morris", folder)
    analyzer = optional_import("SALib.analyze.morris", "Morris indices")
    prob, rows = problem(spec), []
    x = SweepFolder(folder).design().sort_values("point")[[UNIT_PREFIX + n for n in spec.names]].to_numpy(float)
    for (scenario, year), g in _point_means(spec, table, kpis, folder).groupby(["scenario", "year"]):
        for kpi in kpis:
            y = g[kpi].to_numpy(float)
            res = None if _constant(y) else analyzer.analyze(prob, x, y, num_levels=spec.design.morris_levels,
                                                              conf_level=level, seed=spec.sampler_seed)
            for i, name in enumerate(prob["names"]):
                vals = {k: (float(res[k][i]) if res is not None else np.nan)
                        for k in ("mu", "mu_star", "mu_star_conf", "sigma")}
                rows.append({"scenario": scenario, "year": year, "kpi": kpi, "parameter": name,
                             "dummy": name in spec.dummy, **vals})
    return pd.DataFrame(rows)


def _matching_point(design: pd.DataFrame, values: dict) -> int | None:
    mask = np.ones(len(design), dtype=bool)
    for name, value in values.items():
        col = design[name]
        if isinstance(value, (int, float)) and not isinstance(value, bool) and pd.api.types.is_numeric_dtype(col):
            mask &= np.isclose(col.to_numpy(float), float(value))
        else:
            mask &= (col == value).to_numpy()
    hits = design.loc[mask, "point"]
    return int(hits.iloc[0]) if len(hits) else None


def tornado(folder: str | Path, kpis: Sequence[str] | None = None) -> pd.DataFrame:
    """One-at-a-time effects: each KPI at every parameter's low and high with the others at their base.

    Needs the base point and the one-at-a-time points in the design (``design: oat``, or a grid that
    contains every parameter's base value). KPI values are means over replicates.

    Returns columns ``scenario, year, kpi, parameter, low, high, kpi_low, kpi_base, kpi_high, swing``
    (``swing = |kpi_high - kpi_low|``), sorted by swing within each scenario, year and KPI.
    """
    spec, table, kpis = _inputs(folder, kpis)
    design = SweepFolder(folder).design()
    params = spec.all_parameters
    base = {n: p.base_value() for n, p in params.items()}
    base_point = _matching_point(design, base)
    if base_point is None:
        raise ConfigError(f"{folder}: a tornado table needs the base point {base} in the design "
                          f"(use design: oat, or a grid containing each parameter's base)")
    ends = {}
    for n, p in params.items():
        lo, hi = p.extremes()
        ends[n] = (lo, hi, _matching_point(design, {**base, n: lo}), _matching_point(design, {**base, n: hi}))
        if None in ends[n][2:]:
            raise ConfigError(f"{folder}: a tornado table needs '{n}' at {lo!r} and {hi!r} with the others at base "
                              f"(use design: oat)")
    means = table.groupby(["scenario", "year", "point"])[kpis].mean()
    rows = []
    for (scenario, year), g in means.groupby(level=["scenario", "year"]):
        g = g.droplevel(["scenario", "year"])
        for kpi in kpis:
            at = g[kpi].get
            for n, (lo, hi, p_lo, p_hi) in ends.items():
                rows.append({"scenario": scenario, "year": year, "kpi": kpi, "parameter": n, "low": lo, "high": hi,
                             "kpi_low": at(p_lo, np.nan), "kpi_base": at(base_point, np.nan),
                             "kpi_high": at(p_hi, np.nan)})
    out = pd.DataFrame(rows)
    out["swing"] = (out["kpi_high"] - out["kpi_low"]).abs()
    return out.sort_values(["scenario", "year", "kpi", "swing"], ascending=[True, True, True, False],
                           kind="stable").reset_index(drop=True)
