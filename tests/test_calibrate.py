"""Calibration (sim/experiments/calibrate.py): recover a known parameter from targets the model itself generated.

Tiny county (3,000 residents, 1 year, one seed per trial to stay fast; the shipped targets use several).
Targets come from a run at a known value of choice.asc_outpatient.county on the same seed the trials use
(common random numbers), so the loss is exactly zero at the truth; a bounded 1-D scipy search must land
within 0.1 utility of it in at most 5 trials, and the calibrated overlay must reproduce its fitted KPIs.
"""

from __future__ import annotations

import json

import pytest
import yaml

import sim
from sim.config.loader import load_config
from sim.experiments.calibrate import calibrate, load_targets
from sim.experiments.plan import replicate_seeds

TRUTH = -0.75  # not at a golden-section probe (-0.618, -0.382): the search has to move
POP = 3000
SEED = replicate_seeds(0, 1)[0]
KPIS = ["primary_visit_share", "in_county_visit_rate"]


@pytest.fixture(scope="module")
def fit(tmp_path_factory):
    truth = sim.run({"extends": "baseline", "choice": {"asc_outpatient": {"county": TRUTH}}}, population=POP, seed=SEED)
    k = truth.summary["kpis"]["0"]
    targets = {"name": "recover", "scenario": "baseline", "seeds": 1, "population": POP, "years": 1,
               "method": "bounded", "max_trials": 5, "xatol": 0.03,
               "parameters": {"choice.asc_outpatient.county": {"low": -1.0, "high": 0.0}},
               "targets": [{"kpi": kpi, "value": k[kpi], "tolerance": 0.01, "source": "the model at the truth"}
                           for kpi in KPIS]}
    out = tmp_path_factory.mktemp("calib")
    return calibrate(targets, out=out), targets, out


def test_recovers_known_parameter(fit):
    result, _, out = fit
    assert abs(result["best"]["choice.asc_outpatient.county"] - TRUTH) <= 0.1
    assert len(result["trace"]) <= 5
    assert (out / "fit.png").is_file() and "| choice.asc_outpatient.county |" in (out / "fit.md").read_text()
    assert all(t["within"] for t in result["targets"])  # within 0.01 of each target share


def test_overlay_reproduces_targets(fit):
    result, _, out = fit
    overlay = yaml.safe_load((out / "calibrated.yaml").read_text())
    assert overlay["extends"] == "baseline"
    cfg = load_config(out / "calibrated.yaml")
    assert cfg.choice.asc_outpatient.county == pytest.approx(result["best"]["choice.asc_outpatient.county"])
    again = sim.run(out / "calibrated.yaml", population=POP, seed=SEED).summary["kpis"]["0"]
    for t in result["targets"]:
        assert again[t["kpi"]] == pytest.approx(t["fitted"], abs=1e-9)  # same seed: the same runs


def test_resume_replays_stored_trials(fit):
    result, targets, out = fit
    trials = sorted(p.name for p in (out / "trials").iterdir())
    again = calibrate(targets, out=out)  # every trial is stored: no new runs, the same trace and result
    assert sorted(p.name for p in (out / "trials").iterdir()) == trials
    assert again["best"] == result["best"] and len(again["trace"]) == len(result["trace"])
    assert json.loads((out / "fit.json").read_text())["best"] == result["best"]


def test_shipped_targets_are_valid():
    tf, _, _ = load_targets("configs/calibration/default_targets.yaml")
    assert len(tf.targets) >= 8
    assert all("docs/sources/calibration_data.md §" in t.source for t in tf.targets)


def test_county_csv_to_config_and_targets(tmp_path):
    from sim.experiments.county_data import write_county

    county, targets = write_county("configs/county/example_yearbook.csv", tmp_path)
    cfg = load_config(county)
    assert cfg.population == 520000 and cfg.world.townships == 19 and cfg.world.county_hospital_beds == [1050, 480]
    assert cfg.demography.age_shares.b65p == pytest.approx(93600 / 520000, abs=1e-4)
    tf, _, _ = load_targets(targets)
    t = {x.kpi: x.value for x in tf.targets}
    assert t["primary_visit_share"] == pytest.approx(2_750_000 / 4_770_000, abs=1e-6)
    assert t["in_county_admission_rate"] == pytest.approx(81_000 / 102_000, abs=1e-6)
    assert t["admission_rate"] == pytest.approx(102_000 / 520_000, abs=1e-6)
    assert t["out_of_county_fund_share"] == pytest.approx(260 / 686, abs=1e-6)


def test_county_csv_errors_name_the_row(tmp_path):
    from sim.config.loader import ConfigError
    from sim.experiments.county_data import county_from_csv

    bad = tmp_path / "bad.csv"
    bad.write_text("item,level,value\npopulation,,520000\nvisits,village,lots\n")
    with pytest.raises(ConfigError, match="row 3"):
        county_from_csv(bad)
