"""No run is lost or left half-written: interrupted writes leave nothing, stale temporaries of killed processes
are removed, sweeps hold their folder, workers die with their parent, folders are group-readable (issue #15)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim.cli
from sim.config.loader import ConfigError
from sim.results import atomic
from sim.results.atomic import atomic_folder, remove_stale_temporaries

ROOT = Path(__file__).resolve().parents[1]


def cli(*args):
    try:
        rc = sim.cli.main([str(a) for a in args])
    except SystemExit as e:
        rc = e.code
    return rc


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_interrupted_folder_write_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt), atomic_folder(tmp_path / "run") as tmp:
        (tmp / "a.parquet").write_bytes(b"x" * 1000)
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_sigterm_is_handled_like_ctrl_c(tmp_path, capsys, monkeypatch):
    """SIGTERM during the write: exit 143, one line, no temporary folder left."""

    real = pd.DataFrame.to_parquet
    calls = []

    def slow_to_parquet(self, *a, **k):
        calls.append(1)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of writing the run folder
        return real(self, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", slow_to_parquet)
    rc = cli("run", "--population", 2000, "--out", tmp_path / "run", "--quiet")
    err = capsys.readouterr().err
    assert rc == 128 + signal.SIGTERM and "terminated (SIGTERM); nothing partial was written" in err
    assert list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is not sim.cli._on_sigterm  # restored for the caller


def test_sigkill_leftovers_are_removed_by_the_next_write(tmp_path):
    dead = _dead_pid()
    stale = tmp_path / f".old-run.cs@{atomic._HOST}@{dead}@abcd.tmp"
    stale.mkdir()
    (stale / "daily.parquet").write_bytes(b"x" * 100)
    stale_file = tmp_path / f".summary.json.cs@{atomic._HOST}@{dead}@ef.tmp"
    stale_file.write_text("{")
    alive = tmp_path / f".other.cs@{atomic._HOST}@{os.getppid()}@zz.tmp"  # a live process's: kept
    alive.mkdir()
    foreign = tmp_path / ".notes.tmp"  # not ours: kept
    foreign.write_text("keep")
    with atomic_folder(tmp_path / "new") as tmp:
        (tmp / "x").write_text("1")
    assert not stale.exists() and not stale_file.exists()
    assert alive.exists() and foreign.exists() and (tmp_path / "new" / "x").read_text() == "1"
    assert remove_stale_temporaries(tmp_path) == []


def test_run_folders_are_group_readable(tmp_path):
    old = os.umask(0o002)
    try:
        with atomic_folder(tmp_path / "shared") as tmp:
            (tmp / "f").write_text("1")
    finally:
        os.umask(old)
    assert (tmp_path / "shared").stat().st_mode & 0o777 == 0o775


def test_two_sweeps_on_one_folder(tmp_path, capsys):
    from sim.experiments.store import SweepFolder

    spec = tmp_path / "s.yaml"
    spec.write_text("name: s\nscenarios: [default]\npopulation: 2000\nyears: 1\nseeds: 2\n", encoding="utf-8")
    holder = SweepFolder(tmp_path / "out").lock()  # another sweep is running there
    try:
        rc = cli("sweep", spec, "--out", tmp_path / "out", "--workers", 1, "--quiet")
        err = capsys.readouterr().err
        assert rc == 2 and "another sweep is running in this folder" in err and f"pid {os.getpid()}" in err
        assert not (tmp_path / "out" / "runs").exists()
    finally:
        holder.close()
    with pytest.raises(ConfigError):  # the lock is per folder and exclusive while held
        lock = SweepFolder(tmp_path / "out").lock()
        try:
            SweepFolder(tmp_path / "out").lock()
        finally:
            lock.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux-only")
def test_workers_die_with_their_parent(tmp_path):
    """A process started like a pool worker (the pool's initializer) is killed when its parent is SIGKILLed."""
    code = (
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'from sim.experiments.worker import ignore_sigint; ignore_sigint(); print(1, flush=True); "
        "import time; time.sleep(60)'], stdout=subprocess.PIPE)\n"
        "child.stdout.readline()\n"  # the initializer has run
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    for _ in range(50):
        try:
            os.kill(child, 0)
            with open(f"/proc/{child}/stat") as fh:
                if fh.read().split()[2] == "Z":
                    break
        except (ProcessLookupError, FileNotFoundError):
            break
        time.sleep(0.1)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the worker outlived its killed parent")
