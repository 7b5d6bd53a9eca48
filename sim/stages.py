"""The day as a declared list of named stages.

A stage is one step of the daily episode pipeline (``docs/design.md`` §4): a function
``run(model, day)`` plus what it reads and writes, so a reader sees the whole day in one table
(:data:`sim.model.model.DAY_STAGES`) and a behaviour or policy module plugs in without editing the
model's step: ``model.add_stage(Stage(...), after="choose_inpatient")``.

``day`` is a :class:`Day`: today's date and the batches of episodes that flow from stage to stage
(``day.batches['inpatient']`` is a dict of equal-length arrays, one row per episode), plus today's
counters (``day.count``) that become one row of the daily table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Stage:
    """One named step of the day.

    Attributes
    ----------
    name : unique name (``"admit"``); ``run`` : ``(model, day) -> None``.
    reads, writes : names of the model state and day batches it reads and writes (documentation, and
        the contract a new stage checks itself against).
    doc : one line on what it does.
    """

    name: str
    run: Callable[..., None]
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    doc: str = ""


@dataclass
class Day:
    """What flows through the stages of one day."""

    day: int
    count: dict[str, int]
    batches: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def add(self, counter: str, n) -> None:
        self.count[counter] += int(n)


def subset(batch: dict[str, np.ndarray], keep: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of an episode batch where ``keep`` (bool mask or index array) selects."""
    return {k: v[keep] for k, v in batch.items()}


def insert_stage(stages: list[Stage], stage: Stage, *, before: str | None = None,
                 after: str | None = None) -> list[Stage]:
    """A new stage list with ``stage`` placed before or after a named one (at the end if neither)."""
    names = [s.name for s in stages]
    if stage.name in names:
        raise ValueError(f"a stage named {stage.name!r} already runs")
    if before is not None and after is not None:
        raise ValueError("give before or after, not both")
    anchor = before or after
    if anchor is None:
        return [*stages, stage]
    if anchor not in names:
        raise ValueError(f"no stage named {anchor!r} (stages: {', '.join(names)})")
    i = names.index(anchor) + (after is not None)
    return [*stages[:i], stage, *stages[i:]]
