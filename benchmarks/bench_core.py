"""Speed and memory of the core simulation (not a test: prints a table).

Each run is a fresh process pinned to one core, so its peak memory (max RSS) is its
own. Every case runs ``--repeats`` times (default 3) and the table shows the median of
each column. Usage::

    python benchmarks/bench_core.py                          # 1M x 1 year and 20k x 2 years
    python benchmarks/bench_core.py --cases 20000x2 --repeats 5
    python benchmarks/bench_core.py --cases 100000x5 --repeats 1

Columns: residents, years, runs, build (s: world, population, agents), simulate (s: the
daily steps; and its CPU time, less sensitive to other processes on the core), settle (s:
pricing claims, KPIs), total (s), peak RSS (MiB), resident-days per
second of the simulate phase, admissions simulated, and the machine's load (1-minute load
average before the case's first and after its last run, with the CPU count): timings on a
loaded machine are slower, compare them only at similar load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import json, os, resource, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import sim
from sim.model import CountyModel
from sim.simulation import collect
pop, years = int(sys.argv[1]), int(sys.argv[2])
cfg = sim.load_config(None, {"population": pop, "years": years, "seed": 1})
t0 = time.perf_counter(); model = CountyModel(cfg); t1 = time.perf_counter()
c1 = time.process_time(); model.run(); t2 = time.perf_counter(); c2 = time.process_time()
res = collect(model); t3 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
adm = sum(k["admissions"] for k in res.summary["kpis"].values())
print(json.dumps({"build": t1 - t0, "simulate": t2 - t1, "simulate_cpu": c2 - c1, "settle": t3 - t2, "rss": rss,
                  "admissions": adm}))
"""


def run_case(pop: int, years: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(pop), str(years)], capture_output=True, text=True,
                         check=True, env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(cases: list[str], repeats: int = 3):
    """Yield one row per ``RESIDENTSxYEARS`` case: medians over ``repeats`` fresh processes, and the load."""
    for case in cases:
        pop, years = (int(x) for x in case.lower().split("x"))
        load0 = os.getloadavg()[0]
        runs = [run_case(pop, years) for _ in range(max(1, repeats))]
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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", nargs="+", default=["1000000x1", "20000x2"], help="RESIDENTSxYEARS")
    p.add_argument("--repeats", type=int, default=3, help="runs per case; the table shows medians (default 3)")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table (as in the README)")
    args = p.parse_args()
    if args.markdown:
        print(markdown(measure(args.cases, args.repeats)))
        return
    print(f"{'residents':>10} {'years':>5} {'runs':>4} {'build s':>8} {'simulate s':>10} {'sim cpu s':>9} "
          f"{'settle s':>8} {'total s':>8} {'peak MiB':>9} {'res-days/s':>12} {'admissions':>11}  {'load (cpus)':>16}")
    for m in measure(args.cases, args.repeats):
        print(f"{m['residents']:>10,} {m['years']:>5} {m['runs']:>4} {m['build']:>8.2f} {m['simulate']:>10.2f} "
              f"{m['simulate_cpu']:>9.2f} {m['settle']:>8.2f} {m['total']:>8.2f} {m['rss']:>9.0f} {m['rate']:>12.3g} "
              f"{m['admissions']:>11,}  {m['load']:>16}", flush=True)


if __name__ == "__main__":
    main()
