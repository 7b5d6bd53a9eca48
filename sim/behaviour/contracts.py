"""Family-doctor contracts 家庭医生签约: who is contracted in a year, and the facility the contract names.

The contract rate is a rule (``policy.family_doctor``, so a reform step can raise it); each resident has a
fixed keyed draw, so a higher rate adds contracts and never removes one (common random numbers across years
and scenarios). A contract names the village doctor (alternative slot 0) or the township centre's team
(slot 1). Behavioural response sizes: ``docs/sources/behaviour_evidence.md`` §6.
"""

from __future__ import annotations

import numpy as np

from sim.config.patients import ContractResponseConfig
from sim.config.policy import FamilyDoctorConfig


def contracted_in_year(u_contract: np.ndarray, priority: np.ndarray, rule: FamilyDoctorConfig) -> np.ndarray:
    """(N,) bool: resident holds a contract under the year's rate (``u_contract`` fixed keyed uniforms)."""
    rate = np.where(priority, rule.contract_share_priority, rule.contract_share_other)
    return u_contract < rate


def named_slot(u_named: np.ndarray, cfg: ContractResponseConfig) -> np.ndarray:
    """(N,) int8 alternative slot the contract names: 0 village doctor, 1 township team."""
    return np.where(u_named < cfg.village_doctor_share, 0, 1).astype(np.int8)


def extra_followup(u_extra: np.ndarray, contracted: np.ndarray, cfg: ContractResponseConfig) -> np.ndarray:
    """(n,) bool: a managed patient due a half-cycle check makes an extra follow-up (contracted only)."""
    return contracted & (u_extra < cfg.extra_followup_share)
