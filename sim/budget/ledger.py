"""The ledger: every money flow of a run, and the checks that it balances.

One row per flow: ``community, year, month, phase ('month' or 'year_end'), flow, source, target,
amount`` (yuan, ≥ 0; a negative transfer is written in the other direction). Accounts:

* ``pool`` — the pooled insurance fund 统筹基金; ``deposit`` — the annual deposit 年度保证金 (escrow);
  ``risk_fund`` — the risk-adjustment fund 风险调节金 (both held by the fund);
* ``community`` — the lead hospital's package account 牵头医院 (only with a global budget);
* ``village``, ``township``, ``county`` — the community's facilities by level; ``city``, ``province`` —
  out-of-community providers; ``patients`` — out-of-pocket payments.

Flows: ``prepayment``, ``deposit_withheld``, ``risk_withheld`` (pool → community / deposit / risk fund,
monthly); ``claims_in_community`` (community → level); ``claims_out_of_community`` (pool → outside);
``claims_fund`` (pool → provider, claims outside a package); ``capitation``; ``patient_payment``;
year-end ``out_of_community_deduction``, ``deposit_returned``, ``deposit_forfeited``, ``risk_fund_draw``,
``settlement`` and ``net_result`` (community → levels: the surplus shares, or levels → community).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.budget.settlement import MONTHS
from sim.levels import COUNTY, LEVEL_NAMES

LEDGER_COLUMNS = ["community", "year", "month", "phase", "flow", "source", "target", "amount"]
PAYER = ("pool", "deposit", "risk_fund")
PROVIDERS = LEVEL_NAMES


def _frame(community, year, month, phase, flow, source, target, amount) -> pd.DataFrame:
    amount = np.asarray(amount, dtype=float)
    n = len(amount)
    src = np.broadcast_to(np.asarray(source, dtype=object), (n,))
    tgt = np.broadcast_to(np.asarray(target, dtype=object), (n,))
    neg = amount < 0
    return pd.DataFrame({"community": np.broadcast_to(community, (n,)), "year": np.broadcast_to(year, (n,)),
                         "month": np.broadcast_to(month, (n,)), "phase": phase, "flow": flow,
                         "source": np.where(neg, tgt, src), "target": np.where(neg, src, tgt),
                         "amount": np.abs(amount)})


def build_ledger(claims: pd.DataFrame, capitation: pd.DataFrame, budget: pd.DataFrame | None,
                 schedule: pd.DataFrame | None) -> pd.DataFrame:
    """All flows of a run.

    Parameters
    ----------
    claims : ``community, year, month, level, package (bool), fund, oop`` — monthly sums of priced claims
        (``fund`` = fund payment to the provider).
    capitation : ``community, year, level, amount, package`` (yuan per year, paid in twelve equal parts;
        ``package``: the year has a global budget, so the community pays it).
    budget, schedule : from :func:`sim.budget.engine.run_budget`, or None without a global budget.
    """
    on = budget is not None and len(budget) > 0
    names = np.asarray(LEVEL_NAMES, dtype=object)
    c = claims[(claims["fund"] != 0) | (claims["oop"] != 0)]
    lvl = names[c["level"].to_numpy(np.int64)]
    pkg = c["package"].to_numpy(bool) & on
    inside = c["level"].to_numpy() <= COUNTY
    flow = np.where(pkg & inside, "claims_in_community", np.where(pkg, "claims_out_of_community", "claims_fund"))
    parts = [
        _frame(c["community"].to_numpy(), c["year"].to_numpy(), c["month"].to_numpy(), "month", flow,
               np.where(pkg & inside, "community", "pool"), lvl, c["fund"].to_numpy()),
        _frame(c["community"].to_numpy(), c["year"].to_numpy(), c["month"].to_numpy(), "month", "patient_payment",
               "patients", lvl, c["oop"].to_numpy()),
    ]
    if len(capitation):
        cap = capitation.loc[capitation.index.repeat(MONTHS)].reset_index(drop=True)
        in_pkg = cap["package"].to_numpy(bool) if "package" in cap else np.zeros(len(cap), dtype=bool)
        parts.append(_frame(cap["community"].to_numpy(), cap["year"].to_numpy(),
                            np.tile(np.arange(1, MONTHS + 1), len(capitation)), "month", "capitation",
                            np.where(in_pkg & on, "community", "pool"), names[cap["level"].to_numpy(np.int64)],
                            cap["amount"].to_numpy() / MONTHS))
    if on:
        s = schedule
        for flow_name, col, target in (("prepayment", "prepayment", "community"),
                                       ("deposit_withheld", "deposit", "deposit"),
                                       ("risk_withheld", "risk", "risk_fund")):
            parts.append(_frame(s["community"].to_numpy(), s["year"].to_numpy(), s["month"].to_numpy(), "month",
                                flow_name, "pool", target, s[col].to_numpy()))
        b = budget
        cy = (b["community"].to_numpy(), b["year"].to_numpy(), MONTHS, "year_end")
        for flow_name, source, target, col in (
                ("out_of_community_deduction", "community", "pool", "out_of_community_claims"),
                ("deposit_returned", "deposit", "community", "deposit_returned"),
                ("deposit_forfeited", "deposit", "pool", "deposit_forfeited"),
                ("risk_fund_draw", "risk_fund", "community", "risk_fund_draw"),
                ("settlement", "pool", "community", "settlement_transfer"),
                ("net_result", "community", "county", "share_county"),
                ("net_result", "community", "township", "share_township"),
                ("net_result", "community", "village", "share_village")):
            parts.append(_frame(*cy, flow_name, source, target, b[col].to_numpy()))
    ledger = pd.concat(parts, ignore_index=True)
    ledger = ledger[ledger["amount"] != 0]
    ledger["phase"] = pd.Categorical(ledger["phase"], categories=["month", "year_end"])
    return ledger.sort_values(["community", "year", "month", "phase"], kind="stable").reset_index(drop=True)


def _net(ledger: pd.DataFrame, account: str, by: list[str]) -> pd.Series:
    """Inflow − outflow of an account, grouped by ``by``."""
    inflow = ledger[ledger["target"] == account].groupby(by)["amount"].sum()
    outflow = ledger[ledger["source"] == account].groupby(by)["amount"].sum()
    return inflow.sub(outflow, fill_value=0.0)


def check_ledger(ledger: pd.DataFrame, claims: pd.DataFrame, capitation: pd.DataFrame, budget: pd.DataFrame | None,
                 risk_cap_months: float = 3.0, risk_opening: float = 0.0) -> pd.DataFrame:
    """Balance checks; one row per check, community, year and month (0 for a whole year).

    Monthly: providers' fund receipts = priced claims' fund payments + capitation; patients' payments =
    out-of-pocket; (budget) prepayment + deposit + risk withholds = B / 12. Yearly: the community's
    account and the deposit escrow close at 0; the risk fund's balance matches the budget and lies in
    [0, cap]; the payer's net outflow = providers' fund receipts incl. net results; (budget) prepaid +
    deposit + risk accrual = B. Columns: ``check, community, year, month, expected, actual, residual``.
    """
    rows = []

    def add(name, expected: pd.Series, actual: pd.Series, month=None):
        e, a = expected.align(actual, fill_value=0.0)
        for key, ev in e.items():
            comm, year = key[0], key[1]
            m = key[2] if month is None else month
            rows.append((name, comm, year, m, float(ev), float(a[key]), float(a[key] - ev)))

    by_m = ["community", "year", "month"]
    by_y = ["community", "year"]
    prov = ledger[ledger["target"].isin(PROVIDERS) & ledger["source"].isin(PAYER + ("community",))
                  & (ledger["flow"] != "net_result")]
    cap_m = capitation.assign(amount=capitation["amount"] / MONTHS)
    cap_m = cap_m.loc[cap_m.index.repeat(MONTHS)].assign(month=np.tile(np.arange(1, MONTHS + 1), len(capitation)))
    expected_fund = claims.groupby(by_m)["fund"].sum().add(cap_m.groupby(by_m)["amount"].sum(), fill_value=0.0)
    add("provider_fund_receipts", expected_fund, prov.groupby(by_m)["amount"].sum())
    add("patient_payments", claims.groupby(by_m)["oop"].sum(),
        ledger[ledger["source"] == "patients"].groupby(by_m)["amount"].sum())
    payer_out = ledger[ledger["source"].isin(PAYER) & ~ledger["target"].isin(PAYER)].groupby(by_y)["amount"].sum()
    payer_in = ledger[ledger["target"].isin(PAYER) & ~ledger["source"].isin(PAYER)].groupby(by_y)["amount"].sum()
    expected_out = claims.groupby(by_y)["fund"].sum().add(capitation.groupby(by_y)["amount"].sum(), fill_value=0.0)
    if budget is not None and len(budget):
        b = budget.set_index(by_y)
        zero = b["net_result"] * 0.0
        expected_out = expected_out.add(b["net_result"], fill_value=0.0)
        inst = ledger[ledger["flow"].isin(["prepayment", "deposit_withheld", "risk_withheld"])].groupby(by_m)["amount"].sum()
        month_total = (b["budget_total"] / MONTHS).reindex(inst.index.droplevel("month")).to_numpy()
        add("monthly_instalment", pd.Series(month_total, index=inst.index), inst)
        add("community_closes_at_zero", zero, _net(ledger, "community", by_y), 0)
        add("deposit_closes_at_zero", zero, _net(ledger, "deposit", by_y), 0)
        risk_bal = _net(ledger, "risk_fund", by_y).reindex(b.index, fill_value=0.0).groupby(level=0).cumsum() \
            + risk_opening
        add("risk_fund_balance", b["risk_fund_balance"], risk_bal, 0)
        cap = risk_cap_months * b["budget_total"] / MONTHS
        add("risk_fund_within_cap", zero, (risk_bal - np.maximum(cap, b["risk_fund_opening"])).clip(lower=0)
            + (-risk_bal).clip(lower=0), 0)
        add("budget_identity", b["budget_total"], b["prepaid"] + b["deposit"] + b["risk_fund_accrued"], 0)
    # money moved between the fund's own accounts (pool, deposit, risk fund) is not spent
    add("payer_outflow", expected_out, payer_out.sub(payer_in, fill_value=0.0), 0)
    return pd.DataFrame(rows, columns=["check", "community", "year", "month", "expected", "actual", "residual"])


def ledger_balanced(checks: pd.DataFrame, rel_tol: float = 1e-9, abs_tol: float = 1e-6) -> bool:
    """True when every check's residual is within tolerance."""
    scale = np.maximum(np.abs(checks["expected"].to_numpy()), np.abs(checks["actual"].to_numpy()))
    return bool((np.abs(checks["residual"].to_numpy()) <= abs_tol + rel_tol * scale).all())
