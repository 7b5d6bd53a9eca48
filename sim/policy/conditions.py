"""Conditions named in a policy's config, as a mask over the case-mix."""

from __future__ import annotations

import numpy as np

from sim.config.loader import ConfigError
from sim.county.casemix import Casemix


def condition_mask(casemix: Casemix, codes: list[str] | tuple[str, ...], field: str) -> np.ndarray:
    """(C,) bool: conditions named by case-mix code or by DRG code (either age group); unknown codes are errors."""
    by_code = np.isin(np.asarray(casemix.codes, dtype=object), list(codes))
    by_drg = np.isin(np.asarray(casemix.drg_codes, dtype=object), list(codes)) | \
        np.isin(np.asarray(casemix.drg_codes_70plus, dtype=object), list(codes))
    known = set(casemix.codes) | set(casemix.drg_codes) | set(casemix.drg_codes_70plus)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ConfigError(f"field '{field}' = {unknown}: unknown condition or DRG code(s) (not in the case-mix "
                          f"table; `countysim validate` lists them)")
    return by_code | by_drg
