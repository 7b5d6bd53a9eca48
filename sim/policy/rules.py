"""Referral rules as per-condition arrays, and the reimbursement cut each claim incurs under them.

The arrays are written by the referral policies in force (:mod:`sim.policy.whitelist`,
:mod:`sim.policy.do_not_refer_out`, :mod:`sim.policy.gatekeeping`); this module applies them to claims.

Out-of-county status of a condition (``OUT_*``):

* ``OUT_NORMAL``: reimbursed as referred when the county hospital refers the patient out;
* ``OUT_APPROVED``: on the whitelist 转诊白名单, pre-approved: reimbursed as referred even when the
  patient goes straight to the out-of-county hospital;
* ``OUT_BLOCKED``: not on the whitelist (when one applies) or on the do-not-refer-out list: out-of-county
  care is unreferred unless the county hospital cannot treat or admit the case (a referral it files),
  and the county hospital does not refer it out by choice.

The ratio cut (share points off the reimbursement ratio) of a claim is the largest that applies: the
unreferred out-of-county penalty, a list's penalty, the gatekeeping 基层首诊 bypass penalty.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.codes import CITY, COUNTY, IS_UP_PATH, N_LEVELS, REFERRED_CAPACITY, REFERRED_INCAPABLE, SELF
from sim.county.casemix import Casemix
from sim.policy.base import OUT_APPROVED, OUT_BLOCKED, OUT_NORMAL, OutOfCountyRules


@dataclass(frozen=True)
class ReferralRules:
    """The scenario's referral rules as arrays over conditions (C = case-mix size).

    Attributes
    ----------
    out_status : (C,) int8, ``OUT_NORMAL`` / ``OUT_APPROVED`` / ``OUT_BLOCKED``.
    out_penalty : (C,) share points off the ratio for unreferred out-of-county care.
    gatekept : (C,) bool, first contact must be at primary care.
    gate_penalty : share points off the ratio for bypassing primary care.
    """

    out_status: np.ndarray
    out_penalty: np.ndarray
    gatekept: np.ndarray
    gate_penalty: float

    @classmethod
    def build(cls, casemix: Casemix, rules) -> ReferralRules:
        """The referral rules in force under ``rules`` (a scenario's rule sections): each referral policy of
        :data:`sim.policy.POLICIES` in force writes its part, in the registry's order."""
        from sim.policy import POLICIES

        C = casemix.n
        state = OutOfCountyRules(status=np.full(C, OUT_NORMAL, dtype=np.int8),
                                 penalty=np.full(C, rules.insurance.unreferred_outcounty_penalty_pp),
                                 gatekept=np.zeros(C, bool))
        for policy in POLICIES:
            if policy.referral is not None and policy.active(rules):
                policy.referral(state, casemix, policy.config(rules), rules.insurance)
        return cls(out_status=state.status, out_penalty=state.penalty, gatekept=state.gatekept,
                   gate_penalty=state.gate_penalty)

    def referred_out(self, condition: np.ndarray, path: np.ndarray) -> np.ndarray:
        """(n,) bool: out-of-county care counts as referred (full ratio) for these condition/path pairs."""
        status = self.out_status[condition]
        # a referral the county hospital files because it cannot treat or admit the case keeps the benefit
        necessary = (path == REFERRED_INCAPABLE) | (path == REFERRED_CAPACITY)
        formally = IS_UP_PATH[path] & ((status == OUT_NORMAL) | necessary)
        return (status == OUT_APPROVED) | formally

    def ratio_cut(self, condition: np.ndarray, level: np.ndarray, path: np.ndarray) -> np.ndarray:
        """(n,) share points off the reimbursement ratio of each claim (0 where no rule is broken).

        ``path`` is the claim's referral path code (``sim.codes``); outpatient visits pass ``SELF`` for a
        self-referred visit and ``REFERRED_INCAPABLE`` for one after a referral.
        """
        condition, level, path = (np.asarray(a, dtype=np.int64) for a in (condition, level, path))
        out = level >= CITY
        cut = np.where(out & ~self.referred_out(condition, path), self.out_penalty[condition], 0.0)
        bypass = self.gatekept[condition] & (level >= COUNTY) & (path == SELF)
        return np.maximum(cut, np.where(bypass, self.gate_penalty, 0.0))

    @cached_property
    def outpatient_cut(self) -> np.ndarray:
        """(C, 5, 2) ratio cut of an outpatient visit by condition, facility level and whether it was referred
        (``REFERRED_INCAPABLE`` path) or not (``SELF``): :meth:`ratio_cut` tabulated once, for the day's visits."""
        C = len(self.out_status)
        cond, lvl, ref = (a.ravel() for a in np.meshgrid(np.arange(C), np.arange(N_LEVELS), (0, 1), indexing="ij"))
        return self.ratio_cut(cond, lvl, np.where(ref == 1, REFERRED_INCAPABLE, SELF)).reshape(C, N_LEVELS, 2)

    def self_referral_cut(self) -> np.ndarray:
        """(C, 5) ratio cut a patient faces choosing each level on their own: the price they expect."""
        C = len(self.out_status)
        cond = np.repeat(np.arange(C), N_LEVELS)
        lvl = np.tile(np.arange(N_LEVELS), C)
        return self.ratio_cut(cond, lvl, np.full(C * N_LEVELS, SELF)).reshape(C, N_LEVELS)

    def may_refer_out_by_choice(self) -> np.ndarray:
        """(C,) bool: the county hospital may refer a case it could treat out of the county."""
        return self.out_status != OUT_BLOCKED
