"""Health effects of the chronic-care and emergency levers: paired runs on common random numbers (not a test).

    python benchmarks/health_effects.py [--population 50000] [--years 5] [--seeds 5] [--workers 2]
                                        [--scenarios chronic_capitation village_protocol green_channel]
                                        [--set payment.capitation.rate=800]

Each scenario and the fee-for-service ``baseline`` run on the same seeds (1..K) over ``years``, on common random
numbers in every year (the living population keeps them, docs/health.md §2). Prints, per comparison and metric, the
totals over the years of each run, the mean paired relative difference and its 95 % t-interval, and the yearly
protocol share, management incentive and capitation surplus of the scenario (docs/health.md §4). Fund spending
is what the fund pays facilities (``fund_to_provider``) plus capitation. ``--set key=value`` (repeatable) changes a
parameter of the compared scenarios, not of the baseline. Results: ``benchmarks/health_effects_50k.txt``
(50,000 residents, before the living population was on by default) and ``benchmarks/health_effects_500k.txt``
(the default county).
"""

from __future__ import annotations

import argparse
import json
from multiprocessing import Pool

import numpy as np

#: summed over the years
SUMS = ("strokes", "heart_attacks", "major_cv_events", "major_cv_events_managed_hypertensives", "deaths",
        "emergency_deaths", "emergency_expected_deaths_treated", "stroke_disabled", "dalys", "avoidable_admissions",
        "admissions", "chronic_visits", "fund_spending", "capitation", "protocol_cost_yuan", "green_channel_cost_yuan")
#: averaged over the years
MEANS = ("hypertension_control", "hypertension_control_managed", "diabetes_control", "protocol_share",
         "emergency_onset_to_treatment_min")
#: shown year by year for the scenario
YEARLY = ("protocol_share", "management_incentive_yuan", "capitation_surplus", "hypertension_control_managed")


def overlay(sets: list[str]) -> dict:
    """``["a.b=1", ...]`` -> ``{"a": {"b": 1}}`` (values read as YAML)."""
    import yaml
    out: dict = {}
    for item in sets:
        key, value = item.split("=", 1)
        *path, last = key.split(".")
        node = out
        for p in path:
            node = node.setdefault(p, {})
        node[last] = yaml.safe_load(value)
    return out


def one(args) -> tuple[str, int, dict]:
    name, seed, population, years, sets = args
    import sim
    r = sim.run(name if name == "baseline" or not sets else {"extends": name, **overlay(sets)},
                population=population, years=years, seed=seed)
    ks = [r.summary["kpis"][str(y)] for y in range(years)]
    for k in ks:
        k["fund_spending"] = k["fund_to_provider"] + (k.get("capitation") or 0.0)
    out = {m: float(sum(k.get(m) or 0.0 for k in ks)) for m in SUMS}
    out.update({m: float(np.mean([k.get(m) or 0.0 for k in ks])) for m in MEANS})
    out["yearly"] = {m: [k.get(m) for k in ks] for m in YEARLY}
    return name, seed, out


def paired(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Mean paired relative difference a/b - 1 and its 95 % t-interval."""
    d = np.array([x / y - 1.0 if y else np.nan for x, y in zip(a, b)])
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return (float(d.mean()) if len(d) else float("nan"), float("nan"), float("nan"))
    from scipy import stats
    h = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return float(d.mean()), float(d.mean() - h), float(d.mean() + h)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--population", type=int, default=50_000)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scenarios", nargs="+", default=["chronic_capitation"])
    ap.add_argument("--set", action="append", default=[], help="key=value for the compared scenarios")
    ap.add_argument("--json", default=None, help="write the per-run numbers to this file")
    a = ap.parse_args()
    names = ["baseline", *a.scenarios]
    jobs = [(n, s, a.population, a.years, a.set) for s in range(1, a.seeds + 1) for n in names]
    with Pool(a.workers) as pool:
        rows = pool.map(one, jobs, chunksize=1)
    res = {(n, s): v for n, s, v in rows}
    seeds = range(1, a.seeds + 1)
    print(f"{a.population:,} residents, {a.years} years, seeds 1-{a.seeds}, paired against baseline (FFS)"
          + (f"; compared scenarios with {' '.join(a.set)}" if a.set else ""))
    for name in a.scenarios:
        print(f"\n== {name} vs baseline")
        print(f"{'metric':42s} {'baseline (mean)':>16s} {name + ' (mean)':>22s}   paired diff [95% CI]")
        for m in SUMS + MEANS:
            b = [res[("baseline", s)][m] for s in seeds]
            x = [res[(name, s)][m] for s in seeds]
            mean, lo, hi = paired(x, b)
            print(f"{m:42s} {np.mean(b):16,.3f} {np.mean(x):22,.3f}   {100 * mean:+6.2f}% [{100 * lo:+.2f}, "
                  f"{100 * hi:+.2f}]")
        for m in YEARLY:
            ys = np.array([[v if v is not None else np.nan for v in res[(name, s)]["yearly"][m]] for s in seeds],
                          dtype=float)
            print(f"  {m} by year (mean of seeds): " + ", ".join(f"{v:,.3f}" for v in np.nanmean(ys, axis=0)))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({f"{n}/{s}": v for (n, s), v in res.items()}, f, indent=1)


if __name__ == "__main__":
    main()
