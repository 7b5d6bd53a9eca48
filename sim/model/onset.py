"""Disease onset and scheduled chronic follow-ups.

Each day, for every condition and (age band, sex) stratum, the number of new
episodes is Poisson with mean ``incidence / 1,000 / 365 * stratum size``; the
residents are then drawn uniformly within the stratum. Managed hypertension and
diabetes patients come for a follow-up every ``followup_interval_days`` on their
own phase of the cycle. Onset uses its own sequential generator, which no
policy can influence, so every scenario sees the same illnesses.

A shock (``shocks`` of the scenario, :mod:`sim.config.shocks`) multiplies the day's rates through
``rate_multiplier(day) -> (C,) factors or None``. The extra episodes of a factor above 1 come from their own
generator and id space (bit 61), and a factor below 1 thins episodes with its own generator, so the
illnesses of the unshocked days and every keyed draw stay those of the run without the shock.
"""

from __future__ import annotations

import functools

import numpy as np

from sim.codes import CHRONIC
from sim.county.casemix import Casemix
from sim.county.population import Population
from sim.streams import mix64

N_STRATA = 8  # 4 age bands x 2 sexes
_SHOCK_ID_BIT = np.uint64(1 << 61)
#: a day without extra onsets: (ids, residents, conditions), read-only
_NO_EPISODES = tuple(np.zeros(0, dtype=t) for t in (np.uint64, np.int64, np.int64))
for _a in _NO_EPISODES:
    _a.flags.writeable = False


@functools.cache
def _salt_key(salt: int) -> np.uint64:
    """The hash that keeps the visit ids of ``salt`` apart (:meth:`OnsetProcess.followups`)."""
    return mix64(np.array([salt], dtype=np.uint64))[0]


def shock_rate_multiplier(shocks, casemix: Casemix):
    """``day -> (C,) incidence factors or None`` from the scenario's incidence shocks (None: no shock at all)."""
    from sim.codes import year_month
    inc = [s for s in shocks if s.kind == "incidence"]
    if not inc:
        return None
    factors = {}
    for s in inc:
        f = np.ones(casemix.n)
        sel = np.ones(casemix.n, dtype=bool) if not s.conditions else np.isin(np.asarray(casemix.codes), s.conditions)
        f[sel] = s.multiplier
        for m in s.months:
            factors[(s.year, m)] = factors.get((s.year, m), np.ones(casemix.n)) * f

    def rate(day: int):
        y, m = year_month(np.array([day]))
        return factors.get((int(y[0]), int(m[0])))
    return rate


class OnsetProcess:
    """Generates each day's new episodes.

    Parameters
    ----------
    population : residents.
    casemix : conditions (incidence per 1,000 per year by age band; sex restriction).
    rng : the onset stream's generator.
    followup_interval : days between chronic follow-ups.
    """

    def __init__(self, population: Population, casemix: Casemix, rng: np.random.Generator, followup_interval: int,
                 rate_multiplier=None, shock_rng: np.random.Generator | None = None):
        self.rng = rng
        self.rate_multiplier = rate_multiplier
        self.shock_rng = shock_rng if shock_rng is not None else np.random.default_rng(0)
        self.next_shock_id = 0
        self.casemix = casemix
        self.next_id = 0
        self.interval = followup_interval
        self.htn_code = casemix.codes.index("htn_followup") if "htn_followup" in casemix.codes else -1
        self.dm_code = casemix.codes.index("dm_followup") if "dm_followup" in casemix.codes else -1
        #: (N,) bool, residents alive (None: everybody; set by sim/county/demography.py)
        self.alive: np.ndarray | None = None
        #: per-resident incidence multipliers (set by :meth:`set_multipliers`), and their own generator
        self._groups: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._extra_rng: np.random.Generator | None = None
        self._extra_next = 0
        self.restratify(population)

    def restratify(self, population: Population) -> None:
        """(Re)build strata, daily means and follow-up cycles from the residents as they are now (after
        ageing, deaths and births at a year start). Draws nothing."""
        casemix = self.casemix
        self.order, self.starts, self.sizes = population.strata()
        band = np.arange(N_STRATA) // 2
        sex = np.arange(N_STRATA) % 2
        allowed = (casemix.sex[:, None] < 0) | (casemix.sex[:, None] == sex[None, :])
        daily = casemix.incidence[:, band] / 1000.0 / 365.0 * self.sizes[None, :] * allowed
        daily[casemix.setting == CHRONIC] = 0.0
        self.daily_mean = daily                                  # (C, 8) expected episodes per day
        # chronic follow-ups: residents grouped by the day of their cycle
        managed = population.managed_htn | population.managed_dm
        if self.alive is not None:
            managed = managed & self.alive
        who = np.flatnonzero(managed)
        phase = population.followup_phase[who]
        order = np.argsort(phase, kind="stable")
        self._fu_residents = who[order]
        self._fu_condition = np.where(population.managed_htn[self._fu_residents], self.htn_code, self.dm_code)
        self._fu_bounds = np.searchsorted(phase[order], np.arange(self.interval + 1))

    def set_multipliers(self, groups: list[tuple[np.ndarray, np.ndarray]], rng: np.random.Generator) -> None:
        """Per-resident incidence multipliers: ``groups`` = ``[(condition indices, (N,) multiplier), ...]``.

        A base onset of a listed condition is kept with probability ``min(m, 1)`` (a keyed draw, see
        :meth:`keep`); residents with ``m > 1`` get extra onsets at rate ``base * (m - 1)`` from ``rng`` (a
        generator of its own), so the base process's draws never change. Call again after
        :meth:`restratify`."""
        if self._extra_rng is None:
            self._extra_rng = rng
        self._groups = []
        for conds, m in groups:
            w = np.maximum(m - 1.0, 0.0)[self.order]
            cum = np.concatenate([[0.0], np.cumsum(w)])
            w_stratum = cum[self.starts + self.sizes] - cum[self.starts]          # (8,) sum of (m - 1)+
            mean_w = np.where(self.sizes > 0, w_stratum / np.maximum(self.sizes, 1), 0.0)
            listed = np.zeros(self.daily_mean.shape[0], dtype=bool)
            listed[np.asarray(conds, dtype=np.int64)] = True
            conds = np.asarray(conds, dtype=np.int64)
            # (len(conds), 8) expected extra onsets per day, by condition and stratum
            lam = self.daily_mean[conds] * mean_w[None, :]
            self._groups.append((conds, np.asarray(m, dtype=float), cum, lam, listed))

    def keep(self, ids: np.ndarray, res: np.ndarray, cond: np.ndarray, u: np.ndarray) -> np.ndarray:
        """(n,) True for the base onsets that stay: alive, and ``u < min(m, 1)`` for multiplied conditions
        (``u``: keyed uniforms of the episodes, drawn by the caller on a stream of its own)."""
        ok = np.ones(len(ids), dtype=bool) if self.alive is None else self.alive[res]
        for _, m, _, _, listed in self._groups:
            sel = listed[cond]
            ok[sel] &= u[sel] < np.minimum(m[res[sel]], 1.0)
        return ok

    def extra_episodes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Today's extra onsets of residents whose multiplier exceeds 1 (ids ``2 << 62 | counter``)."""
        out_res, out_cond = [], []
        for conds, _, cum, lam, _ in self._groups:
            counts = self._extra_rng.poisson(lam)
            if not counts.any():       # the usual day of a small county: nothing more to draw
                continue
            c, s = np.nonzero(counts)
            k = counts[c, s]
            c, s = np.repeat(conds[c], k), np.repeat(s, k)
            lo, hi = cum[self.starts[s]], cum[self.starts[s] + self.sizes[s]]
            target = lo + self._extra_rng.random(len(s)) * (hi - lo)
            pos = np.minimum(np.maximum(np.searchsorted(cum, target, side="right") - 1, 0), len(self.order) - 1)
            out_res.append(self.order[pos]); out_cond.append(c)
        if not out_res:
            return _NO_EPISODES
        res = np.concatenate(out_res)
        cond = np.concatenate(out_cond).astype(np.int64)
        if self.alive is not None:
            ok = self.alive[res]
            res, cond = res[ok], cond[ok]
        ids = np.uint64(2 << 62) | np.arange(self._extra_next, self._extra_next + len(res), dtype=np.uint64)
        self._extra_next += len(res)
        return ids, res.astype(np.int64), cond

    def new_episodes(self, day: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Today's onsets: ``(episode_ids uint64, residents, conditions)``, ids sequential from 0 (a shock's
        extra episodes: sequential with bit 61 set)."""
        ids, residents, cond = self._draw(self.rng, self.daily_mean, False)
        factor = self.rate_multiplier(day) if self.rate_multiplier is not None and day is not None else None
        if factor is None:
            return ids, residents, cond
        keep = self.shock_rng.random(len(ids)) < np.minimum(factor[cond], 1.0)
        extra = self._draw(self.shock_rng, self.daily_mean * np.maximum(factor - 1.0, 0.0)[:, None], True)
        return (np.concatenate([ids[keep], extra[0]]), np.concatenate([residents[keep], extra[1]]),
                np.concatenate([cond[keep], extra[2]]))

    def _draw(self, rng: np.random.Generator, mean: np.ndarray, shock: bool):
        counts = rng.poisson(mean)
        total = int(counts.sum())
        cond, stratum = np.nonzero(counts)
        k = counts[cond, stratum]
        cond = np.repeat(cond, k)
        stratum = np.repeat(stratum, k)
        pos = np.floor(rng.random(total) * self.sizes[stratum]).astype(np.int64)
        residents = self.order[self.starts[stratum] + pos]
        if shock:
            ids = np.arange(self.next_shock_id, self.next_shock_id + total, dtype=np.uint64) | _SHOCK_ID_BIT
            self.next_shock_id += total
        else:
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
            key = key ^ _salt_key(salt)
        ids = mix64(key) | np.uint64(3 << 62)
        return ids, res, self._fu_condition[lo:hi].astype(np.int64)
