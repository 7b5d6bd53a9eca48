"""Residents as columns of numpy arrays (one row per resident), Starsim-style.

No per-resident Python objects: a million residents are a few MB of arrays.
Residents are sorted by village, so a village's residents are one slice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.config.patients import HouseholdConfig
from sim.config.scenario import AGE_BAND_EDGES, DemographyConfig
from sim.county.world import World


@dataclass
class Population:
    """The county's residents.

    Attributes (each shape (N,))
    ----------
    age : int16, years.
    sex : int8, 0 male, 1 female.
    age_band : int8, index into ``AGE_BANDS`` (0-14, 15-44, 45-64, 65+).
    village : int32, row of the home village in ``World.villages``.
    township : int32, home township code.
    scheme : int8, 0 resident insurance 城乡居民医保, 1 employee insurance 职工医保.
    hypertension, diabetes : bool, diagnosed chronic condition.
    managed_htn, managed_dm : bool, under primary-care chronic-disease management (scheduled follow-ups).
    contracted : bool, has a family-doctor contract 家庭医生签约.
    followup_phase : int16, day offset of the resident's follow-up cycle.
    household : int32, household 户 id (households never span villages); -1 if households were not built.
    income : float64, per-capita disposable income 人均可支配收入 of the resident's household, yuan a year.
    """

    age: np.ndarray
    sex: np.ndarray
    age_band: np.ndarray
    village: np.ndarray
    township: np.ndarray
    scheme: np.ndarray
    hypertension: np.ndarray
    diabetes: np.ndarray
    managed_htn: np.ndarray
    managed_dm: np.ndarray
    contracted: np.ndarray
    followup_phase: np.ndarray
    household: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    income: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def n(self) -> int:
        return len(self.age)

    def strata(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Residents grouped by (age band, sex) stratum ``s = 2 * band + sex``.

        Returns ``(order, starts, sizes)``: ``order[starts[s]:starts[s] + sizes[s]]`` are the residents
        of stratum ``s``.
        """
        key = self.age_band.astype(np.int64) * 2 + self.sex
        order = np.argsort(key, kind="stable")
        sizes = np.bincount(key, minlength=2 * (len(AGE_BAND_EDGES) - 1))
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        return order, starts, sizes


def build_population(n: int, world: World, cfg: DemographyConfig, followup_interval: int,
                     rng: np.random.Generator) -> Population:
    """Draw ``n`` residents over the world's villages.

    Age, sex, scheme, chronic conditions and contracts are drawn independently per resident from the
    demography config (chronic prevalence and contract rates by age band).
    """
    weights = world.villages["population"].to_numpy(dtype=float)
    counts = rng.multinomial(n, weights / weights.sum())
    village = np.repeat(np.arange(len(weights), dtype=np.int32), counts)
    township = world.villages["township"].to_numpy()[village].astype(np.int32)

    band_shares = np.array(cfg.age_shares.as_list())
    age_band = rng.choice(len(band_shares), size=n, p=band_shares / band_shares.sum()).astype(np.int8)
    lo = np.array(AGE_BAND_EDGES[:-1])[age_band]
    hi = np.array(AGE_BAND_EDGES[1:])[age_band]
    age = (lo + np.floor(rng.random(n) * (hi - lo))).astype(np.int16)
    sex = (rng.random(n) < cfg.female_share).astype(np.int8)

    urban = township == 0
    employee_p = np.where(urban, cfg.employee_share_urban, cfg.employee_share_rural)
    scheme = (rng.random(n) < employee_p).astype(np.int8)

    htn = rng.random(n) < np.array(cfg.hypertension_prevalence.as_list())[age_band]
    dm = rng.random(n) < np.array(cfg.diabetes_prevalence.as_list())[age_band]
    managed_htn = htn & (rng.random(n) < cfg.hypertension_managed_share)
    managed_dm = dm & (rng.random(n) < cfg.diabetes_managed_share)
    priority = htn | dm | (age >= 65)
    contracted = rng.random(n) < np.where(priority, cfg.contract_share_priority, cfg.contract_share_other)
    phase = rng.integers(0, followup_interval, size=n).astype(np.int16)
    return Population(age=age, sex=sex, age_band=age_band, village=village, township=township, scheme=scheme,
                      hypertension=htn, diabetes=dm, managed_htn=managed_htn, managed_dm=managed_dm,
                      contracted=contracted, followup_phase=phase)


def build_households(pop: Population, cfg: HouseholdConfig, rng: np.random.Generator) -> None:
    """Group residents into households and give each household a per-capita income (in place).

    Residents are sorted by village, so consecutive runs of a village's residents form its households, of
    ``1 + Poisson(mean_size - 1)`` members. Per-capita income (yuan a year) is lognormal: a village mean
    around the rural (county-seat: urban) mean, then households around their village's mean; both parts
    are mean-preserving, so the population mean is the configured one. Uses its own generator: no other
    draw moves.
    """
    n = pop.n
    village = pop.village.astype(np.int64)
    sizes = 1 + rng.poisson(max(cfg.mean_size - 1.0, 0.0), size=n)        # more than enough households
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    # position of each resident inside its village; a household is a run of positions within one village
    v_start = np.searchsorted(village, village, side="left")
    pos = np.arange(n) - v_start
    hh_in_village = np.searchsorted(starts, pos, side="right") - 1
    new = np.r_[True, (village[1:] != village[:-1]) | (hh_in_village[1:] != hh_in_village[:-1])]
    household = (np.cumsum(new) - 1).astype(np.int32)
    n_hh = int(household[-1]) + 1 if n else 0
    hh_village = village[new]
    n_village = int(village.max()) + 1 if n else 0
    s_v = min(cfg.village_income_sigma, cfg.income_sigma)
    s_h = float(np.sqrt(max(cfg.income_sigma ** 2 - s_v ** 2, 0.0)))
    v_effect = np.exp(s_v * rng.standard_normal(n_village) - s_v ** 2 / 2)
    h_effect = np.exp(s_h * rng.standard_normal(n_hh) - s_h ** 2 / 2)
    urban = (pop.township == 0)[new]
    mean = np.where(urban, cfg.urban_income_mean, cfg.rural_income_mean)
    pop.household = household
    pop.income = (mean * v_effect[hh_village] * h_effect)[household]
