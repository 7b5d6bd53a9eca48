"""Shared fixtures: simulations are run once per test session and reused."""

from __future__ import annotations

import pytest

import sim

#: a reduced county for behavioural tests: beds scale with population, so occupancy stays realistic
SMALL = {"population": 40_000, "seed": 1}


@pytest.fixture(scope="session")
def small_result():
    """One year of a 40k-resident version of the default county, seed 1."""
    return sim.run(None, **SMALL)


@pytest.fixture(scope="session")
def default_result():
    """The built-in default county (500k residents), seed 1, one year: the calibration run."""
    return sim.run(None, seed=1)


# --- distributing the suite over xdist workers (README: ``-n 2 --dist loadgroup --no-loadscope-reorder``) ---
#: test files whose tests are sent to workers one by one (no shared module-scoped runs); every other file is one
#: xdist group, so its module-scoped fixture runs once (each worker has its own session and modules)
SPREAD_FILES = {"test_golden"}

#: the longest groups (measured, slowest first) start first, so that no worker is left with a long tail; the
#: rest follow in collection order
SLOW_FIRST = ["sweep_sobol", "test_notebooks", "test_experiments_sweep", "policies_global_budget",
              "policies_base_groups", "test_policies", "test_reinvestment", "test_golden", "sweep_morris",
              "test_patients_behaviour", "test_calibrate", "test_reform_timeline", "test_calibration", "small_result",
              "test_compare", "test_plots", "test_effects", "test_outputs", "test_report"]


def _group(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("xdist_group")
    if mark is not None:
        return mark.args[0] if mark.args else mark.kwargs.get("name", "default")
    if "small_result" in item.fixturenames:        # the session run shared by several files: one worker
        return "small_result"
    return None if item.path.stem in SPREAD_FILES else item.path.stem


@pytest.hookimpl(tryfirst=True)      # before xdist reads the marks (it appends the group to each node id)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    for item in items:
        group = _group(item)
        if group is not None and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(group))
    # stable: within a group the tests keep their file order
    items.sort(key=lambda it: rank.get(_group(it) or it.path.stem, len(rank)))
