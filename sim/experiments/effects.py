"""Effects benchmark: the model's reform effects against published ones (效果基准).

A benchmark file (see ``configs/effects/published.yaml`` and ``docs/calibration.md``) lists published effects::

    name: published
    seeds: 5                      # replicates (common random numbers: both arms of a pair share each seed)
    population: 200000            # residents (default: the scenarios')
    years: 1                      # simulated years of every scenario (default: each scenario's own)
    effects:
      - id: drg_los
        baseline: baseline        # built-in name, path (relative to the file) or inline overlay {extends: ...}
        reform: drg
        kpi: alos_by_level.county # a summary.json KPI; per-level KPIs as name.level
        change: relative          # relative: reform/baseline - 1; absolute: reform - baseline;
                                  # elasticity: (reform/baseline - 1) / price_change
        price_change: 0.2         # elasticity only: the relative change of the price the reform imposes
        published: -0.0807        # in the unit of ``change``
        band: [-0.1305, -0.0310]  # acceptance band (e.g. the published 95% interval)
        unit: share of baseline
        design: meta-analysis of 18 studies
        source: docs/sources/behaviour_evidence.md §4; Meng Z et al. Health Policy 2020
        year: -1                  # compared year (0-based; negative counts from the end; default the last)
        expressible: true         # false: the model cannot express it yet (reported N/A with ``note``)
        note: ...

Every distinct scenario runs once per seed in ONE sweep (``sim.experiments.run_sweep``: the usual executors,
folder layout and resume rules), so pairs that share a baseline share its runs. Each entry's model value is the
mean over seeds of the paired per-seed change; the verdict is

* ``PASS``: the model value lies inside the band;
* ``DIRECTION-ONLY``: outside the band but with the published sign (and not zero);
* ``FAIL``: wrong sign, or no effect at all;
* ``N/A``: not expressible yet, or the KPI is not reported.

Nothing here tunes a parameter: the benchmark only reports.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config.loader import ConfigError, format_validation_error
from sim.experiments.analysis import t_interval
from sim.experiments.spec import _resolve_scenario
from sim.experiments.store import load
from sim.experiments.sweep import run_sweep
from sim.results.atomic import write_text_atomic

VERDICTS = ("PASS", "DIRECTION-ONLY", "FAIL", "N/A")


class Effect(BaseModel):
    """One published effect: a scenario pair, a KPI, the published value and its acceptance band."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = ""
    baseline: str | dict | None = None
    reform: str | dict | None = None
    kpi: str
    change: Literal["relative", "absolute", "elasticity"] = "relative"
    price_change: float | None = None
    published: float
    band: tuple[float, float]
    unit: str = ""
    design: str = ""
    source: str
    year: int = -1
    expressible: bool = True
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Effect:
        if self.band[0] > self.band[1]:
            raise ValueError(f"band {list(self.band)}: low must not exceed high")
        if self.change == "elasticity" and not self.price_change:
            raise ValueError("change 'elasticity' needs price_change (the relative price change the reform imposes)")
        if self.expressible and (self.baseline is None or self.reform is None):
            raise ValueError("an expressible effect needs baseline and reform scenarios (or set expressible: false)")
        return self


class Benchmark(BaseModel):
    """A validated benchmark file."""

    model_config = ConfigDict(extra="forbid")

    name: str = "effects"
    description: str = ""
    seeds: int = Field(3, ge=1)
    root_seed: int = Field(0, ge=0)
    population: int | None = Field(None, ge=1)
    years: int | None = Field(None, ge=1)
    effects: list[Effect]


def load_benchmark(source: str | Path | Mapping[str, Any]) -> tuple[Benchmark, Path]:
    """Read and validate a benchmark (file or mapping); returns it and the folder scenario paths are relative to."""
    if isinstance(source, Mapping):
        data, label, base = dict(source), "<dict>", Path.cwd()
    else:
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"{source}: effects file not found")
        data, label, base = yaml.safe_load(path.read_text(encoding="utf-8")), str(path), path.parent
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping with `effects:` at the top level")
        data.setdefault("name", path.stem)
    try:
        bench = Benchmark.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, label, data)) from None
    ids = [e.id for e in bench.effects]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{label}: effect ids must be distinct (got {ids})")
    return bench, base


def _scenarios(bench: Benchmark, base: Path) -> tuple[dict[str, dict], dict[str, tuple[str, str]]]:
    """Distinct resolved scenarios by label, and each expressible entry's (baseline, reform) labels."""
    labels: dict[str, str] = {}      # canonical JSON of a resolved config -> label
    configs: dict[str, dict] = {}
    pairs: dict[str, tuple[str, str]] = {}
    for e in bench.effects:
        if not e.expressible:
            continue
        arm = []
        for role, entry in (("baseline", e.baseline), ("reform", e.reform)):
            cfg = _resolve_scenario(entry, base, f"effects.{e.id}.{role}")
            key = json.dumps(cfg, sort_keys=True)
            if key not in labels:
                name = cfg.get("name") or role
                label, i = name, 2
                while label in configs:
                    label, i = f"{name}_{i}", i + 1
                labels[key], configs[label] = label, cfg
            arm.append(labels[key])
        if arm[0] == arm[1]:
            raise ConfigError(f"effects.{e.id}: baseline and reform are the same scenario")
        pairs[e.id] = (arm[0], arm[1])
    return configs, pairs


def verdict(model: float, published: float, band: tuple[float, float]) -> str:
    """PASS inside ``band``; DIRECTION-ONLY with the published sign; FAIL otherwise; N/A when undefined."""
    if model is None or not math.isfinite(model):
        return "N/A"
    if band[0] <= model <= band[1]:
        return "PASS"
    if model != 0 and np.sign(model) == np.sign(published):
        return "DIRECTION-ONLY"
    return "FAIL"


def _entry_value(table: pd.DataFrame, e: Effect, pair: tuple[str, str]) -> dict:
    if e.kpi not in table.columns:
        return {"model": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "n": 0,
                "why": f"KPI '{e.kpi}' is not reported by the model"}
    years = sorted(table["year"].unique())
    year = years[e.year] if -len(years) <= e.year < len(years) else None
    if year is None:
        return {"model": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "n": 0,
                "why": f"year {e.year} not simulated"}
    t = table[table["year"] == year]
    b, r = (t[t["scenario"] == s].set_index("replicate")[e.kpi].astype(float) for s in pair)
    b, r = b.align(r, join="inner")
    if e.change == "absolute":
        per_seed = r - b
    else:
        per_seed = r / b.where(b != 0) - 1
        if e.change == "elasticity":
            per_seed = per_seed / e.price_change
    per_seed = per_seed.dropna()
    n = len(per_seed)
    mean = float(per_seed.mean()) if n else float("nan")
    lo, hi = t_interval(mean, float(per_seed.std()) if n > 1 else float("nan"), n, 0.95)
    return {"model": mean, "ci_low": float(lo), "ci_high": float(hi), "n": n, "year": int(year),
            "baseline_value": float(b.mean()), "reform_value": float(r.mean()), "why": ""}


def run_effects(source: str | Path | Mapping[str, Any], *, out: str | Path | None = None, seeds: int | None = None,
                population: int | None = None, years: int | None = None, workers: int | None = None,
                scheduler: Any = None, progress=None, log=None) -> pd.DataFrame:
    """Run a benchmark and return one row per effect with the model value and its verdict.

    The runs are one sweep in ``out`` (default ``results/effects/<name>``); running again reuses finished runs.
    ``seeds``, ``population``, ``years`` override the file's. Writes ``effects.json``, ``effects.md`` and,
    when matplotlib can draw, ``effects.png`` into ``out``. ``attrs['folder']`` names the folder.
    """
    bench, base = load_benchmark(source)
    seeds = seeds or bench.seeds
    population = population or bench.population
    years = years or bench.years
    folder = Path(out) if out else Path("results") / "effects" / bench.name
    configs, pairs = _scenarios(bench, base)
    table = pd.DataFrame()
    if configs:
        spec = {"name": bench.name, "scenarios": configs, "seeds": seeds, "root_seed": bench.root_seed,
                "population": population, "years": years}
        status = run_sweep(spec, out=folder, workers=workers, scheduler=scheduler, progress=progress, log=log)
        if status.failed or status.pending:
            from sim.experiments.paired import SweepFailed
            raise SweepFailed(f"{status}\nbenchmark not written; fix the failures and run the same command again")
        table = load(folder)
    rows = []
    for e in bench.effects:
        row = {"id": e.id, "kpi": e.kpi, "change": e.change, "published": e.published, "band_low": e.band[0],
               "band_high": e.band[1], "unit": e.unit, "design": e.design, "source": e.source,
               "baseline": None, "reform": None}
        if not e.expressible:
            row.update(model=float("nan"), ci_low=float("nan"), ci_high=float("nan"), n=0,
                       why=f"not expressible yet: {e.note}".strip(": "))
        else:
            row.update(baseline=pairs[e.id][0], reform=pairs[e.id][1], **_entry_value(table, e, pairs[e.id]))
        row["verdict"] = verdict(row["model"], e.published, e.band)
        if row["verdict"] == "N/A" and not row["why"]:
            row["why"] = "undefined (zero baseline?)"
        rows.append(row)
    result = pd.DataFrame(rows)
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"name": bench.name, "seeds": seeds, "population": population, "years": years,
            "root_seed": bench.root_seed, "rows": json.loads(result.to_json(orient="records"))}
    write_text_atomic(folder / "effects.json", json.dumps(meta, indent=1, ensure_ascii=False) + "\n")
    write_text_atomic(folder / "effects.md", format_markdown(result, meta))
    try:
        plot_effects(result, folder / "effects.png")
    except Exception as exc:  # a figure is a convenience; the table is the result
        if log:
            log(f"effects figure not drawn: {exc}")
    result.attrs.update(folder=str(folder), seeds=seeds, population=population, years=years)
    return result


def _num(v: Any) -> str:
    return "—" if v is None or (isinstance(v, float) and not math.isfinite(v)) else f"{v:+.3g}"


def format_markdown(result: pd.DataFrame, meta: Mapping[str, Any]) -> str:
    """The benchmark as a markdown table (model mean over seeds with its 95% t-interval)."""
    head = (f"Effects benchmark '{meta['name']}': {meta['seeds']} seeds, population "
            f"{meta['population'] or 'as scenarios'}, years {meta['years'] or 'as scenarios'}\n\n"
            "| id | KPI | change | published | band | model (95% CI) | verdict | source |\n"
            "|---|---|---|---|---|---|---|---|\n")
    lines = []
    for r in result.itertuples(index=False):
        model = _num(r.model) if math.isfinite(r.model) else f"— ({r.why})"
        if math.isfinite(r.ci_low):
            model += f" [{_num(r.ci_low)}, {_num(r.ci_high)}]"
        lines.append(f"| {r.id} | {r.kpi} | {r.change} | {_num(r.published)} | [{_num(r.band_low)}, "
                     f"{_num(r.band_high)}] | {model} | {r.verdict} | {r.source} |")
    return head + "\n".join(lines) + "\n"


def plot_effects(result: pd.DataFrame, path: str | Path) -> None:
    """Model vs published per effect: published value (|) and band (grey), model mean and 95% interval coloured
    by verdict. One panel on a common axis: every entry is a relative change, an elasticity or a difference."""
    from matplotlib.figure import Figure

    colours = {"PASS": "#2a9d55", "DIRECTION-ONLY": "#e0a400", "FAIL": "#c0392b", "N/A": "#999999"}
    n = len(result)
    fig = Figure(figsize=(8, 0.5 * n + 1.2))
    ax = fig.add_subplot()
    for i, r in enumerate(result.itertuples(index=False)):
        y = n - 1 - i
        ax.plot([r.band_low, r.band_high], [y, y], color="#cccccc", lw=8, solid_capstyle="butt")
        ax.plot([r.published], [y], "k|", ms=14)
        if math.isfinite(r.model):
            err = [[r.model - r.ci_low], [r.ci_high - r.model]] if math.isfinite(r.ci_low) else None
            ax.errorbar([r.model], [y], xerr=err, fmt="o", color=colours[r.verdict])
        ax.annotate(r.verdict, (1.01, y), xycoords=("axes fraction", "data"), va="center", fontsize=8,
                    color=colours[r.verdict])
    ax.axvline(0, color="k", lw=0.5)
    ax.set_yticks(range(n), [f"{r.id} ({r.change})" for r in result.itertuples(index=False)][::-1], fontsize=8)
    ax.set_xlabel("effect (relative change, elasticity or absolute change; grey: published band, |: published)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
