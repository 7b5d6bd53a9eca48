"""A living population 人口老龄化与死亡: ageing, background deaths from a life table, births that keep the county's
size (docs/health.md §2; life table docs/sources/calibration_data.md §11).

Residents keep their slot in the arrays for the whole run. A resident who dies is marked dead (no more episodes).
Background deaths follow a keyed life-table schedule, the same in every scenario; at the next year start each slot
of that schedule is reborn as a newborn of the same village, household and insurance scheme, so births replace
background deaths one for one. A resident who died of a modelled disease (stroke, heart attack, another admitted
condition) stays a dead slot that ages with the rest until its own scheduled background death, then is reborn:
the age and sex strata are then identical in every scenario, which keeps common random numbers in every year,
and the county's living population is smaller by the disease deaths of the last years.
"""

from __future__ import annotations

import numpy as np

from sim.config.health import LifeTableConfig
from sim.config.scenario import AGE_BAND_EDGES
from sim.county.population import Population


def age_band_of(age: np.ndarray) -> np.ndarray:
    """(n,) int8 age band index (0-14, 15-44, 45-64, 65+) of ages in years."""
    edges = np.array(AGE_BAND_EDGES[1:-1])
    return np.searchsorted(edges, age, side="right").astype(np.int8)


def annual_death_probability(age: np.ndarray, sex: np.ndarray, cfg: LifeTableConfig) -> np.ndarray:
    """(n,) probability of a background death in the coming year (life table x (1 - modelled cause share))."""
    row = np.searchsorted(np.array(cfg.age_starts), age, side="right") - 1
    q = np.where(sex == 1, np.array(cfg.female_qx)[row], np.array(cfg.male_qx)[row])
    return q * (1.0 - cfg.modelled_cause_share)


def death_days(u_die: np.ndarray, u_day: np.ndarray, q: np.ndarray, year_start: int, days: int) -> np.ndarray:
    """(n,) day of background death within the year (``-1``: survives the year); keyed uniforms in."""
    when = year_start + np.floor(u_day * days).astype(np.int64)
    return np.where(u_die < q, when, -1)


def age_and_replace(pop: Population, dead: np.ndarray, newborn_female: np.ndarray) -> int:
    """At a year start: every other slot ages one year; the ``dead`` slots (last year's scheduled background
    deaths) become newborns (age 0, no chronic disease, not managed, not contracted). Returns the number of
    births."""
    pop.age[~dead] += 1
    births = int(dead.sum())
    if births:
        pop.age[dead] = 0
        pop.sex[dead] = newborn_female[dead].astype(pop.sex.dtype)
        for col in (pop.hypertension, pop.diabetes, pop.managed_htn, pop.managed_dm, pop.contracted):
            col[dead] = False
    pop.age_band[:] = age_band_of(pop.age)
    return births


def oldest_band_ages(u: np.ndarray, sex: np.ndarray, cfg: LifeTableConfig, lo: int = 65, hi: int = 100) -> np.ndarray:
    """(n,) ages in ``[lo, hi)`` drawn from the life table's stationary population (density proportional to
    survival from ``lo``), by inverse CDF of keyed uniforms ``u``: the population builder draws ages uniformly
    within the band, which puts far too many residents at 85+."""
    ages = np.arange(lo, hi)
    out = np.empty(len(u), dtype=np.int16)
    for s in (0, 1):
        q = annual_death_probability(ages, np.full(len(ages), s), cfg) / (1.0 - cfg.modelled_cause_share) \
            if cfg.modelled_cause_share < 1 else annual_death_probability(ages, np.full(len(ages), s), cfg)
        surv = np.concatenate([[1.0], np.cumprod(1.0 - q)[:-1]])
        cdf = np.cumsum(surv) / surv.sum()
        sel = sex == s
        out[sel] = ages[np.minimum(np.searchsorted(cdf, u[sel], side="right"), len(ages) - 1)]
    return out
