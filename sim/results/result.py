"""A run's results: tables, summary, and their atomic storage on disk.

A run folder holds ``config.yaml`` (the resolved scenario), ``summary.json``,
``daily.parquet``, ``claims.parquet`` (inpatient claims), ``outpatient.parquet``
(aggregated visits, or single visits with ``claims: all``), ``facility_year.parquet``
``facilities.parquet`` (the county's facilities with coordinates), ``budget.parquet`` (one row per
medical community and year of the global budget; empty without one) and ``ledger.parquet`` (every
money flow), ``pool.parquet`` (the insurance fund's income, spending and balance by year and scheme),
``households.parquet`` (household bills and catastrophic spending by year) and ``protection.parquet``
(the critical-illness insurance and medical-assistance funds' ledger). The folder is written under a temporary name and
renamed when complete, so a folder that exists is a finished run.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.results.atomic import atomic_folder

TABLES = ("daily", "claims", "outpatient", "facility_year", "facilities", "budget", "ledger", "pool", "households",
          "protection")


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN -> None, numpy scalars -> Python, floats rounded to 10 significant digits."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else float(f"{obj:.10g}")
    return obj


def summary_json(summary: dict) -> str:
    """The canonical text of ``summary.json`` (sorted keys, stable float formatting)."""
    return json.dumps(_clean(summary), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass
class Result:
    """Outputs of one simulation.

    Attributes
    ----------
    config : the resolved scenario as a plain mapping.
    summary : ``scenario``, ``seed``, ``population``, ``years``, ``version`` and ``kpis`` by year.
    daily : one row per day (counters of the episode pipeline).
    claims : inpatient claims, one row per stay segment, with fund and out-of-pocket.
    outpatient : outpatient visits (monthly aggregates, or single visits) with fund and out-of-pocket.
    facility_year : one row per facility and year (with revenue, cost and margin).
    budget : one row per medical community and year of the global budget (:mod:`sim.budget`).
    ledger : every money flow (:mod:`sim.budget.ledger`).
    pool : the pooled fund by year and scheme: income, spending, balance, months of reserve (:mod:`sim.budget.pool`).
    households : one row per household and year: bills, catastrophic spending, income quintile
        (:mod:`sim.results.equity`, docs/protection.md).
    protection : the critical-illness insurance and medical-assistance funds' ledger by year.
    """

    config: dict
    summary: dict
    daily: pd.DataFrame
    claims: pd.DataFrame
    outpatient: pd.DataFrame
    facility_year: pd.DataFrame
    facilities: pd.DataFrame | None = None
    budget: pd.DataFrame | None = None
    ledger: pd.DataFrame | None = None
    pool: pd.DataFrame | None = None
    households: pd.DataFrame | None = None
    protection: pd.DataFrame | None = None
    folder: Path | None = field(default=None)

    @property
    def kpis(self) -> pd.DataFrame:
        """Scalar KPIs as a table: one row per year."""
        rows = {y: {k: v for k, v in d.items() if not isinstance(v, dict)} for y, d in self.summary["kpis"].items()}
        return pd.DataFrame.from_dict(rows, orient="index")

    def write(self, folder: str | Path, overwrite: bool = False) -> Path:
        """Write the run folder atomically (temporary sibling folder, then rename). Returns the folder."""
        folder = Path(folder)
        with atomic_folder(folder, overwrite=overwrite) as tmp:
            (tmp / "config.yaml").write_text(yaml.safe_dump(self.config, sort_keys=False, allow_unicode=True),
                                             encoding="utf-8")
            (tmp / "summary.json").write_text(summary_json(self.summary), encoding="utf-8")
            for name in TABLES:
                table = getattr(self, name)
                if table is not None:
                    table.to_parquet(tmp / f"{name}.parquet", index=False)
        self.folder = folder
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> Result:
        """Read a run folder written by :meth:`write`."""
        folder = Path(folder)
        if not (folder / "summary.json").is_file():
            raise FileNotFoundError(f"{folder}: not a countysim run folder (no summary.json)")
        tables = {n: read_table(folder / f"{n}.parquet") if (folder / f"{n}.parquet").is_file() else None
                  for n in TABLES}
        try:
            config = yaml.safe_load((folder / "config.yaml").read_text(encoding="utf-8"))
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            raise _unreadable(folder, exc) from None
        return cls(config=config, summary=summary, folder=folder, **tables)


def _unreadable(path: Path, exc: BaseException):
    from sim.config.loader import ConfigError

    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ConfigError(f"{path}: damaged or not written by countysim ({first[:160]}); expected a complete run "
                       "folder: run it again")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a Parquet table; a damaged file is a ``ConfigError`` naming it, not a traceback."""
    try:
        return pd.read_parquet(path)
    except (ValueError, OSError, EOFError) as exc:  # pyarrow's ArrowInvalid is a ValueError, ArrowIOError an OSError
        if isinstance(exc, FileNotFoundError):
            raise
        raise _unreadable(Path(path), exc) from None
