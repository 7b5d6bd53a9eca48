"""Synthetic claims tables in the schema of :mod:`sim.model.claims`, for examples, tests and benchmarks.

Not a model of anything: conditions, costs and referral shares are plausible magnitudes only
(``docs/sources/payment_rules.md`` §1.9 weights; ``docs/sources/calibration_data.md`` §9 costs), so the payment
engine can be exercised without running a simulation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.codes import (
    CHRONIC,
    CITY,
    COUNTY,
    DAYS_PER_YEAR,
    REFERRED_DOWN,
    REFERRED_INCAPABLE,
    SELF,
    TOWNSHIP,
    year_month,
)

#: (DRG code, RW, setting 0 outpatient/1 inpatient/2 chronic, cost at township, county, city) — yuan
CONDITIONS = (
    ("FV29", 0.5155, 1, 2400, 4200, 6000), ("ES45", 0.3924, 1, 2700, 5040, 9000),
    ("ES4G", 0.6682, 1, 3200, 6000, 10000), ("GE29", 0.9662, 1, 4700, 7800, 12000),
    ("KS39", 0.6524, 1, 3100, 5760, 8500), ("IU29", 0.4975, 1, 2560, 4560, 7000),
    ("BR15", 2.3905, 1, 6000, 10800, 18000), ("FR19", 4.0222, 1, 9000, 14400, 35000),
    ("IE25", 5.5400, 1, 15000, 26400, 40000), ("OB29", 1.7645, 1, 5000, 9000, 12000),
    ("DT19", np.nan, 0, 90, 225, 410), ("GW19", np.nan, 0, 100, 250, 425), ("IU29", np.nan, 0, 110, 275, 450),
    ("JS49", np.nan, 0, 90, 225, 400), ("GZ19", np.nan, 0, 105, 260, 425), ("IS29", np.nan, 0, 125, 310, 475),
    ("DZ19", np.nan, 0, 100, 250, 425), ("NS19", np.nan, 0, 110, 275, 450), ("DW19", np.nan, 0, 125, 310, 475),
    ("OZ19", np.nan, 0, 110, 250, 410), ("LU15", np.nan, 0, 110, 250, 410), ("FR59", np.nan, 0, 125, 310, 475),
    ("ET25", np.nan, 0, 125, 300, 450),
    ("FV29", np.nan, 2, 90, 180, 300), ("KS39", np.nan, 2, 120, 220, 330),
)


@dataclass
class SyntheticClaims:
    """Tables for :func:`sim.settlement.settle`: inpatient, outpatient, per-condition arrays and facility levels."""

    inpatient: pd.DataFrame
    outpatient: pd.DataFrame
    drg_codes: tuple[str, ...]
    rw: np.ndarray
    chronic_condition: np.ndarray
    facility_level: np.ndarray


def synthetic_facilities(n_county: int = 2, n_township: int = 18, n_village: int = 300) -> np.ndarray:
    """(F,) level codes: county hospitals, township centres, village clinics, one city and one provincial hospital."""
    return np.r_[np.full(n_county, COUNTY), np.full(n_township, TOWNSHIP), np.zeros(n_village, int), CITY, CITY + 1]


def synthetic_claims(n_admissions: int = 2000, years: int = 1, seed: int = 0, n_residents: int | None = None,
                     outpatient_rows_per_month: int = 2000, single_visits: bool = False) -> SyntheticClaims:
    """Random claims: ``n_admissions`` per year (plus referral segments) and outpatient rows.

    About 6% of admissions are referred up once (a second segment one level higher, same episode),
    and 8% of county admissions are referred down to a township centre (path ``referred_down``).
    ``single_visits`` writes one row per visit with ``resident, day, visit_id`` instead of aggregates.
    """
    rng = np.random.default_rng(seed)
    levels = synthetic_facilities()
    by_level = {lv: np.flatnonzero(levels == lv) for lv in range(5)}
    cond = pd.DataFrame(CONDITIONS, columns=["drg", "rw", "setting", "c1", "c2", "c3"])
    cost = np.c_[cond["c1"] * 0.4, cond["c1"], cond["c2"], cond["c3"], cond["c3"] * 1.3].astype(float)
    inp = np.flatnonzero(cond["setting"] == 1)
    n = n_admissions * years
    n_res = n_residents or max(10, n_admissions * 5)

    c = rng.choice(inp, n)
    lvl = rng.choice([TOWNSHIP, COUNTY, CITY, CITY + 1], n, p=[0.28, 0.55, 0.13, 0.04])
    admit = rng.integers(0, DAYS_PER_YEAR * years - 20, n)
    days = rng.poisson(6, n) + 1
    seg0 = pd.DataFrame({"episode_id": np.arange(n), "segment": 0, "resident": rng.integers(0, n_res, n),
                         "condition_index": c, "severity": rng.integers(0, 3, n), "level": lvl,
                         "scheme": (rng.random(n) < 0.12).astype(np.int64), "admit_day": admit, "days": days,
                         "path_code": SELF, "first_level": lvl, "readmission": rng.random(n) < 0.04})
    up = seg0[(rng.random(n) < 0.06) & (seg0["level"] < CITY + 1)].copy()
    up["segment"], up["level"], up["path_code"] = 1, up["level"] + 1, REFERRED_INCAPABLE
    up["admit_day"] = up["admit_day"] + up["days"]
    up["days"] = rng.poisson(5, len(up)) + 1
    down = seg0[(rng.random(n) < 0.08) & (seg0["level"] == COUNTY)].copy()
    down["segment"], down["level"], down["path_code"] = 1, TOWNSHIP, REFERRED_DOWN
    down["admit_day"] = down["admit_day"] + down["days"]
    down["days"] = rng.poisson(8, len(down)) + 1
    ip = pd.concat([seg0, up, down], ignore_index=True)
    m = len(ip)
    ip["facility_index"] = [0] * m
    for lv, idx in by_level.items():
        sel = ip["level"].to_numpy() == lv
        ip.loc[sel, "facility_index"] = rng.choice(idx, sel.sum())
    ip["discharge_day"] = np.minimum(ip["admit_day"] + ip["days"], DAYS_PER_YEAR * years - 1)
    ip["days"] = ip["discharge_day"] - ip["admit_day"]
    y, mo = year_month(ip["discharge_day"].to_numpy())
    ip["year"], ip["month"] = y, mo
    ci = ip["condition_index"].to_numpy()
    ip["total_cost"] = cost[ci, ip["level"].to_numpy()] * rng.lognormal(-0.08, 0.4, m)
    ip["in_county"] = ip["level"] <= COUNTY
    ip["unreferred_out"] = (ip["level"] >= CITY) & (ip["path_code"] == SELF)
    ip["open_at_end"] = False
    ip["drg_code"] = cond["drg"].to_numpy(dtype=object)[ci]
    ip["rw"] = cond["rw"].to_numpy()[ci]
    ip = ip.sort_values(["discharge_day", "episode_id", "segment"], kind="stable").reset_index(drop=True)

    opc = np.flatnonzero(cond["setting"] != 1)
    k = outpatient_rows_per_month * 12 * years
    op_lvl = rng.choice([0, TOWNSHIP, COUNTY, CITY], k, p=[0.35, 0.3, 0.3, 0.05])
    fac = np.array([rng.choice(by_level[lv]) for lv in range(4)], dtype=object)
    facility = np.empty(k, dtype=np.int64)
    for lv in range(4):
        sel = op_lvl == lv
        facility[sel] = rng.choice(by_level[lv], sel.sum())
    del fac
    op_c = rng.choice(opc, k)
    if single_visits:
        day = rng.integers(0, DAYS_PER_YEAR * years, k)
        yy, mm = year_month(day)
        op = pd.DataFrame({"visit_id": np.arange(k), "day": day, "resident": rng.integers(0, n_res, k),
                           "facility_index": facility, "condition_index": op_c,
                           "scheme": (rng.random(k) < 0.12).astype(np.int64), "referred": rng.random(k) < 0.03,
                           "total_cost": cost[op_c, op_lvl] * rng.lognormal(-0.05, 0.3, k), "year": yy, "month": mm,
                           "visits": 1, "level": op_lvl})
    else:
        visits = rng.integers(1, 60, k)
        op = pd.DataFrame({"year": np.repeat(np.arange(years), outpatient_rows_per_month * 12),
                           "month": np.tile(np.repeat(np.arange(1, 13), outpatient_rows_per_month), years),
                           "facility_index": facility, "condition_index": op_c,
                           "scheme": (rng.random(k) < 0.12).astype(np.int64), "referred": rng.random(k) < 0.03,
                           "visits": visits, "total_cost": visits * cost[op_c, op_lvl], "level": op_lvl})
        op = op.groupby(["year", "month", "facility_index", "condition_index", "scheme", "referred"],
                        as_index=False).agg(visits=("visits", "sum"), total_cost=("total_cost", "sum"),
                                            level=("level", "first"))
    return SyntheticClaims(inpatient=ip, outpatient=op, drg_codes=tuple(cond["drg"]), rw=cond["rw"].to_numpy(),
                           chronic_condition=(cond["setting"] == CHRONIC).to_numpy(), facility_level=levels)
