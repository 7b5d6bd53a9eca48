"""Sweep throughput: serial (one process) vs the local process pool (not a test: prints a table).

Runs the same sweep twice into fresh temporary folders: ``runs`` replicates (distinct seeds) of the
default county at ``population`` residents for ``years`` years, run folders written with
``output.claims: none`` as a sweep would. Usage::

    python benchmarks/bench_sweep.py                      # 200 runs of 20k residents x 2 years
    python benchmarks/bench_sweep.py --runs 40 --workers 2

Columns: executor, workers, runs, wall time (s, including pool start-up and writing run folders),
runs per minute, speed-up over serial, parallel efficiency (speed-up / workers), and the machine's
1-minute load average at the end of the phase (other processes on a shared machine skew the numbers).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim import experiments as ex  # noqa: E402
from sim.experiments.executors import available_cores  # noqa: E402


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def timed_sweep(spec: dict, workers: int) -> tuple[float, float]:
    """Wall seconds of the sweep and the load average at its end."""
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        t0 = time.perf_counter()
        status = ex.run_sweep(spec, out=Path(tmp) / "sweep", workers=workers)
        wall, load = time.perf_counter() - t0, _load()
    if status.failed or status.pending:
        raise SystemExit(f"benchmark sweep incomplete:\n{status}")
    return wall, load


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--population", type=int, default=20_000)
    ap.add_argument("--years", type=int, default=2)
    ap.add_argument("--workers", type=int, default=available_cores(), help="pool size (default: all cores)")
    args = ap.parse_args()
    spec = {"name": "bench", "scenarios": ["default"], "seeds": args.runs, "population": args.population,
            "years": args.years, "set": {"output.claims": "none"}}

    print(f"{args.runs} runs of {args.population:,} residents x {args.years} years; {available_cores()} cores; "
          f"load average before: {_load():.2f}")
    serial, serial_load = timed_sweep(spec, 1)
    pooled, pooled_load = timed_sweep(spec, args.workers)
    print("\n| executor | workers | runs | wall (s) | runs/min | speed-up | efficiency | load avg at end |\n"
          "|---|---|---|---|---|---|---|---|")
    for name, workers, wall, load in (("serial (this process)", 1, serial, serial_load),
                                      ("local processes", args.workers, pooled, pooled_load)):
        speedup = serial / wall
        print(f"| {name} | {workers} | {args.runs} | {wall:.1f} | {args.runs / wall * 60:.1f} | {speedup:.2f} | "
              f"{speedup / workers:.0%} | {load:.2f} |")


if __name__ == "__main__":
    main()
