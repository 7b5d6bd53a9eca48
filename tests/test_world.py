"""The county world: synthetic defaults and loading a real county from CSV."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import sim
from sim.codes import COUNTY, TOWNSHIP, VILLAGE
from sim.config.loader import ConfigError, load_config
from sim.county.world import build_world

FACILITIES = """id,name,level,township,lat,lon,beds,doctors
H1,县人民医院,county,城关,34.00,114.00,300,140
T1,城关卫生院,township,城关,34.01,114.01,30,20
T2,北乡卫生院,township,北乡,34.20,114.05,25,15
V1,村一卫生室,village,城关,34.02,114.02,0,2
V2,村二卫生室,village,北乡,34.21,114.06,0,2
C1,市中心医院,city,,34.60,114.60,,
"""
VILLAGES = """id,township,population,lat,lon
v1,城关,6000,34.02,114.02
v2,北乡,4000,34.21,114.06
"""


def test_default_world_matches_reference_structure():
    cfg = load_config()
    w = build_world(cfg.world, cfg.population, np.random.default_rng(0))
    lv = w.facilities["level"]
    assert (lv == TOWNSHIP).sum() == 18 and (lv == VILLAGE).sum() == 300 and (lv == COUNTY).sum() == 2
    thc_beds = w.facilities.loc[lv == TOWNSHIP, "beds"]
    assert abs(thc_beds.mean() - 45) < 1                 # calibration_data.md §1.3: 45 beds per THC on average
    assert thc_beds.iloc[0] == thc_beds.max() > 2 * thc_beds.min()   # the county seat's centre is the largest
    assert w.alternatives.shape == (300, 6)
    # travel: the village clinic is nearest, the city hospital usually farther than the county hospital
    assert (w.travel_hours[:, 0] <= w.travel_hours[:, 1]).all()
    # (villages on the edge facing the city may be nearer to it than to the county seat)
    assert (w.travel_hours[:, 4] > w.travel_hours[:, 2]).mean() > 0.9


def _write_county(tmp_path, facilities=FACILITIES):
    (tmp_path / "fac.csv").write_text(facilities, encoding="utf-8")
    (tmp_path / "vil.csv").write_text(VILLAGES, encoding="utf-8")
    cfg = tmp_path / "county.yaml"
    cfg.write_text("extends: default\nname: real\npopulation: 5000\n"
                   "world: {facilities_csv: fac.csv, villages_csv: vil.csv}\n", encoding="utf-8")
    return cfg


def test_real_county_from_csv_runs(tmp_path):
    result = sim.run(_write_county(tmp_path))
    fy = result.facility_year
    assert set(fy["facility"]) == {"H1", "T1", "T2", "V1", "V2", "C1"}
    k = result.summary["kpis"]["0"]
    assert k["admissions"] > 300 and k["visits"] > 10_000
    # the north township's residents use their own clinic: its visits are ~40% of village-clinic visits
    vc = fy[fy["level_name"] == "village"].set_index("facility")["visits"]
    assert 0.3 < vc["V2"] / vc.sum() < 0.5


def test_real_county_bad_level_is_a_clear_error(tmp_path):
    cfg = _write_county(tmp_path, FACILITIES.replace("T2,北乡卫生院,township", "T2,北乡卫生院,clinic"))
    r = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(cfg), "--out", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "fac.csv" in r.stderr and "'level'" in r.stderr and "'clinic'" in r.stderr


def test_real_county_needs_a_city_hospital(tmp_path):
    cfg = _write_county(tmp_path,
                        "\n".join(line for line in FACILITIES.splitlines() if not line.startswith("C1")) + "\n")
    with pytest.raises(ConfigError, match="city"):
        sim.run(cfg)


def test_csv_files_come_in_pairs():
    with pytest.raises(ConfigError, match="together"):
        load_config({"extends": "default", "world": {"facilities_csv": "x.csv"}})
