"""Random streams with common random numbers.

Two kinds of randomness:

* **Sequential generators** (``numpy.random.Generator``) for processes that no
  policy can touch: building the world and the population, and disease onset.
  Each has its own ``SeedSequence`` child, so adding draws to one never shifts
  another.
* **Keyed draws** for every decision about an episode (severity, care seeking,
  facility choice, referral, bed queueing, length of stay, readmission). A
  draw is a hash of (seed, stream, episode id, slot), so an episode gets the
  same numbers in every scenario however many other episodes a policy adds or
  removes. Two scenarios run on one seed therefore differ only where the
  policy acts (common random numbers), and the draws are identical on any
  machine and in any process.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_SLOT = np.uint64(0xD6E8FEB86659FD93)

#: names of the sequential generators and keyed streams; the order fixes their seeds, so append only
STREAM_NAMES = ("world", "population", "onset", "severity", "seek", "choice", "referral", "capacity",
                "los", "readmission", "cost", "households", "contract", "care",
                # health (sim/behaviour/chronic_control.py, sim/county/demography.py, sim/model/emergency.py)
                "health", "health_onset", "demography")


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijective, well-mixed hash of uint64 values (array in, array out)."""
    x = np.array(x, dtype=np.uint64, ndmin=1)
    with np.errstate(over="ignore"):  # wrap-around multiplication is the point of the hash
        x ^= x >> np.uint64(30)
        x *= _M1
        x ^= x >> np.uint64(27)
        x *= _M2
        x ^= x >> np.uint64(31)
    return x


class RandomStreams:
    """All randomness of one simulation, derived from one root seed.

    Parameters
    ----------
    seed : root seed (non-negative int).
    """

    def __init__(self, seed: int):
        self.seed = int(seed)
        children = np.random.SeedSequence(self.seed).spawn(len(STREAM_NAMES))
        self._seqs = dict(zip(STREAM_NAMES, children))
        self._keys = {name: np.uint64(seq.generate_state(1, np.uint64)[0]) for name, seq in self._seqs.items()}

    def generator(self, name: str) -> np.random.Generator:
        """A fresh sequential generator for a stream (same seed -> same sequence)."""
        return np.random.default_rng(self._seqs[name])

    def uniform(self, name: str, ids: np.ndarray, slot: int | np.ndarray = 0) -> np.ndarray:
        """Keyed uniforms in (0, 1), one per id (broadcast against ``slot``).

        Parameters
        ----------
        name : stream name, e.g. ``'choice'``.
        ids : uint64 episode (or resident) ids, shape (n,) or broadcastable.
        slot : which draw of that id (e.g. the alternative index), int or array.
        """
        ids = np.asarray(ids, dtype=np.uint64)
        slot = np.array(slot, dtype=np.uint64, ndmin=1)
        with np.errstate(over="ignore"):
            z = mix64(mix64(ids ^ self._keys[name]) + (slot + np.uint64(1)) * _SLOT)
        return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)

    def gumbel(self, name: str, ids: np.ndarray, n_alternatives: int) -> np.ndarray:
        """Standard Gumbel noise, shape (len(ids), n_alternatives), for logit choice by argmax."""
        u = self.uniform(name, np.asarray(ids, dtype=np.uint64)[:, None], np.arange(n_alternatives))
        return -np.log(-np.log(u))


def derived_ids(parent_ids: np.ndarray, salt: int) -> np.ndarray:
    """Ids for episodes spawned by other episodes (readmissions, follow-ups): a hash of the parent id.

    The top bit is set so derived ids never collide with sequential onset ids.
    """
    h = mix64(np.asarray(parent_ids, dtype=np.uint64) ^ mix64(np.array([salt], dtype=np.uint64)))
    return h | np.uint64(1 << 63)
