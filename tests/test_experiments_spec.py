"""Sweep specs: validation messages, designs, seeds and run ids (no simulation; fast)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from sim import experiments as ex
from sim.cli import main
from sim.config.loader import ConfigError

BASE = {"scenarios": ["default"], "population": 5000}


def _spec(**fields):
    return {**BASE, **fields}


@pytest.mark.parametrize("fields, expected", [
    ({"parameters": {"choice.travel_perhour": {"low": 0.5, "high": 1.0}}},
     ["parameters.choice.travel_perhour", "0.5", "not a config field"]),
    ({"parameters": {"choice.travel_per_hour": {"low": 2.0, "high": 1.0}}},
     ["parameters.choice.travel_per_hour", "high (1.0) must be greater than low (2.0)"]),
    ({"parameters": {"referral.down_referral": [0.1, 1.5]}},
     ["parameters.referral.down_referral", "1.5", "less than or equal to 1"]),
    ({"parameters": {"choice.contract": 0.3}}, ["parameters.choice.contract", "0.3", "put it under `set:`"]),
    ({"parameters": {"choice.contract": [0.1, "x"]}}, ["choice.contract", "must all be numbers, all strings"]),
    ({"parameters": {"seed": [1, 2]}}, ["'seed' is a reserved manifest column", "root_seed"]),
    ({"design": {"method": "sobol", "samples": 10}, "parameters": {"choice.contract": {"low": 0, "high": 1}}},
     ["design", "power of 2", "try 8"]),
    ({"design": {"method": "latin"}, "parameters": {"choice.contract": {"low": 0, "high": 1}}},
     ["design", "needs samples"]),
    ({"design": {"method": "factorial"}}, ["design.method", "'factorial'", "grid"]),
    ({"seeds": 0}, ["seeds", "greater than or equal to 1"]),
    ({"set": {"output.claims": "some"}}, ["set.output.claims", "'some'"]),
    ({"scenarios": ["default", "default"]}, ["scenarios.1", "two scenarios are named 'default'"]),
    ({"scenarios": ["no_such_scenario"]}, ["scenarios.0", "no_such_scenario", "not found"]),
    ({"scenarios": []}, ["scenarios", "non-empty list"]),
    ({"populaton": 5}, ["populaton", "unknown field", "a sweep spec has: name"]),
])
def test_bad_spec_names_file_field_value_expectation(tmp_path, fields, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_spec(**fields)), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        ex.load_spec(path)
    message = str(err.value)
    assert str(path) in message
    for part in expected:
        assert part in message, message


def test_bad_spec_cli_exits_2_without_traceback(tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text("scenarios: [default]\nparameters:\n  choice.travel_per_hour: {low: 1}\n", encoding="utf-8")
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "choice.travel_per_hour" in err and "needs both low and high" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_example_specs_are_valid():
    for name, runs in [("example_grid", 27), ("example_sobol", 448), ("example_morris", 120), ("example_oat", 45),
                       ("example_reinvestment", 18)]:
        spec = ex.load_spec(f"configs/sweeps/{name}.yaml")
        assert len(ex.Plan(spec).table) == runs, name


@pytest.mark.parametrize("design, points", [
    ({"method": "grid"}, 3 * 2 * 2),
    ({"method": "random", "samples": 7}, 7),
    ({"method": "latin", "samples": 6}, 6),
    ({"method": "sobol", "samples": 8}, 8 * (3 + 2)),
    ({"method": "sobol", "samples": 4, "second_order": True}, 4 * (2 * 3 + 2)),
    ({"method": "morris", "samples": 3}, 3 * (3 + 1)),
    ({"method": "oat"}, 1 + 2 * 2 + 1),  # dummy d: base "b" is also its high level (duplicate dropped)
])
def test_designs(design, points):
    spec = ex.load_spec(_spec(design=design, parameters={
        "choice.travel_per_hour": {"low": 0.5, "high": 1.5},          # grid: 3 steps
        "population": {"low": 4000, "high": 6000, "steps": 2},         # integer range
    }, dummy={"d": ["a", "b"]}))
    d = ex.build_design(spec)
    assert len(d) == points and list(d["point"]) == list(range(points))
    assert d["choice.travel_per_hour"].between(0.5, 1.5).all()
    assert d["population"].map(lambda v: isinstance(v, (int, np.integer)) and 4000 <= v <= 6000).all()
    assert set(d["d"]) <= {"a", "b"}
    assert ((d.filter(like="unit:") >= 0) & (d.filter(like="unit:") <= 1)).all().all()
    assert d.equals(ex.build_design(spec))  # deterministic


def test_seeds_common_random_numbers_and_run_ids():
    spec = ex.load_spec(_spec(scenarios=["default", "baseline"], seeds=3, root_seed=11,
                              parameters={"choice.contract": [0.2, 0.4]}))
    plan = ex.Plan(spec).table
    assert len(plan) == 2 * 2 * 3 and plan["run_id"].is_unique
    seeds = ex.replicate_seeds(11, 3)
    assert seeds == [int(np.random.SeedSequence(11).spawn(3)[r].generate_state(1)[0]) for r in range(3)]
    # every scenario and point of a replicate shares its seed
    assert (plan.groupby("replicate")["seed"].nunique() == 1).all()
    assert list(plan.groupby("replicate")["seed"].first()) == seeds
    # ids are deterministic and survive adding replicates
    more = ex.Plan(ex.load_spec(_spec(scenarios=["default", "baseline"], seeds=5, root_seed=11,
                                      parameters={"choice.contract": [0.2, 0.4]}))).table
    assert set(plan["run_id"]) < set(more["run_id"])
    assert plan["run_id"].tolist() == ex.Plan(ex.load_spec(spec.stored())).table["run_id"].tolist()
