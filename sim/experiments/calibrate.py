"""Calibration (校准): fit parameters to targets with a real optimiser on common random numbers.

A targets file (see ``configs/calibration/default_targets.yaml`` and ``docs/calibration.md``)::

    name: default_county
    scenario: baseline            # built-in name, path (relative to the file) or inline overlay
    seeds: 3                      # replicates per trial; every trial uses the SAME seeds (common random numbers)
    population: 200000            # residents (default: the scenario's)
    years: 1
    year: -1                      # year whose KPIs are compared (0-based; negative from the end)
    method: auto                  # auto: bounded (1 parameter) else nelder-mead; or powell
    max_trials: 40                # optimiser evaluations at most
    parameters:                   # dotted config paths with ranges; start (Nelder-Mead, Powell) defaults
                                  # to the scenario's value
      choice.asc_outpatient.county: {low: -1.0, high: 0.5}
    targets:
      - kpi: primary_visit_share  # summary.json KPI; per-level KPIs as name.level
        value: 0.55
        tolerance: 0.05           # loss term ((fitted - value) / tolerance)^2 x weight
        weight: 1
        source: docs/sources/calibration_data.md §2.1

Each trial (one parameter vector) is an ordinary sweep (:func:`~sim.experiments.run_sweep`, local executors)
in ``<out>/trials/<digest>/`` with the parameters under ``set:``; a run is finished iff its folder exists, and
the optimiser is deterministic, so running the same command again replays the trace from stored trials and
continues where it stopped. Output in ``<out>``: ``calibrated.yaml`` (an overlay that ``extends:`` the
scenario), ``fit.json`` and ``fit.md`` (targets vs fitted with their spread over seeds; the parameter trace).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.config.loader import ConfigError, format_validation_error, set_dotted
from sim.experiments.spec import _check_override, _resolve_scenario
from sim.experiments.store import load
from sim.experiments.sweep import run_sweep
from sim.results.atomic import write_text_atomic


class Target(BaseModel):
    """One calibration target: a KPI, its value and how far the fit may be from it."""

    model_config = ConfigDict(extra="forbid")

    kpi: str
    value: float
    tolerance: float = Field(gt=0, description="scale of the loss term, in the KPI's unit")
    weight: float = Field(1.0, ge=0)
    source: str = ""


class FitParameter(BaseModel):
    """A fitted parameter: a dotted config path with a range and an optional start value."""

    model_config = ConfigDict(extra="forbid")

    low: float
    high: float
    start: float | None = None

    @model_validator(mode="after")
    def _check(self) -> FitParameter:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be greater than low ({self.low})")
        if self.start is not None and not self.low <= self.start <= self.high:
            raise ValueError(f"start ({self.start}) must lie between low and high")
        return self


class TargetsFile(BaseModel):
    """A validated targets file."""

    model_config = ConfigDict(extra="forbid")

    name: str = "calibration"
    description: str = ""
    scenario: str | dict = "baseline"
    seeds: int = Field(3, ge=1)
    root_seed: int = Field(0, ge=0)
    population: int | None = Field(None, ge=1)
    years: int | None = Field(None, ge=1)
    year: int = -1
    method: Literal["auto", "bounded", "nelder-mead", "powell"] = "auto"
    max_trials: int = Field(40, ge=1)
    xatol: float = Field(0.01, gt=0, description="stop when the parameters move less than this (unit-range scale)")
    parameters: dict[str, FitParameter]
    targets: list[Target]

    @model_validator(mode="after")
    def _check(self) -> TargetsFile:
        if not self.parameters:
            raise ValueError("parameters: give at least one parameter to fit")
        if not self.targets:
            raise ValueError("targets: give at least one target")
        if self.method == "bounded" and len(self.parameters) != 1:
            raise ValueError("method 'bounded' fits exactly one parameter; use nelder-mead or powell")
        return self


def load_targets(source: str | Path | Mapping[str, Any]) -> tuple[TargetsFile, Path, str | dict]:
    """Read and validate a targets file; returns it, its folder, and the scenario as written in the overlay."""
    if isinstance(source, Mapping):
        data, label, base = dict(source), "<dict>", Path.cwd()
    else:
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"{source}: targets file not found")
        data, label, base = yaml.safe_load(path.read_text(encoding="utf-8")), str(path), path.parent.resolve()
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping with `parameters:` and `targets:`")
        data.setdefault("name", path.stem)
    try:
        tf = TargetsFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, label, data)) from None
    return tf, base, tf.scenario


def _get_dotted(cfg: Mapping, dotted: str) -> Any:
    node: Any = cfg
    for key in dotted.split("."):
        node = node[key]
    return node


def _digest(values: Mapping[str, float]) -> str:
    return hashlib.sha1(json.dumps(values, sort_keys=True).encode()).hexdigest()[:12]


class _Trials:
    """Evaluates parameter vectors as stored sweeps; memoised, counted and traced."""

    def __init__(self, tf: TargetsFile, config: dict, folder: Path, workers, scheduler, log):
        self.tf, self.config, self.folder = tf, config, folder
        self.workers, self.scheduler, self.log = workers, scheduler, log
        self.names = list(tf.parameters)
        self.trace: list[dict] = []
        self.cache: dict[str, dict] = {}

    def values(self, x: np.ndarray) -> dict[str, float]:
        """Unit-range coordinates -> parameter values (rounded to 6 significant digits: stable folder names)."""
        out = {}
        for n, u in zip(self.names, np.clip(np.atleast_1d(x), 0.0, 1.0)):
            p = self.tf.parameters[n]
            out[n] = float(f"{p.low + float(u) * (p.high - p.low):.6g}")
        return out

    def evaluate(self, values: dict[str, float]) -> dict:
        key = _digest(values)
        if key in self.cache:
            return self.cache[key]
        if len(self.cache) >= self.tf.max_trials:
            raise _Budget()
        spec = {"name": f"trial-{key}", "scenarios": {"trial": self.config}, "seeds": self.tf.seeds,
                "root_seed": self.tf.root_seed, "population": self.tf.population, "years": self.tf.years,
                "set": dict(values)}
        out = self.folder / "trials" / key
        status = run_sweep(spec, out=out, workers=self.workers, scheduler=self.scheduler)
        if status.failed or status.pending:
            from sim.experiments.paired import SweepFailed
            raise SweepFailed(f"{status}\ncalibration stopped; fix the failures and run the same command again")
        table = load(out)
        years = sorted(table["year"].unique())
        t = table[table["year"] == years[self.tf.year]]
        fitted, loss = [], 0.0
        for tg in self.tf.targets:
            if tg.kpi not in t.columns:
                raise ConfigError(f"target '{tg.kpi}': not a KPI of the model's summary.json "
                                  "(per-level KPIs are written name.level, e.g. alos_by_level.county)")
            col = t[tg.kpi].astype(float)
            mean, sd = float(col.mean()), float(col.std()) if len(col) > 1 else float("nan")
            z = (mean - tg.value) / tg.tolerance
            loss += tg.weight * z * z
            fitted.append({"kpi": tg.kpi, "value": tg.value, "tolerance": tg.tolerance, "fitted": mean, "sd": sd,
                           "min": float(col.min()), "max": float(col.max()), "within": abs(z) <= 1,
                           "source": tg.source})
        record = {"trial": len(self.cache), "folder": str(out), "parameters": values, "loss": loss, "targets": fitted}
        self.cache[key] = record
        self.trace.append(record)
        if self.log:
            self.log(f"trial {record['trial']}: " + ", ".join(f"{n}={v:.4g}" for n, v in values.items())
                     + f" -> loss {loss:.4g}")
        return record

    def loss(self, x) -> float:
        return self.evaluate(self.values(x))["loss"]


class _Budget(Exception):
    """The trial budget is spent."""


def _optimise(trials: _Trials, tf: TargetsFile, start: np.ndarray) -> None:
    from scipy import optimize

    method = tf.method if tf.method != "auto" else ("bounded" if len(start) == 1 else "nelder-mead")
    try:
        if method == "bounded":
            optimize.minimize_scalar(lambda u: trials.loss([u]), bounds=(0.0, 1.0), method="bounded",
                                     options={"xatol": tf.xatol, "maxiter": tf.max_trials})
        elif method == "nelder-mead":
            k = len(start)
            simplex = np.vstack([start] + [np.clip(start + 0.15 * np.eye(k)[i] * (1 if start[i] < 0.85 else -1), 0, 1)
                                           for i in range(k)])
            optimize.minimize(trials.loss, start, method="Nelder-Mead", bounds=[(0.0, 1.0)] * k,
                              options={"initial_simplex": simplex, "xatol": tf.xatol, "fatol": 1e-3,
                                       "maxfev": tf.max_trials})
        else:
            optimize.minimize(trials.loss, start, method="Powell", bounds=[(0.0, 1.0)] * len(start),
                              options={"xtol": tf.xatol, "maxfev": tf.max_trials})
    except _Budget:
        pass  # the best trial so far is the result


def _nested(values: Mapping[str, float]) -> dict:
    out: dict = {}
    for dotted, v in values.items():
        set_dotted(out, dotted, v)
    return out


def calibrate(source: str | Path | Mapping[str, Any], *, out: str | Path | None = None, seeds: int | None = None,
              population: int | None = None, max_trials: int | None = None, workers: int | None = 1,
              scheduler: Any = None, log=None) -> dict:
    """Fit the targets file's parameters and write the calibrated overlay and the fit report.

    Returns a dict: ``best`` (parameter values), ``loss``, ``targets`` (rows of kpi, value, tolerance, fitted,
    sd, min, max, within), ``trace`` (every trial), ``overlay`` (path of ``calibrated.yaml``), ``folder``,
    ``report_md``. Local runs use ``workers`` processes (default 1: in this process).
    """
    tf, base, scenario = load_targets(source)
    updates = {k: v for k, v in {"seeds": seeds, "population": population, "max_trials": max_trials}.items() if v}
    tf = tf.model_copy(update=updates)
    folder = Path(out) if out else Path("results") / "calibration" / tf.name
    config = _resolve_scenario(scenario, base, "scenario")
    start = []
    for dotted, p in tf.parameters.items():
        try:
            current = float(_get_dotted(config, dotted))
        except (KeyError, TypeError, ValueError):
            raise ConfigError(f"parameters.{dotted}: not a numeric config field (check the spelling; "
                              "`countysim params` lists every field)") from None
        for value in (p.low, p.high):
            problem = _check_override(config, dotted, value)
            if problem:
                raise ConfigError(f"parameters.{dotted} = {value!r}: {problem}")
        s = p.start if p.start is not None else min(max(current, p.low), p.high)
        start.append((s - p.low) / (p.high - p.low))
    folder.mkdir(parents=True, exist_ok=True)
    trials = _Trials(tf, config, folder, workers, scheduler, log)
    _optimise(trials, tf, np.array(start, dtype=float))
    best = min(trials.trace, key=lambda r: r["loss"])

    if isinstance(scenario, str):
        parent = Path(scenario)
        is_file = (base / parent).is_file()
        extends = os.path.relpath((base / parent).resolve(), folder.resolve()) if is_file else scenario
        overlay = {"extends": extends}
    else:
        overlay = {k: v for k, v in scenario.items() if k != "extends"}
        parent = scenario.get("extends")
        if parent is not None:
            overlay["extends"] = (os.path.relpath((base / parent).resolve(), folder.resolve())
                                  if (base / parent).is_file() else parent)
    name = f"{config.get('name') or 'scenario'}_calibrated"
    from sim.config.loader import deep_merge
    overlay = deep_merge({**overlay, "name": name}, _nested(best["parameters"]))
    header = (f"# Calibrated by `countysim calibrate` ({tf.name}): {len(trials.trace)} trials, {tf.seeds} seeds, "
              f"population {tf.population or 'as scenario'}; loss {best['loss']:.4g}.\n"
              f"# Fitted parameters (see fit.md for targets vs fitted):\n"
              + "".join(f"#   {n} = {v:.6g}\n" for n, v in best["parameters"].items()))
    overlay_path = folder / "calibrated.yaml"
    write_text_atomic(overlay_path, header + yaml.safe_dump(overlay, sort_keys=False, allow_unicode=True))
    fit = {"name": tf.name, "seeds": tf.seeds, "root_seed": tf.root_seed, "population": tf.population,
           "years": tf.years, "year": tf.year, "best": best["parameters"], "loss": best["loss"],
           "best_trial": best["trial"], "targets": best["targets"],
           "trace": [{"trial": r["trial"], **r["parameters"], "loss": r["loss"]} for r in trials.trace]}
    write_text_atomic(folder / "fit.json", json.dumps(fit, indent=1, ensure_ascii=False) + "\n")
    md = format_fit(fit)
    write_text_atomic(folder / "fit.md", md)
    try:
        plot_fit(fit, folder / "fit.png")
    except Exception as exc:  # a figure is a convenience; fit.json is the result
        if log:
            log(f"fit figure not drawn: {exc}")
    return {**fit, "overlay": str(overlay_path), "folder": str(folder), "report_md": md}


def format_fit(fit: Mapping[str, Any]) -> str:
    """The fit as markdown: targets vs fitted (mean, sd and range over seeds) and the parameter trace."""
    lines = [f"# Calibration '{fit['name']}': best trial {fit['best_trial']}, loss {fit['loss']:.4g} "
             f"({fit['seeds']} seeds, population {fit['population'] or 'as scenario'})", "",
             "| parameter | fitted |", "|---|---|"]
    lines += [f"| {n} | {v:.6g} |" for n, v in fit["best"].items()]
    lines += ["", "| KPI | target | tolerance | fitted (mean) | sd over seeds | range | within | source |",
              "|---|---|---|---|---|---|---|---|"]
    for t in fit["targets"]:
        sd = "—" if not math.isfinite(t["sd"]) else f"{t['sd']:.4g}"
        lines.append(f"| {t['kpi']} | {t['value']:.4g} | {t['tolerance']:.4g} | {t['fitted']:.4g} | {sd} | "
                     f"[{t['min']:.4g}, {t['max']:.4g}] | {'yes' if t['within'] else 'NO'} | {t['source']} |")
    names = [k for k in fit["trace"][0] if k not in ("trial", "loss")] if fit["trace"] else []
    lines += ["", "| trial | " + " | ".join(names) + " | loss |", "|---" * (len(names) + 2) + "|"]
    for r in fit["trace"]:
        lines.append(f"| {r['trial']} | " + " | ".join(f"{r[n]:.5g}" for n in names) + f" | {r['loss']:.4g} |")
    return "\n".join(lines) + "\n"


def trace_table(fit: Mapping[str, Any]) -> pd.DataFrame:
    """The parameter trace as a table (trial, one column per parameter, loss)."""
    return pd.DataFrame(fit["trace"])


def plot_fit(fit: Mapping[str, Any], path: str | Path) -> None:
    """Two panels: the loss of every trial (best marked), and each target's standardised miss
    (fitted - target) / tolerance with its spread over seeds; the grey band |z| <= 1 is "within"."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 0.35 * len(fit["targets"]) + 2.5))
    a, b = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    trace = pd.DataFrame(fit["trace"])
    a.plot(trace["trial"], trace["loss"], "o-", color="#555555", ms=3)
    a.plot([fit["best_trial"]], [fit["loss"]], "o", color="#c0392b", ms=7, label="best")
    a.set_yscale("symlog", linthresh=1.0)
    a.set_xlabel("trial")
    a.set_ylabel("loss (sum of weighted squared z)")
    a.legend(frameon=False)
    n = len(fit["targets"])
    b.axvspan(-1, 1, color="#dddddd")
    for i, t in enumerate(fit["targets"]):
        z = (t["fitted"] - t["value"]) / t["tolerance"]
        err = t["sd"] / t["tolerance"] if math.isfinite(t["sd"]) else 0.0
        b.errorbar([z], [n - 1 - i], xerr=[[err], [err]], fmt="o", color="#2a9d55" if t["within"] else "#c0392b")
    b.axvline(0, color="k", lw=0.5)
    b.set_yticks(range(n), [t["kpi"] for t in fit["targets"]][::-1], fontsize=8)
    b.set_xlabel("(fitted - target) / tolerance  (bar: sd over seeds)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
