"""Shared fixtures: simulations are run once per test session and reused."""

from __future__ import annotations

import os

import pytest

import sim

#: a reduced county for behavioural tests: beds scale with population, so occupancy stays realistic
SMALL = {"population": 40_000, "seed": 1}


@pytest.fixture(scope="session", autouse=True)
def _shared_tmp(tmp_path_factory):
    """Under xdist: the run's pytest temporary directory, shared by the workers (each has its own below it), for
    results built once per test run (tests/test_plots_data.py)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ["COUNTYSIM_SHARED_TMP"] = str(tmp_path_factory.getbasetemp().parent)


@pytest.fixture(scope="session")
def small_result():
    """One year of a 40k-resident version of the default county, seed 1."""
    return sim.run(None, **SMALL)


@pytest.fixture(scope="session")
def default_result():
    """The built-in default county (500k residents), seed 1, one year: the calibration run."""
    return sim.run(None, seed=1)


# --- distributing the suite over xdist workers (README: ``-n 2 --dist loadfile --no-loadscope-reorder``) ---
# Each test file is one unit of work (--dist loadfile), so a module-scoped fixture runs once, not once per worker
# (each worker has its own session and modules); the longest files start first (--no-loadscope-reorder keeps this
# order), so that no worker is left with a long tail. (--dist loadgroup would allow finer units, but from pytest
# 9.2 xdist no longer sees its group suffix on node ids and spreads the tests as --dist load would.)

#: the slowest files by CPU time, measured, slowest first (the notebooks: about 2 minutes of CPU, two kernels at a
#: time); the rest follow in collection order
SLOW_FIRST = ["test_notebooks", "test_experiments_sensitivity", "test_policies", "test_golden",
              "test_experiments_sweep", "test_calibration", "test_reinvestment", "test_patients_behaviour",
              "test_calibrate", "test_reform_timeline", "test_compare", "test_plots", "test_effects", "test_outputs",
              "test_report", "test_behaviour"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    # stable: within a file the tests keep their order
    items.sort(key=lambda it: rank.get(it.path.stem, len(rank)))
