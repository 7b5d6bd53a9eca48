"""Documented parameter fields.

Every behavioural or rule parameter in countysim is declared with :func:`param`,
which records its meaning, unit and source next to the default. The parameter
table printed by ``countysim params`` is generated from these records, so the
documentation cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined


def param(default: Any = PydanticUndefined, description: str = "", *, unit: str = "", source: str = "",
          **constraints: Any) -> Any:
    """A pydantic field carrying meaning, unit and source.

    Parameters
    ----------
    default : default value (use ``default_factory`` in ``constraints`` for mutable values).
    description : what the parameter means, one sentence.
    unit : unit of the value (``yuan``, ``days``, ``per 1,000 per year``, ``share``, ...).
    source : where the default comes from: a reference file section, or ``assumption: why``.
    constraints : pydantic constraints such as ``ge=0``, ``le=1``.
    """
    extra = {"unit": unit, "source": source}
    if "default_factory" in constraints:
        return Field(description=description, json_schema_extra=extra, **constraints)
    return Field(default, description=description, json_schema_extra=extra, **constraints)


class Section(BaseModel):
    """Base class of every config section: unknown keys are errors, values are checked on assignment, and
    numbers must be finite (``.inf`` and ``.nan`` are never meaningful parameter values)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


#: units whose values are probabilities or shares and must lie in [0, 1]
UNIT_INTERVALS = ("share", "probability")


def out_of_unit_range(model: BaseModel) -> list[str]:
    """Messages for every leaf whose unit (own or inherited) is a share or probability but lies outside [0, 1]."""
    problems = []
    for path, value, unit, _desc, _source in iter_params(model):
        values = value.values() if isinstance(value, dict) else value if isinstance(value, list) else [value]
        for v in values:
            if unit in UNIT_INTERVALS and isinstance(v, (int, float)) and not isinstance(v, bool) and not 0 <= v <= 1:
                problems.append(f"field '{path}' = {v!r}: a {unit} must lie in [0, 1]")
    return problems


def iter_params(model: type[BaseModel] | BaseModel, prefix: str = "", unit: str = "", source: str = ""):
    """Yield ``(dotted_path, default, unit, description, source)`` for every leaf field of a config model.

    Defaults are the values a default scenario has (a section's own default factory wins over its class's
    field defaults); a leaf without its own unit or source inherits its section's."""
    cls = model if isinstance(model, type) else type(model)
    values = model if isinstance(model, BaseModel) else None
    for name, info in cls.model_fields.items():
        path = f"{prefix}{name}"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        default = getattr(values, name) if values is not None else info.get_default(call_default_factory=True)
        f_unit, f_source = extra.get("unit", "") or unit, extra.get("source", "") or source
        if isinstance(default, BaseModel):
            yield from iter_params(default, path + ".", f_unit, f_source)
            continue
        yield path, default, f_unit, info.description or "", f_source


def folder_safe_name(name: str) -> str:
    """Validate a name that becomes part of a folder name (scenario, sweep): non-empty, no path characters."""
    if not name or any(c in name for c in "/\\:*?\"<>|"):
        raise ValueError(f"'{name}' cannot be used in a folder name")
    return name
