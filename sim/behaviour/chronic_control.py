"""Hypertension and diabetes control 高血压/糖尿病控制 and what it does to the risk of stroke, heart disease and
complications (docs/sources/behaviour_evidence.md §7; docs/health.md §1).

Each patient has one fixed keyed uniform ``u`` per disease: aware when ``u < aware``, treated when
``u < treated``, controlled when ``u < control``, where the probabilities depend on management (none, usual
primary-care management, intensive protocol care). A managed patient is at least treated. Because ``u`` is
fixed, a rise in control only adds controlled patients (common random numbers across scenarios).

The incidence multiplier of resident ``i`` for the conditions the disease drives is ``rr_i / E_ref[rr | stratum]``
with ``rr`` 1 without the disease, ``R`` uncontrolled, ``R * k`` controlled (each raised to ``effect_scale``);
the denominator is the stratum's expected ``rr`` under the reference control probabilities, so the calibrated
incidence holds where the reference rules do.
"""

from __future__ import annotations

import numpy as np

NONE, UNAWARE, AWARE, TREATED, CONTROLLED = 0, 1, 2, 3, 4
STATE_NAMES = ("none", "unaware", "aware", "treated", "controlled")


def control_probability(managed: np.ndarray, protocol: np.ndarray, p_unmanaged: float, p_managed: float,
                        p_protocol: float) -> np.ndarray:
    """(n,) probability of control by management: none, usual, protocol (``protocol`` implies managed)."""
    return np.where(protocol & managed, p_protocol, np.where(managed, p_managed, p_unmanaged))


def states(u: np.ndarray, disease: np.ndarray, managed: np.ndarray, p_control: np.ndarray, aware: float,
           treated: float) -> np.ndarray:
    """(n,) int8 state: NONE without the disease, else UNAWARE / AWARE / TREATED / CONTROLLED from one uniform."""
    st = np.where(u < aware, AWARE, UNAWARE)
    st = np.where((u < treated) | managed, TREATED, st)
    st = np.where(u < p_control, CONTROLLED, st)
    return np.where(disease, st, NONE).astype(np.int8)


def relative_risk(state: np.ndarray, rr_uncontrolled: float, controlled_factor: float, scale: float) -> np.ndarray:
    """(n,) relative risk of the disease's events against residents without it."""
    r = np.where(state == CONTROLLED, rr_uncontrolled * controlled_factor, rr_uncontrolled)
    return np.where(state == NONE, 1.0, r) ** scale


def expected_relative_risk(disease: np.ndarray, p_control: np.ndarray, rr_uncontrolled: float,
                           controlled_factor: float, scale: float) -> np.ndarray:
    """(n,) expected relative risk given control probabilities (the reference for normalising)."""
    ru = rr_uncontrolled ** scale
    rc = (rr_uncontrolled * controlled_factor) ** scale
    return np.where(disease, ru * (1 - p_control) + rc * p_control, 1.0)


def multipliers(rr: np.ndarray, rr_ref: np.ndarray, stratum: np.ndarray, n_strata: int) -> np.ndarray:
    """(n,) incidence multiplier ``rr / mean(rr_ref in the resident's stratum)``."""
    tot = np.bincount(stratum, weights=rr_ref, minlength=n_strata)
    cnt = np.bincount(stratum, minlength=n_strata)
    mean = np.where(cnt > 0, tot / np.maximum(cnt, 1), 1.0)
    return rr / mean[stratum]
