"""Standard figures: each renders from small real results without a warning and shows what it claims."""

from __future__ import annotations

import re
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

import sim.plots as P
from sim.cli import main
from sim.plots.budget import budget_year, waterfall_steps
from sim.plots.flows import STAGES, flow_kind
from sim.plots.io import NotApplicable, load_run
from sim.plots.style import cjk_font
from tests import test_plots_data as data

CJK = re.compile(r"[\u3400-\u9fff]")


def draw(func, *args, **kwargs) -> Figure:
    """Build a figure with every warning an error (rendering is tested once per figure, in
    ``test_render_everything_that_applies``)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = func(*args, **kwargs)
    assert isinstance(fig, Figure)
    if cjk_font() is None:      # without a CJK font no label may need one
        texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
        assert not [t for t in texts if CJK.search(t)]
    return fig


def texts(fig: Figure) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


# -- patient flows -----------------------------------------------------------------------------------------------------
def test_flows_sum_to_the_runs_episodes():
    run = load_run(data.run_folder())
    flows = P.flow_table(run)
    episodes = run.claims["episode_id"].nunique()
    assert flows["episodes"].sum() == episodes == run.daily["admissions"].sum()
    for stage in STAGES:                   # every column of the alluvial holds every episode
        assert flows.groupby(stage)["episodes"].sum().sum() == episodes
    by_year = [P.flow_table(run, year=y)["episodes"].sum() for y in (0, 1, 2)]
    assert sum(by_year) == episodes


def test_flow_kinds():
    assert [flow_kind(1, 1), flow_kind(1, 2), flow_kind(2, 3), flow_kind(3, 4), flow_kind(2, 1)] == \
        ["treated", "up", "out", "up", "down"]


def test_patient_flows_figure():
    run = load_run(data.run_folder())
    fig = draw(P.patient_flows, run)
    n = run.claims["episode_id"].nunique()
    assert f"{n:,} inpatient episodes" in texts(fig)
    assert "First contact" in texts(fig) and "Discharged" in texts(fig)
    assert "referred up within the county" in texts(fig)


# -- time series -------------------------------------------------------------------------------------------------------
def test_monthly_kpis_match_the_run():
    run = load_run(data.run_folder())
    m = P.monthly_kpis(run)
    assert len(m) == 36 and list(m["t"]) == list(range(36))
    assert m["admissions"].sum() == run.daily["admissions"].sum()
    fund = sum(k["fund_payment"] for k in run.summary["kpis"].values())
    assert m["fund_payment"].sum() == pytest.approx(fund, rel=1e-9)
    assert m["in_county_admission_rate"].between(0, 1).all()


def test_timeseries_one_line_per_arm_with_seed_bands():
    folder = data.comparison_folder()
    fig = draw(P.kpi_timeseries, folder, kpis=("in_county_admission_rate", "fund_payment"))
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 2
    for ax in axes:
        assert len(ax.get_lines()) == 2                       # baseline and reform
        assert len(ax.collections) == 2                       # a band per arm (2 seeds each)
    assert "(%)" in axes[0].get_ylabel() and "million yuan" in axes[1].get_ylabel()
    legend = texts(fig)
    assert "baseline (2 seeds)" in legend and "drg_base_groups (2 seeds)" in legend


def test_timeseries_marks_the_reform_year():
    fig = draw(P.kpi_timeseries, data.run_folder(), kpis=("admissions",))
    ax = fig.axes[0]
    assert [line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == "--"] == [24]
    assert "reform starts" in texts(fig)


# -- effects -----------------------------------------------------------------------------------------------------------
def test_reform_effects_from_comparison():
    folder = data.comparison_folder()
    fig = draw(P.reform_effects, folder)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any(label.startswith("In-county admission rate") for label in labels)
    assert any(label.startswith("Fund payments") for label in labels)
    table = pd.read_parquet(folder / "comparison.parquet")
    shown = {k for k in P.effects.DEFAULT_KPIS if k in set(table["kpi"])}
    assert sum(len(ax.get_yticks()) for ax in fig.axes) == len(shown)
    with pytest.raises(NotApplicable, match="comparison"):
        P.reform_effects(data.run_folder())


# -- budget ------------------------------------------------------------------------------------------------------------
def test_budget_waterfall_adds_up():
    folder = data.run_folder()
    b = budget_year(folder)
    steps = waterfall_steps(b)
    amounts = [a for _, a, _ in steps]
    kinds = [k for _, _, k in steps]
    assert kinds[0] == kinds[3] == kinds[-1] == "total"
    assert amounts[0] + amounts[1] + amounts[2] == pytest.approx(amounts[3])          # total - withholds = prepaid
    assert amounts[3] + sum(amounts[4:-1]) == pytest.approx(amounts[-1], abs=1e-3)   # ... = net result
    fig = draw(P.budget_waterfall, folder)
    assert "Global budget, year 2" in texts(fig)
    assert len(fig.axes[0].patches) == len(steps) and len(fig.axes[1].patches) == 3


def test_budget_waterfall_skips_runs_without_budget():
    with pytest.raises(NotApplicable, match="budget"):
        P.budget_waterfall(data.one_year_run())


# -- map and occupancy -------------------------------------------------------------------------------------------------
def test_facility_map_and_occupancy():
    run = load_run(data.run_folder())
    fig = draw(P.facility_map, run)
    assert fig.axes[0].get_xlabel() == "x (km)" and fig.axes[0].get_ylabel() == "y (km)"
    assert "CH1" in texts(fig) and "CITY1" in texts(fig)
    fig = draw(P.bed_occupancy, run)
    ax = fig.axes[0]
    assert ax.get_ylabel().startswith("Bed occupancy") and "(%)" in ax.get_ylabel()
    assert len(ax.get_lines()) == 2 * 2 + 1                 # daily and mean for two levels, the 100% line
    beds = run.facilities.loc[run.facilities["level"] == 2, "beds"].sum()
    mean_line = ax.get_lines()[3]
    assert np.allclose(mean_line.get_ydata()[:1], run.daily["census_county"].iloc[:1] / beds * 100)


# -- base groups -------------------------------------------------------------------------------------------------------
def test_base_group_admissions_two_arms_and_two_years():
    fig = draw(P.base_group_admissions, data.comparison_folder())
    ax = fig.axes[0]
    assert len(ax.containers) >= 2 and ax.get_ylabel() == "admissions per year"
    assert "baseline" in texts(fig) and "drg_base_groups" in texts(fig)
    run = load_run(data.run_folder())              # the year before the reform (1) against the last (2)
    fig = draw(P.base_group_admissions, run)
    assert "year 1" in texts(fig) and "year 2" in texts(fig)
    heights = [p.get_height() for p in fig.axes[0].patches]
    total = sum(sum(run.summary["kpis"][y]["base_group_admissions_by_level"].values()) for y in ("1", "2"))
    assert sum(heights) == pytest.approx(total)
    with pytest.raises(NotApplicable, match="two"):
        P.base_group_admissions(data.one_year_run())


# -- providers ---------------------------------------------------------------------------------------------------------
def test_provider_behaviour_bars_are_the_runs_kpis():
    folder = data.comparison_folder()
    fig = draw(P.provider_behaviour, folder)
    assert len(fig.axes) == 3 and "baseline" in texts(fig) and "drg_base_groups" in texts(fig)
    groups = P.arms(folder)
    ax_cmi, ax_neg, ax_los = ([c for c in ax.containers if isinstance(c, BarContainer)] for ax in fig.axes)
    # each arm's bars are its KPIs, mean over seeds (true then coded case-mix index; upcoded claims first)
    for i, runs in enumerate(groups.values()):
        bars = ax_cmi[i]
        true = np.mean([r.summary["kpis"]["0"]["case_mix_index_true"] for r in runs])
        coded = np.mean([r.summary["kpis"]["0"]["case_mix_index_coded"] for r in runs])
        assert [p.get_height() for p in bars] == pytest.approx([true, coded])
        adm = np.array([r.summary["kpis"]["0"]["admissions"] for r in runs])
        up = np.array([r.summary["kpis"]["0"]["upcoded_claims"] for r in runs])
        assert ax_neg[i][0].get_height() == pytest.approx(np.mean(1000 * up / adm))
        los = np.mean([r.summary["kpis"]["0"]["alos_by_level"]["county"] for r in runs])
        assert ax_los[i][1].get_height() == pytest.approx(los)
    run = load_run(data.run_folder())              # the year before the reform (1) against the last (2)
    assert "year 1" in texts(draw(P.provider_behaviour, run))
    with pytest.raises(NotApplicable, match="two arms"):
        P.provider_behaviour(data.one_year_run())


# -- sweeps ------------------------------------------------------------------------------------------------------------
def test_sweep_heatmap_and_tornado():
    folder = data.sweep_folder()
    fig = draw(P.sweep_heatmap, folder, kpi="in_county_admission_rate")
    assert fig.axes[0].get_xlabel().startswith("choice.travel_per_hour")
    assert fig.axes[0].get_ylabel().startswith("insurance.unreferred_outcounty_penalty_pp")
    fig = draw(P.sensitivity_chart, folder, kpi="in_county_admission_rate")
    assert "(tornado)" in texts(fig)
    assert len(fig.axes[0].patches) == 4                     # low and high bar for two parameters


@pytest.mark.parametrize("table, title", [
    (pd.DataFrame({"parameter": ["a", "b", "dummy"], "dummy": [False, False, True], "S1": [0.6, 0.2, 0.0],
                   "S1_conf": [0.1, 0.05, 0.02], "ST": [0.7, 0.3, 0.01], "ST_conf": [0.1, 0.1, 0.02]}), "Sobol"),
    (pd.DataFrame({"parameter": ["a", "b"], "mu": [0.1, -0.2], "mu_star": [0.1, 0.3], "mu_star_conf": [0.02, 0.05],
                   "sigma": [0.05, 0.2]}), "Morris"),
])
def test_sensitivity_chart_from_tables(table, title):
    fig = draw(P.sensitivity_chart, table)
    assert title in texts(fig)
    assert "b" in [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_sweep_figures_skip_other_sources():
    for func in (P.sweep_heatmap, P.sensitivity_chart):
        with pytest.raises(NotApplicable, match="sweep"):
            func(data.comparison_folder())


# -- all figures and the command line ----------------------------------------------------------------------------------
def test_render_everything_that_applies(tmp_path):
    """Every figure of a run renders to PNG without a warning (missing glyphs, layout); the report tests render
    those of a comparison and a sweep. Low resolution keeps it quick: glyphs and layout do not depend on it."""
    names = {"kpi_timeseries", "flows", "base_groups", "provider_behaviour", "budget_waterfall", "budget_fund",
             "che_by_quintile", "concentration_curves", "facility_map", "bed_occupancy"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        done = P.plot_all(data.run_folder(), tmp_path, formats=("png",), dpi=40)
    assert {item.name for item, paths in done if paths} == names
    assert {item.name for item, paths in done if not paths} == {"effects", "sweep_heatmap", "sensitivity"}
    assert all(item.skipped for item, paths in done if not paths)
    assert all((tmp_path / f"{n}.png").stat().st_size > 1000 for n in names)


def test_cli_plot(tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["plot", str(data.run_folder()), "--out", str(out), "--only", "flows", "effects", "--dpi", "40"]) == 0
    printed = capsys.readouterr().out
    assert {p.name for p in out.iterdir()} == {"flows.png", "flows.svg"}
    assert "skipped effects: " in printed
    assert main(["plot", str(tmp_path / "nowhere")]) == 2
    assert "no such run" in capsys.readouterr().err


def test_figures_leave_global_settings_alone():
    before = dict(matplotlib.rcParams)
    draw(P.bed_occupancy, data.run_folder())
    assert dict(matplotlib.rcParams) == before
