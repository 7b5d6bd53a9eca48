"""The county's do-not-refer-out list 县外转诊负面清单 (``policy.do_not_refer_out``;
``docs/sources/payment_rules.md`` §5.1).

The whitelist's mirror image: the county hospital must treat the listed conditions; out-of-county care for
them is unreferred (ratio cut by ``penalty_pp``) unless the county hospital cannot treat or admit the case.
"""

from __future__ import annotations

import numpy as np

from sim.policy.base import OUT_BLOCKED, OutOfCountyRules, Policy
from sim.policy.conditions import condition_mask


def _referral(rules: OutOfCountyRules, casemix, cfg, insurance) -> None:
    listed = condition_mask(casemix, cfg.codes, "policy.do_not_refer_out.codes")
    rules.status[listed] = OUT_BLOCKED
    rules.penalty[:] = np.where(listed, np.maximum(rules.penalty, cfg.penalty_pp), rules.penalty)


POLICY = Policy(
    name="do_not_refer_out", title="do-not-refer-out list 县外转诊负面清单", section="policy.do_not_refer_out",
    kind="referral", active=lambda rules: rules.policy.do_not_refer_out.enabled, referral=_referral,
    doc=__doc__.split("\n\n")[1])
