"""A dated reform timeline: each step's rules are in force from the start of its year, cumulatively."""

from __future__ import annotations

import pytest

import sim
from sim.config.loader import ConfigError
from sim.policy.timeline import rules_before, rules_in_year

SMALL = {"population": 4_000, "seed": 3}


def test_staged_reform_rules_by_year():
    cfg = sim.load_config("staged_reform")
    before = rules_before(cfg)
    method = [rules_in_year(cfg, before, y).payment.inpatient_method.county for y in range(5)]
    base_groups = [rules_in_year(cfg, before, y).payment.base_groups.enabled for y in range(5)]
    budget = [rules_in_year(cfg, before, y).budget.enabled for y in range(5)]
    assert method == ["ffs", "ffs", "drg", "drg", "drg"]
    # base groups act only under DRG payment (the baseline's flag is on but idle under fee-for-service)
    assert [m == "drg" and b for m, b in zip(method, base_groups)] == [False, False, False, True, True]
    assert budget == [False, False, False, False, True]
    assert cfg.reform.first_year == 2 and cfg.reform.change_years == [2, 3, 4]


def test_list_form_equals_single_start_form():
    """``reform: [{year: 1, overlay: X}]`` with ``before`` is the old ``start_year: 1`` form: same run (the reform
    brought forward from year 2 to year 1: two simulated years, not three)."""
    old = sim.run({"extends": "combined", "years": 2, "reform": {"start_year": 1}}, **SMALL)
    new = sim.run({"extends": "combined", "years": 2,
                   "reform": {"start_year": 0, "before": "baseline", "steps": [{"year": 1, "overlay": "combined"}]}},
                  **SMALL)
    assert old.summary["kpis"] == new.summary["kpis"]
    shorthand = sim.load_config({"extends": "baseline", "reform": [{"year": 1, "overlay": "drg"}]})
    assert [s.year for s in shorthand.reform.steps] == [1]


def test_each_step_moves_what_it_changes():
    """Base groups switch on in year 3 only: their payment flag appears on claims from year 3."""
    r = sim.run("staged_reform", **SMALL)
    claims = r.claims
    by_year = claims.groupby("year")["payment_method"].agg(lambda s: (s == "drg").mean())
    assert by_year.loc[0] == 0 and by_year.loc[1] == 0 and by_year.loc[2] > 0.5
    bg = claims.groupby("year")["base_group_paid"].mean()
    assert bg.loc[2] == 0 and bg.loc[3] > 0
    kpis = r.summary["kpis"]
    assert kpis["3"]["budget_total"] is None and kpis["4"]["budget_total"] > 0


@pytest.mark.parametrize("reform, expected", [
    ({"steps": [{"year": 3, "overlay": "drg"}, {"year": 2, "overlay": "drg"}]}, "strictly increasing"),
    ({"steps": [{"year": 2, "overlay": {"world": {"townships": 3}}}]}, "only the rule sections"),
    ({"start_year": 2, "before": "baseline", "steps": [{"year": 3, "overlay": "drg"}]}, "not both"),
])
def test_bad_timelines_are_config_errors(reform, expected):
    with pytest.raises(ConfigError, match=expected):
        sim.load_config({"extends": "baseline", "reform": reform})
