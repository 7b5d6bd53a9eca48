"""Size of each reform's effect in the default county (not a test: prints a table).

Every reform runs against its comparison scenario on the same seeds (common random numbers); the table
gives the median paired difference over seeds and its 2.5-97.5% range. Usage::

    python benchmarks/policy_effects.py --seeds 10 --population 500000
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import sim

#: scenarios beyond the built-in ones: name -> overlay
VARIANTS = {"gb_no_reinvestment": {"extends": "global_budget", "mechanisms": {"surplus_reinvestment": False}}}
#: simulated years (the budget starts in year 2; its first surplus is reinvested at the start of year 3)
YEARS = {"baseline": 3, "global_budget": 5, "gb_no_reinvestment": 5}

#: (reform, comparison, KPI, year): what each reform is expected to move
EFFECTS = [
    ("whitelist", "baseline", "unreferred_out_of_county_admissions", "0"),
    ("whitelist", "baseline", "out_of_county_fund_share", "0"),
    ("drg_base_groups", "drg", "base_group_township_share", "0"),
    ("drg", "baseline", "down_referrals", "0"),
    ("global_budget", "baseline", "down_referrals", "2"),
    ("gatekeeping", "baseline", "primary_visit_share", "0"),
    ("gatekeeping", "baseline", "county_outpatient_visits", "0"),
    ("global_budget", "gb_no_reinvestment", "reinvested_yuan", "3"),
    ("global_budget", "gb_no_reinvestment", "township_quality", "4"),
    ("global_budget", "gb_no_reinvestment", "township_admissions", "4"),
    ("global_budget", "gb_no_reinvestment", "primary_visit_share", "4"),
]


def _kpis(args):
    scenario, seed, population = args
    r = sim.run(VARIANTS.get(scenario, scenario), seed=seed, population=population, years=YEARS.get(scenario, 1))
    out = {}
    for y, k in r.summary["kpis"].items():
        bg = k["base_group_admissions_by_level"]
        county_year = (r.outpatient["level"] == 2) & (r.outpatient["year"] == int(y))
        out[y] = dict(k, base_group_township_share=bg.get("township", 0) / max(1, sum(bg.values())),
                      township_admissions=k["admissions_by_level"].get("township", 0),
                      county_outpatient_visits=float(r.outpatient.loc[county_year, "visits"].sum()))
    return scenario, seed, out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--population", type=int, default=500_000)
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()
    scenarios = sorted({s for e in EFFECTS for s in e[:2]})
    jobs = [(s, seed, a.population) for s in scenarios for seed in range(1, a.seeds + 1)]
    with ProcessPoolExecutor(a.workers) as pool:
        res = {(s, seed): k for s, seed, k in pool.map(_kpis, jobs)}
    print(f"{a.population:,} residents, {a.seeds} paired seeds")
    print(f"{'reform':<16} {'vs':<19} {'KPI (year)':<42} {'comparison':>12} {'median diff':>12} "
          f"{'2.5%':>10} {'97.5%':>10}")
    for reform, base, key, year in EFFECTS:
        b = np.array([res[(base, s)][year][key] for s in range(1, a.seeds + 1)], float)
        d = np.array([res[(reform, s)][year][key] for s in range(1, a.seeds + 1)], float) - b
        lo, hi = np.percentile(d, [2.5, 97.5])
        print(f"{reform:<16} {base:<19} {key + ' (' + year + ')':<42} {np.median(b):>12.4g} {np.median(d):>12.4g} "
              f"{lo:>10.4g} {hi:>10.4g}")


if __name__ == "__main__":
    main()
