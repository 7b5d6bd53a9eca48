"""Experiments at scale: sweeps over scenarios, parameters and seeds; executors; result store; analysis.

Quick start::

    from sim import experiments as ex
    ex.run_sweep("configs/sweeps/example_grid.yaml", workers=4)     # or scheduler="tcp://host:8786"
    table = ex.load("results/sweeps/example_grid")                  # KPIs by run and year + manifest columns
    ex.summarize("results/sweeps/example_grid", kpis=["admissions"])
    ex.compare("baseline", "configs/scenarios/reform.yaml", seeds=10)

See ``docs/experiments.md``.
"""

from sim.experiments.analysis import DEFAULT_KPIS, morris_indices, sobol_indices, summarize, t_interval, tornado
from sim.experiments.design import build_design, problem
from sim.experiments.paired import SweepFailed, compare, paired_differences
from sim.experiments.plan import Plan, RunTask, replicate_seeds
from sim.experiments.spec import Design, Parameter, SweepSpec, load_spec
from sim.experiments.store import SweepStatus, load, status
from sim.experiments.sweep import run_sweep

__all__ = ["DEFAULT_KPIS", "Design", "Parameter", "Plan", "RunTask", "SweepFailed", "SweepSpec", "SweepStatus",
           "build_design", "compare", "load", "load_spec", "morris_indices", "paired_differences", "problem",
           "replicate_seeds", "run_sweep", "sobol_indices", "status", "summarize", "t_interval", "tornado"]
