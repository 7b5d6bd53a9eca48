"""Retained surplus reinvested into capacity: the multi-year feedback loop of a global budget.

At the start of each year the community settles the year just ended (年终清算). Each facility invests a
share of its part of the retained surplus (结余留用, its ``budget_share``) by the rule of its level
(:class:`~sim.config.policy.ReinvestmentConfig`); the investment raises its perceived quality and, once
enough has accumulated, lets it treat more severe cases of chosen conditions. Patients then choose it
more often through the choice model, and county hospitals can triage those cases down to it; nothing
moves flows directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import INPATIENT, LEVEL_NAMES, SEVERITY_NAMES, VILLAGE
from sim.config.loader import ConfigError
from sim.config.policy import LevelInvestment, ReinvestmentConfig
from sim.county.casemix import Casemix
from sim.policy.base import Policy
from sim.policy.conditions import condition_mask


def upgrade_cells(casemix: Casemix, rule: LevelInvestment, level: int) -> np.ndarray:
    """(C, 3) bool: the condition x severity cells a facility of ``level`` gains once its investment reaches
    the rule's threshold.

    Raises ``ConfigError`` for unknown codes, and for conditions the case-mix gives no cost at this level
    (or no length of stay, or a village clinic, for admissions): the upgraded facility could not price them.
    """
    name = LEVEL_NAMES[level]
    field = f"reinvestment.{name}.capability_conditions"
    listed = condition_mask(casemix, rule.capability_conditions, field)
    inpatient = casemix.setting == INPATIENT
    unpriced = np.isnan(casemix.cost[:, level]) | (inpatient & (np.isnan(casemix.los[:, level]) | (level == VILLAGE)))
    bad = [casemix.codes[i] for i in np.flatnonzero(listed & unpriced)]
    if bad:
        raise ConfigError(
            f"field '{field}' = {bad}: a {name} facility cannot be upgraded to treat these conditions, the case-mix "
            f"table gives no cost_{name}" + ("" if level == VILLAGE else f" or los_{name}")
            + " for them (village clinics admit no inpatients); give those columns values or choose other "
              "conditions")
    severity = SEVERITY_NAMES.index(rule.capability_severity)
    return listed[:, None] & (np.arange(len(SEVERITY_NAMES)) <= severity)[None, :]


def retained_surplus(finances: pd.DataFrame, year: int, n_facilities: int) -> np.ndarray:
    """(F,) each facility's part of the community's net budget result in ``year``, yuan (0 where none).

    ``finances``: ``facility_finances`` of :func:`sim.settlement.settle.settle`."""
    out = np.zeros(n_facilities)
    rows = finances[finances["year"] == year]
    np.add.at(out, rows["facility_index"].to_numpy(np.int64), rows["budget_share"].to_numpy(float))
    return out


def investment(surplus: np.ndarray, level: np.ndarray, cfg: ReinvestmentConfig) -> np.ndarray:
    """(F,) yuan each facility invests: its level's share of its retained surplus; a loss invests nothing."""
    share = np.zeros(len(LEVEL_NAMES))
    for lvl, rule in cfg.by_level().items():
        share[lvl] = rule.share
    return share[level] * np.maximum(surplus, 0.0)


def quality_after(quality: float, invested: float, rule: LevelInvestment) -> float:
    """Perceived quality (0-1) after investing ``invested`` yuan; never above the rule's cap, never lowered."""
    raised = quality + rule.quality_per_million_yuan * invested / 1e6
    return max(quality, min(raised, rule.max_quality))


POLICY = Policy(
    name="reinvestment", title="retained surplus reinvested 结余留用", section="reinvestment", kind="capacity",
    active=lambda rules: rules.budget.enabled and any(r.share > 0 for r in rules.reinvestment.by_level().values()),
    arithmetic=("sim/policy/reinvestment.py",),
    doc="At each year start facilities invest their level's share of last year's retained surplus in "
        "quality and, past a threshold, capability (docs/sources/payment_rules.md §3.4).")
