"""Regression guard: KPIs of a small county must not drift from the stored golden values.

``golden/kpis.json`` holds the KPIs of the code as it is, written on purpose by
``python tests/golden/regenerate.py``. ``golden/pre_behaviour.json`` holds the model before the provider and
patient behaviour channels; with every such channel off (``BEHAVIOUR_OFF``) the model must reproduce it.
Tolerance: relative 1e-6 (plus 1e-9 absolute), enough for floating-point differences between machines and
library versions, far below any behavioural change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.regenerate import BEHAVIOUR_OFF, SCENARIOS, drift, golden_kpis

HERE = Path(__file__).parent / "golden"


def _stored(name: str) -> dict:
    return json.loads((HERE / name).read_text(encoding="utf-8"))["kpis"]


@pytest.mark.parametrize("stored_file, overlay", [("kpis.json", None), ("pre_behaviour.json", BEHAVIOUR_OFF)],
                         ids=["current", "behaviour-off"])
def test_kpis_match_golden(stored_file, overlay):
    now, stored = golden_kpis(overlay), _stored(stored_file)
    for scenario in SCENARIOS:
        # KPIs added since a file was stored are checked by the current file only
        moved = drift(now[scenario], stored[scenario], new_kpis_allowed=stored_file == "pre_behaviour.json")
        assert not moved, f"{scenario}: {len(moved)} KPIs drifted from tests/golden/{stored_file} " \
            f"(regenerate kpis.json on purpose): " + "; ".join(moved[:12])
