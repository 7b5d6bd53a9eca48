"""Regenerate the figures of ``docs/figures.md`` (PNG, 900 px wide) from fresh simulations.

    .venv/bin/python docs/figures/make_figures.py [--workers N]

Runs go to ``results/docs-figures/`` (git-ignored; finished runs are reused). The county is the
built-in default scaled to 100,000 residents (beds and doctors scale with it); the Sobol sweep uses
20,000 residents to keep its 112 runs affordable.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import sim
import sim.experiments as ex
import sim.plots as plots
from sim.plots.io import load_run
from sim.plots.save import save_figure

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parents[1] / "results" / "docs-figures"
POPULATION = 100_000


def save(fig, name: str) -> None:
    path, = save_figure(fig, HERE / name, formats=("png",))
    print(f"{path.relative_to(HERE.parents[1])}: {path.stat().st_size / 1024:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    workers = parser.parse_args().workers

    baseline = RESULTS / "baseline"
    if not baseline.exists():
        sim.run("baseline", population=POPULATION, seed=1).write(baseline)
    run = load_run(baseline)
    save(plots.patient_flows(run), "flows")
    save(plots.facility_map(run), "facility_map")
    save(plots.bed_occupancy(run), "bed_occupancy")

    # the combined package (DRG base groups, global budget, whitelist, gatekeeping) from year 2, 4 years, 3 seeds
    compare = RESULTS / "compare-baseline-vs-combined"
    ex.compare("baseline", "combined", seeds=3, population=POPULATION, years=4, out=compare, workers=workers)
    save(plots.kpi_timeseries(compare), "kpi_timeseries")
    save(plots.reform_effects(compare), "effects")
    save(plots.base_group_admissions(compare), "base_groups")
    reform_run = plots.arms(compare)["combined"][0]
    save(plots.budget_waterfall(reform_run), "budget_waterfall")

    grid = {"name": "docs-grid", "scenarios": ["baseline"], "design": {"method": "grid"}, "seeds": 2,
            "population": POPULATION, "years": 1, "set": {"output.claims": "none"},
            "parameters": {"choice.travel_per_hour": {"low": 0.6, "high": 1.2, "steps": 3},
                           "insurance.unreferred_outcounty_penalty_pp": [0.0, 0.15, 0.30]}}
    ex.run_sweep(grid, out=RESULTS / "grid", workers=workers)
    save(plots.sweep_heatmap(RESULTS / "grid", kpi="in_county_admission_rate"), "sweep_heatmap")
    save(plots.sensitivity_chart(RESULTS / "grid", kpi="in_county_admission_rate"), "tornado")

    sobol = {"name": "docs-sobol", "scenarios": ["baseline"], "design": {"method": "sobol", "samples": 16,
                                                                         "second_order": False},
             "seeds": 1, "population": 20_000, "years": 1, "set": {"output.claims": "none"},
             "parameters": {"casemix.incidence_scale": {"low": 0.8, "high": 1.2},
                            "choice.travel_per_hour": {"low": 0.6, "high": 1.2},
                            "insurance.unreferred_outcounty_penalty_pp": {"low": 0.0, "high": 0.3},
                            "referral.down_referral": {"low": 0.05, "high": 0.30}},
             "dummy": {"dummy": {"low": 0.0, "high": 1.0}}}
    ex.run_sweep(sobol, out=RESULTS / "sobol", workers=workers)
    save(plots.sensitivity_chart(RESULTS / "sobol", kpi="in_county_admission_rate"), "sobol")


if __name__ == "__main__":
    main()
