"""Small real results shared by the figure and report tests, built once per test run (no tests here).

Each builder returns a folder: a three-year run of the global-budget scenario (reform in year 2), a paired
comparison (2 seeds, one year) and a one-at-a-time sweep (5 runs), all of a few thousand residents. Alone, a test
process keeps them under one temporary directory removed at exit. Under xdist (``--dist loadfile``) test_plots.py
and test_report.py usually run in different workers: the folders then live in the run's shared pytest temporary
directory (``COUNTYSIM_SHARED_TMP``, set by tests/conftest.py), the first worker that needs one builds it and the
other waits for it, so each is built once per test run.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sim


@functools.cache
def _root() -> Path:
    """Where the folders live (decided at first use: the conftest sets the shared directory once a session starts)."""
    shared = os.environ.get("COUNTYSIM_SHARED_TMP")
    if shared:
        root = Path(shared) / "countysim-plots"          # removed with pytest's old temporary directories
        root.mkdir(parents=True, exist_ok=True)
        return root
    root = Path(tempfile.mkdtemp(prefix="countysim-plots-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def _once(name: str, build: Callable[[Path], object]) -> Path:
    """``folder = root / name`` built by ``build(folder)`` exactly once, also across xdist workers: the worker that
    creates the lock folder builds it, the others wait for its ``.done`` (or ``.failed``) marker."""
    root = _root()
    folder, done, failed = root / name, root / f"{name}.done", root / f"{name}.failed"
    try:
        (root / f"{name}.lock").mkdir()
    except FileExistsError:
        deadline = time.monotonic() + 600
        while not done.exists():
            if failed.exists() or time.monotonic() > deadline:
                raise RuntimeError(f"{folder} was not built by the worker that started it") from None
            time.sleep(0.2)
        return folder
    try:
        build(folder)
    except BaseException:
        failed.touch()
        raise
    done.touch()
    return folder


@functools.cache
def run_folder() -> Path:
    """The global-budget scenario (fee-for-service, then a global budget from year 2), 4,000 residents, 3 years."""
    return _once("run", lambda out: sim.run("global_budget", population=4000, seed=1, years=3).write(out))


@functools.cache
def comparison_folder() -> Path:
    """baseline vs drg_base_groups on 2 paired seeds, 4,000 residents."""
    from sim.experiments import compare

    return _once("compare", lambda out: compare("baseline", "drg_base_groups", seeds=2, population=4000, out=out,
                                                workers=1))


def one_year_run() -> Path:
    """A one-year run without a global budget: the comparison's first run folder."""
    return sorted((comparison_folder() / "runs").iterdir())[0]


@functools.cache
def sweep_folder() -> Path:
    """One-at-a-time sweep of two parameters (5 design points, 1 seed, 2,000 residents)."""
    from sim.experiments import run_sweep

    spec = {"name": "oat", "scenarios": ["baseline"], "design": {"method": "oat"}, "seeds": 1, "population": 2000,
            "years": 1, "set": {"output.claims": "none"},
            "parameters": {"choice.travel_per_hour": {"low": 0.6, "high": 1.2},
                           "insurance.unreferred_outcounty_penalty_pp": [0.0, 0.15, 0.3]}}
    return _once("sweep", lambda out: run_sweep(spec, out=out, workers=1))
