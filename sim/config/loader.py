"""Loading scenario YAML files: ``extends:`` overlays, dotted overrides, clear errors.

A scenario file is a partial config. ``extends: other.yaml`` (a path relative to
the file, or a built-in name such as ``baseline``) names the base it overlays;
mappings merge key by key, everything else replaces. Errors name the file, the
field, the value and what was expected.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.config.scenario import ScenarioConfig


def find_configs_dir(package_dir: Path | None = None) -> Path:
    """The built-in configs: the repository's configs/ folder (a checkout or editable install), else the copy
    a wheel ships inside the package (``sim/_configs``, made by setup.py's build hook)."""
    package_dir = package_dir or Path(__file__).resolve().parents[1]
    for candidate in (package_dir.parent / "configs", package_dir / "_configs"):
        if (candidate / "county" / "default.yaml").is_file():
            return candidate
    return package_dir.parent / "configs"


#: home of the built-in county, scenarios and case-mix tables
CONFIGS_DIR = find_configs_dir()
DEFAULT_CONFIG = CONFIGS_DIR / "county" / "default.yaml"


class ConfigError(ValueError):
    """A user mistake in a config: the message says where and what was expected."""


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``overlay`` onto ``base``: mappings merge recursively, other values replace."""
    out = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``data['a']['b']['c'] = value`` for ``dotted='a.b.c'``, creating mappings on the way."""
    keys = dotted.split(".")
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override '{dotted}': '{key}' is not a section")
    node[keys[-1]] = value


def resolve_config_path(name: str | Path, relative_to: Path | None = None) -> Path:
    """Find a config file: a path as given, relative to ``relative_to``, or a built-in name.

    Built-in names: ``default`` (the typical county) and any ``configs/scenarios/<name>.yaml``.
    """
    candidates = [Path(name)]
    if relative_to is not None:
        candidates.insert(0, relative_to / name)
    # a name with a folder part is a path: a typo in the folder must not silently run the built-in of that name
    is_path = len(Path(name).parts) > 1 or Path(name).is_absolute()
    stem = Path(name).stem if Path(name).suffix in (".yaml", ".yml") else str(name)
    if not is_path:
        candidates += [CONFIGS_DIR / "scenarios" / f"{stem}.yaml", CONFIGS_DIR / "county" / f"{stem}.yaml",
                       CONFIGS_DIR / str(name)]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    if is_path:
        target = Path(name) if relative_to is None else relative_to / name
        where = (f"folder {target.parent} does not exist" if not target.parent.is_dir()
                 else "is a folder, expected a YAML file" if target.is_dir() else "no such file")
        raise ConfigError(f"{name}: config file not found ({where}; built-in scenarios are named without a folder, "
                          f"e.g. '{stem}')")
    raise ConfigError(f"{name}: config file not found (looked in {', '.join(str(c.parent) for c in candidates[:3])} "
                      f"and the built-in configs/scenarios/)")


def read_yaml_chain(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and the chain of files it extends, merged base-first."""
    if path in _seen:
        raise ConfigError(f"{path}: 'extends' forms a cycle ({' -> '.join(str(p) for p in _seen + (path,))})")
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.object[exc.start:exc.start + 1]!r}); "
                          "expected a UTF-8 YAML file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    if data is None:
        raise ConfigError(f"{path}: file is empty: expected scenario fields (at least 'extends: default')")
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of fields at the top level, got {type(data).__name__}")
    data = _absolutise_paths(data, path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ConfigError(f"{path}: field 'extends' = {parent!r}: expected a file name")
    base = read_yaml_chain(resolve_config_path(parent, path.parent), _seen + (path,))
    return deep_merge(base, data)


# fields holding file paths, resolved relative to the file that sets them
_PATH_FIELDS = (("casemix", "table"), ("world", "facilities_csv"), ("world", "villages_csv"))


def _absolutise_paths(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    for section, key in _PATH_FIELDS:
        node = data.get(section)
        if isinstance(node, dict) and isinstance(node.get(key), str):
            local, builtin = folder / node[key], CONFIGS_DIR / node[key]
            node[key] = str(builtin if builtin.exists() and not local.exists() else local)
    return data


def _defaults() -> dict[str, Any]:
    """Every field's documented default, as plain data (the built-in case-mix table as an absolute path)."""
    data = ScenarioConfig().model_dump(mode="json", by_alias=True)
    data["casemix"]["table"] = str(CONFIGS_DIR / data["casemix"]["table"])
    return data


def format_validation_error(exc: ValidationError, source: str, raw: Mapping[str, Any],
                            flags: Mapping[str, str] | None = None) -> str:
    """One line per problem: ``source: field 'a.b' = value: what was expected``.

    ``flags`` maps a field path to the command-line flag that set it (``population`` -> ``--population``):
    a problem in that field (or below it) names the flag as its source."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        blamed = [flag for dotted, flag in (flags or {}).items()
                  if loc == dotted or loc.startswith(dotted + ".") or (loc and dotted.startswith(loc + "."))
                  or (not loc and f"'{dotted}'" in err["msg"])]
        err_source = blamed[0] if blamed else source
        value = _lookup(raw, err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; `countysim params` lists every field)"
        shown = "" if value is _MISSING else f" = {_brief(value)}"
        lines.append(f"{err_source}: field '{loc}'{shown}: {msg}" if loc else f"{err_source}: {msg}")
    return "\n".join(lines)


_MISSING = object()


def _brief(value: Any, limit: int = 60) -> str:
    """A value for an error line: a whole section is summarised, never dumped."""
    if isinstance(value, Mapping):
        keys = ", ".join(map(str, list(value)[:4])) + (", ..." if len(value) > 4 else "")
        return f"{{a section with {len(value)} field(s): {keys}}}"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _lookup(raw: Mapping[str, Any], loc: tuple) -> Any:
    node: Any = raw
    for key in loc:
        if (isinstance(node, Mapping) and key in node
                or isinstance(node, list) and isinstance(key, int) and key < len(node)):
            node = node[key]
        else:
            return _MISSING
    return node


def load_config(source: str | Path | Mapping[str, Any] | ScenarioConfig | None = None,
                overrides: Mapping[str, Any] | None = None,
                override_labels: Mapping[str, str] | None = None) -> ScenarioConfig:
    """Load and validate a scenario.

    Parameters
    ----------
    source : a YAML path, a built-in scenario name (``'default'``, ``'baseline'``...), a mapping of
        fields (may contain ``extends``), a ``ScenarioConfig``, or ``None`` for the built-in typical county.
    overrides : ``{'dotted.path': value}`` applied last (e.g. ``{'population': 20000}``).
    override_labels : ``{'dotted.path': '--population'}``: how the user gave an override (a command-line flag);
        an error in that field blames the flag instead of the file.

    Raises
    ------
    ConfigError : with one line per problem naming file, field, value and expectation.
    """
    if isinstance(source, ScenarioConfig):
        data, label = source.model_dump(by_alias=True), "<ScenarioConfig>"
    elif source is None or isinstance(source, (str, Path)):
        path = resolve_config_path(source if source is not None else DEFAULT_CONFIG)
        data, label = read_yaml_chain(path), str(path)
    elif isinstance(source, Mapping):
        data = dict(source)
        parent = data.pop("extends", None)
        data = _absolutise_paths(copy.deepcopy(data), Path.cwd())
        if parent is not None:
            data = deep_merge(read_yaml_chain(resolve_config_path(parent)), data)
        label = "<dict>"
    else:
        raise ConfigError(f"load_config: cannot read a config from {type(source).__name__}")
    # a partial section keeps the documented defaults of the fields it does not name
    data = deep_merge(_defaults(), data)
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value)
    if overrides:
        label += f" (with overrides {', '.join(overrides)})"
    try:
        return ScenarioConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, label, data, _flag_labels(overrides, override_labels))) from None


def _flag_labels(overrides: Mapping[str, Any] | None, labels: Mapping[str, str] | None) -> dict[str, str]:
    """Field path -> what to blame for it: the given flag, else ``--set PATH`` for every override."""
    out = {dotted: f"--set {dotted}" for dotted in (overrides or {})}
    out.update(labels or {})
    return out
