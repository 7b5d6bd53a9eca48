"""Household bills and equity: who pays, who is ruined, who receives the fund's money.

One row per household 户 and year (:func:`household_bills`), then KPIs by year (:func:`equity_kpis`):
catastrophic health expenditure (CHE, 灾难性卫生支出) at 10 % and 25 % of consumption and 40 % of capacity to pay
(non-food consumption), its intensity (mean positive overshoot), impoverishment, concentration indices of
out-of-pocket spending, admissions and fund benefit (ranked by per-capita income, person-weighted), and benefit
incidence by income quintile. Definitions and calibration: ``docs/protection.md``;
``docs/sources/behaviour_evidence.md §9``.

Out-of-pocket is the household's inpatient out-of-pocket after all layers (``household_oop`` of the claims; the
model keeps outpatient claims by resident only with ``output.claims: all``, then they count too) plus an
unmodelled part (care the model does not simulate), a household draw from its own generator keyed by seed and
year: two scenarios on one seed draw the same unmodelled spending.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

BILL_COLUMNS = ("year", "household", "size", "rural", "income_per_capita", "income_quintile", "assistance_group",
                "consumption", "capacity_to_pay", "modelled_oop", "unmodelled_oop", "oop", "fund_benefit",
                "cii_payment", "assistance_payment", "admissions", "visits", "che_10", "che_25", "che_40",
                "impoverished")

_UNMODELLED_SALT = 0x5052_4F54  # own generator: no simulation draw moves


def weighted_quintile(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Quintile 1 (poorest) to 5 of ``x``, each holding a fifth of the weight ``w`` (persons)."""
    order = np.argsort(x, kind="stable")
    q = np.empty(len(x), dtype=np.int8)
    if len(x):
        ws = np.asarray(w, dtype=float)[order]
        frac = (np.cumsum(ws) - ws / 2.0) / ws.sum()
        q[order] = np.minimum((frac * 5).astype(int), 4) + 1
    return q


def concentration_index(y: np.ndarray, rank_by: np.ndarray, w: np.ndarray | None = None) -> float:
    """Concentration index of ``y`` ranked by ``rank_by`` (poorest first), weighted by ``w``; in [-1, 1].

    ``C = 2 cov_w(y, R) / mean_w(y)`` with ``R`` the weighted fractional rank; negative = concentrated among
    the poor. NaN when ``y`` has no mass."""
    y = np.asarray(y, dtype=float)
    w = np.ones_like(y) if w is None else np.asarray(w, dtype=float)
    if len(y) == 0 or w.sum() <= 0:
        return float("nan")
    order = np.argsort(rank_by, kind="stable")
    y, w = y[order], w[order]
    W = w.sum()
    R = (np.cumsum(w) - w / 2.0) / W
    mu = (w * y).sum() / W
    if mu == 0:
        return float("nan")
    return float(2.0 * (w * (y - mu) * (R - 0.5)).sum() / (W * mu))


def household_bills(household: np.ndarray, income: np.ndarray, township: np.ndarray, inpatient: pd.DataFrame,
                    years: Sequence[int], cfg, seed: int, group: np.ndarray | None = None,
                    outpatient: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per household and year (:data:`BILL_COLUMNS`; yuan a year per household unless per capita).

    Parameters
    ----------
    household, income, township : (N,) population columns (household id, household per-capita income in yuan
        a year, home township; township 0 is the county seat, the rest rural).
    inpatient : claims with ``resident, year, segment, fund_payment, household_oop`` (optional
        ``cii_payment, assistance_payment``).
    cfg : :class:`~sim.config.protection.HouseholdBillsConfig`. seed : the run's seed (unmodelled draw).
    group : (N,) medical-assistance group (0 none), optional. outpatient : single visits with ``resident``
        (counted when given).
    """
    household = np.asarray(household, dtype=np.int64)
    H = int(household.max()) + 1 if len(household) else 0
    size = np.bincount(household, minlength=H).astype(float)
    first = np.full(H, -1, dtype=np.int64)
    first[household[::-1]] = np.arange(len(household))[::-1]
    inc = np.asarray(income, dtype=float)[first]
    rural = np.asarray(township)[first] != 0
    quint = weighted_quintile(inc, size)
    grp = np.asarray(group)[first] if group is not None else np.zeros(H, dtype=np.int8)
    share = np.where(rural, cfg.consumption_share_rural, cfg.consumption_share_urban)
    cons_pc = np.maximum(share * inc, cfg.consumption_floor)
    consumption = cons_pc * size
    ctp = consumption * (1.0 - cfg.food_share)
    ip = inpatient
    hh_ip = household[ip["resident"].to_numpy(np.int64)] if len(ip) else np.zeros(0, np.int64)
    yr_ip = ip["year"].to_numpy(np.int64) if len(ip) else np.zeros(0, np.int64)
    op_ok = outpatient is not None and len(outpatient) and "resident" in outpatient
    rows = []
    for y in years:
        s = yr_ip == y

        def per_hh(col, mask=s):
            return np.bincount(hh_ip[mask], weights=ip[col].to_numpy(float)[mask], minlength=H) if len(ip) \
                else np.zeros(H)

        modelled = per_hh("household_oop")
        cii = per_hh("cii_payment") if "cii_payment" in ip else np.zeros(H)
        aid = per_hh("assistance_payment") if "assistance_payment" in ip else np.zeros(H)
        fund = per_hh("fund_payment") + cii + aid
        adm = np.bincount(hh_ip[s & (ip["segment"].to_numpy() == 0)], minlength=H).astype(float) if len(ip) \
            else np.zeros(H)
        visits = np.zeros(H)
        if op_ok:
            o = outpatient[outpatient["year"].to_numpy(np.int64) == y]
            hh_op = household[o["resident"].to_numpy(np.int64)]
            modelled = modelled + np.bincount(hh_op, weights=o["household_oop"].to_numpy(float)
                                              if "household_oop" in o else o["oop_payment"].to_numpy(float),
                                              minlength=H)
            fund = fund + np.bincount(hh_op, weights=o["fund_payment"].to_numpy(float), minlength=H)
            visits = np.bincount(hh_op, minlength=H).astype(float)
        rng = np.random.default_rng([int(seed), _UNMODELLED_SALT, int(y)])
        sig = cfg.unmodelled_oop_sigma
        unmodelled = cfg.unmodelled_oop_per_capita * size * np.exp(sig * rng.standard_normal(H) - sig ** 2 / 2)
        oop = modelled + unmodelled
        t10, t25 = (list(cfg.che_thresholds) + [0.10, 0.25])[:2]
        rows.append(pd.DataFrame({
            "year": np.full(H, y, dtype=np.int64), "household": np.arange(H), "size": size, "rural": rural,
            "income_per_capita": inc, "income_quintile": quint, "assistance_group": grp, "consumption": consumption,
            "capacity_to_pay": ctp, "modelled_oop": modelled, "unmodelled_oop": unmodelled, "oop": oop,
            "fund_benefit": fund, "cii_payment": cii, "assistance_payment": aid, "admissions": adm, "visits": visits,
            "che_10": oop >= t10 * consumption, "che_25": oop >= t25 * consumption,
            "che_40": oop >= cfg.che_ctp_threshold * ctp,
            "impoverished": (cons_pc >= cfg.poverty_line) & (cons_pc - oop / np.maximum(size, 1) < cfg.poverty_line)}))
    if not rows:
        return pd.DataFrame({c: [] for c in BILL_COLUMNS})
    return pd.concat(rows, ignore_index=True)[list(BILL_COLUMNS)]


def _share(flag: np.ndarray, w: np.ndarray | None = None) -> float | None:
    if len(flag) == 0:
        return None
    return float(np.average(flag, weights=w)) if w is not None else float(np.mean(flag))


def equity_kpis(bills: pd.DataFrame, ctp_threshold: float = 0.40) -> dict[str, dict]:
    """Equity KPIs by year (``{year: {name: value}}``), shares of households unless said.

    ``che_10, che_25, che_40`` (CHE incidence), ``che_40_rural``, ``che_40_modelled`` (modelled out-of-pocket
    only), ``che_40_by_income_quintile`` and ``che_40_overshoot_by_income_quintile`` (intensity: mean
    ``oop / capacity_to_pay - 0.40`` among catastrophic households), ``impoverishment_rate``,
    ``oop_per_household`` (yuan), ``concentration_index_oop`` / ``_admissions`` / ``_fund`` (per capita, ranked
    by per-capita income, person-weighted), ``fund_share_by_income_quintile`` (benefit incidence: share of fund
    payments, basic plus both layers, received by each quintile), ``che_40_assistance_eligible``.
    """
    out: dict[str, dict] = {}
    for y, b in bills.groupby("year"):
        size = b["size"].to_numpy(float)
        inc = b["income_per_capita"].to_numpy(float)
        q = b["income_quintile"].to_numpy()
        ratio = b["oop"].to_numpy(float) / b["capacity_to_pay"].to_numpy(float)
        che = b["che_40"].to_numpy(bool)
        modelled_che = b["modelled_oop"].to_numpy(float) >= ctp_threshold * b["capacity_to_pay"].to_numpy(float)
        fund = b["fund_benefit"].to_numpy(float)
        fund_total = fund.sum()
        elig = b["assistance_group"].to_numpy() > 0
        k = {"che_10": _share(b["che_10"].to_numpy(bool)), "che_25": _share(b["che_25"].to_numpy(bool)),
             "che_40": _share(che), "che_40_rural": _share(che[b["rural"].to_numpy(bool)]),
             "che_40_modelled": _share(modelled_che),
             "che_40_by_income_quintile": {f"q{i}": _share(che[q == i]) for i in range(1, 6)},
             "che_40_overshoot_by_income_quintile": {
                 f"q{i}": float(np.mean(ratio[(q == i) & che] - ctp_threshold)) if np.any((q == i) & che) else None
                 for i in range(1, 6)},
             "che_40_assistance_eligible": _share(che[elig]) if elig.any() else None,
             "impoverishment_rate": _share(b["impoverished"].to_numpy(bool)),
             "oop_per_household": float(b["oop"].mean()) if len(b) else None,
             "modelled_oop_per_household": float(b["modelled_oop"].mean()) if len(b) else None,
             "concentration_index_oop": concentration_index(b["oop"].to_numpy(float) / size, inc, size),
             "concentration_index_admissions": concentration_index(b["admissions"].to_numpy(float) / size, inc,
                                                                   size),
             "concentration_index_fund": concentration_index(fund / size, inc, size),
             "fund_share_by_income_quintile": {f"q{i}": float(fund[q == i].sum() / fund_total) if fund_total else None
                                               for i in range(1, 6)}}
        out[str(int(y))] = k
    return out


def protection_kpis(ledger: pd.DataFrame, inpatient: pd.DataFrame) -> dict[str, dict]:
    """The layers' money by year: ``cii_paid, assistance_paid, cii_fund_balance, assistance_fund_balance``
    (yuan) and ``protection_conserved`` (every claim: total = fund + both layers + household out-of-pocket)."""
    out: dict[str, dict] = {}
    if ledger is None or ledger.empty:
        return out
    for y, g in ledger.groupby("year"):
        c = g[g["fund"] == "critical_illness"].iloc[0]
        a = g[g["fund"] == "assistance"].iloc[0]
        ip = inpatient[inpatient["year"] == y] if len(inpatient) else inpatient
        ok = True
        if len(ip):
            parts = ip["fund_payment"] + ip["cii_payment"] + ip["assistance_payment"] + ip["household_oop"]
            ok = bool(np.allclose(parts.to_numpy(float), ip["total_cost"].to_numpy(float), rtol=1e-9, atol=1e-6))
        out[str(int(y))] = {"cii_paid": float(c["claims_paid"]), "assistance_paid": float(a["spending"]),
                            "cii_fund_balance": float(c["closing"]), "assistance_fund_balance": float(a["closing"]),
                            "protection_conserved": ok}
    return out
