"""Run folders: contents, atomic writing, the summary schema, claims options."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import sim
from sim.results import Result

SUMMARY_KPIS = ("visits", "admissions", "in_county_visit_rate", "in_county_admission_rate", "primary_visit_share",
                "admission_rate", "up_referrals", "down_referrals", "out_of_county_admissions",
                "out_of_county_fund_share", "primary_fund_share", "total_cost", "fund_payment", "oop_payment",
                "oop_share", "alos_by_level", "bed_occupancy_by_level", "readmission_rate_30d",
                "base_group_admissions_by_level")


def test_cli_writes_complete_run_folder(tmp_path):
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "sim.cli", "run", "--population", "8000", "--years", "2",
                        "--seed", "5", "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "in_county_admission_rate" in r.stdout
    names = {p.name for p in out.iterdir()}
    assert {"config.yaml", "summary.json", "daily.parquet", "claims.parquet", "outpatient.parquet",
            "facility_year.parquet"} <= names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temporary leftovers
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "default" and summary["seed"] == 5 and summary["years"] == 2
    assert summary["population"] == 8000 and summary["version"] == sim.__version__
    assert set(summary["kpis"]) == {"0", "1"}
    for key in SUMMARY_KPIS:
        assert key in summary["kpis"]["1"], key
    loaded = Result.load(out)
    assert len(loaded.daily) == 730
    assert loaded.config["population"] == 8000


def test_resolved_config_reloads_to_the_same_scenario(tmp_path, small_result):
    path = tmp_path / "resolved.yaml"
    import yaml

    path.write_text(yaml.safe_dump(small_result.config, allow_unicode=True), encoding="utf-8")
    again = sim.load_config(path)
    assert again.model_dump(mode="json", by_alias=True) == small_result.config


def test_claims_all_keeps_single_visits():
    r = sim.run({"extends": "default", "output": {"claims": "all"}}, population=5000, seed=3)
    assert "visit_id" in r.outpatient and r.outpatient["visits"].eq(1).all()
    assert len(r.outpatient) == r.daily["visits"].sum()
    agg = sim.run(None, population=5000, seed=3)

    def flat(d, pre=""):
        return {k2: v2 for k, v in d.items() for k2, v2 in
                (flat(v, f"{pre}{k}.").items() if isinstance(v, dict) else [(f"{pre}{k}", v)])}

    # same simulation, only the claims layout differs (money equal to rounding: caps summed in another order)
    a, b = flat(agg.summary["kpis"]), flat(r.summary["kpis"])
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(b[key], float):
            assert a[key] == pytest.approx(b[key], rel=1e-9, nan_ok=True), key
        else:
            assert a[key] == b[key], key


def test_inpatient_claims_schema(small_result):
    c = small_result.claims
    for col in ("resident", "condition", "drg_code", "facility", "level", "days", "total_cost", "fund_payment",
                "oop_payment", "referral_path", "in_county", "admit_day", "discharge_day", "episode_id"):
        assert col in c, col
    assert isinstance(c["condition"].dtype, pd.CategoricalDtype)
    assert (c["days"] >= 0).all() and (c["discharge_day"] >= c["admit_day"]).all()
