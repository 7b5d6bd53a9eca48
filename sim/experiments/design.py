"""Design points of a sweep: which parameter values each point gets.

Every design lives in the unit hypercube (one coordinate in [0, 1] per parameter, applied and dummy),
mapped to values by :meth:`Parameter.from_unit`. Random, Latin hypercube, Sobol' (Saltelli) and Morris
designs come from SALib (imported only for those methods); grid and one-at-a-time designs are
enumerated directly.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from sim.experiments.optional import optional_import
from sim.experiments.spec import SweepSpec

UNIT_PREFIX = "unit:"


def problem(spec: SweepSpec) -> dict:
    """The SALib problem: every parameter (dummies included) on the unit interval."""
    names = spec.names
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def _unit_sample(spec: SweepSpec) -> np.ndarray:
    """(P, k) unit coordinates for the sampled methods."""
    d, prob, seed = spec.design, problem(spec), spec.sampler_seed
    if d.method == "random":
        return np.random.default_rng(seed).random((d.samples, prob["num_vars"]))
    what = f"the '{d.method}' design"
    if d.method == "latin":
        return optional_import("SALib.sample.latin", what).sample(prob, d.samples, seed=seed)
    if d.method == "sobol":
        return optional_import("SALib.sample.sobol", what).sample(prob, d.samples, calc_second_order=d.second_order,
                                                                  seed=seed)
    if d.method == "morris":
        return optional_import("SALib.sample.morris", what).sample(prob, d.samples, num_levels=d.morris_levels,
                                                                   seed=seed)
    raise ValueError(d.method)


def _value_rows(spec: SweepSpec) -> list[tuple]:
    """Value tuples for the enumerated methods (grid, oat), duplicates removed, order kept."""
    params = spec.all_parameters
    if spec.design.method == "grid":
        rows = itertools.product(*(p.grid_values() for p in params.values()))
    else:  # oat: base point, then each parameter at its low and high
        base = tuple(p.base_value() for p in params.values())
        rows = [base]
        for i, p in enumerate(params.values()):
            rows += [base[:i] + (v,) + base[i + 1:] for v in p.extremes()]
    return list(dict.fromkeys(rows))


def build_design(spec: SweepSpec) -> pd.DataFrame:
    """The sweep's design points.

    Returns
    -------
    DataFrame with one row per point (P rows, in sampler order): ``point`` (0..P-1), one column per
    parameter and dummy holding the value applied, and ``unit:<name>`` columns with the unit-cube
    coordinates SALib's analyzers need. A grid without parameters has a single point.
    """
    params = spec.all_parameters
    names = list(params)
    if spec.design.method in ("grid", "oat"):
        rows = _value_rows(spec)
        values = {n: [r[i] for r in rows] for i, n in enumerate(names)}
        unit = {n: [params[n].to_unit(v) for v in values[n]] for n in names}
        n_points = len(rows)
    else:
        u = _unit_sample(spec)
        values = {n: params[n].from_unit(u[:, i]) for i, n in enumerate(names)}
        unit = {n: u[:, i] for i, n in enumerate(names)}
        n_points = len(u)
    table = pd.DataFrame({"point": np.arange(n_points)})
    for n in names:
        table[n] = pd.Series(values[n], dtype=object).infer_objects()
    for n in names:
        table[UNIT_PREFIX + n] = np.asarray(unit[n], dtype=float)
    return table
