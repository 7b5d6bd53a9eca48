"""Chronic-disease capitation 慢病按人头包干 (``docs/sources/payment_rules.md`` §3.5, Suixi [B]).

The fund pays ``rate`` yuan per enrolled hypertension/diabetes patient (per disease) and year instead of
paying its share of those patients' in-community follow-up visits. With ``split_basis = 'surplus'`` (default)
the community first pays each level the fund's share of the capitated follow-ups it gave (the care of the
enrolled, what the fund would have paid), and splits what is left, the surplus 结余 (negative: a deficit),
county : township : village (default 2 : 5 : 3)::

    surplus        = rate × enrolled − Σ_levels care_cost_l
    level amount_l = care_cost_l + split_l × surplus                  (Σ amount_l = rate × enrolled)
    a deficit (surplus < 0): amount_l = care_cost_l × rate × enrolled / Σ care_cost   (borne pro rata to care)

With ``'payment'`` (the engine's earlier rule) the whole capitation is split 2 : 5 : 3, whoever gave the care.
Within a level, the care part goes to the facilities by their own care cost and the split part by their share
of the level's capitated visits that year (equal parts where there were none).
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


def care_cost_table(op: pd.DataFrame) -> pd.DataFrame:
    """The fund's share of capitated follow-ups by ``community, year, level``: ``care_cost`` (yuan).

    ``op`` : priced outpatient claims with ``capitated``, ``fund_payment``, ``level`` (and ``community``)."""
    cols = ["community", "year", "level"]
    if not len(op) or not op["capitated"].any():
        return pd.DataFrame({"community": pd.Series(dtype=np.int64), "year": pd.Series(dtype=np.int64),
                             "level": pd.Series(dtype=np.int64), "care_cost": pd.Series(dtype=float)})
    c = op.loc[op["capitated"]]
    c = c.assign(community=c.get("community", 0))
    out = c.groupby(cols, as_index=False)["fund_payment"].sum().rename(columns={"fund_payment": "care_cost"})
    return out.astype({"community": np.int64, "year": np.int64, "level": np.int64})


def split_capitation(by_level: pd.DataFrame, care_cost: pd.DataFrame, cfg: CapitationConfig) -> pd.DataFrame:
    """Capitation per community, year and level under the split rule: ``community, year, level, amount,
    care_cost, surplus_part`` (yuan; ``amount = care_cost + surplus_part``; the amounts of a community-year add
    up to ``rate × enrolled``).

    ``by_level`` : :func:`capitation_by_level` (the whole payment split ``split``); ``care_cost`` :
    :func:`care_cost_table`. ``split_basis = 'payment'``: ``amount`` as in ``by_level``, ``care_cost`` reported,
    ``surplus_part = amount − care_cost`` (what the level keeps beyond the fund's share of its care)."""
    if by_level.empty:
        return by_level.assign(care_cost=pd.Series(dtype=float), surplus_part=pd.Series(dtype=float))
    key = ["community", "year", "level"]
    out = by_level.merge(care_cost, on=key, how="left").fillna({"care_cost": 0.0})
    if cfg.split_basis == "surplus":
        split = cfg.split.as_array()
        pair = ["community", "year"]
        paid = out.groupby(pair)["amount"].transform("sum").to_numpy()
        care = out.groupby(pair)["care_cost"].transform("sum").to_numpy()
        surplus = paid - care
        # a surplus is split 2:5:3; a deficit is borne in proportion to the care given (each level's care paid at
        # the same discount paid / care), so no level's capitation is negative
        # (only where there is a deficit, care > paid >= 0, so the ratio stays below 1: no overflow on tiny care)
        deficit = surplus < 0
        deficit_rate = np.zeros(len(out))
        deficit_rate[deficit] = paid[deficit] / care[deficit] - 1.0
        out["surplus_part"] = np.where(surplus >= 0, split[out["level"].to_numpy(np.int64)] * surplus,
                                       out["care_cost"].to_numpy() * deficit_rate)
        out["amount"] = out["care_cost"] + out["surplus_part"]
    else:
        out["surplus_part"] = out["amount"] - out["care_cost"]
    return out[key + ["amount", "care_cost", "surplus_part"]]


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
