"""Optional dependencies (Dask, SALib), imported only by the functions that need them."""

from __future__ import annotations

import importlib
from types import ModuleType

from sim.config.loader import ConfigError


def optional_import(module: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise :class:`ConfigError` telling the user how to install it.

    Parameters
    ----------
    module : dotted module name, e.g. ``'dask.distributed'`` or ``'SALib.sample.sobol'``.
    purpose : what needs it, for the message (``'the Dask executor'``, ``'Sobol designs'``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(f"{purpose} needs {module.split('.')[0]} ({exc}); install it with: "
                          f"pip install 'countysim[sweep]'") from None
