"""Results can be shared and traced: provenance in summary.json, calendar labels, documented tables, no
internal sentinels in outputs, built-in configs found in an installed package (issue #15)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.results import Result

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    cfg = {"extends": "default", "calendar": {"first_year": 2030}}
    return sim.run(cfg, population=2000, years=2).write(tmp_path_factory.mktemp("prov") / "run")


def test_summary_records_code_and_library_versions(run_folder):
    s = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    p = s["provenance"]
    import platform

    import mesa
    import numpy

    assert p["numpy"] == numpy.__version__ and p["pandas"] == pd.__version__ and p["mesa"] == mesa.__version__
    assert p["python"] == platform.python_version() and p["countysim"] == sim.__version__
    if (ROOT / ".git").exists():  # a checkout (a worktree has a .git file): the commit is recorded
        assert len(p["git_commit"]) == 40 and isinstance(p["git_dirty"], bool)


def test_calendar_years_label_outputs(run_folder):
    r = Result.load(run_folder)
    assert r.summary["first_calendar_year"] == 2030 and r.summary["calendar_years"] == {"0": 2030, "1": 2031}
    d = r.daily
    assert list(d.columns[:5]) == ["day", "year", "calendar_year", "month", "date"]
    assert d["date"].iloc[0] == dt.date(2030, 1, 1) and d["date"].iloc[364] == dt.date(2030, 12, 31)
    assert d["date"].iloc[365] == dt.date(2031, 1, 1) and (d["calendar_year"] == d["year"] + 2030).all()
    for name in ("claims", "facility_year", "ledger"):
        t = getattr(r, name)
        assert (t["calendar_year"] == t["year"] + 2030).all(), name


def test_out_of_county_beds_are_missing_not_a_billion(run_folder):
    fac = pd.read_parquet(run_folder / "facilities.parquet")
    out = fac["level"] >= 3
    assert fac.loc[out, "beds"].isna().all() and fac.loc[~out, "beds"].notna().all()
    assert fac["beds"].max() < 1e6


def test_readme_documents_every_table_and_claims_column(run_folder):
    readme = (ROOT / "results" / "README.md").read_text(encoding="utf-8")
    for f in sorted(run_folder.iterdir()):
        assert f"`{f.name}`" in readme, f.name
    for col in pd.read_parquet(run_folder / "claims.parquet").columns:
        assert f"`{col}`" in readme, col
    from sim.budget.ledger import FLOWS
    from sim.codes import PATH_NAMES

    assert all(f"`{x}`" in readme for x in FLOWS + PATH_NAMES)


def test_report_labels_raw_yuan_as_yuan():
    from sim.report.build import _unit

    assert _unit("total_cost") == "yuan" and _unit("fund_payment") == "yuan"


def test_packaged_configs_are_found(tmp_path):
    """An installed wheel has no repository configs/: the loader uses the copy shipped as sim/_configs."""
    from sim.config.loader import find_configs_dir

    pkg = tmp_path / "site-packages" / "sim"
    (pkg / "_configs" / "county").mkdir(parents=True)
    (pkg / "_configs" / "county" / "default.yaml").write_text("name: default\n")
    assert find_configs_dir(pkg) == pkg / "_configs"
    # a checkout prefers the repository's folder
    assert find_configs_dir(ROOT / "sim") == ROOT / "configs"
    setup = (ROOT / "setup.py").read_text(encoding="utf-8")
    assert '"_configs"' in setup and "graft configs" in (ROOT / "MANIFEST.in").read_text()
