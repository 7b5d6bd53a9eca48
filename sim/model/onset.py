"""Disease onset and scheduled chronic follow-ups.

Each day, for every condition and (age band, sex) stratum, the number of new
episodes is Poisson with mean ``incidence / 1,000 / 365 * stratum size``; the
residents are then drawn uniformly within the stratum. Managed hypertension and
diabetes patients come for a follow-up every ``followup_interval_days`` on their
own phase of the cycle. Onset uses its own sequential generator, which no
policy can influence, so every scenario sees the same illnesses.
"""

from __future__ import annotations

import numpy as np

from sim.codes import CHRONIC
from sim.county.casemix import Casemix
from sim.county.population import Population
from sim.streams import mix64

N_STRATA = 8  # 4 age bands x 2 sexes


class OnsetProcess:
    """Generates each day's new episodes.

    Parameters
    ----------
    population : residents.
    casemix : conditions (incidence per 1,000 per year by age band; sex restriction).
    rng : the onset stream's generator.
    followup_interval : days between chronic follow-ups.
    """

    def __init__(self, population: Population, casemix: Casemix, rng: np.random.Generator, followup_interval: int):
        self.rng = rng
        self.order, self.starts, self.sizes = population.strata()
        band = np.arange(N_STRATA) // 2
        sex = np.arange(N_STRATA) % 2
        allowed = (casemix.sex[:, None] < 0) | (casemix.sex[:, None] == sex[None, :])
        daily = casemix.incidence[:, band] / 1000.0 / 365.0 * self.sizes[None, :] * allowed
        daily[casemix.setting == CHRONIC] = 0.0
        self.daily_mean = daily                                  # (C, 8) expected episodes per day
        self.next_id = 0
        # chronic follow-ups: residents grouped by the day of their cycle
        self.interval = followup_interval
        self.htn_code = casemix.codes.index("htn_followup") if "htn_followup" in casemix.codes else -1
        self.dm_code = casemix.codes.index("dm_followup") if "dm_followup" in casemix.codes else -1
        managed = population.managed_htn | population.managed_dm
        who = np.flatnonzero(managed)
        phase = population.followup_phase[who]
        order = np.argsort(phase, kind="stable")
        self._fu_residents = who[order]
        self._fu_condition = np.where(population.managed_htn[self._fu_residents], self.htn_code, self.dm_code)
        self._fu_bounds = np.searchsorted(phase[order], np.arange(followup_interval + 1))

    def new_episodes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Today's onsets: ``(episode_ids uint64, residents, conditions)``, ids sequential from 0."""
        counts = self.rng.poisson(self.daily_mean)
        total = int(counts.sum())
        cond, stratum = np.nonzero(counts)
        k = counts[cond, stratum]
        cond = np.repeat(cond, k)
        stratum = np.repeat(stratum, k)
        pos = np.floor(self.rng.random(total) * self.sizes[stratum]).astype(np.int64)
        residents = self.order[self.starts[stratum] + pos]
        ids = np.arange(self.next_id, self.next_id + total, dtype=np.uint64)
        self.next_id += total
        return ids, residents, cond.astype(np.int64)

    def followups(self, day: int, offset: int = 0, salt: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Chronic follow-up visits due today: ``(visit ids, residents, conditions)``.

        A patient managed for both diseases makes one visit, booked as hypertension follow-up.
        ``offset`` (days) shifts the cycle: ``offset = interval // 2`` gives the patients half-way between two
        scheduled visits (candidates for an extra follow-up of a contracted patient); ``salt`` keeps their
        visit ids apart from scheduled ones.
        """
        p = (day - offset) % self.interval
        lo, hi = self._fu_bounds[p], self._fu_bounds[p + 1]
        res = self._fu_residents[lo:hi]
        key = res.astype(np.uint64) * np.uint64(100_003) + np.uint64(day)
        if salt:
            key = key ^ mix64(np.array([salt], dtype=np.uint64))
        ids = mix64(key) | np.uint64(3 << 62)
        return ids, res, self._fu_condition[lo:hi].astype(np.int64)
