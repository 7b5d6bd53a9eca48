"""The model's own price elasticity of demand, against the evidence (a script, not a test).

    PYTHONPATH=. python benchmarks/demand_elasticity.py [--population 50000] [--seeds 3] [--years 1]

Raises every out-of-pocket price patients expect by 10% (``care_seeking.price_index = 1.1``: choice and care
seeking see the higher prices; the claims are unchanged) and reports the paired change (same seeds) in
acute outpatient episodes seen (outpatient_episodes_seen), all outpatient visits, chronic visits and
admissions, as arc elasticities (change / +10%). Evidence (docs/sources/behaviour_evidence.md §1): first
outpatient visit -0.519 (-0.703 to -0.336), visits among users -0.547, first admission -0.372 (-0.517 to
-0.226); lower bound about -0.2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

import sim  # noqa: E402

EVIDENCE = {"outpatient_episodes_seen": (-0.519, -0.703, -0.336), "visits": (-0.547, -0.747, -0.347),
            "chronic_visits": (-0.547, -0.747, -0.347), "admissions": (-0.372, -0.517, -0.226)}


def measure(population: int, seeds: int, years: int, rise: float = 0.10) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {k: [] for k in EVIDENCE}
    for seed in range(1, seeds + 1):
        base = sim.run({"extends": "baseline"}, population=population, seed=seed, years=years)
        high = sim.run({"extends": "baseline", "care_seeking": {"price_index": 1 + rise}}, population=population,
                       seed=seed, years=years)
        for k in out:
            a = sum(base.summary["kpis"][str(y)][k] for y in range(years))
            b = sum(high.summary["kpis"][str(y)][k] for y in range(years))
            out[k].append((b / a - 1) / rise)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--population", type=int, default=50_000)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--years", type=int, default=1)
    args = ap.parse_args()
    res = measure(args.population, args.seeds, args.years)
    print(f"demand elasticity: every expected out-of-pocket price +10%, {args.population:,} residents, "
          f"{args.seeds} paired seeds, {args.years} year(s)")
    print(f"{'quantity':<22}{'model':>9}{'(seed range)':>18}   evidence (95% CI)           inside?")
    for k, vals in res.items():
        m = float(np.mean(vals))
        ev, lo, hi = EVIDENCE[k]
        inside = "yes" if lo <= m <= hi else ("above lower bound -0.2" if -0.2 >= m > hi else "no")
        print(f"{k:<22}{m:>9.3f}   ({min(vals):.3f}, {max(vals):.3f})   {ev:.3f} ({lo:.3f} to {hi:.3f})   {inside}")


if __name__ == "__main__":
    main()
