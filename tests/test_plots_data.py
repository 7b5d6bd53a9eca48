"""Small real results shared by the figure and report tests, built once per test process (no tests here).

Each builder returns a folder under one temporary directory removed at exit: a three-year run of the global-budget
scenario (reform in year 2), a paired comparison (2 seeds, one year) and a one-at-a-time sweep (5 runs), all of a
few thousand residents.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import sim

ROOT = Path(tempfile.mkdtemp(prefix="countysim-plots-"))
atexit.register(shutil.rmtree, ROOT, ignore_errors=True)


@functools.cache
def run_folder() -> Path:
    """The global-budget scenario (fee-for-service, then a global budget from year 2), 4,000 residents, 3 years."""
    return sim.run("global_budget", population=4000, seed=1, years=3).write(ROOT / "run")


@functools.cache
def comparison_folder() -> Path:
    """baseline vs drg_base_groups on 2 paired seeds, 4,000 residents."""
    from sim.experiments import compare

    compare("baseline", "drg_base_groups", seeds=2, population=4000, out=ROOT / "compare", workers=1)
    return ROOT / "compare"


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
    run_sweep(spec, out=ROOT / "sweep", workers=1)
    return ROOT / "sweep"
