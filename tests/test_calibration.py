"""The default county, seed 1, one year, against its calibration targets.

The targets, their tolerances (the reference band) and sources are those of
``configs/calibration/default_targets.yaml`` (the file ``countysim calibrate`` fits and
``benchmarks/readme_tables.py`` prints in the README): one definition of each target.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

TARGETS = yaml.safe_load((Path(__file__).resolve().parents[1] / "configs" / "calibration" /
                          "default_targets.yaml").read_text(encoding="utf-8"))["targets"]


@pytest.fixture(scope="module")
def k(default_result):
    return default_result.summary["kpis"]["0"]


def _value(kpis: dict, dotted: str) -> float:
    for part in dotted.split("."):
        kpis = kpis[part]
    return float(kpis)


@pytest.mark.parametrize("target", TARGETS, ids=[t["kpi"] for t in TARGETS])
def test_target_within_its_reference_band(k, target):
    value = _value(k, target["kpi"])
    assert abs(value - target["value"]) <= target["tolerance"], \
        f"{target['kpi']} = {value:.4g}, expected {target['value']} ± {target['tolerance']} ({target['source']})"


def test_down_referrals_small_fraction_of_up(k):
    assert 0 < k["down_referrals"] <= 0.5 * k["up_referrals"]  # docs/sources/calibration_data.md §5: up ≈ 3-10x down
