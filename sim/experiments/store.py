"""The on-disk result store of a sweep, and loading it back as one table.

Layout of a sweep folder::

    sweep.yaml          the spec, scenarios resolved to full configs (the folder alone reproduces the sweep)
    design.parquet      design points: point, parameter values, unit-cube coordinates
    manifest.parquet    one row per run (see MANIFEST_COLUMNS), rewritten atomically as runs finish
    journal.jsonl       one line per finished or failed run, appended as it happens (survives a kill)
    runs/<run_id>/      exactly what Result.write writes; a folder that exists is a finished run
    kpis.parquet        cache of the scalar KPIs read by :func:`load` (run folders never change)

A run's status is ``done`` iff its folder exists, ``failed`` if its last attempt failed, else ``pending``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config.loader import ConfigError
from sim.results.atomic import remove_stale_temporaries, write_parquet_atomic, write_text_atomic

#: manifest columns, in order; parameter and dummy columns come between ``seed`` and ``status``
STATUS_COLUMNS = ("status", "error", "attempts", "wall_s", "started", "finished", "host")
MANIFEST_DOC = """\
run_id     deterministic id: <scenario>-<digest>-r<replicate> (the run folder's name)
scenario   scenario label
point      design point index (row of design.parquet)
replicate  replicate index; seed = SeedSequence(root_seed).spawn(seeds)[replicate]
seed       the run's seed (shared by every scenario and point: common random numbers)
<name>     one column per parameter and dummy: the value of this run
status     done | failed | pending
error      last error (type: message (at file:line in function)) for failed runs
attempts   attempts in the session that last ran it
wall_s     seconds the run took in its worker
started    UTC start time;  finished: UTC end time
host       host:pid of the worker"""


class SweepFolder:
    """Paths and primitive reads/writes of one sweep folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.runs = self.root / "runs"
        self.spec_file = self.root / "sweep.yaml"
        self.design_file = self.root / "design.parquet"
        self.manifest_file = self.root / "manifest.parquet"
        self.journal_file = self.root / "journal.jsonl"
        self.kpi_cache = self.root / "kpis.parquet"

    def require(self) -> SweepFolder:
        if not self.manifest_file.is_file():
            raise ConfigError(f"{self.root}: not a sweep folder (no manifest.parquet)")
        return self

    def prepare(self, stored_spec: dict, design: pd.DataFrame) -> None:
        """Create the folder, write the spec and design, and remove temporary folders left by a killed run."""
        self.runs.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.spec_file, yaml.safe_dump(stored_spec, sort_keys=False, allow_unicode=True))
        write_parquet_atomic(design, self.design_file)
        remove_stale_temporaries(self.runs)

    def lock(self):
        """Hold this sweep folder for this process (an exclusive ``flock`` on ``.lock``); returns the open
        lock file, released by closing it or by the process ending. Raises ``ConfigError`` when another
        process holds it."""
        import fcntl

        self.root.mkdir(parents=True, exist_ok=True)
        # the lock lives as long as this file stays open: the caller closes it, so no context manager here
        fh = open(self.root / ".lock", "a+", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise ConfigError(f"{self.root}: another sweep is running in this folder ({holder}); wait for it to "
                              "finish or choose another --out") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        return fh

    def finished(self) -> set[str]:
        """Ids of finished runs (their folders exist)."""
        if not self.runs.is_dir():
            return set()
        return {p.name for p in os.scandir(self.runs) if p.is_dir() and not p.name.startswith(".")}

    def append(self, record: dict) -> None:
        """Append a run record to the journal (one JSON line, flushed)."""
        with open(self.journal_file, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, default=str) + "\n")
            fh.flush()

    def journal(self) -> dict[str, dict]:
        """Latest journal record per run id (a line cut short by a kill is ignored)."""
        out: dict[str, dict] = {}
        if self.journal_file.is_file():
            for line in self.journal_file.read_text(encoding="utf-8").splitlines():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                out[rec["run_id"]] = rec
        return out

    def write_manifest(self, manifest: pd.DataFrame) -> None:
        write_parquet_atomic(manifest, self.manifest_file)

    def manifest(self) -> pd.DataFrame:
        """The manifest with statuses brought up to date from the run folders and the journal."""
        plan = pd.read_parquet(self.require().manifest_file).drop(columns=list(STATUS_COLUMNS), errors="ignore")
        return with_status(plan, self.finished(), self.journal())

    def spec(self):
        from sim.experiments.spec import load_spec

        return load_spec(self.spec_file)

    def design(self) -> pd.DataFrame:
        return pd.read_parquet(self.design_file)


def with_status(plan: pd.DataFrame, finished: set[str], journal: dict[str, dict]) -> pd.DataFrame:
    """Add the status columns to a plan table (see module docstring for the rule)."""
    recs = [journal.get(r, {}) for r in plan["run_id"]]
    done = plan["run_id"].isin(finished).to_numpy()
    failed = [r.get("status") == "failed" for r in recs]
    out = plan.copy()
    out["status"] = ["done" if d else "failed" if f else "pending" for d, f in zip(done, failed)]
    out["error"] = [r.get("error", "") if s == "failed" else "" for r, s in zip(recs, out["status"])]
    out["attempts"] = pd.array([r.get("attempts") for r in recs], dtype="Int64")
    out["wall_s"] = pd.array([r.get("wall_s") for r in recs], dtype="Float64")
    for col in ("started", "finished"):
        out[col] = pd.to_datetime([r.get(col) for r in recs], utc=True, format="ISO8601")
    out["host"] = [r.get("host", "") for r in recs]
    return out


@dataclass
class SweepStatus:
    """Counts of a sweep's runs and its failures (``run_id, scenario, attempts, error``)."""

    folder: Path
    total: int
    done: int
    failed: int
    pending: int
    failures: pd.DataFrame

    def __str__(self) -> str:
        lines = [f"{self.folder}: {self.total} runs: {self.done} done, {self.failed} failed, {self.pending} pending"]
        for row in self.failures.itertuples(index=False):
            lines.append(f"  failed {row.run_id} (attempts {row.attempts}): {row.error}")
        return "\n".join(lines)


def status(folder: str | Path) -> SweepStatus:
    """Done / failed / pending counts of a sweep folder, with each failure's error."""
    m = SweepFolder(folder).manifest()
    counts = m["status"].value_counts()
    failures = m.loc[m["status"] == "failed", ["run_id", "scenario", "attempts", "error"]].reset_index(drop=True)
    return SweepStatus(Path(folder), len(m), int(counts.get("done", 0)), int(counts.get("failed", 0)),
                       int(counts.get("pending", 0)), failures)


def _flatten(kpis: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in kpis.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        elif value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            out[prefix + key] = float("nan") if value is None else value
    return out


def read_kpis(run_folder: Path) -> list[dict]:
    """Scalar KPIs of one run folder, one dict per year: ``run_id, year`` and each KPI; KPIs by level are
    flattened to ``name.level`` (e.g. ``alos_by_level.county``)."""
    summary = json.loads((run_folder / "summary.json").read_text(encoding="utf-8"))
    return [{"run_id": run_folder.name, "year": int(year), **_flatten(k)} for year, k in summary["kpis"].items()]


def load(folder: str | Path) -> pd.DataFrame:
    """One tidy table of a sweep's finished runs: one row per run and simulated year (wide format).

    Columns: the manifest's (``run_id, scenario, point, replicate, seed``, one per parameter and dummy,
    ``status`` ... ``host``), then ``year`` (0 = first simulated year), then one column per scalar KPI
    (``summary.json`` KPIs; per-level mappings flattened to ``name.level``). Failed and pending runs are
    left out. KPIs are cached in ``kpis.parquet``.
    """
    sf = SweepFolder(folder)
    manifest = sf.manifest()
    done = manifest.loc[manifest["status"] == "done", "run_id"]
    cache = (pd.read_parquet(sf.kpi_cache) if sf.kpi_cache.is_file()
             else pd.DataFrame({"run_id": pd.Series(dtype=object), "year": pd.Series(dtype="int64")}))
    missing = sorted(set(done) - set(cache["run_id"]))
    if missing:
        fresh = pd.DataFrame([row for r in missing for row in read_kpis(sf.runs / r)])
        cache = fresh if cache.empty else pd.concat([cache, fresh], ignore_index=True)
        write_parquet_atomic(cache, sf.kpi_cache)
    kpis = cache[cache["run_id"].isin(set(done))]
    table = manifest[manifest["status"] == "done"].merge(kpis, on="run_id", how="inner")
    return table.sort_values(["replicate", "point", "scenario", "year"], kind="stable").reset_index(drop=True)
