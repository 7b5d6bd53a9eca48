"""Patient-side reforms against the baseline (issue 13's closing note; a script, not a test: prints a table).

    PYTHONPATH=. python benchmarks/patient_effects.py [--population 100000] [--seeds 5] [--workers 1]

Each reform runs against ``baseline`` on the same seeds (common random numbers), one year; the table gives the
baseline's mean and each reform's mean paired change with its range over seeds: primary (village + township)
visits per capita, county-hospital outpatient visits, out-of-pocket share of total cost, unmet need (share of
acute and inpatient episodes without care) and missed chronic follow-ups. ``gatekeeping_contracted`` is strict
gatekeeping that counts only the contracted family doctor's referral (``policy.gatekeeping.referral_by``).
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import sim  # noqa: E402

SCENARIOS = {
    "baseline": "baseline",
    "gatekeeping": "gatekeeping",
    "gatekeeping_contracted": {"extends": "gatekeeping",
                               "policy": {"gatekeeping": {"referral_by": "contracted_doctor"}}},
    "two_disease_70": "two_disease_70",
    "two_disease_70_nocap": "two_disease_70_nocap",
    "contracts_up": "contracts_up",
}
#: (column label, how the change is shown: relative "%" or absolute "pp"/"n")
COLUMNS = [("primary visits/capita", "%"), ("county outpatient visits", "%"), ("out-of-pocket share", "pp"),
           ("unmet need share", "pp"), ("missed follow-ups", "n")]


def _measure(args: tuple[str, int, int]) -> tuple[str, int, list[float]]:
    name, seed, population = args
    r = sim.run(SCENARIOS[name], population=population, seed=seed, years=1)
    k = r.summary["kpis"]["0"]
    by = k["visits_per_capita_by_level"]
    op = r.outpatient
    county = float(op.loc[op["level"] == 2, "visits"].sum())
    return name, seed, [by.get("village", 0.0) + by.get("township", 0.0), county, k["oop_share"],
                        k["unmet_need"]["share_of_episodes"], float(k["unmet_need"]["missed_followups"])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=100_000)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args()
    jobs = [(s, seed, a.population) for s in SCENARIOS for seed in range(1, a.seeds + 1)]
    with ProcessPoolExecutor(a.workers) as pool:
        res = {(s, seed): np.array(v) for s, seed, v in pool.map(_measure, jobs)}
    seeds = range(1, a.seeds + 1)
    base = np.array([res["baseline", s] for s in seeds])
    print(f"{a.population:,} residents, 1 year, {a.seeds} paired seeds; change vs baseline: mean (min to max)")
    print("| scenario | " + " | ".join(c for c, _ in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    print("| baseline | " + " | ".join(f"{v:,.4g}" for v in base.mean(axis=0)) + " |")
    for name in SCENARIOS:
        if name == "baseline":
            continue
        now = np.array([res[name, s] for s in seeds])
        cells = []
        for j, (_, kind) in enumerate(COLUMNS):
            d = (now[:, j] / base[:, j] - 1) * 100 if kind == "%" else (now[:, j] - base[:, j]) * (
                100 if kind == "pp" else 1)
            unit = {"%": "%", "pp": " pp", "n": ""}[kind]
            cells.append(f"{d.mean():+.2f}{unit} ({d.min():+.2f} to {d.max():+.2f})" if kind != "n"
                         else f"{d.mean():+,.0f} ({d.min():+,.0f} to {d.max():+,.0f})")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
