"""Paired comparison of two scenarios on common random numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sim import experiments as ex
from sim.cli import main

COPY = {"extends": "default", "name": "copy"}


def test_identical_copy_gives_exactly_zero_difference(tmp_path, capsys):
    out = tmp_path / "cmp"
    table = ex.compare("default", COPY, seeds=2, population=5000, out=out, workers=1)
    assert len(table) > 30 and set(table["year"]) == {0}
    assert (table["diff"] == 0).all()
    both = table["n"] == 2          # a KPI undefined in one seed (e.g. a ratio with no cases) has no interval
    assert both.mean() > 0.95 and (table.loc[both, ["ci_low", "ci_high"]] == 0).all().all()
    assert table.attrs["baseline"] == "default" and table.attrs["reform"] == "copy"
    pd.testing.assert_frame_equal(pd.read_parquet(out / "comparison.parquet"), table, check_like=True)
    meta = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert meta["seeds"] == ex.replicate_seeds(0, 2) and len(meta["rows"]) == len(table)
    assert ex.status(out).done == 4
    # the CLI reuses the finished runs in the same folder and prints the table
    copy_yaml = tmp_path / "copy.yaml"
    copy_yaml.write_text("extends: default\nname: copy\n", encoding="utf-8")
    assert main(["compare", "default", str(copy_yaml), "--seeds", "2", "--population", "5000",
                 "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert main(["compare", "default", str(copy_yaml), "--seeds", "2", "--population", "5000",
                 "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "paired differences copy - default" in printed and "admissions" in printed


def test_paired_t_interval_and_single_seed():
    rows = [{"scenario": s, "point": 0, "replicate": r, "year": 0, "k": v}
            for s, vals in (("a", [1.0, 2.0, 3.0]), ("b", [2.0, 4.0, 3.0])) for r, v in enumerate(vals)]
    table = pd.DataFrame(rows)
    out = ex.paired_differences(table, "a", "b").iloc[0]
    d = np.array([1.0, 2.0, 0.0])
    half = 4.302652729911275 * d.std(ddof=1) / np.sqrt(3)  # t_{0.975, 2}
    assert out["diff"] == d.mean() and out["n"] == 3
    assert np.isclose(out["ci_low"], d.mean() - half) and np.isclose(out["ci_high"], d.mean() + half)
    one = ex.paired_differences(table[table["replicate"] == 0], "a", "b").iloc[0]
    assert one["diff"] == 1.0 and np.isnan(one["ci_low"]) and np.isnan(one["ci_high"])


def test_compare_runs_both_arms_over_the_longer_horizon(tmp_path, capsys):
    """baseline (1 year) vs global_budget cut to 3 years (budget from year 2): both arms run 3 years."""
    out = tmp_path / "gb"
    table = ex.compare("baseline", {"extends": "global_budget", "years": 3}, seeds=1, population=3000, out=out,
                       workers=1)
    assert set(table["year"]) == {0, 1, 2}
    assert table.attrs["first_reform_year"] == 2
    in_force = table.groupby("year")["reform_in_force"].first()
    assert list(in_force) == [False, False, True]
    # before the reform both arms are the same simulation day by day: no difference at all
    assert (table.loc[table["year"] < 2, "diff"].fillna(0) == 0).all()
    meta = json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert meta["years_compared"] == [0, 1, 2] and "from year 2" in meta["note"]


def test_compare_says_when_no_reform_year_is_compared():
    from sim.config.loader import load_config
    from sim.experiments.paired import horizon_note

    note = horizon_note([load_config("baseline"), load_config("global_budget")], years=1)
    assert note["first_reform_year"] == 2 and "no compared year has the reform's rules" in note["note"]
