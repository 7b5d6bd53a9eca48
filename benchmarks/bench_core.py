"""Speed and memory of the core simulation (not a test: prints a table).

Each run is a fresh process pinned to one core, so its peak memory (max RSS) is its
own. Every case runs ``--repeats`` times (default 3) and the table shows the median of
each column. Usage::

    python benchmarks/bench_core.py                          # 1M x 1 year and 20k x 2 years
    python benchmarks/bench_core.py --cases 20000x2 --repeats 5
    python benchmarks/bench_core.py --cases 100000x5 --repeats 1
    python benchmarks/bench_core.py --per-day                 # fixed cost per simulated day (see below)
    python benchmarks/bench_core.py --per-day --source /tmp/old --repeats 5   # another checkout, e.g. a worktree
    python benchmarks/bench_core.py --per-day --behaviour-off # the model with every behavioural channel off

Columns: residents, years, runs, build (s: world, population, agents), simulate (s: the
daily steps; and its CPU time, less sensitive to other processes on the core), settle (s:
pricing claims, KPIs), total (s), peak RSS (MiB), resident-days per
second of the simulate phase, admissions simulated, and the machine's load (1-minute load
average before the case's first and after its last run, with the CPU count): timings on a
loaded machine are slower, compare them only at similar load.

``--per-day`` splits the simulate phase's CPU time into a fixed cost per simulated day (what a day costs
whatever the county's size: the stages' Python and numpy call overhead, the daily onset draws) and a marginal
cost per resident-day, from the straight line through two county sizes (``--per-day-cases``, default 500 and
20,000 residents, 2 years). ``--source DIR`` runs the same measurement on another checkout of the project
(e.g. ``git worktree add /tmp/old <commit>``), so a change is compared with its past on one machine and load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

# the child reads only what every version of the project has had (load_config, CountyModel), so --source can
# point at an older checkout; the settlement step is timed where the checkout has it
CHILD = r"""
import json, os, resource, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import sim
from sim.model import CountyModel
try:
    from sim.simulation import collect
except ImportError:
    collect = None
pop, years, scenario = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
cfg = sim.load_config(scenario, {"population": pop, "years": years, "seed": 1})
t0 = time.perf_counter(); model = CountyModel(cfg); t1 = time.perf_counter()
c1 = time.process_time(); model.run(); t2 = time.perf_counter(); c2 = time.process_time()
res = collect(model) if collect is not None else None; t3 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
adm = int(sum(model.daily["admissions"]))
print(json.dumps({"build": t1 - t0, "simulate": t2 - t1, "simulate_cpu": c2 - c1,
                  "settle": t3 - t2 if res is not None else float("nan"), "rss": rss, "admissions": adm}))
"""


def run_case(pop: int, years: int, source: str | None = None, scenario: dict | None = None) -> dict:
    """One fresh process (pinned to one core) building and running a county of ``pop`` residents for ``years``;
    ``source``: the checkout to import ``sim`` from (default this one); ``scenario``: a config mapping (None:
    the default county)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    if source is not None:
        env["PYTHONPATH"] = os.path.abspath(source)
    out = subprocess.run([sys.executable, "-c", CHILD, str(pop), str(years), json.dumps(scenario)],
                         capture_output=True, text=True, check=False, env=env, cwd=source)
    if out.returncode != 0:
        raise SystemExit(f"benchmark run {pop}x{years} failed (source {source or '.'}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(cases: list[str], repeats: int = 3, source: str | None = None, scenario: dict | None = None):
    """Yield one row per ``RESIDENTSxYEARS`` case: medians over ``repeats`` fresh processes, and the load."""
    for case in cases:
        pop, years = (int(x) for x in case.lower().split("x"))
        load0 = os.getloadavg()[0]
        runs = [run_case(pop, years, source, scenario) for _ in range(max(1, repeats))]
        load1 = os.getloadavg()[0]
        for r in runs:
            r["total"] = r["build"] + r["simulate"] + r["settle"]
        m = {k: statistics.median(r[k] for r in runs)
             for k in ("build", "simulate", "simulate_cpu", "settle", "total", "rss")}
        admissions = {r["admissions"] for r in runs}
        assert len(admissions) == 1, f"runs of one case differ: admissions {sorted(admissions)}"
        yield {"residents": pop, "years": years, "runs": len(runs), **m, "rate": pop * years * 365 / m["simulate"],
               "admissions": admissions.pop(), "load": f"{load0:.2f}-{load1:.2f} ({os.cpu_count()})"}


def markdown(rows) -> str:
    """The rows of :func:`measure` as a Markdown table (the README's speed table)."""
    lines = ["| residents | years | runs | build s | simulate s | simulate CPU s | settle s | total s | peak MiB "
             "| resident-days/s | admissions | load (CPUs) |", "|" + "---:|" * 11 + "---|"]
    for m in rows:
        lines.append(f"| {m['residents']:,} | {m['years']} | {m['runs']} | {m['build']:.2f} | {m['simulate']:.2f} | "
                     f"{m['simulate_cpu']:.2f} | {m['settle']:.2f} | {m['total']:.2f} | {m['rss']:.0f} | "
                     f"{m['rate']:.3g} | {m['admissions']:,} | {m['load']} |")
    return "\n".join(lines)


def per_day(cases: list[str], repeats: int = 3, source: str | None = None, scenario: dict | None = None) -> dict:
    """Fixed cost per simulated day and marginal cost per resident-day of the simulate phase (CPU time).

    ``cases``: two or more ``RESIDENTSxYEARS`` of one length; least squares of the median simulate CPU time
    (s) on the number of days and resident-days. Returns ``fixed_ms_per_day`` (ms), ``marginal_us`` (µs per
    1,000 resident-days), ``rows`` (:func:`measure`'s rows) and ``fixed_share`` (of each case's simulate time).
    """
    rows = list(measure(cases, repeats, source, scenario))
    if len({r["years"] for r in rows}) != 1 or len(rows) < 2:
        raise SystemExit("--per-day-cases: give two or more cases of one length (e.g. 500x2 20000x2)")
    days = np.array([r["years"] * 365 for r in rows], dtype=float)
    res_days = np.array([r["residents"] * r["years"] * 365 for r in rows], dtype=float)
    t = np.array([r["simulate_cpu"] for r in rows])
    (fixed, marginal), *_ = np.linalg.lstsq(np.column_stack([days, res_days]), t, rcond=None)
    return {"fixed_ms_per_day": fixed * 1e3, "marginal_us": marginal * 1e9, "rows": rows,
            "fixed_share": [fixed * d / x for d, x in zip(days, t)]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", nargs="+", default=["1000000x1", "20000x2"], help="RESIDENTSxYEARS")
    p.add_argument("--repeats", type=int, default=3, help="runs per case; the table shows medians (default 3)")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table (as in the README)")
    p.add_argument("--per-day", action="store_true", help="fixed cost per simulated day and marginal cost per "
                                                          "resident-day, from --per-day-cases")
    p.add_argument("--per-day-cases", nargs="+", default=["500x2", "20000x2"], help="RESIDENTSxYEARS, one length")
    p.add_argument("--source", help="another checkout of the project to measure (default: this one)")
    p.add_argument("--behaviour-off", action="store_true",
                   help="switch off every behavioural channel (tests/golden/regenerate.py BEHAVIOUR_OFF): the model "
                        "as it was before the behaviour batch, which tests/test_golden.py holds it to")
    args = p.parse_args()
    scenario = None
    if args.behaviour_off:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.golden.regenerate import BEHAVIOUR_OFF
        scenario = {"extends": "baseline", **BEHAVIOUR_OFF}
    if args.per_day:
        out = per_day(args.per_day_cases, args.repeats, args.source, scenario)
        print(f"source: {args.source or 'this checkout'}{' (behaviour off)' if scenario else ''}")
        for r, share in zip(out["rows"], out["fixed_share"]):
            print(f"  {r['residents']:>9,} x {r['years']} y: simulate CPU {r['simulate_cpu']:.3f} s "
                  f"(fixed part {share:.0%}), load {r['load']}")
        print(f"fixed cost per simulated day: {out['fixed_ms_per_day']:.3f} ms; "
              f"marginal: {out['marginal_us']:.1f} µs per 1,000 resident-days")
        return
    rows = measure(args.cases, args.repeats, args.source, scenario)
    if args.markdown:
        print(markdown(rows))
        return
    print(f"{'residents':>10} {'years':>5} {'runs':>4} {'build s':>8} {'simulate s':>10} {'sim cpu s':>9} "
          f"{'settle s':>8} {'total s':>8} {'peak MiB':>9} {'res-days/s':>12} {'admissions':>11}  {'load (cpus)':>16}")
    for m in rows:
        print(f"{m['residents']:>10,} {m['years']:>5} {m['runs']:>4} {m['build']:>8.2f} {m['simulate']:>10.2f} "
              f"{m['simulate_cpu']:>9.2f} {m['settle']:>8.2f} {m['total']:>8.2f} {m['rss']:>9.0f} {m['rate']:>12.3g} "
              f"{m['admissions']:>11,}  {m['load']:>16}", flush=True)


if __name__ == "__main__":
    main()
