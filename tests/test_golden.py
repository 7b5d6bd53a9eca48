"""Regression guard: KPIs of a small county must not drift from the stored golden values.

The golden file is written on purpose by ``python tests/golden/regenerate.py`` (see its docstring).
Tolerance: relative 1e-6 (plus 1e-9 absolute), enough for floating-point differences between machines
and library versions, far below any behavioural change.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from tests.golden.regenerate import golden_kpis

GOLDEN = Path(__file__).parent / "golden" / "kpis.json"
RTOL, ATOL = 1e-6, 1e-9


@pytest.fixture(scope="module")
def current():
    return golden_kpis()


@pytest.mark.parametrize("scenario", ["baseline", "combined"])
def test_kpis_match_golden(current, scenario):
    stored = json.loads(GOLDEN.read_text(encoding="utf-8"))["kpis"][scenario]
    now = current[scenario]
    assert set(now) == set(stored), f"KPI names changed: added {set(now) - set(stored)}, gone {set(stored) - set(now)}"
    drift = {k: (stored[k], now[k]) for k in stored
             if not (math.isclose(now[k], stored[k], rel_tol=RTOL, abs_tol=ATOL)
                     or (math.isnan(now[k]) and math.isnan(stored[k])))}
    assert not drift, f"{len(drift)} KPIs drifted from tests/golden/kpis.json (regenerate on purpose): " + \
        ", ".join(f"{k}: {a:g} -> {b:g}" for k, (a, b) in sorted(drift.items())[:12])
