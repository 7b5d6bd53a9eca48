"""Sweep specifications: scenarios, parameters with ranges or levels, design, seeds, output folder.

A spec is a YAML file (see ``configs/sweeps/``) or a mapping::

    name: travel_cost                    # default: the file's stem
    scenarios: [default, baseline]       # built-in names, paths (relative to the spec file), inline overlays,
                                         # or a mapping {label: scenario}
    parameters:                          # dotted config paths (``countysim params`` lists them)
      choice.travel_per_hour: {low: 0.5, high: 1.5, steps: 3}     # a range (steps: grid points)
      insurance.unreferred_outcounty_penalty_pp: [0.0, 0.15, 0.3] # levels
    dummy:                               # sampled and recorded but never applied: a zero-effect control
      dummy: {low: 0, high: 1}
    design: {method: sobol, samples: 64} # grid | random | latin | sobol | morris | oat
    seeds: 3                             # replicates per point, shared by all points (common random numbers)
    root_seed: 0                         # replicate r runs with seed SeedSequence(root_seed).spawn(seeds)[r]
    population: 20000                    # residents (default: the scenario's)
    years: 1                             # simulated years (default: the scenario's)
    set: {output.claims: none}           # fixed overrides for every run
    retries: 2                           # extra attempts for a failing run
    out: results/sweeps/travel_cost      # output folder, relative to the working directory

:func:`load_spec` validates the spec, resolves every scenario to a full config and checks each
parameter's values against the scenario schema, so mistakes surface before any run starts.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from sim.config.fields import folder_safe_name
from sim.config.loader import (
    ConfigError,
    deep_merge,
    format_validation_error,
    load_config,
    read_yaml_chain,
    resolve_config_path,
    set_dotted,
)
from sim.config.scenario import ScenarioConfig

#: manifest columns that parameter names may not shadow
RESERVED_NAMES = frozenset({"run_id", "scenario", "point", "replicate", "seed", "status", "error", "attempts",
                            "wall_s", "started", "finished", "year"})
METHODS = ("grid", "random", "latin", "sobol", "morris", "oat")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


class Parameter(BaseModel):
    """A swept quantity: a numeric range ``[low, high]`` or a list of levels.

    A range whose bounds are both integers yields integers (e.g. ``population``). ``base`` is the value
    used when the other parameters vary (one-at-a-time designs, tornado tables): by default the range's
    midpoint or the middle level.
    """

    model_config = ConfigDict(extra="forbid")

    low: int | float | None = None
    high: int | float | None = None
    steps: int = Field(3, ge=2, description="grid points for a range in a grid design")
    levels: list[Any] | None = None
    base: Any = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"levels": value}
        if not isinstance(value, Mapping):
            raise ValueError("expected a range {low: .., high: ..} or a list of levels "
                             "(to give every run the same value, put it under `set:`)")
        return value

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        ranged = self.low is not None or self.high is not None
        if ranged == (self.levels is not None):
            raise ValueError("give either low and high, or levels (not both)")
        if ranged:
            if self.low is None or self.high is None:
                raise ValueError("a range needs both low and high")
            if not self.high > self.low:
                raise ValueError(f"high ({self.high}) must be greater than low ({self.low})")
            if self.base is not None and not (isinstance(self.base, (int, float))
                                              and self.low <= self.base <= self.high):
                raise ValueError(f"base ({self.base!r}) must lie between low and high")
        else:
            if "steps" in self.model_fields_set:
                raise ValueError("steps applies to ranges only")
            if not self.levels:
                raise ValueError("levels must not be empty")
            kinds = {_kind(v) for v in self.levels}
            if len(kinds) > 1 or not kinds <= {"number", "string", "boolean"}:
                raise ValueError(f"levels must all be numbers, all strings or all booleans (got {sorted(kinds)})")
            if self.base is not None and self.base not in self.levels:
                raise ValueError(f"base ({self.base!r}) must be one of the levels")
        return self

    @property
    def integer(self) -> bool:
        """True for a range with integer bounds: its values are rounded to integers."""
        return self.levels is None and isinstance(self.low, int) and isinstance(self.high, int)

    def _cast(self, x: float) -> int | float:
        return int(round(x)) if self.integer else float(x)

    def grid_values(self) -> list[Any]:
        """Levels, or ``steps`` evenly spaced values from low to high (duplicates after rounding dropped)."""
        if self.levels is not None:
            return list(self.levels)
        return list(dict.fromkeys(self._cast(x) for x in np.linspace(self.low, self.high, self.steps)))

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map unit-interval coordinates (shape (n,)) to values: linear for ranges, equal bins for levels."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.levels is not None:
            n = len(self.levels)
            return [self.levels[min(int(x * n), n - 1)] for x in u]
        return [self._cast(self.low + x * (self.high - self.low)) for x in u]

    def to_unit(self, value: Any) -> float:
        """Inverse of :meth:`from_unit`: a range's relative position, or the centre of a level's bin."""
        if self.levels is not None:
            return (self.levels.index(value) + 0.5) / len(self.levels)
        return (float(value) - self.low) / (self.high - self.low)

    def extremes(self) -> tuple[Any, Any]:
        """(low, high), or the first and last level."""
        if self.levels is not None:
            return self.levels[0], self.levels[-1]
        return self._cast(self.low), self._cast(self.high)

    def base_value(self) -> Any:
        """The value held while other parameters vary."""
        if self.base is not None:
            return self._cast(self.base) if self.levels is None else self.base
        if self.levels is not None:
            return self.levels[len(self.levels) // 2]
        return self._cast((self.low + self.high) / 2)

    def stored(self) -> dict:
        """The parameter as a minimal mapping that validates back to itself."""
        return self.model_dump(mode="json", exclude_none=True, exclude={"steps"} if self.levels is not None else set())

    def check_values(self) -> list[Any]:
        """Values checked against the scenario schema before a sweep starts: every level, or the bounds."""
        return self.grid_values() if self.levels is not None else list(self.extremes())


class Design(BaseModel):
    """How parameter points are chosen.

    * ``grid``: every combination of levels (ranges give ``steps`` evenly spaced values).
    * ``random``: ``samples`` points uniform in the box. ``latin``: ``samples`` Latin-hypercube points (SALib).
    * ``sobol``: Saltelli/Sobol' sequence (SALib), ``samples`` = N, a power of 2; N(k+2) points, or
      N(2k+2) with ``second_order``. Analyse with Sobol' indices.
    * ``morris``: ``samples`` trajectories of k+1 points on a ``morris_levels`` grid (SALib). Analyse with mu*, sigma.
    * ``oat``: one at a time: the base point, then each parameter at its low and high (tornado tables).
    """

    model_config = ConfigDict(extra="forbid")

    method: Literal["grid", "random", "latin", "sobol", "morris", "oat"] = "grid"
    samples: int | None = Field(None, ge=1)
    seed: int | None = Field(None, ge=0, description="sampler seed (default: the spec's root_seed)")
    second_order: bool = False
    morris_levels: int = Field(4, ge=2)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"method": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check(self) -> Design:
        needs_samples = self.method in ("random", "latin", "sobol", "morris")
        if needs_samples and self.samples is None:
            what = {"morris": "trajectories", "sobol": "base samples"}.get(self.method, "points")
            raise ValueError(f"method '{self.method}' needs samples (number of {what})")
        if not needs_samples and self.samples is not None:
            raise ValueError(f"samples does not apply to method '{self.method}'")
        if self.method == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"sobol samples must be a power of 2 (got {self.samples}; "
                             f"try {2 ** round(math.log2(self.samples))})")
        return self


class SweepSpec(BaseModel):
    """A validated sweep. Build it with :func:`load_spec`, which also resolves the scenarios."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = "sweep"
    description: str = ""
    scenarios: Any = Field(description="list of scenarios, or a mapping {label: scenario}")
    parameters: dict[str, Parameter] = {}
    dummy: dict[str, Parameter] = {}
    design: Design = Design()
    seeds: int = Field(1, ge=1)
    root_seed: int = Field(0, ge=0)
    population: int | None = Field(None, ge=1)
    years: int | None = Field(None, ge=1)
    fixed: dict[str, Any] = Field({}, alias="set")
    retries: int = Field(2, ge=0)
    out: str | None = None
    kpis: list[str] = []

    _source: str = PrivateAttr("<dict>")
    _configs: dict[str, dict] = PrivateAttr(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        return folder_safe_name(v)

    @field_validator("scenarios")
    @classmethod
    def _scenarios_shape(cls, v: Any) -> Any:
        entries = list(v.values()) if isinstance(v, Mapping) else v
        if not isinstance(entries, list) or not entries:
            raise ValueError("expected a non-empty list of scenarios (names, paths or mappings) "
                             "or a mapping {label: scenario}")
        for e in entries:
            if not isinstance(e, (str, Mapping)):
                raise ValueError(f"a scenario must be a name, a path or a mapping, got {e!r}")
        return v

    @model_validator(mode="after")
    def _names(self) -> SweepSpec:
        for section in ("parameters", "dummy"):
            for name in getattr(self, section):
                if name in RESERVED_NAMES:
                    hint = " (seeds come from root_seed and seeds)" if name == "seed" else ""
                    raise ValueError(f"{section}: '{name}' is a reserved manifest column{hint}")
        if "seed" in self.fixed:
            raise ValueError("set: 'seed' cannot be fixed (seeds come from root_seed and seeds)")
        both = set(self.parameters) & set(self.dummy)
        if both:
            raise ValueError(f"dummy: {sorted(both)} also appear under parameters")
        if self.design.method not in ("grid",) and not self.names:
            raise ValueError(f"design '{self.design.method}' needs at least one parameter or dummy")
        return self

    @property
    def names(self) -> list[str]:
        """Parameter then dummy names, in design-column order."""
        return [*self.parameters, *self.dummy]

    @property
    def all_parameters(self) -> dict[str, Parameter]:
        """Applied and dummy parameters, in design-column order."""
        return {**self.parameters, **self.dummy}

    @property
    def source(self) -> str:
        """Where the spec came from (file path or ``<dict>``), for messages."""
        return self._source

    @property
    def configs(self) -> dict[str, dict]:
        """Resolved scenario configs keyed by label (filled by :func:`load_spec`)."""
        return self._configs

    @property
    def sampler_seed(self) -> int:
        return self.root_seed if self.design.seed is None else self.design.seed

    def stored(self) -> dict:
        """The spec as written to a sweep folder: scenarios replaced by their resolved configs, so that
        the folder alone reproduces (and resumes) the sweep."""
        data = self.model_dump(mode="json", by_alias=True)
        data["scenarios"] = copy.deepcopy(self._configs)
        for section in ("parameters", "dummy"):
            data[section] = {n: p.stored() for n, p in getattr(self, section).items()}
        return data


def _format_error(exc: ValidationError, source: str, raw: Mapping[str, Any]) -> str:
    text = format_validation_error(exc, source, raw)
    return text.replace("`countysim params` lists every field",
                        f"a sweep spec has: {', '.join(f.alias or n for n, f in SweepSpec.model_fields.items())}")


def _read(source: str | Path | Mapping[str, Any]) -> tuple[dict, str, Path]:
    if isinstance(source, Mapping):
        return dict(source), "<dict>", Path.cwd()
    path = Path(source)
    if path.is_dir():
        path = path / "sweep.yaml"
    if not path.is_file():
        raise ConfigError(f"{source}: sweep spec not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"{path}{f' line {mark.line + 1}' if mark else ''}: not valid YAML "
                          f"({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of fields at the top level, got {type(data).__name__}")
    data.setdefault("name", path.parent.name if path.name == "sweep.yaml" else path.stem)
    return data, str(path), path.parent


def _resolve_scenario(entry: str | Mapping, base_dir: Path, where: str) -> dict:
    """A scenario entry as a full resolved config mapping (JSON types)."""
    try:
        if isinstance(entry, str):
            cfg = load_config(resolve_config_path(entry, base_dir))
        else:
            data = dict(entry)
            parent = data.pop("extends", None)
            if parent is not None:
                data = deep_merge(read_yaml_chain(resolve_config_path(parent, base_dir)), data)
            cfg = load_config(data)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return cfg.model_dump(mode="json", by_alias=True)


def _check_override(config: dict, dotted: str, value: Any) -> str | None:
    """Why ``dotted = value`` is not valid for ``config``, or None if it is."""
    data = copy.deepcopy(config)
    try:
        set_dotted(data, dotted, value)
        ScenarioConfig.model_validate(data)
    except ConfigError as exc:
        return str(exc)
    except ValidationError as exc:
        err = exc.errors()[0]
        if err["type"] == "extra_forbidden":
            return "not a config field (check the spelling; `countysim params` lists every field)"
        return err["msg"].removeprefix("Value error, ")
    return None


def load_spec(source: str | Path | Mapping[str, Any] | SweepSpec) -> SweepSpec:
    """Read, validate and resolve a sweep spec.

    Parameters
    ----------
    source : a YAML file, a sweep folder (its stored ``sweep.yaml``), a mapping, or a ``SweepSpec``
        (returned as is when already resolved).

    Raises
    ------
    ConfigError : one line per problem naming the file, the field, the value and what was expected.
    """
    if isinstance(source, SweepSpec):
        if source.configs:
            return source
        source = source.stored() | {"scenarios": source.scenarios}
    data, label, base_dir = _read(source)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_error(exc, label, data)) from None
    spec._source = label

    entries = spec.scenarios
    items = list(entries.items()) if isinstance(entries, Mapping) else [(None, e) for e in entries]
    configs: dict[str, dict] = {}
    for i, (key, entry) in enumerate(items):
        where = f"{label}: field 'scenarios.{key if key is not None else i}'"
        cfg = _resolve_scenario(entry, base_dir, where)
        name = str(key) if key is not None else cfg["name"]
        try:
            folder_safe_name(name)
        except ValueError as exc:
            raise ConfigError(f"{where}: label {exc}") from None
        if name in configs:
            raise ConfigError(f"{where}: two scenarios are named '{name}'; give each a distinct `name`, "
                              f"or list them as a mapping {{label: scenario}}")
        configs[name] = cfg
    spec._configs = configs

    first_label, first = next(iter(configs.items()))
    fixed = {**spec.fixed}
    for key in ("population", "years"):
        if getattr(spec, key) is not None:
            fixed.setdefault(key, getattr(spec, key))
    base = copy.deepcopy(first)
    for dotted, value in fixed.items():
        problem = _check_override(first, dotted, value)
        if problem:
            raise ConfigError(f"{label}: field 'set.{dotted}' = {value!r}: {problem}")
        set_dotted(base, dotted, value)
    for dotted, param in spec.parameters.items():
        for value in param.check_values():
            problem = _check_override(base, dotted, value)
            if problem:
                raise ConfigError(f"{label}: field 'parameters.{dotted}' = {value!r} "
                                  f"(scenario '{first_label}'): {problem}")
    return spec
