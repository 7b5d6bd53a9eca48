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

from sim.budget.year_end import MONTHS
from sim.codes import COUNTY, LEVEL_NAMES

LEDGER_COLUMNS = ["community", "year", "month", "phase", "flow", "source", "target", "amount"]
PAYER = ("pool", "deposit", "risk_fund")
ACCOUNTS = PAYER + ("community", "patients") + LEVEL_NAMES
FLOWS = ("prepayment", "deposit_withheld", "risk_withheld", "claims_in_community", "claims_out_of_community",
         "claims_fund", "capitation", "patient_payment", "out_of_community_deduction", "deposit_returned",
         "deposit_forfeited", "risk_fund_draw", "settlement", "net_result")
PHASES = ("month", "year_end")
_A = {a: i for i, a in enumerate(ACCOUNTS)}
_F = {f: i for i, f in enumerate(FLOWS)}
_PROVIDER_CODES = np.arange(5, 5 + len(LEVEL_NAMES))
_PAYER_CODES = np.arange(len(PAYER))


class _Flows:
    """Columns of flows collected as arrays (account and flow names as integer codes)."""

    def __init__(self):
        self.cols: dict[str, list[np.ndarray]] = {c: [] for c in LEDGER_COLUMNS}

    def add(self, community, year, month, phase: int, flow: str, source, target, amount) -> None:
        amount = np.asarray(amount, dtype=float)
        n = len(amount)
        src = np.broadcast_to(np.asarray(source, dtype=np.int64), (n,))
        tgt = np.broadcast_to(np.asarray(target, dtype=np.int64), (n,))
        neg = amount < 0           # a negative transfer goes the other way
        for col, v in (("community", community), ("year", year), ("month", month), ("phase", phase),
                       ("flow", _F[flow]), ("source", np.where(neg, tgt, src)), ("target", np.where(neg, src, tgt)),
                       ("amount", np.abs(amount))):
            self.cols[col].append(np.broadcast_to(np.asarray(v), (n,)))

    def frame(self) -> pd.DataFrame:
        c = {k: np.concatenate(v) if v else np.zeros(0) for k, v in self.cols.items()}
        keep = c["amount"] != 0
        c = {k: v[keep] for k, v in c.items()}
        order = np.lexsort((c["phase"], c["month"], c["year"], c["community"]))
        c = {k: v[order] for k, v in c.items()}
        return pd.DataFrame({
            "community": c["community"].astype(np.int64), "year": c["year"].astype(np.int64),
            "month": c["month"].astype(np.int64),
            "phase": pd.Categorical.from_codes(c["phase"].astype(np.int64), categories=list(PHASES)),
            "flow": pd.Categorical.from_codes(c["flow"].astype(np.int64), categories=list(FLOWS)),
            "source": pd.Categorical.from_codes(c["source"].astype(np.int64), categories=list(ACCOUNTS)),
            "target": pd.Categorical.from_codes(c["target"].astype(np.int64), categories=list(ACCOUNTS)),
            "amount": c["amount"].astype(float)})


def build_ledger(claims: pd.DataFrame, capitation: pd.DataFrame, budget: pd.DataFrame | None,
                 schedule: pd.DataFrame | None) -> pd.DataFrame:
    """All flows of a run.

    Parameters
    ----------
    claims : ``community, year, month, level, package (bool), fund, oop`` — monthly sums of priced claims
        (``fund`` = fund payment to the provider).
    capitation : ``community, year, level, amount, package`` (yuan per year, paid in twelve equal parts;
        ``package``: the year has a global budget, so the community pays it).
    budget, schedule : from :func:`sim.budget.community.run_budget`, or None without a global budget.
    """
    on = budget is not None and len(budget) > 0
    fl = _Flows()
    comm, year, month = (claims[k].to_numpy(np.int64) for k in ("community", "year", "month"))
    lvl = claims["level"].to_numpy(np.int64) + _A[LEVEL_NAMES[0]]
    pkg = claims["package"].to_numpy(bool) & on
    inside = claims["level"].to_numpy() <= COUNTY
    fund = claims["fund"].to_numpy(float)
    for flow, sel, source in (("claims_in_community", pkg & inside, _A["community"]),
                              ("claims_out_of_community", pkg & ~inside, _A["pool"]),
                              ("claims_fund", ~pkg, _A["pool"])):
        fl.add(comm[sel], year[sel], month[sel], 0, flow, source, lvl[sel], fund[sel])
    fl.add(comm, year, month, 0, "patient_payment", _A["patients"], lvl, claims["oop"].to_numpy(float))
    if len(capitation):
        rep = np.repeat(np.arange(len(capitation)), MONTHS)
        in_pkg = capitation["package"].to_numpy(bool)[rep] if "package" in capitation else np.zeros(len(rep), bool)
        fl.add(capitation["community"].to_numpy(np.int64)[rep], capitation["year"].to_numpy(np.int64)[rep],
               np.tile(np.arange(1, MONTHS + 1), len(capitation)), 0, "capitation",
               np.where(in_pkg & on, _A["community"], _A["pool"]),
               capitation["level"].to_numpy(np.int64)[rep] + _A[LEVEL_NAMES[0]],
               capitation["amount"].to_numpy(float)[rep] / MONTHS)
    if on:
        sc = [schedule[k].to_numpy(np.int64) for k in ("community", "year", "month")]
        for flow, col, target in (("prepayment", "prepayment", "community"), ("deposit_withheld", "deposit", "deposit"),
                                  ("risk_withheld", "risk", "risk_fund")):
            fl.add(*sc, 0, flow, _A["pool"], _A[target], schedule[col].to_numpy(float))
        cy = (budget["community"].to_numpy(np.int64), budget["year"].to_numpy(np.int64), MONTHS, 1)
        for flow, source, target, col in (
                ("out_of_community_deduction", "community", "pool", "out_of_community_claims"),
                ("deposit_returned", "deposit", "community", "deposit_returned"),
                ("deposit_forfeited", "deposit", "pool", "deposit_forfeited"),
                ("risk_fund_draw", "risk_fund", "community", "risk_fund_draw"),
                ("settlement", "pool", "community", "settlement_transfer"),
                ("net_result", "community", "county", "share_county"),
                ("net_result", "community", "township", "share_township"),
                ("net_result", "community", "village", "share_village")):
            fl.add(*cy, flow, _A[source], _A[target], budget[col].to_numpy(float))
    return fl.frame()


def _key(community, year, month=0) -> np.ndarray:
    return (np.asarray(community, dtype=np.int64) * 10_000 + np.asarray(year, dtype=np.int64)) * 16 \
        + np.asarray(month, dtype=np.int64)


def _sums(key: np.ndarray, values: np.ndarray) -> dict[int, float]:
    if len(key) == 0:
        return {}
    u, inv = np.unique(key, return_inverse=True)
    return dict(zip(u.tolist(), np.bincount(inv, weights=values, minlength=len(u)).tolist()))


def payer_outflow(ledger: pd.DataFrame) -> float:
    """Money that left the fund's own accounts (pool, deposit, risk fund) in a ledger, net, yuan."""
    src = ledger["source"].cat.codes.to_numpy()
    tgt = ledger["target"].cat.codes.to_numpy()
    amt = ledger["amount"].to_numpy(float)
    payer_src, payer_tgt = np.isin(src, _PAYER_CODES), np.isin(tgt, _PAYER_CODES)
    return float(np.where(payer_src & ~payer_tgt, amt, 0.0).sum() - np.where(payer_tgt & ~payer_src, amt, 0.0).sum())


def check_ledger(ledger: pd.DataFrame, claims: pd.DataFrame, capitation: pd.DataFrame, budget: pd.DataFrame | None,
                 risk_cap_months: float = 3.0, risk_opening: float | None = None) -> pd.DataFrame:
    """Balance checks; one row per check, community, year and month (0 for a whole year).

    Monthly: providers' fund receipts = priced claims' fund payments + capitation; patients' payments =
    out-of-pocket; (budget) prepayment + deposit + risk withholds = B / 12. Yearly: the community's
    account and the deposit escrow close at 0; the risk fund's balance matches the budget and lies in
    [0, cap]; the payer's net outflow = providers' fund receipts incl. net results; (budget) prepaid +
    deposit + risk accrual = B. The risk fund runs from the opening balance of the ledger's first budget year
    (``risk_opening`` to give another). Columns: ``check, community, year, month, expected, actual, residual``.
    """
    rows: list[tuple] = []

    def add(name: str, expected: dict[int, float], actual: dict[int, float]) -> None:
        for k in sorted(set(expected) | set(actual)):
            e, a = expected.get(k, 0.0), actual.get(k, 0.0)
            cy, m = divmod(k, 16)
            c, y = divmod(cy, 10_000)
            rows.append((name, c, y, m, e, a, a - e))

    src = ledger["source"].cat.codes.to_numpy()
    tgt = ledger["target"].cat.codes.to_numpy()
    flow = ledger["flow"].cat.codes.to_numpy()
    amt = ledger["amount"].to_numpy(float)
    comm, year, month = (ledger[k].to_numpy(np.int64) for k in ("community", "year", "month"))
    km, ky = _key(comm, year, month), _key(comm, year)

    cap_rep = np.repeat(np.arange(len(capitation)), MONTHS)
    exp_fund = _sums(np.r_[_key(claims["community"], claims["year"], claims["month"]),
                           _key(capitation["community"].to_numpy()[cap_rep], capitation["year"].to_numpy()[cap_rep],
                                np.tile(np.arange(1, MONTHS + 1), len(capitation)))],
                     np.r_[claims["fund"].to_numpy(float), capitation["amount"].to_numpy(float)[cap_rep] / MONTHS])
    to_provider = np.isin(tgt, _PROVIDER_CODES) & np.isin(src, np.r_[_PAYER_CODES, _A["community"]]) \
        & (flow != _F["net_result"])
    add("provider_fund_receipts", exp_fund, _sums(km[to_provider], amt[to_provider]))
    from_patients = src == _A["patients"]
    add("patient_payments", _sums(_key(claims["community"], claims["year"], claims["month"]),
                                  claims["oop"].to_numpy(float)), _sums(km[from_patients], amt[from_patients]))
    payer_src, payer_tgt = np.isin(src, _PAYER_CODES), np.isin(tgt, _PAYER_CODES)
    net_out = np.where(payer_src & ~payer_tgt, amt, 0.0) - np.where(payer_tgt & ~payer_src, amt, 0.0)
    exp_out = _sums(np.r_[_key(claims["community"], claims["year"]), _key(capitation["community"], capitation["year"])],
                    np.r_[claims["fund"].to_numpy(float), capitation["amount"].to_numpy(float)])
    if budget is not None and len(budget):
        bk = _key(budget["community"], budget["year"])
        b = {c: dict(zip(bk.tolist(), budget[c].to_numpy(float).tolist())) for c in
             ("net_result", "budget_total", "prepaid", "deposit", "risk_fund_accrued", "risk_fund_balance",
              "risk_fund_opening")}
        zero = dict.fromkeys(b["net_result"], 0.0)
        for k, v in b["net_result"].items():
            exp_out[k] = exp_out.get(k, 0.0) + v
        inst = np.isin(flow, [_F["prepayment"], _F["deposit_withheld"], _F["risk_withheld"]])
        got = _sums(km[inst], amt[inst])
        add("monthly_instalment", {k: b["budget_total"][k // 16 * 16] / MONTHS for k in got}, got)

        def net(account: int) -> dict[int, float]:
            return _sums(ky, np.where(tgt == account, amt, 0.0) - np.where(src == account, amt, 0.0))

        add("community_closes_at_zero", zero, net(_A["community"]))
        add("deposit_closes_at_zero", zero, net(_A["deposit"]))
        risk_net = net(_A["risk_fund"])
        actual_bal, beyond = {}, {}
        running: dict[int, float] = {}
        for k in sorted(set(risk_net) | set(bk.tolist())):
            c = k // 160_000
            if c not in running:    # the first settled year's opening balance (a closed year's ledger alone)
                opening = b["risk_fund_opening"].get(k) if risk_opening is None else risk_opening
                running[c] = opening if opening is not None else 0.0
            running[c] = running[c] + risk_net.get(k, 0.0)
            if k in b["budget_total"]:
                actual_bal[k] = running[c]
                limit = max(risk_cap_months * b["budget_total"][k] / MONTHS, b["risk_fund_opening"][k])
                beyond[k] = max(running[c] - limit, 0.0) + max(-running[c], 0.0)
        add("risk_fund_balance", b["risk_fund_balance"], actual_bal)
        add("risk_fund_within_cap", zero, beyond)
        add("budget_identity", b["budget_total"],
            {k: b["prepaid"][k] + b["deposit"][k] + b["risk_fund_accrued"][k] for k in b["prepaid"]})
    # money moved between the fund's own accounts (pool, deposit, risk fund) is not spent
    add("payer_outflow", exp_out, _sums(ky, net_out))
    return pd.DataFrame(rows, columns=["check", "community", "year", "month", "expected", "actual", "residual"])


def ledger_balanced(checks: pd.DataFrame, rel_tol: float = 1e-9, abs_tol: float = 1e-6) -> bool:
    """True when every check's residual is within tolerance."""
    scale = np.maximum(np.abs(checks["expected"].to_numpy(float)), np.abs(checks["actual"].to_numpy(float)))
    return bool((np.abs(checks["residual"].to_numpy(float)) <= abs_tol + rel_tol * scale).all())
