"""The reform-evaluation report: one self-contained HTML file for a run, a comparison or a sweep.

Sections: what was run (scenarios, seeds, population, years, versions); KPI tables
(by year for a run, by arm for several, effects with 95% intervals for a
comparison, KPI ranges for a sweep); every standard figure that applies (and why
the others do not); the scenario's parameters with unit, meaning and source,
those that differ from the default county first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sim import __version__
from sim.plots.catalog import render
from sim.plots.io import NotApplicable, Source, arms, folder_table, kind, read_json, years
from sim.plots.save import figure_bytes
from sim.plots.style import KPIS
from sim.report.html import Raw, esc, figure_png, fmt, page, table
from sim.report.params import parameter_rows, short
from sim.results import Result
from sim.results.atomic import write_bytes_atomic

#: KPIs in report order; any other scalar KPI of summary.json follows alphabetically
ORDER = tuple(KPIS)
#: per-level KPIs whose values are shares (the others are counts, days or yuan)
SHARES_BY_LEVEL = {"bed_occupancy_by_level"}


def kpi_name(key: str) -> Raw:
    """KPI cell: English name, Chinese term, key in code."""
    name, term, unit, _ = KPIS.get(key, (key.replace("_", " ").capitalize(), None, "", 1.0))
    return Raw(f"{esc(name)}{' ' + esc(term) if term else ''} <span class=muted><code>{esc(key)}</code></span>")


def _unit(key: str) -> str:
    """The unit of the values the report prints: the summaries' raw values (plots scale money to million yuan,
    the report does not, so it must not borrow the plots' label)."""
    unit = KPIS.get(key, ("", None, "", 1.0))[2]
    return "yuan" if unit == "million yuan" else unit


def _scalar_keys(results: Sequence[Result]) -> list[str]:
    keys = {k for r in results for y in years(r) for k, v in r.summary["kpis"][y].items() if not isinstance(v, dict)}
    return [k for k in ORDER if k in keys] + sorted(keys - set(ORDER))


def _cell(values: list, unit: str) -> str:
    """Mean of the runs' values, with the min-max range when there are several."""
    vals = [v for v in values if isinstance(v, (int, float))]
    if not vals:
        return "–"
    mean = sum(vals) / len(vals)
    text = fmt(mean if len(vals) > 1 or not isinstance(vals[0], int) else vals[0], unit)
    if len(vals) > 1 and min(vals) != max(vals):
        text += f" [{fmt(min(vals), unit)} – {fmt(max(vals), unit)}]"
    return text


def _values(runs: Sequence[Result], year: str, key: str, level: str | None = None) -> list:
    """A KPI (or one level of a per-level KPI) of each run in ``year``; ``None`` where absent."""
    values = [r.summary["kpis"].get(year, {}).get(key) for r in runs]
    return values if level is None else [v.get(level) if isinstance(v, dict) else None for v in values]


def kpi_section(groups: Mapping[str, list[Result]]) -> str:
    """KPI tables: every year of a single arm, or the last year of each arm; mean [min – max] over seeds."""
    runs = [r for rs in groups.values() for r in rs]
    if len(groups) == 1:
        cols = [(f"year {y}", runs, y) for y in years(runs[0])]
    else:
        last = years(runs[0])[-1]
        cols = [(f"{arm} (year {last})", rs, last) for arm, rs in groups.items()]
    header = [c[0] for c in cols]
    numeric = [False, False] + [True] * len(cols)
    keys = [k for k in _scalar_keys(runs) if any(v is not None for _, rs, y in cols for v in _values(rs, y, k))]
    rows = [[kpi_name(k), "share" if _unit(k) == "%" else _unit(k)]
            + [_cell(_values(rs, y, k), _unit(k)) for _, rs, y in cols] for k in keys]
    out = table(["KPI", "unit", *header], rows, numeric=numeric)
    by_level = sorted({k for r in runs for y in years(r) for k, v in r.summary["kpis"][y].items()
                       if isinstance(v, dict)})
    level_rows = []
    for k in by_level:
        levels = dict.fromkeys(lv for _, rs, y in cols for v in _values(rs, y, k) if isinstance(v, dict) for lv in v)
        level_rows += [[Raw(f"<code>{esc(k)}</code>"), lv]
                       + [_cell(_values(rs, y, k, lv), "%" if k in SHARES_BY_LEVEL else "") for _, rs, y in cols]
                       for lv in levels]
    if level_rows:
        out += "<h3>KPIs by level</h3>" + table(["KPI", "level", *header], level_rows, numeric=numeric)
    n = max(len(rs) for rs in groups.values())
    if n > 1:
        out += f'<p class="muted">Mean over seeds, [min – max] over {n} seeds.</p>'
    return out


def comparison_section(source: Source) -> str:
    """The paired comparison: per KPI and year, both arms' means, the difference and its 95% interval."""
    from sim.plots.effects import comparison_table

    t = comparison_table(source)
    t = t[t["kpi"].isin(ORDER)].assign(order=lambda d: d["kpi"].map(ORDER.index)).sort_values(["year", "order"])
    meta = read_json(Path(source) / "comparison.json")
    a, b = meta.get("baseline", "baseline"), meta.get("reform", "reform")
    rows = []
    for r in t.itertuples(index=False):
        unit = _unit(r.kpi)
        k, suffix = (100.0, " pp") if unit == "%" else (1.0, "")
        diff = fmt(r.diff * k) + suffix
        sig = r.lo > 0 or r.hi < 0
        rows.append([kpi_name(r.kpi), r.year,
                     fmt(getattr(r, "base", None), unit), fmt(getattr(r, "reform", None), unit),
                     Raw(f"<b>{esc(diff)}</b>" if sig else esc(diff)), f"[{fmt(r.lo * k)}, {fmt(r.hi * k)}]{suffix}",
                     getattr(r, "n", "")])
    seeds = meta.get("seeds") or []
    note = (f"<p class=muted>{esc(b)} − {esc(a)}, paired over {len(seeds) or 'the'} common seeds (common random "
            "numbers): mean difference and 95% t-interval. Bold: the interval excludes 0. Shares and rates in "
            "percentage points (pp).</p>")
    return note + table(["KPI", "year", f"mean {a}", f"mean {b}", "difference", "95% interval", "pairs"], rows,
                        numeric=[False, True, True, True, True, True, True])


def sweep_section(source: Source) -> str:
    """A sweep's runs (done / failed / pending), its swept parameters and the main KPIs' spread."""
    from sim.plots.sweeps import sweep_table, swept_parameters

    manifest = folder_table(source, "manifest")
    status = manifest["status"].value_counts().to_dict() if "status" in manifest else {}
    params = swept_parameters(source)
    out = f"<p>{len(manifest)} runs: " + ", ".join(f"{v} {k}" for k, v in status.items()) + "</p>"
    rows = [[Raw(f"<code>{esc(p)}</code>"), short(sorted(manifest[p].dropna().unique().tolist())[:8], 80)]
            for p in params if p in manifest]
    out += table(["swept parameter", "values (first 8)"], rows)
    try:
        t = sweep_table(source)
    except NotApplicable as exc:
        return out + f"<p class=muted>{esc(exc)}</p>"
    last = t[t["year"] == t["year"].max()]
    keys = [k for k in ORDER if k in last and last[k].notna().any()]
    stats = []
    for scen, g in last.groupby("scenario", sort=False):
        for k in keys:
            u = _unit(k)
            stats.append([scen, kpi_name(k), fmt(g[k].mean(), u), fmt(g[k].quantile(0.025), u),
                          fmt(g[k].quantile(0.975), u)])
    return out + f"<h3>KPIs over the sweep (year {int(last['year'].iloc[0])})</h3>" + table(
        ["scenario", "KPI", "mean over runs", "2.5%", "97.5%"], stats, numeric=[False, False, True, True, True])


def parameter_section(groups: Mapping[str, list[Result]]) -> str:
    """Parameters of each arm: those differing from the default county, then the full table folded away."""
    out = []
    per_arm = {arm: parameter_rows(rs[0].config) for arm, rs in groups.items()}
    if len(per_arm) > 1:
        arm_names = list(per_arm)
        rows_by_arm = list(zip(*per_arm.values()))
        diff = [rs for rs in rows_by_arm if len({repr(r.value) for r in rs}) > 1]
        if diff:
            out.append("<h3>Parameters that differ between arms</h3>" + table(
                ["parameter", *arm_names, "unit", "meaning", "source"],
                [[Raw(f"<code>{esc(rs[0].path)}</code>"), *[short(r.value) for r in rs], rs[0].unit,
                  rs[0].description, rs[0].source] for rs in diff]))
    for arm, rows in per_arm.items():
        changed = [r for r in rows if r.changed]
        header = ["parameter", "value", "default county", "unit", "meaning", "source"]

        def cells(r):
            return [Raw(f"<code>{esc(r.path)}</code>"), short(r.value), short(r.reference), r.unit, r.description,
                    r.source]
        out.append(f"<h3>Scenario <code>{esc(arm)}</code>: {len(changed)} parameters differ from the default county"
                   "</h3>" + table(header, [cells(r) for r in changed]))
        out.append(f"<details><summary>All {len(rows)} parameters of <code>{esc(arm)}</code></summary>"
                   + table(header, [cells(r) for r in rows], row_class=["changed" if r.changed else "" for r in rows])
                   + "</details>")
    return "".join(out)


def figure_section(source: Source, dpi: float | None = None) -> str:
    """Every standard figure that applies, embedded as PNG; the others listed with the reason."""
    shown, skipped = [], []
    for item in render(source):
        if item.figure is None:
            skipped.append([item.name, item.skipped])
            continue
        shown.append(figure_png(figure_bytes(item.figure, "png", dpi), item.caption, item.caption))
        item.figure = None
    out = "".join(shown)
    if skipped:
        out += "<h3>Figures that do not apply</h3>" + table(["figure", "why"], skipped)
    return out


def _describe(source: Source, groups: Mapping[str, list[Result]]) -> tuple[str, list[list]]:
    """Title and the "what was run" table."""
    runs = [r for rs in groups.values() for r in rs]
    what = kind(source)
    title = {"run": f"run of scenario {next(iter(groups), '')}", "comparison": " vs ".join(groups),
             "sweep": f"sweep {Path(source).name}", "runs": " / ".join(groups)}[what]
    seeds = sorted({r.summary.get("seed") for r in runs if r.summary.get("seed") is not None})
    counts = {a: len(rs) for a, rs in groups.items()}
    if what == "sweep":           # groups hold one run per scenario; the manifest has them all
        done = _done(folder_table(source, "manifest"))
        counts = done["scenario"].value_counts(sort=False).to_dict()
        seeds = sorted(done["seed"].unique().tolist())
    versions = sorted({str(r.summary.get("version")) for r in runs})
    meta = [["what", {"run": "single run", "comparison": "paired comparison", "sweep": "parameter sweep",
                      "runs": "folder of runs"}[what]],
            ["source", str(source.folder if isinstance(source, Result) else source)],
            ["scenarios", ", ".join(f"{a} ({n} run{'s' if n > 1 else ''})" for a, n in counts.items())],
            ["seeds", short(seeds, 200)],
            ["residents", ", ".join(sorted({f"{r.summary.get('population'):,}" for r in runs}))],
            ["simulated years", ", ".join(sorted({str(r.summary.get("years")) for r in runs}))],
            ["countysim version of the runs", ", ".join(versions)],
            ["report written by", f"countysim {__version__}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"]]
    return title, meta


def build_report(source: Source, dpi: float | None = None) -> str:
    """The HTML text of the report for a run, a comparison folder, a sweep folder or a folder of runs
    (figures as PNG at ``dpi``, default 100)."""
    what = kind(source)
    groups = arms(source) if what != "sweep" else _sweep_arms(source)
    if not groups:
        raise NotApplicable(f"{source}: no finished runs to report on")
    title, meta = _describe(source, groups)
    parts = [f"<h1>countysim report: {esc(title)}</h1>",
             '<p class="muted">紧密型县域医共体 simulation. Self-contained: open offline.</p>',
             table(["", ""], meta, cls="meta")]
    if what == "comparison":
        parts += ["<h2>Reform effects 改革效果</h2>", comparison_section(source)]
    if what == "sweep":
        parts += ["<h2>Sweep 参数扫描</h2>", sweep_section(source)]
    else:
        parts += ["<h2>KPIs 绩效指标</h2>", kpi_section(groups)]
    parts += ["<h2>Figures</h2>", figure_section(source, dpi), "<h2>Parameters and their sources</h2>",
              parameter_section(groups)]
    return page(f"countysim report: {title}", "\n".join(parts))


def _sweep_arms(source: Source) -> dict[str, list[Result]]:
    """One run per scenario of a sweep (for its description and parameters)."""
    from sim.plots.io import load_run

    first = _done(folder_table(source, "manifest")).drop_duplicates("scenario")
    return {row.scenario: [load_run(Path(source) / "runs" / row.run_id)] for row in first.itertuples()
            if (Path(source) / "runs" / row.run_id).is_dir()}


def _done(manifest):
    """Finished runs of a sweep manifest."""
    return manifest[manifest["status"] == "done"] if "status" in manifest else manifest


def write_report(source: Source, out: str | Path | None = None, dpi: float | None = None) -> Path:
    """Write the report atomically to ``out`` (default: ``report.html`` inside the source folder)."""
    if out is None:
        if isinstance(source, Result) and source.folder is None:
            raise ValueError("an in-memory Result needs an output path")
        out = Path(source.folder if isinstance(source, Result) else source) / "report.html"
    out = Path(out)
    write_bytes_atomic(out, build_report(source, dpi).encode("utf-8"))
    return out
