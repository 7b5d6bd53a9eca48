"""Expanding a spec into runs: seeds, deterministic run ids, and the task each worker receives.

Replicate ``r`` runs with ``seed = SeedSequence(root_seed).spawn(seeds)[r].generate_state(1)[0]`` (a
32-bit integer). The same seed is used for every scenario and design point, so arms are paired
(common random numbers) and adding replicates later keeps the earlier ones.

A run id is ``<scenario>-<digest>-r<replicate>``, where the digest hashes everything that determines
the run: the resolved scenario config, the overrides (seed, population, years, ``set:`` and parameter
values) and the dummy values. The same spec therefore gives the same ids on every machine, a restarted
sweep finds its finished runs, and an edited spec reuses every run it shares with the earlier one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.design import build_design
from sim.experiments.spec import SweepSpec

PLAN_COLUMNS = ("run_id", "scenario", "point", "replicate", "seed")


@dataclass(frozen=True)
class RunTask:
    """What a worker needs to simulate one run: ``sim.run(load_config(config, overrides))``."""

    run_id: str
    config: dict
    overrides: dict


def replicate_seeds(root_seed: int, n: int) -> list[int]:
    """Seeds of replicates 0..n-1 spawned from ``SeedSequence(root_seed)``."""
    return [int(np.random.SeedSequence(root_seed, spawn_key=(r,)).generate_state(1)[0]) for r in range(n)]


def _digest(obj: Any) -> str:
    return hashlib.sha1(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


class Plan:
    """All runs of a sweep, in execution order (replicate, then design point, then scenario).

    Attributes
    ----------
    spec : the resolved spec.
    design : design points (see :func:`~sim.experiments.design.build_design`).
    table : one row per run: ``run_id, scenario, point, replicate, seed`` and one column per parameter
        and dummy.
    """

    def __init__(self, spec: SweepSpec):
        self.spec = spec
        self.design = build_design(spec)
        fixed = {k: getattr(spec, k) for k in ("population", "years") if getattr(spec, k) is not None}
        self._fixed = {**fixed, **spec.fixed}
        config_hash = {label: _digest(cfg) for label, cfg in spec.configs.items()}
        points = self.design[["point", *spec.names]].to_dict("records")
        rows, seen = [], set()
        for rep, seed in enumerate(replicate_seeds(spec.root_seed, spec.seeds)):
            for pt in points:
                values = {n: _plain(pt[n]) for n in spec.names}
                for label in spec.configs:
                    key = {"config": config_hash[label], "overrides": self._overrides(values, seed),
                           "dummy": {n: values[n] for n in spec.dummy}}
                    digest = _digest(key)
                    copy = 0
                    while digest in seen:  # identical points of a sampled design stay separate runs
                        copy += 1
                        digest = _digest({**key, "copy": copy})
                    seen.add(digest)
                    rows.append({"run_id": f"{label}-{digest[:10]}-r{rep}", "scenario": label, "point": pt["point"],
                                 "replicate": rep, "seed": seed, **values})
        self.table = pd.DataFrame(rows, columns=[*PLAN_COLUMNS, *spec.names])
        for n in spec.names:
            self.table[n] = self.table[n].infer_objects()

    def _overrides(self, values: dict, seed: int) -> dict:
        return {**self._fixed, **{n: values[n] for n in self.spec.parameters}, "seed": seed}

    def tasks(self, rows: pd.DataFrame) -> Iterator[RunTask]:
        """Tasks for the given rows of :attr:`table` (lazily: a task carries its scenario config)."""
        for row in rows.itertuples(index=False, name=None):
            r = dict(zip(rows.columns, row))
            values = {n: _plain(r[n]) for n in self.spec.names}
            yield RunTask(run_id=r["run_id"], config=self.spec.configs[r["scenario"]],
                          overrides=self._overrides(values, int(r["seed"])))
