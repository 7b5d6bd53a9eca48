"""Claims: what every episode cost and where, collected during a run.

Inpatient claims are one row per stay segment (a referral chain's segments
share ``episode_id``). Outpatient visits are aggregated by month, facility,
condition, insurance scheme and referral flag unless the run asks for single
visits (``output.claims: all``). Fund and out-of-pocket columns are added by
the payment engine at settlement.

Referral paths (``path`` column): how the patient reached the treating facility. ``ratio_cut`` is the
reimbursement-ratio cut the scenario's referral rules impose on the claim (:mod:`sim.policy.rules`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import COUNTY, LEVEL_NAMES, PATH_NAMES, year_month
from sim.payment.caps import add_binned


class ClaimsRecorder:
    """Collects claims during a run.

    Parameters
    ----------
    n_facilities, n_conditions : table sizes for outpatient aggregation.
    last_day : last simulated day; stays still open at the end are dated on it.
    individual_outpatient : keep one row per outpatient visit as well.
    """

    def __init__(self, n_facilities: int, n_conditions: int, last_day: int, individual_outpatient: bool = False):
        self.F, self.C = n_facilities, n_conditions
        self.last_day = last_day
        self._inpatient: list[dict[str, np.ndarray]] = []
        self._op_month_rows: list[dict[str, np.ndarray]] = []     # a month's aggregate rows, as columns
        self._op_visits: list[dict[str, np.ndarray]] = []
        self._op_month_start = 0
        self.individual_outpatient = individual_outpatient
        self._reset_month()

    # -- inpatient ---------------------------------------------------------------------------
    def add_inpatient(self, stays: dict[str, np.ndarray], discharge_day: np.ndarray, scheme: np.ndarray,
                      ratio_cut: np.ndarray, unreferred_out: np.ndarray, drg_code: np.ndarray, rw: np.ndarray,
                      open_at_end: bool = False, coding: dict[str, np.ndarray] | None = None) -> None:
        """Book closed stay segments (from :class:`~sim.model.ward.Ward`) as claims.

        ``ratio_cut`` (share points), ``unreferred_out`` (bool), ``drg_code`` and ``rw`` (relative weight) come
        from the rules and the patient's age at booking; all (n,). ``coding`` : optional (n,) columns
        ``severity_coded``, ``rw_true`` (the weight of the true severity; ``rw`` is the coded one) and
        ``audit_detected`` (supervision found the claim coded above the case). ``ffs_equivalent_cost`` =
        total cost × the stay's ``norm_factor`` (its cost under fee-for-service behaviour); ``self_pay_cost`` =
        total cost × ``self_pay_share`` (billed outside the payment list)."""
        if len(stays["episode_id"]) == 0:
            return
        days = discharge_day - stays["admit_day"]
        total = stays["fixed_cost"] + stays["per_day_cost"] * days
        level = stays["level"]
        year, month = year_month(np.minimum(discharge_day, self.last_day))  # discharge dates the claim
        self._inpatient.append({
            "episode_id": stays["episode_id"], "segment": stays["segment"], "resident": stays["resident"],
            "condition_index": stays["condition"], "severity": stays["severity"], "facility_index": stays["facility"],
            "level": level, "scheme": scheme, "admit_day": stays["admit_day"], "discharge_day": discharge_day,
            "year": year, "month": month, "days": days, "total_cost": total, "path_code": stays["path"],
            "first_level": stays["first_level"], "readmission": stays["readmission"],
            "in_county": level <= COUNTY, "drg_code": drg_code, "rw": rw,
            "unreferred_out": unreferred_out, "ratio_cut": ratio_cut,
            "open_at_end": np.full(len(days), open_at_end),
            "ffs_equivalent_cost": total * stays["norm_factor"],
            "self_pay_cost": total * stays["self_pay_share"],
            **({} if coding is None else coding),
        })

    # -- outpatient --------------------------------------------------------------------------
    def _reset_month(self) -> None:
        size = self.F * self.C * 4
        self._op_count = np.zeros(size)
        self._op_cost = np.zeros(size)
        self._scratch = np.zeros(size)     # all zeros between calls (see add_binned)

    def add_outpatient(self, day: int, facility: np.ndarray, condition: np.ndarray, scheme: np.ndarray,
                       referred: np.ndarray, cost: np.ndarray, resident: np.ndarray, visit_id: np.ndarray) -> None:
        """Book outpatient visits of one day."""
        key = ((facility * self.C + condition) * 2 + scheme) * 2 + referred
        add_binned(self._op_count, key, np.ones(len(key)), self._scratch)
        add_binned(self._op_cost, key, cost, self._scratch)
        if self.individual_outpatient:
            n = len(facility)
            self._op_visits.append({"visit_id": visit_id, "day": np.full(n, day), "resident": resident,
                                    "facility_index": facility, "condition_index": condition,
                                    "scheme": scheme, "referred": referred.astype(bool), "total_cost": cost})

    def close_month(self, year: int, month: int, ratio_cut) -> None:
        """Turn the month's outpatient counters into aggregate rows.

        ``ratio_cut(condition, facility, referred) -> (n,)`` gives each row's reimbursement cut under the
        rules of the month."""
        nz = np.flatnonzero(self._op_count)
        rest, referred = np.divmod(nz, 2)
        rest, scheme = np.divmod(rest, 2)
        facility, condition = np.divmod(rest, self.C)
        self._op_month_rows.append({
            "year": np.full(len(nz), year, dtype=np.int64), "month": np.full(len(nz), month, dtype=np.int64),
            "facility_index": facility, "condition_index": condition, "scheme": scheme,
            "referred": referred.astype(bool), "visits": self._op_count[nz].astype(np.int64),
            "total_cost": self._op_cost[nz], "ratio_cut": ratio_cut(condition, facility, referred.astype(bool))})
        if self.individual_outpatient and self._op_month_start < len(self._op_visits):
            for v in self._op_visits[self._op_month_start:]:
                v["ratio_cut"] = ratio_cut(v["condition_index"], v["facility_index"], v["referred"])
        self._op_month_start = len(self._op_visits)
        self._reset_month()

    # -- results -----------------------------------------------------------------------------
    def inpatient_table(self) -> pd.DataFrame:
        """All inpatient claims, ordered by discharge day then episode."""
        if not self._inpatient:
            return pd.DataFrame({k: np.zeros(0) for k in ("episode_id", "segment", "level", "scheme", "total_cost",
                                                           "unreferred_out", "year", "month")})
        df = _frame(self._inpatient)
        return df.sort_values(["discharge_day", "episode_id", "segment"], kind="stable").reset_index(drop=True)

    def outpatient_table(self) -> pd.DataFrame:
        """Outpatient visits aggregated by year, month, facility, condition, scheme, referral flag."""
        if not self._op_month_rows:
            return pd.DataFrame(columns=["year", "month", "facility_index", "condition_index", "scheme", "referred",
                                         "visits", "total_cost"])
        return _frame(self._op_month_rows)

    def outpatient_visits(self) -> pd.DataFrame | None:
        """Single outpatient visits (only with ``individual_outpatient``)."""
        if not self.individual_outpatient:
            return None
        if not self._op_visits:
            return pd.DataFrame()
        df = _frame(self._op_visits)
        df["year"], df["month"] = year_month(df["day"].to_numpy())
        return df


def _frame(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """One table from batches of equal-length columns (a day's or a month's rows each), in order."""
    return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})


def label_claims(df: pd.DataFrame, codes: tuple[str, ...], drg_codes: tuple[str, ...], base_group: np.ndarray,
                 facility_ids: np.ndarray, facility_levels: np.ndarray | None = None) -> pd.DataFrame:
    """Add readable columns (condition code, DRG, base-group flag, facility id, level name, path name)."""
    out = df.copy()
    ci = out["condition_index"].to_numpy(np.int64)
    out["condition"] = pd.Categorical(np.asarray(codes, dtype=object)[ci], categories=list(codes))
    if "drg_code" not in out:     # inpatient claims carry the age-resolved group already
        out["drg_code"] = np.asarray(drg_codes, dtype=object)[ci]
    out["base_group"] = base_group[ci]
    out["facility"] = np.asarray(facility_ids, dtype=object)[out["facility_index"].to_numpy(np.int64)]
    if "level" not in out and facility_levels is not None:
        out["level"] = facility_levels[out["facility_index"].to_numpy(np.int64)]
    out["level_name"] = pd.Categorical(np.asarray(LEVEL_NAMES, dtype=object)[out["level"].to_numpy(np.int64)],
                                       categories=list(LEVEL_NAMES))
    if "path_code" in out:
        out["referral_path"] = pd.Categorical(np.asarray(PATH_NAMES, dtype=object)[out["path_code"].to_numpy(np.int64)],
                                              categories=list(PATH_NAMES))
    return out
