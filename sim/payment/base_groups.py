"""DRG base groups 基础病组: which claims are paid the same standard at every level (同城同病同价).

The list is configured by DRG code (``payment.base_groups.codes``); by default it is the national
CHS-DRG 3.0 list of 31 groups (``docs/sources/payment_rules.md`` §1.9 [S]), of which an area uses those its
case-mix contains. An explicit list must name DRG codes of the case-mix, so a typo is an error and
not a silently unused group.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sim.config.loader import ConfigError
from sim.config.payment import BaseGroupConfig


def resolve_base_groups(cfg: BaseGroupConfig, casemix_drg_codes: Iterable[str] | None = None) -> frozenset[str]:
    """The set of base-group DRG codes in force.

    Parameters
    ----------
    cfg : ``payment.base_groups``.
    casemix_drg_codes : every DRG code the case-mix can produce (age variants included); when given,
        explicit codes are checked against it.

    Raises
    ------
    ConfigError : an explicit code is not a DRG code of the case-mix.
    """
    if not cfg.enabled:
        return frozenset()
    codes = cfg.code_list()
    if cfg.codes is not None and casemix_drg_codes is not None:
        known = {c for c in casemix_drg_codes if c}
        bad = [c for c in codes if c not in known]
        if bad:
            raise ConfigError(f"field 'payment.base_groups.codes' = {bad[0]!r}: not a DRG code of the case-mix "
                              f"(expected one of {', '.join(sorted(known))})")
    return frozenset(codes)


def is_base_group(drg_code: np.ndarray, codes: frozenset[str]) -> np.ndarray:
    """(n,) bool: each DRG code is in the base-group set."""
    if not codes:
        return np.zeros(len(drg_code), dtype=bool)
    return pd.Series(np.asarray(drg_code, dtype=object)).isin(codes).to_numpy()
