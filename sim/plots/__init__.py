"""Standard figures of countysim runs, comparisons and sweeps (matplotlib, no pyplot state).

Every function takes a :class:`~sim.results.Result` or a results folder and returns a
``matplotlib.figure.Figure``; it raises :class:`NotApplicable` (with the reason) when
the source lacks its input. ``countysim plot SOURCE`` writes all that apply::

    import sim, sim.plots
    r = sim.run(None, population=20_000, seed=1)
    sim.plots.patient_flows(r).savefig("flows.png")
    sim.plots.plot_all("results/compare-whitelist", "figures/")

Chinese terms (县域内住院率, 基础病组, ...) appear in labels only when a CJK font is installed.
"""

from sim.plots.basegroups import base_group_admissions
from sim.plots.budget import budget_fund, budget_waterfall
from sim.plots.catalog import figures, plot_all, render
from sim.plots.effects import reform_effects
from sim.plots.equity import che_by_quintile, concentration_curves
from sim.plots.flows import flow_table, patient_flows
from sim.plots.io import NotApplicable, arms, load_run
from sim.plots.maps import bed_occupancy, facility_map
from sim.plots.providers import provider_behaviour
from sim.plots.save import save_figure
from sim.plots.sweeps import sensitivity_chart, sweep_heatmap
from sim.plots.timeseries import kpi_timeseries, monthly_kpis

__all__ = ["NotApplicable", "arms", "base_group_admissions", "bed_occupancy", "budget_fund", "budget_waterfall",
           "che_by_quintile", "concentration_curves", "facility_map", "figures", "flow_table", "kpi_timeseries",
           "load_run", "monthly_kpis", "patient_flows", "plot_all", "provider_behaviour", "reform_effects", "render",
           "save_figure", "sensitivity_chart", "sweep_heatmap"]
