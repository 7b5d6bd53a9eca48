"""Paired comparison of two scenarios on common random numbers.

Both scenarios run on the same K seeds (replicate r's seed is spawned from ``SeedSequence(root_seed)``,
as in every sweep), so each seed gives one paired difference reform - baseline per KPI and year; the
table reports their mean and a t-interval over the K pairs (NaN when K = 1). The runs are an ordinary
sweep (two scenarios, no parameters), so the same folder layout, executors and restart rules apply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.loader import ConfigError, load_config
from sim.experiments.analysis import t_interval
from sim.experiments.plan import replicate_seeds
from sim.experiments.store import load
from sim.experiments.sweep import Progress, run_sweep
from sim.results.atomic import write_parquet_atomic, write_text_atomic

COLUMNS = ["year", "kpi", "baseline", "reform", "diff", "ci_low", "ci_high", "n", "rel_diff"]


class SweepFailed(RuntimeError):
    """Some runs failed, so the comparison is incomplete; the message lists them."""


def paired_differences(table: pd.DataFrame, baseline: str, reform: str, level: float = 0.95) -> pd.DataFrame:
    """Paired differences reform - baseline per KPI and year from a :func:`~sim.experiments.load` table.

    Rows are paired on ``replicate`` (and ``point``). Returns :data:`COLUMNS`: ``baseline`` / ``reform``
    are means over the pairs, ``diff`` the mean difference with its t-interval ``ci_low, ci_high``,
    ``n`` the number of pairs where the KPI is defined in both, ``rel_diff = diff / baseline``.
    """
    kpis = list(table.columns[table.columns.get_loc("year") + 1:])
    keys = ["point", "replicate", "year"]
    arms = [table[table["scenario"] == s].set_index(keys)[kpis] for s in (baseline, reform)]
    b, r = (a.stack(future_stack=True).rename_axis([*keys, "kpi"]) for a in arms)
    pairs = pd.DataFrame({"baseline": b, "reform": r}).dropna()
    pairs["diff"] = pairs["reform"] - pairs["baseline"]
    g = pairs.groupby(["year", "kpi"], sort=False)
    out = g[["baseline", "reform", "diff"]].mean()
    out["n"] = g["diff"].count()
    out["ci_low"], out["ci_high"] = t_interval(out["diff"], g["diff"].std(), out["n"], level)
    out["rel_diff"] = (out["diff"] / out["baseline"].where(out["baseline"] != 0)).astype(float)
    out = out.reset_index()
    order = {k: i for i, k in enumerate(kpis)}
    out = out.sort_values(["year", "kpi"], key=lambda c: c.map(order) if c.name == "kpi" else c, kind="stable")
    return out[COLUMNS].reset_index(drop=True)


def horizon_note(configs, years: int) -> dict:
    """Which years a comparison covers and from which the reform arm's rules differ from the baseline's.

    ``first_reform_year`` : the earliest year an arm with a reform timing (``reform.before`` or steps) changes
    its rules (``reform.first_year``); 0 when neither arm has one (they differ from the start);
    ``note`` : one line for the reader, saying when no compared year includes a reform year.
    """
    timed = [c.reform.first_year for c in configs if c.reform.before is not None or c.reform.steps]
    first = min(timed) if timed else 0   # an arm without a reform timing has its rules from year 0
    if first >= years:
        note = (f"compares years 0-{years - 1}, but the reform starts in year {first}: no compared year has the "
                f"reform's rules (run more --years)")
    elif first > 0:
        note = f"compares years 0-{years - 1}; the reform's rules are in force from year {first}"
    else:
        note = f"compares years 0-{years - 1}; the reform's rules are in force from year 0"
    return {"years_compared": list(range(years)), "first_reform_year": first, "note": note}


def compare(baseline: str | Path | Mapping[str, Any], reform: str | Path | Mapping[str, Any], *, seeds: int = 5,
            population: int | None = None, years: int | None = None, out: str | Path | None = None,
            workers: int | None = None, scheduler: Any = None, root_seed: int = 0, retries: int = 2,
            level: float = 0.95, progress: Progress | None = None, log=None) -> pd.DataFrame:
    """Run ``baseline`` and ``reform`` on the same ``seeds`` seeds and return their paired differences.

    Parameters
    ----------
    baseline, reform : scenarios (built-in name, YAML path or mapping, e.g. ``{"extends": "default", ...}``).
    seeds : replicates K. population, years : override both scenarios' values.
    out : folder (default ``results/compare-<baseline>-vs-<reform>``); it holds the sweep (``runs/``,
        ``manifest.parquet``...) plus ``comparison.parquet`` and ``comparison.json``. Running again with the
        same arguments reuses finished runs.
    workers, scheduler, retries : as in :func:`~sim.experiments.run_sweep`.

    Returns
    -------
    DataFrame with :data:`COLUMNS` plus ``reform_in_force``, one row per year and scalar KPI; ``attrs`` holds
    the arm labels (``baseline``, ``reform``), the ``folder`` and :func:`horizon_note`'s keys. Both arms run
    ``years`` years: by default the longer of the two scenarios' horizons.

    Raises
    ------
    SweepFailed : if any run failed after its retries.
    """
    configs = [load_config(s) for s in (baseline, reform)]
    names = [c.name for c in configs]
    if configs[0].model_dump() == configs[1].model_dump():
        raise ConfigError(f"compare {baseline} {reform}: the two scenarios are identical (every field the same); "
                          "expected a reform that differs from its baseline")
    labels = names if names[0] != names[1] else ["baseline", "reform"]
    # like with like: both arms run the same years, the longer horizon unless --years says otherwise
    years = years if years is not None else max(c.years for c in configs)
    horizon = horizon_note(configs, years)
    folder = Path(out) if out else Path("results") / f"compare-{names[0]}-vs-{names[1]}"
    spec = {"name": folder.name, "scenarios": dict(zip(labels, (baseline, reform))), "seeds": seeds,
            "root_seed": root_seed, "population": population, "years": years, "retries": retries}
    status = run_sweep(spec, out=folder, workers=workers, scheduler=scheduler, progress=progress, log=log)
    if status.failed or status.pending:
        raise SweepFailed(f"{status}\ncomparison not written; fix the failures and run the same command again")
    table = paired_differences(load(folder), *labels, level=level)
    table["reform_in_force"] = table["year"].astype(int) >= horizon["first_reform_year"]
    write_parquet_atomic(table, folder / "comparison.parquet")
    meta = {"baseline": labels[0], "reform": labels[1], "seeds": replicate_seeds(root_seed, seeds),
            "root_seed": root_seed, "population": population, "years": years, "level": level, **horizon,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "rows": json.loads(table.to_json(orient="records"))}
    write_text_atomic(folder / "comparison.json", json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    table.attrs.update(baseline=labels[0], reform=labels[1], folder=str(folder), **horizon)
    return table
