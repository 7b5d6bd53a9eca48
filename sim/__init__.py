"""countysim: agent-based simulation of China's close-knit county medical communities (紧密型县域医共体).

Quick start::

    import sim
    cfg = sim.load_config()                 # the built-in typical county
    result = sim.run(cfg, seed=1)           # one simulated year
    result.kpis                             # KPIs by year (pandas)
    result.claims                           # inpatient claims with fund and out-of-pocket

``import sim`` is light: ``run``, ``load_config``, ``Result`` and ``ConfigError`` (and the
sub-modules) are imported on first use, so the command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: public names imported on first access, by module
_LAZY = {"ConfigError": "sim.config.loader", "load_config": "sim.config.loader", "Result": "sim.results",
         "run": "sim.simulation"}

if TYPE_CHECKING:  # for type checkers and IDEs
    from sim.config.loader import ConfigError, load_config
    from sim.results import Result
    from sim.simulation import run

__all__ = ["ConfigError", "Result", "__version__", "load_config", "run"]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    if not name.startswith("__"):  # sub-modules, as when this package imported them eagerly (``sim.simulation``)
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
