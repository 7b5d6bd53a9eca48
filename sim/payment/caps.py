"""Annual fund caps per person 年度最高支付限额 (inpatient, general outpatient 门诊统筹, two-disease drugs 两病).

A cap limits what the fund pays for one person in one year; the rest falls to the patient. Claims
are taken in time order and each claim gets what is left under the cap::

    paid_before = Σ fund of the person's earlier claims in the year (same benefit)
    fund_capped = clip(cap − paid_before, 0, fund)

This is exact wherever claims carry ``resident`` (inpatient claims, single outpatient visits).
Aggregated outpatient rows (one per month, facility, condition, scheme, referral flag) do not: the
model then runs an :class:`OutpatientCapTracker` next to its claims recorder, which applies the same
rule visit by visit during the simulation and keeps, per aggregate row, the fund before and after
the cap; :func:`sim.settlement.settle.settle` scales each aggregate row by that ratio. Without a
tracker, caps are not applied to aggregated rows (the settlement reports ``outpatient_caps='none'``).
Rules: ``docs/sources/payment_rules.md`` §4.1 and §4.4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import year_month
from sim.config.insurance import CostSharingConfig
from sim.payment.cost_sharing import outpatient_fund, outpatient_ratio_tables

#: key columns of aggregated outpatient rows (as written by :class:`sim.model.claims.ClaimsRecorder`)
AGG_KEYS = ["year", "month", "facility_index", "condition_index", "scheme", "referred"]


def scheme_caps(cfg: CostSharingConfig) -> np.ndarray:
    """(2, 3) caps by scheme (resident, employee) and benefit (inpatient, outpatient, chronic); ``inf`` = none."""
    return np.array([cfg.scheme(s).caps() for s in (0, 1)])


def _group_cumsum(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` within each ``group``, in array order: the same numbers (bit for bit) as
    ``pd.Series(values).groupby(group, sort=False).cumsum()``, which adds with Kahan compensation."""
    n = len(values)
    perm = np.argsort(group, kind="stable")
    g = group[perm]
    new = np.empty(n, dtype=bool)
    new[:1] = True
    np.not_equal(g[1:], g[:-1], out=new[1:])
    if new.all():                      # every group has one member: the sum is the value
        return np.asarray(values, dtype=float).copy()
    return _sorted_group_cumsum(np.asarray(values, dtype=float)[perm], new)[np.argsort(perm)]


def _sorted_group_cumsum(f: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Kahan-compensated running sum of ``f`` within contiguous groups (``new`` marks each group's first
    element), position by position across all groups at once (the loop runs over the largest group's size)."""
    n = len(f)
    cum = f.copy()
    starts = np.flatnonzero(new)
    size = np.diff(np.append(starts, n))
    multi = size > 1
    st, size = starts[multi], size[multi]
    acc = f[st]
    comp = np.zeros(len(st))
    for j in range(1, int(size.max(initial=1))):
        keep = size > j
        if not keep.all():
            st, size, acc, comp = st[keep], size[keep], acc[keep], comp[keep]
        y = f[st + j] - comp
        t = acc + y
        comp = (t - acc) - y
        acc = t
        cum[st + j] = t
    return cum


def cap_in_order(fund: np.ndarray, group: np.ndarray, order: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Apply a cumulative cap within groups, claims taken in ``order``.

    Parameters
    ----------
    fund : (n,) uncapped fund payments, yuan.
    group : (n,) int64 group id (e.g. person-year-benefit).
    order : (n,) int64 permutation giving the time order of the claims.
    cap : (n,) cap of each claim's group, yuan (``inf`` = none).

    Returns (n,) capped fund, yuan; claims fully under the cap keep their exact value.
    """
    if len(fund) == 0 or not np.isfinite(cap).any():
        return np.asarray(fund, dtype=float).copy()
    f = fund[order]
    cum = _group_cumsum(f, group[order])
    before = cum - f
    capped = np.where(cum <= cap[order], f, np.clip(cap[order] - before, 0.0, f))
    out = np.empty(len(fund))
    out[order] = capped
    return out


def person_year_group(resident: np.ndarray, year: np.ndarray, slot: np.ndarray) -> np.ndarray:
    """One int64 id per (resident, year, benefit slot)."""
    resident = np.asarray(resident, dtype=np.int64)
    year = np.asarray(year, dtype=np.int64)
    slot = np.asarray(slot, dtype=np.int64)
    n_slot = int(slot.max()) + 1 if len(slot) else 1
    n_year = int(year.max()) + 1 if len(year) else 1
    return (resident * n_year + year) * n_slot + slot


def outpatient_slot(condition: np.ndarray, chronic_condition: np.ndarray) -> np.ndarray:
    """Benefit slot of outpatient visits: 0 general pooling, 1 + condition index for a two-disease visit
    (the two-disease cap is per disease)."""
    condition = np.asarray(condition, dtype=np.int64)
    return np.where(chronic_condition[condition], condition + 1, 0)


def cap_outpatient_visits(visits: pd.DataFrame, fund: np.ndarray, chronic_condition: np.ndarray,
                          cfg: CostSharingConfig) -> np.ndarray:
    """Exact caps on single outpatient visits (columns ``resident, day, visit_id, year, condition_index, scheme``).

    Order: day, then resident, then ``visit_id``, then row order. Returns (n,) capped fund, yuan.
    """
    caps = scheme_caps(cfg)
    chronic = chronic_condition[visits["condition_index"].to_numpy(np.int64)]
    cap = np.where(chronic, caps[visits["scheme"].to_numpy(np.int64), 2], caps[visits["scheme"].to_numpy(np.int64), 1])
    res = visits["resident"].to_numpy(np.int64)
    order = np.lexsort((np.arange(len(visits)), visits["visit_id"].to_numpy(), res, visits["day"].to_numpy()))
    slot = outpatient_slot(visits["condition_index"], chronic_condition)
    group = person_year_group(res, visits["year"].to_numpy(), slot)
    return cap_in_order(fund, group, order, cap)


def cap_inpatient(claims: pd.DataFrame, fund: np.ndarray, cfg: CostSharingConfig) -> np.ndarray:
    """Exact annual inpatient fund cap per person: claims in order of discharge day, episode, segment.

    Needs ``resident, year, scheme`` (and ``discharge_day``, ``episode_id``, ``segment`` for the order).
    Returns (n,) capped fund, yuan.
    """
    cap = scheme_caps(cfg)[claims["scheme"].to_numpy(np.int64), 0]
    if "resident" not in claims or not np.isfinite(cap).any():
        return np.asarray(fund, dtype=float).copy()
    keys = [claims[c].to_numpy() for c in ("segment", "episode_id", "discharge_day") if c in claims]
    order = np.lexsort([np.arange(len(claims))] + keys)
    group = person_year_group(claims["resident"].to_numpy(), claims["year"].to_numpy(), np.zeros(len(claims)))
    return cap_in_order(fund, group, order, cap)


def add_binned(total: np.ndarray, key: np.ndarray, values: np.ndarray, scratch: np.ndarray) -> None:
    """``total += np.bincount(key, values, minlength=len(total))`` with the same sums, touching only the cells
    in ``key`` (a day's few visits against a month's large key space). ``scratch`` (same shape as ``total``)
    is all zeros before and after."""
    np.add.at(scratch, key, values)    # in row order from 0, as bincount adds
    total[key] = total[key] + scratch[key]
    scratch[key] = 0.0


class OutpatientCapTracker:
    """Applies the outpatient caps visit by visit during a simulation, for aggregated claims.

    Call :meth:`add` with exactly the arguments given to :meth:`sim.model.claims.ClaimsRecorder.add_outpatient`;
    :meth:`table` returns one row per aggregate key with ``fund_uncapped`` and ``fund_capped`` (yuan),
    which :func:`sim.settlement.settle.settle` uses to scale aggregated rows (``outpatient_caps=``).

    Parameters
    ----------
    cfg : the scenario's cost-sharing rules.
    facility_level : (F,) level code of each facility.
    chronic_condition : (C,) bool, condition is a two-disease follow-up.
    n_residents : residents (index range of ``resident``).
    """

    def __init__(self, cfg: CostSharingConfig, facility_level: np.ndarray, chronic_condition: np.ndarray,
                 n_residents: int):
        self.cfg = cfg
        self._ratios = outpatient_ratio_tables(cfg)
        self.level = np.asarray(facility_level, dtype=np.int64)
        self.chronic = np.asarray(chronic_condition, dtype=bool)
        self.F, self.C = len(self.level), len(self.chronic)
        self.caps = scheme_caps(cfg)
        chronic_idx = np.flatnonzero(self.chronic)
        self._slot = np.zeros(self.C, dtype=np.int64)
        self._slot[chronic_idx] = np.arange(1, len(chronic_idx) + 1)
        self._benefit = np.where(self._slot > 0, 2, 1)                # column of ``caps``, by condition
        self._paid = np.zeros((len(chronic_idx) + 1, n_residents))   # fund paid so far this year, by slot
        self._day_sum = np.zeros(self.F * self.C * 4)                 # scratch: one day's sums by key, kept at 0
        self._mark = np.zeros(self._paid.size, dtype=np.intp)         # scratch: a row of the day, by slot-resident
        self._year = 0
        self._month = (0, 1)
        self._rows: list[dict[str, np.ndarray]] = []      # a month's rows, as columns
        self._reset_bins()

    def set_rules(self, cfg: CostSharingConfig) -> None:
        """Switch to another year's cost-sharing rules (a reform); caps already used this year stay used."""
        self.cfg = cfg
        self._ratios = outpatient_ratio_tables(cfg)
        self.caps = scheme_caps(cfg)

    def _reset_bins(self) -> None:
        size = self.F * self.C * 4
        self._unc = np.zeros(size)
        self._cap = np.zeros(size)

    def _flush(self) -> None:
        nz = np.flatnonzero(self._unc > 0)
        rest, referred = np.divmod(nz, 2)
        rest, scheme = np.divmod(rest, 2)
        facility, condition = np.divmod(rest, self.C)
        self._rows.append({
            "year": np.full(len(nz), self._month[0], dtype=np.int64),
            "month": np.full(len(nz), self._month[1], dtype=np.int64), "facility_index": facility,
            "condition_index": condition, "scheme": scheme, "referred": referred.astype(bool),
            "fund_uncapped": self._unc[nz], "fund_capped": self._cap[nz]})
        self._reset_bins()

    def add(self, day: int, facility: np.ndarray, condition: np.ndarray, scheme: np.ndarray, referred: np.ndarray,
            cost: np.ndarray, resident: np.ndarray, visit_id: np.ndarray,
            ratio_cut: np.ndarray | float = 0.0) -> None:
        """Book one day's outpatient visits (the claims recorder's arguments, plus the visits' ratio cut
        in share points under the referral rules in force)."""
        year, month = year_month(int(day))
        if (year, month) != self._month:
            self._flush()
            if year != self._year:
                self._paid[:] = 0.0
                self._year = year
            self._month = (year, month)
        if len(facility) == 0:
            return
        facility = np.asarray(facility, dtype=np.int64)
        condition = np.asarray(condition, dtype=np.int64)
        scheme = np.asarray(scheme, dtype=np.int64)
        resident = np.asarray(resident, dtype=np.int64)
        fund = outpatient_fund(np.asarray(cost, dtype=float), self.level[facility], scheme, self.chronic[condition],
                               self._ratios, ratio_cut)
        slot = self._slot[condition]
        paid = self._paid.reshape(-1)                                  # a view: flat index slot * N + resident
        cell = slot * self._paid.shape[1] + resident
        # cap left to each visit's person and benefit at the start of the day
        cap = np.maximum(self.caps[scheme, self._benefit[condition]] - paid[cell], 0.0)
        # a visit alone under its person and benefit today (the usual case) gets min(fund, cap)
        capped = np.minimum(fund, cap)
        rows = np.arange(len(cell))
        mark = self._mark
        mark[cell] = rows                                              # one row per cell wins
        shared = mark[cell] != rows                                    # rows that lost: their cell has 2+ visits
        if not shared.any():
            paid[cell] += capped
        else:
            # cells with several visits: visits in order (visit id, then row) and a running sum per cell
            several = shared.copy()
            several[mark[cell[shared]]] = True
            idx = np.flatnonzero(several)
            sel = idx[np.lexsort((np.asarray(visit_id)[idx], cell[idx]))]
            g = cell[sel]
            new = np.empty(len(g), dtype=bool)
            new[0] = True
            np.not_equal(g[1:], g[:-1], out=new[1:])
            f = fund[sel]
            cum = _sorted_group_cumsum(f, new)
            c = cap[sel]
            capped[sel] = np.where(cum <= c, f, np.clip(c - (cum - f), 0.0, f))
            alone = ~several
            paid[cell[alone]] += capped[alone]
            np.add.at(paid, cell[idx], capped[idx])                    # in row order, as one add.at of all rows
        key = ((facility * self.C + condition) * 2 + scheme) * 2 + np.asarray(referred, dtype=np.int64)
        add_binned(self._unc, key, fund, self._day_sum)
        add_binned(self._cap, key, capped, self._day_sum)


    def table(self) -> pd.DataFrame:
        """Fund before and after the caps per aggregate key (``AGG_KEYS``), yuan."""
        self._flush()
        rows = [r for r in self._rows if len(r["year"])]
        if not rows:
            return pd.DataFrame(columns=AGG_KEYS + ["fund_uncapped", "fund_capped"])
        table = pd.DataFrame({k: np.concatenate([r[k] for r in rows]) for k in rows[0]})
        return table.groupby(AGG_KEYS, as_index=False).sum()
