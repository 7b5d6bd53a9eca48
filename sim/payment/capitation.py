"""Chronic-disease capitation 慢病按人头包干 (``docs/sources/payment_rules.md`` §3.5, Suixi [B]).

The fund pays ``rate`` yuan per enrolled hypertension/diabetes patient (per disease) and year, split
across the community's levels county : township : village (default 2 : 5 : 3), instead of paying
its share of those patients' in-community follow-up visits. Within a level, a facility's part is its
share of the level's capitated visits that year (equal parts where there were none).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.codes import COUNTY, TOWNSHIP, VILLAGE
from sim.config.payment import CapitationConfig

COMMUNITY_LEVELS = (VILLAGE, TOWNSHIP, COUNTY)


def enrolled_table(enrolled, years: Sequence[int]) -> pd.DataFrame:
    """Normalise enrolment counts to a table ``community, year, enrolled`` (patient-diseases).

    ``enrolled`` : a number (every year, community 0), a sequence by year, a mapping ``{year: n}``, or a
    DataFrame with ``year, enrolled`` and optionally ``community``.
    """
    if enrolled is None:
        return pd.DataFrame({"community": pd.Series(dtype=np.int64), "year": pd.Series(dtype=np.int64),
                             "enrolled": pd.Series(dtype=float)})
    if isinstance(enrolled, pd.DataFrame):
        df = enrolled.copy()
        if "community" not in df:
            df["community"] = 0
        return df[["community", "year", "enrolled"]]
    if isinstance(enrolled, Mapping):
        items = list(enrolled.items())
    elif np.ndim(enrolled) == 0:
        items = [(y, float(enrolled)) for y in years]
    else:
        items = list(zip(years, enrolled))
    return pd.DataFrame({"community": 0, "year": [int(y) for y, _ in items], "enrolled": [float(n) for _, n in items]})


def capitation_by_level(enrolled: pd.DataFrame, cfg: CapitationConfig) -> pd.DataFrame:
    """Annual capitation per community, year and level: ``community, year, level, amount`` (yuan)."""
    if not cfg.enabled or enrolled.empty:
        return pd.DataFrame({"community": pd.Series(dtype=np.int64), "year": pd.Series(dtype=np.int64),
                             "level": pd.Series(dtype=np.int64), "amount": pd.Series(dtype=float)})
    split = cfg.split.as_array()
    rows = enrolled.loc[enrolled.index.repeat(len(COMMUNITY_LEVELS))].reset_index(drop=True)
    lv = np.tile(np.array(COMMUNITY_LEVELS), len(enrolled))
    return pd.DataFrame({"community": rows["community"].to_numpy(np.int64), "year": rows["year"].to_numpy(np.int64),
                         "level": lv, "amount": rows["enrolled"].to_numpy() * cfg.rate * split[lv]})


def allocate_to_facilities(by_level: pd.DataFrame, weights: pd.DataFrame, facility_level: np.ndarray) -> pd.DataFrame:
    """Spread per-level amounts over the facilities of each level.

    Parameters
    ----------
    by_level : ``community, year, level, amount``.
    weights : ``community, year, facility_index, weight`` (≥ 0); a facility's part is its weight over its
        level's total; a level with zero total weight is split equally among all its facilities.
    facility_level : (F,) level code of every facility.

    Returns ``community, year, facility_index, amount`` (yuan); the amounts of each level add up.
    """
    cols = ["community", "year", "facility_index", "amount"]
    if by_level.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c == "amount" else np.int64) for c in cols})
    fac = pd.DataFrame({"facility_index": np.arange(len(facility_level)), "level": facility_level})
    grid = by_level.merge(fac, on="level")
    w = weights.groupby(["community", "year", "facility_index"], as_index=False)["weight"].sum()
    grid = grid.merge(w, on=["community", "year", "facility_index"], how="left").fillna({"weight": 0.0})
    key = ["community", "year", "level"]
    tot = grid.groupby(key)["weight"].transform("sum")
    count = grid.groupby(key)["weight"].transform("size")
    share = np.where(tot > 0, grid["weight"] / tot.where(tot > 0, 1.0), 1.0 / count)
    grid["amount"] = grid["amount"] * share
    return grid[cols]
