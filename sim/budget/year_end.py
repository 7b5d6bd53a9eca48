"""One community-year of the global budget: withholds, monthly prepayment, year-end settlement.

Rules (``docs/sources/payment_rules.md`` §3.3-§3.5, §7.3; tags there). All amounts in yuan, B = annual total.

In the year, month m = 1..12 (按月预拨)::

    deposit_m     = deposit_share × B / 12                         年度保证金 (escrow)
    risk_m        = risk_fund_share × B / 12, until the risk fund's balance reaches
                    risk_fund_cap_months × B / 12 (then 0: accrual stops)        风险调节金
    prepayment_m  = B / 12 − deposit_m − risk_m                    to the lead hospital 牵头医院

In-community claims and the capitation are paid by the community out of the prepayments;
out-of-community claims of its insured are paid by the fund directly.

At year-end (年终清算), with spent = in-community + capitation + out-of-community fund payments and
risk = the year's risk-fund accrual::

    target   = B − risk  ('reserve', default)  or  B  ('returned')
    surplus  = target − spent                             (negative: overspend)
    deposit returned = deposit × ramp(score)              the rest is forfeited to the fund
    surplus ≥ 0: retained = surplus × surplus_retention × ramp(score)         结余留用
    surplus < 0: reasonable = min(overspend, overspend_band × B)              合理超支
                 shock part = min(reasonable, spending the year's shocks caused)   (epidemic, prices)
                 behaviour part = reasonable − shock part                 (volume, case mix)
                 pool share = overspend_pool_share × shock part, from the risk fund first
                            + behaviour_overspend_pool_share × behaviour part, from the general fund
                 community share = overspend − pool share   (beyond the band: all the community's)
    net result = retained − forfeited deposit − community share, split county : township : village

'reserve': the risk accrual is not paid back; it stays in the risk fund (until the fund holds
``risk_fund_cap_months`` of B) for overspends that shocks cause. 'returned' (the engine's earlier rule): the
community is settled against B, the year-end transfer pays the accrual back, and the pool's whole share of a
reasonable overspend is drawn from the risk fund first (the §7.4 example reads surplus = B − spent).
The year-end transfer from the fund closes the community's account at its net result.
"""

from __future__ import annotations

import numpy as np

from sim.budget.performance import score_ramp
from sim.config.budget import BudgetConfig

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
                cfg: BudgetConfig, shock_excess: float = 0.0) -> dict[str, float | np.ndarray]:
    """Settle one community-year.

    Parameters
    ----------
    total : annual total B. in_community : fund payments charged to the package (in-community claims and
    capitation). out_of_community : fund payments for the insured's out-of-community claims.
    score : performance score in [0, 1]. risk_opening : risk-fund balance at the start of the year.
    shock_excess : fund spending the year's shocks caused (the pool's estimate, yuan; 0 without a shock).

    Returns a dict of year figures (yuan) and the monthly ``schedule``.
    """
    sched = monthly_schedule(total, risk_opening, cfg)
    spent = in_community + out_of_community
    accrued = float(sched["risk"].sum())
    reserve = cfg.risk_fund_mode == "reserve"
    target = total - accrued if reserve else total
    surplus = target - spent
    ramp = score_ramp(score, cfg.performance)
    deposit = float(sched["deposit"].sum())
    returned = deposit * ramp
    forfeited = deposit - returned
    available = risk_opening + accrued
    shock_part = behaviour_part = 0.0
    if surplus >= 0:
        retained = surplus * cfg.surplus_retention * ramp
        reasonable = pool_share = community_share = draw = 0.0
    else:
        retained = 0.0
        reasonable = min(-surplus, cfg.overspend_band * total)
        shock_part = min(reasonable, max(shock_excess, 0.0))
        behaviour_part = reasonable - shock_part
        if reserve:
            shock_pool = cfg.overspend_pool_share * shock_part
            pool_share = shock_pool + cfg.behaviour_overspend_pool_share * behaviour_part
            draw = min(shock_pool, available)
        else:
            pool_share = cfg.overspend_pool_share * reasonable
            draw = min(pool_share, available)
        community_share = -surplus - pool_share
    net = retained - forfeited - community_share
    prepaid = float(sched["prepayment"].sum())
    # the fund's year-end transfer that leaves the community's account at its net result
    transfer = net - (prepaid - spent + returned + draw)
    split = cfg.surplus_split
    return {
        "budget_total": total, "deposit": deposit, "risk_fund_accrued": accrued, "prepaid": prepaid,
        "settlement_target": target, "in_community": in_community, "out_of_community": out_of_community,
        "spent": spent, "surplus": surplus,
        "score_ramp": ramp, "deposit_returned": returned, "deposit_forfeited": forfeited,
        "retained_surplus": retained, "unretained_surplus": max(surplus, 0.0) - retained,
        "reasonable_overspend": reasonable, "shock_excess": max(shock_excess, 0.0), "shock_overspend": shock_part,
        "behaviour_overspend": max(-surplus, 0.0) - shock_part, "pool_overspend_share": pool_share,
        "risk_fund_draw": draw, "pool_general_share": pool_share - draw, "community_overspend_share": community_share,
        "net_result": net, "share_county": net * split.county, "share_township": net * split.township,
        "share_village": net * split.village, "risk_fund_opening": risk_opening,
        "risk_fund_balance": available - draw, "settlement_transfer": transfer, "schedule": sched,
    }
