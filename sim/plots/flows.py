"""Patient flows 患者流向: where inpatient episodes first present, where they are admitted, where discharged.

An alluvial chart with three columns of levels: first contact (首诊) → admitted
(treated where first seen, referred up 上转, or referred out of the county 县外)
→ discharged (the same level, or referred down 下转 in the recovery phase). Every
column sums to the run's inpatient episodes.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath

from sim.codes import COUNTY, DAYS_PER_YEAR
from sim.plots.io import NotApplicable, Source, as_result, table
from sim.plots.style import LEVEL_COLORS, level_label, new_figure, styled, zh

STAGES = ("first_level", "admitted_level", "discharged_level")
STAGE_TITLES = (("First contact", "首诊"), ("Admitted", "入院"), ("Discharged", "出院"))
#: flow kind -> (legend label, Chinese term, colour)
FLOW_KINDS = {
    "treated": ("admitted where first seen / no down-referral", None, "#c8c8c8"),
    "up": ("referred up within the county", "上转", "#f39c12"),
    "out": ("referred out of the county", "县外转诊", "#d62728"),
    "down": ("referred down (recovery phase)", "下转", "#2ca02c"),
}
NODE_WIDTH = 0.05
GAP = 0.025


def flow_table(source: Source, year: int | None = None) -> pd.DataFrame:
    """Inpatient episodes by first-contact, admitting and discharging level.

    Columns ``first_level``, ``admitted_level``, ``discharged_level`` (level codes) and ``episodes``; an episode
    is one referral chain (its stay segments share ``episode_id``). ``year`` keeps episodes admitted that year.
    """
    claims = table(source, "claims")
    if claims.empty:
        raise NotApplicable("the run has no inpatient claims (run written with --claims none?)")
    seg = claims.sort_values(["episode_id", "segment"])
    g = seg.groupby("episode_id", sort=False)
    ep = pd.DataFrame({"first_level": g["first_level"].first(), "admitted_level": g["level"].first(),
                       "discharged_level": g["level"].last(), "admit_day": g["admit_day"].first()})
    if year is not None:
        ep = ep[ep["admit_day"] // DAYS_PER_YEAR == year]
    out = ep.groupby(list(STAGES)).size().rename("episodes").reset_index()
    return out.astype("int64")


def flow_kind(src: int, dst: int) -> str:
    """Kind of a move between two levels: ``treated`` (same level), ``up``, ``out`` (leaves the county), ``down``."""
    if dst == src:
        return "treated"
    if dst < src:
        return "down"
    return "out" if src <= COUNTY < dst else "up"


def _stack(counts: pd.Series, total: int) -> dict[int, tuple[float, float]]:
    """Vertical (bottom, top) of each level's node in one column, level 0 on top, gaps between nodes."""
    levels = sorted(counts.index)
    scale = (1 - GAP * (len(levels) - 1)) / total
    spans, top = {}, 1.0
    for lvl in levels:
        h = counts[lvl] * scale
        spans[lvl] = (top - h, top)
        top -= h + GAP
    return spans


def _ribbon(x0: float, y0: tuple[float, float], x1: float, y1: tuple[float, float]) -> MplPath:
    """A band from span ``y0`` at ``x0`` to span ``y1`` at ``x1`` with S-shaped (cubic Bézier) edges."""
    xm = (x0 + x1) / 2
    verts = [(x0, y0[1]), (xm, y0[1]), (xm, y1[1]), (x1, y1[1]), (x1, y1[0]), (xm, y1[0]), (xm, y0[0]),
             (x0, y0[0]), (x0, y0[1])]
    codes = [MplPath.MOVETO] + [MplPath.CURVE4] * 3 + [MplPath.LINETO] + [MplPath.CURVE4] * 3 + [MplPath.CLOSEPOLY]
    return MplPath(verts, codes)


def _spread(ys: list[float], min_gap: float) -> list[float]:
    """Label positions near ``ys`` (sorted top to bottom) at least ``min_gap`` apart."""
    out = list(ys)
    for i in range(1, len(out)):
        out[i] = min(out[i], out[i - 1] - min_gap)
    return out


@styled
def patient_flows(source: Source, year: int | None = None):
    """Alluvial chart of inpatient episodes: first contact → admitted → discharged, by level.

    Parameters
    ----------
    source : a Result or a run folder (with inpatient claims).
    year : only episodes admitted in this simulation year (default: the whole run).
    """
    flows = flow_table(source, year)
    total = int(flows["episodes"].sum())
    fig, ax = new_figure(5.2)
    xs = (0.0, 1.0, 2.0)
    spans = [_stack(flows.groupby(stage)["episodes"].sum(), total) for stage in STAGES]
    used = set()
    for s in range(2):
        a, b = STAGES[s], STAGES[s + 1]
        pair = flows.groupby([a, b])["episodes"].sum()
        out_top = {lvl: top for lvl, (_, top) in spans[s].items()}
        scale = (1 - GAP * (len(spans[s]) - 1)) / total
        # ribbons leave a node in the order of their targets and enter a node in the order of their sources
        for (src, dst), n in pair.sort_index(level=[0, 1]).items():
            h = n * scale
            y0 = (out_top[src] - h, out_top[src])
            out_top[src] -= h
            y1 = _entry_span(pair, src, dst, spans[s + 1][dst][1], scale)
            kind = flow_kind(src, dst)
            used.add(kind)
            ax.add_patch(PathPatch(_ribbon(xs[s] + NODE_WIDTH / 2, y0, xs[s + 1] - NODE_WIDTH / 2, y1),
                                   facecolor=FLOW_KINDS[kind][2], edgecolor="none", alpha=0.6))
    for s, column in enumerate(spans):
        labels = []
        for lvl, (lo, hi) in column.items():
            ax.add_patch(Rectangle((xs[s] - NODE_WIDTH / 2, lo), NODE_WIDTH, hi - lo, facecolor=LEVEL_COLORS[lvl],
                                   edgecolor="white", linewidth=0.5, zorder=3))
            n = int(flows.loc[flows[STAGES[s]] == lvl, "episodes"].sum())
            labels.append(((lo + hi) / 2, f"{level_label(lvl)}\n{n:,} ({n / total:.0%})"))
        ys = _spread([y for y, _ in labels], 0.075)
        ha, dx = (("right", -NODE_WIDTH), ("left", NODE_WIDTH), ("left", NODE_WIDTH))[s]
        for y, (_, text) in zip(ys, labels):
            ax.text(xs[s] + dx, y, text, ha=ha, va="center", fontsize=8, zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.75, "edgecolor": "none"})
        ax.text(xs[s], 1.04, zh(*STAGE_TITLES[s]), ha="center", va="bottom", fontweight="bold")
    ax.set_xlim(-0.42, 2.42)
    ax.set_ylim(-0.02, 1.1)
    ax.axis("off")
    when = f"admitted in year {year}" if year is not None else _run_span(source)
    ax.set_title(zh("Patient flows", "患者流向") + f": {total:,} inpatient episodes, {when}", loc="left")
    handles = [Patch(facecolor=FLOW_KINDS[k][2], alpha=0.6, label=zh(FLOW_KINDS[k][0], FLOW_KINDS[k][1]))
               for k in FLOW_KINDS if k in used]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize=8)
    return fig


def _entry_span(pair: pd.Series, src: int, dst: int, node_top: float, scale: float) -> tuple[float, float]:
    """Span where the ribbon ``src -> dst`` enters node ``dst``: its sources stacked top to bottom by level."""
    above = sum(n for (s, d), n in pair.items() if d == dst and s < src)
    top = node_top - above * scale
    return top - pair[(src, dst)] * scale, top


def _run_span(source: Source) -> str:
    years = int(as_result(source).summary.get("years", 1))
    return "whole run (1 year)" if years == 1 else f"whole run ({years} years)"
