"""One community-year of the global budget: withholds, monthly prepayment, year-end settlement.

Rules (``docs/sources/payment_rules.md`` §3.3-§3.5, §7.3; tags there). All amounts in yuan, B = annual total.

In the year, month m = 1..12 (按月预拨)::

    deposit_m     = deposit_share × B / 12                         年度保证金 (escrow)
    risk_m        = risk_fund_share × B / 12, until the risk fund's balance reaches
                    risk_fund_cap_months × B / 12 (then 0: accrual stops)        风险调节金
    prepayment_m  = B / 12 − deposit_m − risk_m                    to the lead hospital 牵头医院

In-community claims and the capitation are paid by the community out of the prepayments;
out-of-community claims of its insured are paid by the fund directly.

At year-end (年终清算), with spent = in-community + capitation + out-of-community fund payments::

    surplus  = B − spent                                  (negative: overspend)
    deposit returned = deposit × ramp(score)              the rest is forfeited to the fund
    surplus ≥ 0: retained = surplus × surplus_retention × ramp(score)         结余留用
    surplus < 0: reasonable = min(overspend, overspend_band × B)              合理超支
                 pool share = overspend_pool_share × reasonable, paid from the risk fund first
                 community share = overspend − pool share   (beyond the band: all the community's)
    net result = retained − forfeited deposit − community share, split county : township : village

The community is settled against its full total B: the year-end transfer from the fund closes the
community's account at its net result, so the withheld risk accrual is paid back and the risk fund
is a reserve the fund keeps for this community (this matches the §7.4 example: surplus = B − spent).
"""

from __future__ import annotations

import numpy as np

from sim.config.budget import BudgetConfig
from sim.budget.performance import score_ramp

MONTHS = 12


def monthly_schedule(total: float, risk_opening: float, cfg: BudgetConfig) -> dict[str, np.ndarray]:
    """(12,) monthly ``prepayment``, ``deposit`` and ``risk`` withholds of a year, yuan."""
    month = total / MONTHS
    room = max(cfg.risk_fund_cap_months * month - risk_opening, 0.0)
    risk_cum = np.minimum(cfg.risk_fund_share * month * np.arange(1, MONTHS + 1), room)
    risk = np.diff(risk_cum, prepend=0.0)
    deposit = np.full(MONTHS, cfg.deposit_share * month)
    return {"prepayment": month - deposit - risk, "deposit": deposit, "risk": risk}


def settle_year(total: float, in_community: float, out_of_community: float, score: float, risk_opening: float,
                cfg: BudgetConfig) -> dict[str, float | np.ndarray]:
    """Settle one community-year.

    Parameters
    ----------
    total : annual total B. in_community : fund payments charged to the package (in-community claims and
    capitation). out_of_community : fund payments for the insured's out-of-community claims.
    score : performance score in [0, 1]. risk_opening : risk-fund balance at the start of the year.

    Returns a dict of year figures (yuan) and the monthly ``schedule``.
    """
    sched = monthly_schedule(total, risk_opening, cfg)
    spent = in_community + out_of_community
    surplus = total - spent
    ramp = score_ramp(score, cfg.performance)
    deposit = float(sched["deposit"].sum())
    returned = deposit * ramp
    forfeited = deposit - returned
    if surplus >= 0:
        retained = surplus * cfg.surplus_retention * ramp
        reasonable = pool_share = community_share = 0.0
    else:
        retained = 0.0
        reasonable = min(-surplus, cfg.overspend_band * total)
        pool_share = cfg.overspend_pool_share * reasonable
        community_share = -surplus - pool_share
    accrued = float(sched["risk"].sum())
    available = risk_opening + accrued
    draw = min(pool_share, available)
    net = retained - forfeited - community_share
    prepaid = float(sched["prepayment"].sum())
    # the fund's year-end transfer that leaves the community's account at its net result
    transfer = net - (prepaid - spent + returned + draw)
    split = cfg.surplus_split
    return {
        "budget_total": total, "deposit": deposit, "risk_fund_accrued": accrued, "prepaid": prepaid,
        "in_community": in_community, "out_of_community": out_of_community, "spent": spent, "surplus": surplus,
        "score_ramp": ramp, "deposit_returned": returned, "deposit_forfeited": forfeited,
        "retained_surplus": retained, "unretained_surplus": max(surplus, 0.0) - retained,
        "reasonable_overspend": reasonable, "pool_overspend_share": pool_share, "risk_fund_draw": draw,
        "pool_general_share": pool_share - draw, "community_overspend_share": community_share,
        "net_result": net, "share_county": net * split.county, "share_township": net * split.township,
        "share_village": net * split.village, "risk_fund_opening": risk_opening,
        "risk_fund_balance": available - draw, "settlement_transfer": transfer, "schedule": sched,
    }
