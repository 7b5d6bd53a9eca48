"""The county on a map (facilities sized by admissions, coloured by level) and bed occupancy over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from sim.codes import CITY, COUNTY, DAYS_PER_YEAR, PROVINCE, TOWNSHIP, VILLAGE
from sim.plots.io import NotApplicable, Source, table
from sim.plots.style import LEVEL_COLORS, level_label, new_figure, styled, zh

MAX_AREA = 900.0   # marker area (pt²) of the busiest facility


def facility_admissions(source: Source, year: int | None = None) -> pd.DataFrame:
    """``facilities.parquet`` with the admissions of each facility (in ``year``, or per year on average)."""
    fac = table(source, "facilities")
    fy = table(source, "facility_year")
    if year is not None:
        if year not in set(fy["year"]):
            raise NotApplicable(f"the run has no year {year}")
        fy = fy[fy["year"] == year]
    adm = fy.groupby("facility")["admissions"].sum() / (1 if year is not None else fy["year"].nunique())
    return fac.assign(admissions=fac["id"].map(adm).fillna(0.0).to_numpy())


def _nice(v: float) -> float:
    """``v`` rounded to one significant digit."""
    mag = 10 ** np.floor(np.log10(v))
    return float(np.round(v / mag) * mag)


def _size_legend(ax, k: float, largest: float) -> None:
    """Marker-size key: three round numbers of admissions up to the largest."""
    if largest <= 0:
        return
    values = sorted({_nice(largest * f) for f in (0.05, 0.25, 1.0) if largest * f >= 1})
    handles = [ax.scatter([], [], s=v * k, facecolor="none", edgecolor="grey") for v in values]
    ax.legend(handles, [f"{v:,.0f}" for v in values], title="admissions / year", loc="lower center",
              labelspacing=1.6, borderpad=1.0, handletextpad=1.5, title_fontsize=8)


@styled
def facility_map(source: Source, year: int | None = None):
    """Map of the county's facilities: circles sized by admissions and coloured by level.

    Out-of-county hospitals lie far from the county; they are drawn on a side panel at the same scale, with
    their distance from the county centre. Village clinics (no beds) are small dots.

    Parameters
    ----------
    source : a Result or run folder. year : simulation year (default: mean per year over the run).
    """
    fac = facility_admissions(source, year)
    inside = fac[fac["level"] <= COUNTY]
    outside = fac[fac["level"] >= CITY]
    fig, (ax, side) = new_figure(6.0, ncols=2, width_ratios=[3.2, 1])
    largest = float(fac["admissions"].max())
    k = MAX_AREA / largest if largest > 0 else 0.0
    villages = inside[inside["level"] == VILLAGE]
    ax.scatter(villages["x"], villages["y"], s=4, color=LEVEL_COLORS[VILLAGE], alpha=0.6, lw=0)
    for lvl in (COUNTY, TOWNSHIP):   # small township centres drawn over the large county hospitals
        f = inside[inside["level"] == lvl].sort_values("admissions", ascending=False)
        ax.scatter(f["x"], f["y"], s=np.maximum(f["admissions"] * k, 6), color=LEVEL_COLORS[lvl], alpha=0.7,
                   edgecolor="white", lw=0.6, zorder=3)
        for i, (_, row) in enumerate(f.iterrows()):
            r = np.sqrt(max(row["admissions"] * k, 6)) / 2
            side_ = 1 if i % 2 else -1      # county hospitals sit close together: labels left and right
            at = (side_ * (r + 2), 0, "left" if side_ > 0 else "right", "center") if lvl == COUNTY else \
                (0, -r - 2, "center", "top")
            ax.annotate(row["id"], (row["x"], row["y"]), xytext=at[:2], textcoords="offset points", ha=at[2],
                        va=at[3], fontsize=6.5, color="#333333", zorder=4)
    ax.set_aspect("equal")
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.grid(alpha=0.25)
    keys = [Line2D([], [], ls="none", marker="o", markersize=ms, color=LEVEL_COLORS[lvl], alpha=0.7, label=text)
            for lvl, ms, text in ((VILLAGE, 3, level_label(VILLAGE) + " (no beds)"),
                                  (TOWNSHIP, 7, level_label(TOWNSHIP)), (COUNTY, 7, level_label(COUNTY)),
                                  (CITY, 7, level_label(CITY)), (PROVINCE, 7, level_label(PROVINCE)))]
    ax.legend(handles=keys, loc="upper center", bbox_to_anchor=(0.62, -0.09), ncol=5, columnspacing=1.0)
    _size_legend(side, k, largest)
    cx, cy = inside["x"].mean(), inside["y"].mean()
    side.set_xlim(-1, 1)
    side.set_ylim(0, 1)
    side.axis("off")
    side.set_title(zh("Outside the county", "县外"), fontsize=9)
    for i, (_, row) in enumerate(outside.sort_values("level").iterrows()):
        y = 0.93 - i * 0.27
        side.scatter([0], [y], s=max(row["admissions"] * k, 6), color=LEVEL_COLORS[int(row["level"])], alpha=0.7,
                     edgecolor="white")
        dist = float(np.hypot(row["x"] - cx, row["y"] - cy))
        side.annotate(f"{row['id']} ({level_label(int(row['level'])).lower()})\n{dist:,.0f} km from the county "
                      f"centre\n{row['admissions']:,.0f} admissions / year", (0, y), xytext=(0, -22),
                      textcoords="offset points", ha="center", va="top", fontsize=7.5)
    when = f"year {year}" if year is not None else "mean per year"
    fig.suptitle(zh("Facilities of the county", "县域医疗机构") + f", sized by admissions ({when})", x=0.01,
                 ha="left", fontweight="bold")
    return fig


@styled
def bed_occupancy(source: Source, window: int = 7):
    """Daily bed occupancy of township centres and county hospitals (inpatients in bed / beds).

    Parameters
    ----------
    source : a Result or run folder with daily counters. window : days of the rolling mean drawn bold.
    """
    daily = table(source, "daily")
    if daily.empty or "census_county" not in daily:
        raise NotApplicable("the run kept no daily bed census (output.daily: false)")
    fac = table(source, "facilities")
    fig, ax = new_figure(3.6)
    for lvl, col in ((TOWNSHIP, "census_township"), (COUNTY, "census_county")):
        beds = int(fac.loc[fac["level"] == lvl, "beds"].sum())
        if beds <= 0:
            continue
        occ = daily[col] / beds * 100
        ax.plot(daily["day"], occ, color=LEVEL_COLORS[lvl], lw=0.5, alpha=0.4)
        ax.plot(daily["day"], occ.rolling(window, min_periods=1).mean(), color=LEVEL_COLORS[lvl], lw=1.6,
                label=f"{level_label(lvl)} (all, {beds:,} beds)")
    ax.axhline(100, color="black", lw=0.8, ls="--")
    ax.annotate("all beds full", (daily["day"].iloc[-1], 100), xytext=(0, 3), textcoords="offset points",
                ha="right", fontsize=7.5)
    n_days = len(daily)
    years = max(1, -(-n_days // DAYS_PER_YEAR))
    ticks = range(0, n_days + 1, DAYS_PER_YEAR if years > 1 else 30)
    ax.set_xticks(list(ticks), [f"year {t // DAYS_PER_YEAR}" if years > 1 else str(t) for t in ticks])
    ax.set_xlim(0, n_days)
    ax.set_xlabel("simulation year" if years > 1 else "day of the simulation")
    ax.set_ylabel(zh("Bed occupancy", "床位使用率") + " (%)")
    ax.set_ylim(0, max(105, ax.get_ylim()[1]))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(zh("Bed occupancy", "床位使用率") + f": inpatients in bed / beds, daily (thin), {window}-day mean",
                 loc="left")
    return fig
