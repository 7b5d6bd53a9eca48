"""Speed and memory of the core simulation (not a test: prints a table).

Each case runs in a fresh process pinned to one core, so its peak memory
(max RSS) is its own. Usage::

    python benchmarks/bench_core.py                 # 1M x 1 year and 100k x 5 years
    python benchmarks/bench_core.py --cases 200000x1

Columns: residents, years, build (s: world, population, agents), simulate (s: the daily
steps), settle (s: pricing claims, KPIs), total (s), peak RSS (MiB), resident-days per second
of the simulate phase, admissions simulated.
"""

from __future__ import annotations

import argparse
import json
import os
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
model.run(); t2 = time.perf_counter()
res = collect(model); t3 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
adm = sum(k["admissions"] for k in res.summary["kpis"].values())
print(json.dumps({"build": t1 - t0, "simulate": t2 - t1, "settle": t3 - t2, "rss": rss, "admissions": adm}))
"""


def run_case(pop: int, years: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(pop), str(years)], capture_output=True, text=True,
                         check=True, env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", nargs="+", default=["1000000x1", "100000x5"], help="RESIDENTSxYEARS")
    args = p.parse_args()
    print(f"{'residents':>10} {'years':>5} {'build s':>8} {'simulate s':>10} {'settle s':>8} {'total s':>8} "
          f"{'peak MiB':>9} {'res-days/s':>12} {'admissions':>11}")
    for case in args.cases:
        pop, years = (int(x) for x in case.lower().split("x"))
        r = run_case(pop, years)
        total = r["build"] + r["simulate"] + r["settle"]
        rate = pop * years * 365 / r["simulate"]
        print(f"{pop:>10,} {years:>5} {r['build']:>8.2f} {r['simulate']:>10.2f} {r['settle']:>8.2f} {total:>8.2f} "
              f"{r['rss']:>9.0f} {rate:>12.3g} {r['admissions']:>11,}")


if __name__ == "__main__":
    main()
