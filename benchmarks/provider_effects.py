"""Reform effects with the provider channels on: paired runs on common random numbers (not a test).

    python benchmarks/provider_effects.py [--population 200000] [--seeds 5] [--workers 2]

Each reform and its reference run on the same seeds (1..K), one simulated year under the reform's rules
(the global budget from year 0: its behaviour tables do not depend on the budget's history). Prints, per
comparison, the mean paired relative difference and its 95% t-interval for: ALOS (all admissions and county
hospitals), cost per case (all and county), admissions, case-mix index (true, coded), out-of-county
admissions, fund spending (``fund_to_provider``: what the fund pays facilities, after case payment and
audit recoveries), the fund's itemised share of charges (``fund_payment``) and out-of-pocket per admission.
"""

from __future__ import annotations

import argparse
import json
from multiprocessing import Pool

import numpy as np
from scipy import stats

SCENARIOS = {"baseline": "baseline", "drg": "drg", "dip": "dip", "drg_base_groups": "drg_base_groups",
             "global_budget": {"extends": "global_budget", "reform": {"start_year": 0}, "years": 1}}
COMPARISONS = (("drg", "baseline"), ("dip", "baseline"), ("global_budget", "baseline"), ("drg_base_groups", "drg"))
METRICS = ("alos", "alos_county", "cost_per_case", "cost_per_case_county", "admissions", "cmi_true", "cmi_coded",
           "out_of_county_admissions", "fund_to_provider", "fund_payment", "oop_per_admission", "readmission_rate")
#: printed as each scenario's mean level (zero under fee-for-service, so no ratio)
LEVELS = ("split_per_1000_admissions", "outpatient_redirect_share")


def one(args) -> tuple[str, int, dict]:
    name, seed, population = args
    import sim
    r = sim.run(SCENARIOS[name], population=population, years=1, seed=seed)
    k = r.summary["kpis"]["0"]
    ip = r.claims
    closed = ip[~ip["open_at_end"]]
    stays = closed.groupby("episode_id").agg(days=("days", "sum"), cost=("total_cost", "sum"),
                                             level=("level", "first"))
    county = stays[stays["level"] == 2]
    return name, seed, {
        "alos": float(stays["days"].mean()), "alos_county": float(county["days"].mean()),
        "cost_per_case": float(stays["cost"].mean()), "cost_per_case_county": float(county["cost"].mean()),
        "admissions": k["admissions"], "cmi_true": k.get("case_mix_index_true"),
        "cmi_coded": k.get("case_mix_index_coded"), "out_of_county_admissions": k["out_of_county_admissions"],
        "fund_to_provider": k["fund_to_provider"], "fund_payment": k["fund_payment"],
        "oop_per_admission": k["oop_per_admission"], "readmission_rate": k["readmission_rate_30d"],
        # levels, not compared as ratios (0 under fee-for-service)
        "split_per_1000_admissions": k.get("split_admissions_per_1000_admissions", 0.0),
        "outpatient_redirect_share": k.get("outpatient_redirect_share", 0.0)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--population", type=int, default=200_000)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    jobs = [(n, s, a.population) for s in range(1, a.seeds + 1) for n in SCENARIOS]
    with Pool(a.workers) as pool:
        rows = pool.map(one, jobs, chunksize=1)
    res = {(n, s): v for n, s, v in rows}
    t_crit = float(stats.t.ppf(0.975, max(a.seeds - 1, 1)))
    out = {"levels": {n: {m: float(np.mean([res[(n, s)][m] for s in range(1, a.seeds + 1)])) for m in LEVELS}
                      for n in SCENARIOS}}
    print("levels (mean over seeds):")
    for n, v in out["levels"].items():
        print(f"  {n:18s} " + "  ".join(f"{m} {x:.4g}" for m, x in v.items()))
    for reform, ref in COMPARISONS:
        out[f"{reform} vs {ref}"] = table = {}
        for m in METRICS:
            d = np.array([res[(reform, s)][m] / res[(ref, s)][m] - 1 for s in range(1, a.seeds + 1)])
            half = t_crit * d.std(ddof=1) / np.sqrt(len(d)) if len(d) > 1 else float("nan")
            table[m] = {"rel_diff": float(d.mean()), "ci95": [float(d.mean() - half), float(d.mean() + half)],
                        "reference_mean": float(np.mean([res[(ref, s)][m] for s in range(1, a.seeds + 1)])),
                        "reform_mean": float(np.mean([res[(reform, s)][m] for s in range(1, a.seeds + 1)]))}
        print(f"\n{reform} vs {ref}")
        for m, v in table.items():
            print(f"  {m:26s} {100 * v['rel_diff']:+7.2f}%  [{100 * v['ci95'][0]:+6.2f}, {100 * v['ci95'][1]:+6.2f}]"
                  f"  ({v['reference_mean']:.4g} -> {v['reform_mean']:.4g})")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
