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
                "los", "readmission", "cost", "onset_shock", "households", "contract", "care",
                # health (sim/behaviour/chronic_control.py, sim/county/demography.py, sim/model/emergency.py)
                "health", "health_onset", "demography",
                # provider selection (sim/behaviour/selection.py: split admissions and their audit) and county
                # outpatient redirects (sim/behaviour/outpatient_redirect.py)
                "split", "redirect")


_MASK = (1 << 64) - 1
_SHIFTS = tuple(np.uint64(k) for k in (30, 27, 31, 11))
_TO_UNIT = 1.0 / 9007199254740992.0    # 2**-53
#: below this many hashes Python integers beat numpy's per-call overhead (about 20 ufunc calls a batch of
#: draws): a batch of n draws on one slot takes 2n hashes, n ids against K slots n (K + 1)
_SMALL = 24
_M1_INT, _M2_INT = int(_M1), int(_M2)


def _mix_inplace(x: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """:func:`mix64` on a uint64 array in place (``tmp``: scratch of the same shape). Unsigned integer
    arrays wrap around on overflow without any floating-point error state, so no ``errstate`` is needed."""
    s30, s27, s31, _ = _SHIFTS
    np.right_shift(x, s30, out=tmp)
    x ^= tmp
    x *= _M1
    np.right_shift(x, s27, out=tmp)
    x ^= tmp
    x *= _M2
    np.right_shift(x, s31, out=tmp)
    x ^= tmp
    return x


def _mix_int(x: int) -> int:
    """:func:`mix64` of one Python integer in [0, 2**64): the same arithmetic modulo 2**64."""
    x ^= x >> 30
    x = (x * _M1_INT) & _MASK
    x ^= x >> 27
    x = (x * _M2_INT) & _MASK
    return x ^ (x >> 31)


def mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijective, well-mixed hash of uint64 values (array in, array out)."""
    x = np.array(x, dtype=np.uint64, ndmin=1)
    if 2 * x.size < _SMALL:
        return np.array([_mix_int(v) for v in x.ravel().tolist()], dtype=np.uint64).reshape(x.shape)
    return _mix_inplace(x, np.empty_like(x))


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
        self._slot_terms: dict[int, np.ndarray] = {}   # (slot + 1) * _SLOT for slots 0..k-1, by k (gumbel)

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
        if isinstance(slot, (int, np.integer)):
            term = np.uint64((int(slot) + 1) * int(_SLOT) & _MASK)
        else:
            term = (np.array(slot, dtype=np.uint64, ndmin=1) + np.uint64(1)) * _SLOT
        return self._keyed(name, ids, term)

    def _keyed(self, name: str, ids: np.ndarray, term) -> np.ndarray:
        """:meth:`uniform` given ``term`` = ``(slot + 1) * _SLOT`` (uint64 scalar or array), with in-place
        uint64 operations on one array and one scratch array."""
        ids = np.asarray(ids, dtype=np.uint64)
        if ids.ndim == 0:
            ids = ids.reshape(1)
        scalar = type(term) is not np.ndarray
        if ids.size * (2 if scalar else term.size + 1) < _SMALL and (scalar or ids.shape == (ids.size, 1)):
            # a day's handful of draws: the same numbers from Python integers (float(k) is exact below 2**53,
            # and + 0.5, * 2**-53 are the same IEEE double operations numpy does); ids (n,) with one slot, or
            # ids (n, 1) against slots (K,) as :meth:`gumbel` asks
            key, terms = int(self._keys[name]), [int(term)] if scalar else term.tolist()
            out = []
            for i in ids.ravel().tolist():
                h = _mix_int(i ^ key)
                out.extend([((_mix_int((h + t) & _MASK) >> 11) + 0.5) * _TO_UNIT for t in terms])
            return np.array(out, dtype=np.float64).reshape(ids.shape if scalar else (ids.size, term.size))
        x = ids ^ self._keys[name]                     # a new array, mixed in place from here on
        tmp = np.empty_like(x)
        _mix_inplace(x, tmp)
        if scalar:
            x += term
        else:
            x = x + term                               # broadcast ids against the slots
            tmp = np.empty_like(x)
        _mix_inplace(x, tmp)
        x >>= _SHIFTS[3]
        u = x.astype(np.float64)
        u += 0.5
        u *= _TO_UNIT
        return u

    def gumbel(self, name: str, ids: np.ndarray, n_alternatives: int) -> np.ndarray:
        """Standard Gumbel noise, shape (len(ids), n_alternatives), for logit choice by argmax."""
        term = self._slot_terms.get(n_alternatives)
        if term is None:
            term = (np.arange(n_alternatives, dtype=np.uint64) + np.uint64(1)) * _SLOT
            self._slot_terms[n_alternatives] = term
        u = self._keyed(name, np.asarray(ids, dtype=np.uint64)[:, None], term)
        np.log(u, out=u)
        np.negative(u, out=u)
        np.log(u, out=u)
        np.negative(u, out=u)
        return u


def derived_ids(parent_ids: np.ndarray, salt: int) -> np.ndarray:
    """Ids for episodes spawned by other episodes (readmissions, follow-ups): a hash of the parent id.

    The top bit is set so derived ids never collide with sequential onset ids.
    """
    h = mix64(np.asarray(parent_ids, dtype=np.uint64) ^ mix64(np.array([salt], dtype=np.uint64)))
    return h | np.uint64(1 << 63)
