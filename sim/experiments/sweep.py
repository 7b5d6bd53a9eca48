"""Running a sweep: plan it, skip finished runs, execute the rest, stream records to the store."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from sim.config.loader import ConfigError
from sim.experiments.executors import drive, make_executor
from sim.experiments.plan import Plan
from sim.experiments.spec import SweepSpec, load_spec
from sim.experiments.store import SweepFolder, SweepStatus, status, with_status
from sim.experiments.worker import execute_run
from sim.results.atomic import check_can_create

#: ``progress(record, done, failed, total)``: after each run of this session (counts of this session)
Progress = Callable[[dict, int, int, int], None]


def _default_out(spec: SweepSpec) -> Path:
    return Path(spec.out or Path("results") / "sweeps" / spec.name)


def _target(spec: str | Path | Mapping | SweepSpec, out: str | Path | None, resume: bool) -> tuple[SweepSpec, Path]:
    """The spec to run and its folder. A sweep folder as ``spec``, or ``resume``, means the folder's stored spec."""
    if isinstance(spec, (str, Path)) and Path(spec).is_dir():
        folder = Path(out or spec)
    elif resume:
        folder = Path(out) if out else _default_out(load_spec(spec))
    else:
        loaded = load_spec(spec)
        folder = Path(out) if out else _default_out(loaded)
        _same_runs(loaded, folder)
        return loaded, folder
    if not (folder / "sweep.yaml").is_file():
        raise ConfigError(f"{folder}: nothing to resume (no sweep.yaml); start the sweep from its spec file")
    return load_spec(folder), folder


#: spec fields that change what an existing run folder means; a folder holding another value is not reused
_RUN_DEFINING = ("scenarios", "population", "years", "root_seed", "set", "design")


def _same_runs(spec: SweepSpec, folder: Path) -> None:
    """Refuse to run ``spec`` into a folder holding a sweep whose runs mean something else (another population,
    other scenarios...): its results would be silently replaced and its runs left mixed in."""
    stored_file = folder / "sweep.yaml"
    if not stored_file.is_file():
        return
    try:
        old = yaml.safe_load(stored_file.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return
    new = spec.stored()
    changed = [k for k in _RUN_DEFINING if old.get(k) != new.get(k)]
    if changed:
        what = ", ".join(f"{k} {old.get(k)!r} -> {new.get(k)!r}" if k not in ("scenarios", "design") else k
                         for k in changed)
        raise ConfigError(f"--out {folder}: holds an earlier sweep or comparison with other runs ({what}); "
                          "expected a new folder: choose another --out, or remove the old one")


def run_sweep(spec: str | Path | Mapping[str, Any] | SweepSpec, *, out: str | Path | None = None,
              workers: int | None = None, scheduler: Any = None, retries: int | None = None, resume: bool = False,
              max_runs: int | None = None, progress: Progress | None = None,
              log: Callable[[str], None] | None = None) -> SweepStatus:
    """Run every unfinished run of a sweep and return its status.

    Parameters
    ----------
    spec : a spec file, mapping or :class:`SweepSpec`; or a sweep folder (continues its stored spec).
    out : output folder (default: the spec's ``out``, else ``results/sweeps/<name>``).
    workers : local processes (default: all cores; 1 = in this process). Ignored with ``scheduler``.
    scheduler : a Dask scheduler address (``'tcp://host:8786'``), ``distributed.Client`` or cluster object.
    retries : extra attempts for a failing run (default: the spec's, 2).
    resume : continue the sweep stored in the output folder (its ``sweep.yaml``), ignoring later edits
        of the spec and scenario files.
    max_runs : run at most this many unfinished runs, then stop (the rest stay pending).
    progress, log : callbacks for a progress display and one-line messages.

    Running the same command again skips finished runs: a run is finished iff its folder exists.
    """
    if max_runs is not None and max_runs < 1:
        raise ConfigError(f"--max-runs {max_runs}: expected a number of runs >= 1")
    if retries is not None and retries < 0:
        raise ConfigError(f"--retries {retries}: expected a number of extra attempts >= 0")
    spec, folder = _target(spec, out, resume)
    plan = Plan(spec)
    check_can_create(Path(folder) / "runs", "--out")
    executor = make_executor(workers, scheduler)  # before touching the folder: a bad --scheduler writes nothing
    store = SweepFolder(folder)
    try:
        lock = store.lock()  # a second sweep on this folder stops here instead of running every run again
    except BaseException:
        executor.close()
        raise
    try:
        store.prepare({**spec.stored(), "out": str(folder)}, plan.design)
        finished, journal = store.finished(), store.journal()
        manifest = with_status(plan.table, finished, journal)
        store.write_manifest(manifest)
        unfinished = manifest[manifest["status"] != "done"]
        todo = unfinished if max_runs is None else unfinished.head(max_runs)
        if log:
            log(f"sweep '{spec.name}': {len(manifest)} runs ({len(spec.configs)} scenarios x {len(plan.design)} "
                f"points x {spec.seeds} seeds), {len(manifest) - len(unfinished)} already done; running "
                f"{len(todo)} on {executor.description} -> {folder}")

        fn = partial(execute_run, runs_dir=str(store.runs.resolve()))
        done = failed = 0
        flushed, flush_cost = time.monotonic(), 0.0
        for record in drive(executor, fn, plan.tasks(todo), spec.retries if retries is None else retries):
            store.append(record)
            journal[record["run_id"]] = record
            if record["status"] == "done":
                finished.add(record["run_id"])
                done += 1
            else:
                failed += 1
            if progress:
                progress(record, done, failed, len(todo))
            if time.monotonic() - flushed > max(2.0, 10 * flush_cost):  # O(runs) per flush: keep it rare
                t0 = time.monotonic()
                store.write_manifest(with_status(plan.table, finished, journal))
                flushed, flush_cost = time.monotonic(), time.monotonic() - t0
    finally:
        try:
            executor.close()
            if store.manifest_file.is_file():
                store.write_manifest(with_status(plan.table, store.finished(), store.journal()))
        finally:
            lock.close()
    return status(folder)
