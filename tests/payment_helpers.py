"""Small claims tables for the payment and budget tests (hand-checkable numbers)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import year_month
from sim.config.insurance import CostSharingConfig, LevelValues, Ratios, SchemeRules

INPATIENT_DEFAULTS = {"segment": 0, "resident": 0, "condition_index": 0, "severity": 1, "facility_index": 0,
                      "level": 2, "scheme": 0, "admit_day": 10, "days": 5, "path_code": 0, "first_level": 2,
                      "readmission": False, "unreferred_out": False, "open_at_end": False, "drg_code": "FV29",
                      "rw": 0.5155}


def inpatient(*rows: dict) -> pd.DataFrame:
    """Inpatient claims from partial rows (``total_cost`` required; ``episode_id`` defaults to the row number)."""
    recs = []
    for i, r in enumerate(rows):
        rec = {**INPATIENT_DEFAULTS, "episode_id": i, **r}
        rec.setdefault("discharge_day", rec["admit_day"] + rec["days"])
        recs.append(rec)
    df = pd.DataFrame(recs)
    y, m = year_month(df["discharge_day"].to_numpy())
    df["year"], df["month"] = y, m
    df["in_county"] = df["level"] <= 2
    return df


def no_outpatient() -> pd.DataFrame:
    return pd.DataFrame({"year": pd.Series(dtype=int), "month": pd.Series(dtype=int),
                         "facility_index": pd.Series(dtype=int), "condition_index": pd.Series(dtype=int),
                         "scheme": pd.Series(dtype=int), "referred": pd.Series(dtype=bool),
                         "visits": pd.Series(dtype=int), "total_cost": pd.Series(dtype=float),
                         "level": pd.Series(dtype=int)})


def full_cover() -> CostSharingConfig:
    """Cost sharing under which the fund pays every yuan (so claims' fund = their cost: easy budget examples)."""
    one = Ratios(village=1, township=1, county=1, city=1, province=1)
    rules = SchemeRules(inpatient_deductible=LevelValues(), inpatient_ratio=one, outpatient_ratio=one,
                        chronic_outpatient_ratio=one, inpatient_annual_fund_cap=None,
                        outpatient_annual_fund_cap=None, chronic_annual_fund_cap=None)
    return CostSharingConfig(resident=rules, employee=rules, in_catalogue_share=one,
                             unreferred_outcounty_penalty_pp=0.0)


def spending(in_community: float, out_of_community: float, year: int = 0) -> pd.DataFrame:
    """Two claims of one year whose fund payments (under :func:`full_cover`) are the given amounts (yuan)."""
    day = 365 * year + 100
    return inpatient({"total_cost": in_community, "level": 2, "admit_day": day, "resident": 1},
                     {"total_cost": out_of_community, "level": 3, "admit_day": day, "resident": 2,
                      "facility_index": 1})


def approx(a, b, tol=1e-6):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=0, atol=tol)
