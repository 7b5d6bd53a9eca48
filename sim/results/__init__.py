"""Results: the KPI definitions, a run's tables and summary, and atomic storage on disk.

* :mod:`sim.results.kpis` — every KPI defined once (name, unit, Chinese term, formula), by year;
* :mod:`sim.results.result` — :class:`Result` (tables, summary), run folders and their reader;
* :mod:`sim.results.atomic` — the one atomic-write helper every writer uses.
"""

from __future__ import annotations

from sim.results.atomic import write_bytes_atomic, write_parquet_atomic, write_text_atomic
from sim.results.result import Result, summary_json

__all__ = ["Result", "summary_json", "write_bytes_atomic", "write_parquet_atomic", "write_text_atomic"]
