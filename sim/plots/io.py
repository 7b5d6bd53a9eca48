"""Inputs of the figures: run folders, comparison folders and sweep folders.

A *source* is a :class:`~sim.results.Result`, a run folder, a comparison folder
(``comparison.parquet`` and the runs of both arms) or a sweep folder
(``manifest.parquet`` and ``runs/<run_id>/``). Figures ask for what they need
(:func:`as_result`, :func:`arms`, :func:`table`) and raise :class:`NotApplicable`
with a reason when the source does not hold it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.results import Result
from sim.results.result import read_table

Source = Result | str | Path


class NotApplicable(Exception):
    """A figure does not apply to a source (a table or a kind of folder is missing); the message says why."""


# -- kinds of folder ---------------------------------------------------------------------------------------------------
def is_run(path: Path) -> bool:
    """A run folder: it has ``summary.json``."""
    return (path / "summary.json").is_file()


def is_comparison(path: Path) -> bool:
    """A comparison folder written by ``countysim compare``."""
    return (path / "comparison.parquet").is_file() or (path / "comparison.json").is_file()


def is_sweep(path: Path) -> bool:
    """A sweep folder: ``manifest.parquet`` next to ``runs/``."""
    return (path / "manifest.parquet").is_file()


def kind(source: Source) -> str:
    """``'run'``, ``'comparison'``, ``'sweep'`` or ``'runs'`` (a folder of run folders) of a source."""
    if isinstance(source, Result):
        return "run"
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if is_run(path):
        return "run"
    if is_comparison(path):
        return "comparison"
    if is_sweep(path):
        return "sweep"
    if _child_runs(path):
        return "runs"
    raise NotApplicable(f"{path}: not a run, comparison or sweep folder (no summary.json, comparison.parquet "
                        f"or manifest.parquet)")


def _child_runs(path: Path) -> list[Path]:
    """Run folders directly under ``path`` or under ``path/runs`` (finished ones only), sorted by name."""
    found = []
    for base in (path, path / "runs"):
        if base.is_dir():
            found += [p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".") and is_run(p)]
    return sorted(found)


# -- runs --------------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _load(path: str, mtime: float) -> Result:
    return Result.load(path)


def load_run(path: str | Path) -> Result:
    """A run folder as a Result (cached while the folder is unchanged)."""
    path = Path(path).resolve()
    return _load(str(path), (path / "summary.json").stat().st_mtime)


def as_result(source: Source) -> Result:
    """The single run of a source (a Result or a run folder); other sources raise :class:`NotApplicable`."""
    if isinstance(source, Result):
        return source
    path = Path(source)
    if is_run(path):
        return load_run(path)
    raise NotApplicable(f"{path}: needs a single run folder")


def arm_of(result: Result) -> str:
    """The arm (scenario name) a run belongs to."""
    return str(result.summary.get("scenario") or result.config.get("name") or "run")


MAX_ARMS = 6


def arms(source: Source | Mapping[str, Sequence[Source]]) -> dict[str, list[Result]]:
    """Finished runs grouped by arm, baseline first.

    * a mapping ``{arm: [runs or folders]}`` is taken as given;
    * a comparison or sweep folder: the manifest's scenario labels (and design point, when a sweep has several,
      at most :data:`MAX_ARMS` groups); the comparison's baseline first;
    * a run: one arm named by its scenario; a folder of run folders: grouped by scenario.
    """
    if isinstance(source, Mapping):
        return {str(k): [r for s in v for rs in arms(s).values() for r in rs] for k, v in source.items()}
    if isinstance(source, Result) or is_run(Path(source)):
        r = as_result(source)
        return {arm_of(r): [r]}
    path = Path(source)
    out: dict[str, list[Result]] = {}
    if is_sweep(path):
        manifest = read_table(path / "manifest.parquet")
        label = _point_labels(path, manifest)
        for row, name in zip(manifest.itertuples(index=False), label):
            folder = path / "runs" / row.run_id
            if is_run(folder):
                out.setdefault(name, []).append(load_run(folder))
    else:
        for folder in _child_runs(path):
            r = load_run(folder)
            out.setdefault(arm_of(r), []).append(r)
    first = baseline_name(source)
    if first in out:
        out = {first: out[first], **{k: v for k, v in out.items() if k != first}}
    return out


def _point_labels(path: Path, manifest: pd.DataFrame) -> list[str]:
    """Arm label of each manifest row: the scenario, plus the parameter values when the sweep has several points."""
    scen = manifest["scenario"].astype(str)
    if manifest["point"].nunique() <= 1:
        return list(scen)
    spec = yaml.safe_load((path / "sweep.yaml").read_text(encoding="utf-8")) if (path / "sweep.yaml").is_file() else {}
    params = [p for p in (spec.get("parameters") or {}) if p in manifest]
    labels = [f"{s} " + ", ".join(f"{p.rsplit('.', 1)[-1]}={row[p]:g}" if isinstance(row[p], float) else
                                   f"{p.rsplit('.', 1)[-1]}={row[p]}" for p in params)
              for s, (_, row) in zip(scen, manifest.iterrows())]
    if len(set(labels)) > MAX_ARMS:
        raise NotApplicable(f"the sweep has {len(set(labels))} scenario × design-point groups; this figure compares "
                            f"at most {MAX_ARMS} (use a comparison folder, or plot single runs)")
    return labels


def baseline_name(source: Source) -> str | None:
    """Name of the baseline arm of a comparison folder (``comparison.json``), else ``None``."""
    if isinstance(source, Result):
        return None
    value = read_json(Path(source) / "comparison.json").get("baseline")
    return value if isinstance(value, str) else None


def read_json(path: Path) -> dict:
    """A JSON file as a dict ({} when absent)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def table(source: Source, name: str) -> pd.DataFrame:
    """A table of one run (attribute of the Result, or ``<name>.parquet`` in its folder).

    Raises :class:`NotApplicable` when the run has no such table (e.g. ``budget`` before the budget engine
    ran, or ``claims`` written with ``--claims none``).
    """
    result = as_result(source)
    df = getattr(result, name, None)
    if df is None and result.folder is not None and (Path(result.folder) / f"{name}.parquet").is_file():
        df = read_table(Path(result.folder) / f"{name}.parquet")
    if df is None:
        raise NotApplicable(f"the run has no {name} table ({name}.parquet)")
    return df


#: folder tables and the command that writes them
WRITTEN_BY = {"comparison": "countysim compare", "manifest": "countysim sweep"}


def folder_table(source: Source, name: str) -> pd.DataFrame:
    """``<name>.parquet`` at the top of a comparison or sweep folder (or a DataFrame given directly)."""
    if isinstance(source, pd.DataFrame):
        return source
    path = None if isinstance(source, Result) else Path(source) / f"{name}.parquet"
    if path is None or not path.is_file():
        writer = f" (written by {WRITTEN_BY[name]})" if name in WRITTEN_BY else ""
        raise NotApplicable(f"needs {name}.parquet{writer}, which this source has not")
    return read_table(path)


def kpi(result: Result, key: str, year: str | int) -> Any:
    """One KPI of one run and year (``None`` when absent)."""
    return result.summary["kpis"].get(str(year), {}).get(key)


def reform_year(config: Mapping) -> int | None:
    """First simulation year under the scenario's reformed rules (``reform.start_year`` or the first dated
    step); ``None`` if 0 or unset."""
    reform = config.get("reform") or {}
    steps = reform.get("steps") or []
    year = (steps[0].get("year") if steps else reform.get("start_year")) or 0
    return int(year) if year > 0 else None


def years(result: Result) -> list[str]:
    """The run's years as they key its KPIs (``'0'``, ``'1'``, ...)."""
    return sorted(result.summary["kpis"], key=int)
