"""First contact at primary care 基层首诊 (``policy.gatekeeping``; ``docs/sources/payment_rules.md`` §4.1, §5.1).

Self-referred care at a county or out-of-county facility for the listed conditions is reimbursed at a ratio
lower by ``penalty_pp`` (not at all with ``referral_required``); patients see the cut in the price they
expect, so first contact moves to village clinics and township centres.
"""

from __future__ import annotations

import numpy as np

from sim.codes import COUNTY, SELF
from sim.policy.base import OutOfCountyRules, Policy, YearClaims
from sim.policy.conditions import condition_mask


def _referral(rules: OutOfCountyRules, casemix, cfg, insurance) -> None:
    rules.gatekept[:] = condition_mask(casemix, cfg.codes, "policy.gatekeeping.codes")
    rules.gate_penalty = 1.0 if cfg.referral_required else cfg.penalty_pp


def _kpis(year: YearClaims) -> dict:
    from sim.config.policy import DEFAULT_GATEKEEPING_CONDITIONS
    listed = condition_mask(year.casemix, list(DEFAULT_GATEKEEPING_CONDITIONS), "policy.gatekeeping.codes")
    op = year.outpatient
    visits = op["visits"].to_numpy() if "visits" in op else np.ones(len(op))
    gate = listed[op["condition_index"].to_numpy(np.int64)]
    bypass = gate & (op["level"].to_numpy() >= COUNTY) & (op["referred"].to_numpy() == 0)
    total = visits[gate].sum()
    adm = year.admissions
    adm_gate = listed[adm["condition_index"].to_numpy(np.int64)]
    adm_bypass = adm_gate & (adm["level"].to_numpy() >= COUNTY) & (adm["path_code"].to_numpy() == SELF)
    return {"bypass_visits": float(visits[bypass].sum()),
            "bypass_visit_share": float(visits[bypass].sum() / total) if total else float("nan"),
            "bypass_admissions": int(adm_bypass.sum())}


POLICY = Policy(
    name="gatekeeping", title="first contact at primary care 基层首诊", section="policy.gatekeeping",
    kind="referral", active=lambda rules: rules.policy.gatekeeping.enabled, referral=_referral, kpis=_kpis,
    doc=__doc__.split("\n\n")[1])
