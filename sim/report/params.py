"""A scenario's parameters as table rows: dotted path, value in the run, default-county value, unit, meaning, source.

Values are read from the run's ``config.yaml`` (validated into a ``ScenarioConfig``);
documentation comes from :func:`sim.config.fields.iter_params`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.config.fields import iter_params
from sim.config.scenario import ScenarioConfig

_MISSING = object()


@dataclass(frozen=True)
class ParamRow:
    """One documented parameter of a run."""

    path: str
    value: Any
    reference: Any
    unit: str
    description: str
    source: str

    @property
    def changed(self) -> bool:
        """The run's value differs from the default county's."""
        return self.value != self.reference


def _get(model: Any, path: str) -> Any:
    node = model
    for part in path.split("."):
        node = getattr(node, part, _MISSING)
        if node is _MISSING:
            return _MISSING
    return node.model_dump(mode="json", by_alias=True) if hasattr(node, "model_dump") else node


def _get_raw(config: Mapping, path: str) -> Any:
    node: Any = config
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def plain(value: Any) -> Any:
    """A value as the YAML of a scenario would hold it (paths and enums as text)."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str, dict)):
        return value
    return str(value)


def parameter_rows(config: Mapping) -> list[ParamRow]:
    """Every documented parameter with the run's value and the default county's (``sim.load_config()``)."""
    from sim.config.loader import load_config

    reference = load_config(None)
    try:
        model = ScenarioConfig.model_validate(dict(config))
        get = lambda path: _get(model, path)  # noqa: E731
    except Exception:  # a run from an older schema: read its YAML as it is
        get = lambda path: _get_raw(config, path)  # noqa: E731
    rows = []
    for path, _default, unit, desc, source in iter_params(ScenarioConfig):
        value = get(path)
        rows.append(ParamRow(path, None if value is _MISSING else plain(value), plain(_get(reference, path)),
                             unit, desc, source))
    return rows


def short(value: Any, width: int = 90) -> str:
    """Compact text of a value for a table cell."""
    if isinstance(value, list):
        text = ", ".join(str(v) for v in value) if value else "[]"
    elif isinstance(value, dict):
        text = ", ".join(f"{k}: {v}" for k, v in value.items())
    else:
        text = "null" if value is None else str(value)
    return text if len(text) <= width else text[:width - 1] + "…"
