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
