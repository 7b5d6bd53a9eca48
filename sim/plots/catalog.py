"""Every standard figure, which sources it applies to, and rendering them all to files.

A figure drawn from one run (flows, map, occupancy, budget) is drawn for the
first run of each arm when the source is a comparison folder; figures of several
runs (time series, effects, base groups, sweeps) take the whole source. A figure
whose input is absent is skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sim.plots.io import NotApplicable, Source, arms, kind
from sim.plots.save import save_figure


@dataclass(frozen=True)
class FigureSpec:
    """A standard figure: file stem, caption, drawing function, and whether it takes one run (``per_run``)."""

    name: str
    caption: str
    draw: Callable
    per_run: bool


@dataclass
class Rendered:
    """One figure of :func:`render`: its file stem and caption, and the figure or the reason it was skipped."""

    name: str
    caption: str
    figure: object | None = None
    skipped: str | None = None


def figures() -> tuple[FigureSpec, ...]:
    """The standard figures, in report order."""
    from sim.plots.basegroups import base_group_admissions
    from sim.plots.budget import budget_fund, budget_waterfall
    from sim.plots.effects import reform_effects
    from sim.plots.equity import che_by_quintile, concentration_curves
    from sim.plots.flows import patient_flows
    from sim.plots.maps import bed_occupancy, facility_map
    from sim.plots.providers import provider_behaviour
    from sim.plots.sweeps import sensitivity_chart, sweep_heatmap
    from sim.plots.timeseries import kpi_timeseries

    return (
        FigureSpec("effects", "Reform effects with 95% intervals (paired seeds) 改革效果", reform_effects, False),
        FigureSpec("kpi_timeseries", "Monthly KPIs by arm, uncertainty over seeds 月度指标", kpi_timeseries, False),
        FigureSpec("flows", "Patient flows: first contact → admission → discharge 患者流向", patient_flows, True),
        FigureSpec("base_groups", "DRG base-group admissions by level 基础病组", base_group_admissions, False),
        FigureSpec("provider_behaviour", "Provider behaviour: coding, negative-list events, length of stay "
                   "医疗机构行为", provider_behaviour, False),
        FigureSpec("budget_waterfall", "Global budget of the last year 医保基金总额付费", budget_waterfall, True),
        FigureSpec("budget_fund", "Budget, performance score by indicator, pool reserve 医保基金", budget_fund, True),
        FigureSpec("che_by_quintile", "Catastrophic health expenditure by income quintile 灾难性卫生支出",
                   che_by_quintile, True),
        FigureSpec("concentration_curves", "Concentration curves of out-of-pocket, admissions, fund benefit 集中曲线",
                   concentration_curves, True),
        FigureSpec("facility_map", "Facilities sized by admissions 县域医疗机构", facility_map, True),
        FigureSpec("bed_occupancy", "Bed occupancy over time 床位使用率", bed_occupancy, True),
        FigureSpec("sweep_heatmap", "KPI over two swept parameters 参数扫描", sweep_heatmap, False),
        FigureSpec("sensitivity", "Sensitivity of the KPI to each parameter 敏感性分析", sensitivity_chart, False),
    )


def _per_run_sources(source: Source) -> list[tuple[str, object]]:
    """``(suffix, run)`` pairs a per-run figure is drawn for: the run itself, or each arm's first run."""
    if kind(source) == "run":
        return [("", source)]
    if kind(source) == "sweep":
        raise NotApplicable("drawn for single runs: plot a run of the sweep (runs/<run_id>)")
    return [(f"-{arm}", rs[0]) for arm, rs in arms(source).items()]


def render(source: Source, only: set[str] | None = None) -> Iterator[Rendered]:
    """Draw every standard figure that applies to ``source``; skipped ones carry the reason."""
    for spec in figures():
        if only and spec.name not in only:
            continue
        try:
            targets = _per_run_sources(source) if spec.per_run else [("", source)]
        except NotApplicable as exc:
            yield Rendered(spec.name, spec.caption, skipped=str(exc))
            continue
        for suffix, target in targets:
            name = spec.name + suffix
            caption = spec.caption + (f" ({suffix[1:]})" if suffix else "")
            try:
                yield Rendered(name, caption, figure=spec.draw(target))
            except NotApplicable as exc:
                yield Rendered(name, caption, skipped=str(exc))


def plot_all(source: Source, out: str | Path, formats: tuple[str, ...] = ("png", "svg"),
             only: set[str] | None = None, dpi: float | None = None) -> list[tuple[Rendered, list[Path]]]:
    """Write every figure that applies to ``source`` under ``out`` (atomically, PNG at ``dpi``, default 100 =
    900 px wide); returns each figure with its files, or with the reason it was skipped."""
    done = []
    for item in render(source, only):
        paths = save_figure(item.figure, Path(out) / item.name, formats, dpi) if item.figure is not None else []
        done.append((item, paths))
        item.figure = None           # release the figure's memory
    return done
