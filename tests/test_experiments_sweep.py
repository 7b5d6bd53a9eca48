"""Sweeps end to end on a toy county: restart after a kill, failures, Dask = local, sensitivity indices."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim
from sim import experiments as ex
from sim.cli import main
from sim.results import summary_json

POP = 5000
#: two design points x two seeds = 4 runs (the second parameter has one value: still a manifest column)
PARAMS = {"choice.travel_per_hour": [0.6, 1.2], "insurance.unreferred_outcounty_penalty_pp": [0.3]}
N_RUNS = 4
GRID = {"name": "toy_grid", "scenarios": ["default"], "parameters": PARAMS, "seeds": 2, "root_seed": 5,
        "population": POP, "years": 1, "set": {"output.claims": "none", "output.daily": False}}


def _write_spec(folder: Path, spec: dict) -> Path:
    path = folder / f"{spec['name']}.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _summaries(folder: Path) -> dict[str, bytes]:
    return {p.name: (p / "summary.json").read_bytes() for p in (folder / "runs").iterdir()}


@pytest.fixture(scope="module")
def killed_and_restarted(tmp_path_factory):
    """The toy grid started by the CLI, killed (SIGKILL to its process group) once a run has finished,
    then started again with the same command."""
    tmp = tmp_path_factory.mktemp("sweep")
    spec, out = _write_spec(tmp, GRID), tmp / "out"
    cmd = [sys.executable, "-m", "sim.cli", "sweep", str(spec), "--out", str(out), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "runs").is_dir() and any(not p.name.startswith(".") for p in (out / "runs").iterdir()):
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before_kill = ex.status(out).done
    restarted = subprocess.run(cmd, capture_output=True, text=True)
    return out, done_before_kill, restarted


def test_restart_completes_each_run_once_identical_to_single_runs(killed_and_restarted):
    out, done_before_kill, restarted = killed_and_restarted
    manifest = pd.read_parquet(out / "manifest.parquet")
    assert 0 < done_before_kill < len(manifest) == N_RUNS
    assert restarted.returncode == 0, restarted.stderr
    # every run exactly once: one folder per manifest row, no temporary folders, nothing run twice
    assert manifest["run_id"].is_unique and (manifest["status"] == "done").all()
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(manifest["run_id"])
    journal = [json.loads(line)["run_id"] for line in (out / "journal.jsonl").read_text().splitlines()]
    assert len(journal) == len(set(journal))
    assert {"run_id", "scenario", "point", "replicate", "seed", *PARAMS, "status", "error", "attempts", "wall_s",
            "started", "finished"} <= set(manifest.columns)
    # each run equals a fresh single run with the same seed and parameters
    for row in manifest.to_dict("records"):
        cfg = sim.load_config("default", {**GRID["set"], **{p: row[p] for p in PARAMS}})
        fresh = sim.run(cfg, seed=int(row["seed"]), population=POP, years=1)
        stored = (out / "runs" / row["run_id"] / "summary.json").read_text(encoding="utf-8")
        assert stored == summary_json(fresh.summary)


def test_dask_cluster_gives_identical_results(killed_and_restarted, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    local_out = killed_and_restarted[0]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        status = ex.run_sweep(GRID, out=tmp_path / "dask", scheduler=cluster)
    assert status.done == N_RUNS and status.failed == 0
    assert _summaries(tmp_path / "dask") == _summaries(local_out)
    cols = ["run_id", "scenario", "point", "replicate", "seed", *PARAMS]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "dask" / "manifest.parquet")[cols],
                                  pd.read_parquet(local_out / "manifest.parquet")[cols])


def test_load_and_summarize(killed_and_restarted):
    out = killed_and_restarted[0]
    table = ex.load(out)
    assert len(table) == N_RUNS and set(table["year"]) == {0}
    assert {"admissions", "oop_share", "alos_by_level.county", *PARAMS} <= set(table.columns)
    summary = ex.summarize(out, ["admissions", "oop_share"])
    assert len(summary) == 2 * 2 and (summary["n"] == 2).all()       # 2 points x 2 KPIs, 2 seeds each
    assert (summary["ci_low"] <= summary["mean"]).all() and (summary["mean"] <= summary["ci_high"]).all()


def test_failing_runs_are_retried_recorded_and_the_sweep_goes_on(tmp_path, capsys):
    table = str(Path(sim.load_config("default").casemix.table))
    spec = {**GRID, "name": "failing", "parameters": {"casemix.table": [table, "missing_table.csv"]}, "retries": 1}
    status = ex.run_sweep(spec, out=tmp_path / "f", workers=1)
    assert (status.done, status.failed, status.pending) == (2, 2, 0)
    assert (status.failures["attempts"] == 2).all()
    assert status.failures["error"].str.contains("missing_table.csv").all()
    assert len(ex.load(tmp_path / "f")) == 2
    assert main(["sweep-status", str(tmp_path / "f")]) == 0
    printed = capsys.readouterr().out
    assert "2 done, 2 failed, 0 pending" in printed and "missing_table.csv" in printed
