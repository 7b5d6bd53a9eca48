"""What a policy module declares.

A policy changes prices, rules or capabilities; flows then change only through the behaviour it acts on.
Each policy is one module of :mod:`sim.policy` holding a :class:`Policy`: its config section, when it is in
force, its rules (a referral-rule contribution, the price arithmetic it names), its optional daily stages
and its KPIs. :data:`sim.policy.POLICIES` lists them; the referral rules, the model and the KPIs read them
from there, so adding a policy is its module, its config section, its tests and a scenario YAML (README,
"Adding a policy").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.stages import Stage

#: out-of-county status of a condition: reimbursed as referred when the county hospital refers the patient
#: out; approved (whitelisted: referred even going straight out); blocked (unreferred unless necessary)
OUT_NORMAL, OUT_APPROVED, OUT_BLOCKED = 0, 1, 2


@dataclass
class OutOfCountyRules:
    """Per-condition referral rules that referral policies write (C = case-mix size).

    ``status`` : (C,) int8 ``OUT_NORMAL`` / ``OUT_APPROVED`` / ``OUT_BLOCKED`` (codes above);
    ``penalty`` : (C,) share points off the ratio for unreferred out-of-county care;
    ``gatekept`` : (C,) bool, first contact must be at primary care; ``gate_penalty`` : share points.
    """

    status: np.ndarray
    penalty: np.ndarray
    gatekept: np.ndarray
    gate_penalty: float = 0.0


@dataclass(frozen=True)
class YearClaims:
    """One year's settled claims, for policy KPIs: ``admissions`` (first segments admitted in the year),
    ``inpatient`` and ``outpatient`` (claims of the year), ``casemix``."""

    admissions: pd.DataFrame
    inpatient: pd.DataFrame
    outpatient: pd.DataFrame
    casemix: Any


@dataclass(frozen=True)
class Policy:
    """A policy module's declaration.

    Attributes
    ----------
    name : short name (``"whitelist"``); title : English and Chinese name.
    section : dotted path of its config section in a scenario (``"policy.whitelist"``).
    kind : ``referral`` (who may go where with which benefit), ``price`` (how facilities are paid),
        ``budget`` (the community's budget), ``capacity`` (facilities' capability).
    active : ``rules -> bool``: in force under a year's rules (a ``ScenarioConfig``).
    referral : ``(rules: OutOfCountyRules, casemix, section, insurance) -> None`` writes its referral rules
        (referral policies).
    arithmetic : modules holding arithmetic the policy shares with the engine that applies it (a DRG
        price is computed where every claim is priced), named so a reader finds it.
    stages : ``(Stage, {"after": name} or {"before": name})`` pairs the model adds to its day.
    kpis : ``YearClaims -> {key: value}``, KPIs of the year (registered in :mod:`sim.results.registry`).
    """

    name: str
    title: str
    section: str
    kind: Literal["referral", "price", "budget", "capacity"]
    active: Callable[[Any], bool]
    referral: Callable[..., None] | None = None
    arithmetic: tuple[str, ...] = ()
    stages: tuple[tuple[Stage, dict], ...] = ()
    kpis: Callable[[YearClaims], dict] | None = None
    doc: str = ""
    notes: dict = field(default_factory=dict)

    def config(self, rules) -> Any:
        """This policy's config section in ``rules``."""
        obj = rules
        for part in self.section.split("."):
            obj = getattr(obj, part)
        return obj
