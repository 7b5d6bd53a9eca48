"""The default county, seed 1, one year, against the calibration targets.

Targets and their sources: shared/reference/calibration_data.md §2, §3, §5 and §9 (bands as stated in
the core-simulation issue). Tolerance: the reference band itself.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def k(default_result):
    return default_result.summary["kpis"]["0"]


def test_primary_visit_share(k):
    assert 0.45 <= k["primary_visit_share"] <= 0.60  # §2.1: 基层 share 50-53%, target 55%


def test_admissions_per_resident(k):
    assert 0.16 <= k["admission_rate"] <= 0.23  # §2.2: 17.5-21.4% per year


def test_in_county_admission_rate(k):
    assert 0.75 <= k["in_county_admission_rate"] <= 0.92  # §5 / §9: 0.80 [A], target 0.90


def test_alos_by_level(k):
    assert 5 <= k["alos_by_level"]["township"] <= 8    # §2.3: THC ≈6.5
    assert 7 <= k["alos_by_level"]["county"] <= 10     # §2.3: secondary 8.7


@pytest.mark.parametrize("level, target", [("township", 2400), ("county", 6800), ("city", 14000)])
def test_cost_per_stay_near_reference(k, level, target):
    # §3.1 / §9 inpatient_per_stay; "near" = within ±30%
    assert abs(k["cost_per_stay_by_level"][level] / target - 1) <= 0.30


def test_down_referrals_small_fraction_of_up(k):
    assert 0 < k["down_referrals"] <= 0.5 * k["up_referrals"]  # §5: up ≈ 3-10x down


def test_in_county_visit_rate(k):
    assert 0.80 <= k["in_county_visit_rate"] <= 0.97  # §5 / §9: 0.88 [V/M]


def test_bed_occupancy(k):
    assert 0.35 <= k["bed_occupancy_by_level"]["township"] <= 0.70   # §2.3: THC ≈50%
    assert 0.70 <= k["bed_occupancy_by_level"]["county"] <= 0.98     # §2.3: public hospitals 86%
