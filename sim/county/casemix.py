"""The case-mix table: conditions, their DRG groups, incidence, severity, capability, LOS and cost.

One row per condition (see ``configs/casemix/README.md`` for every column and
its sources). Loaded into arrays indexed by condition code so the daily step
can look up any property of thousands of episodes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.codes import INPATIENT, LEVEL_NAMES, N_LEVELS, SETTINGS
from sim.config.loader import ConfigError
from sim.config.scenario import AGE_BANDS

SEX_CODES = {"all": -1, "male": 0, "female": 1}

COLUMNS = (
    ["code", "name", "name_zh", "drg_code", "drg_name", "setting", "sex", "base_group", "rw"]
    + [f"inc_{b}" for b in AGE_BANDS]
    + ["sev_mild", "sev_moderate", "sev_severe", "min_level_mild", "min_level_moderate", "min_level_severe"]
    + [f"los_{n}" for n in LEVEL_NAMES[1:]]
    + [f"cost_{n}" for n in LEVEL_NAMES]
    + ["recovery_eligible", "recovery_fraction", "readmit_30d", "source"]
)
#: optional columns: the CHS-DRG 3.0 age split (≥70 years) of a condition's group, e.g. ES45 -> ES4G
OPTIONAL_COLUMNS = ("drg_code_70plus", "rw_70plus")
#: age (years) from which the ``drg_code_70plus`` group applies (CHS-DRG 3.0 suffixes E/F/G/H,
#: docs/sources/payment_rules.md §1.2)
ELDERLY_DRG_AGE = 70
#: weight ratio of an age-split (≥70) group to its base group when the table gives none: ES4G/ES45 (§1.9) [S]
ELDERLY_RW_FACTOR = round(0.6682 / 0.3924, 4)


@dataclass(frozen=True)
class Casemix:
    """Conditions as arrays; ``C`` = number of conditions, levels as in :mod:`sim.codes`.

    Attributes
    ----------
    codes : condition codes, length C.
    drg_codes : CHS-DRG code of each condition, length C.
    setting : (C,) int, 0 outpatient, 1 inpatient, 2 chronic follow-up.
    sex : (C,) int, -1 both sexes, 0 male only, 1 female only.
    base_group : (C,) bool, DRG is a national base group 基础病组.
    rw : (C,) relative weight of the DRG.
    drg_codes_70plus : DRG code for patients aged 70 or over (same as ``drg_codes`` where no age split).
    rw_70plus : (C,) relative weight of that group.
    incidence : (C, 4) episodes per 1,000 residents per year by age band.
    severity_shares : (C, 3) share mild / moderate / severe.
    min_level : (C, 3) lowest level able to treat each severity.
    los : (C, 5) mean length of stay in days by level (NaN where not treated; outpatient all NaN).
    cost : (C, 5) yuan per visit (outpatient/chronic) or per stay (inpatient), moderate case, by level.
    recovery_eligible : (C,) bool, recovery phase can be referred down.
    recovery_fraction : (C,) share of a county stay that is recovery phase.
    readmit_30d : (C,) probability of a 30-day readmission.
    table : the validated table itself.
    """

    codes: tuple[str, ...]
    drg_codes: tuple[str, ...]
    setting: np.ndarray
    sex: np.ndarray
    base_group: np.ndarray
    rw: np.ndarray
    drg_codes_70plus: tuple[str, ...]
    rw_70plus: np.ndarray
    incidence: np.ndarray
    severity_shares: np.ndarray
    min_level: np.ndarray
    los: np.ndarray
    cost: np.ndarray
    recovery_eligible: np.ndarray
    recovery_fraction: np.ndarray
    readmit_30d: np.ndarray
    table: pd.DataFrame

    @property
    def n(self) -> int:
        return len(self.codes)

    def index(self, code: str) -> int:
        """Row index of a condition code; ``ConfigError`` if unknown."""
        try:
            return self.codes.index(code)
        except ValueError:
            raise ConfigError(f"unknown condition code '{code}' (known: {', '.join(self.codes)})") from None

    def drg_of(self, condition: np.ndarray, age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """DRG code (object array) and relative weight of episodes, by condition index and age in years."""
        old = np.asarray(age) >= ELDERLY_DRG_AGE
        codes = np.where(old, np.asarray(self.drg_codes_70plus, dtype=object)[condition],
                         np.asarray(self.drg_codes, dtype=object)[condition])
        return codes, np.where(old, self.rw_70plus[condition], self.rw[condition])

    def consult_cost(self) -> np.ndarray:
        """(5,) cost of one consultation at each level, yuan: the median outpatient cost there (0 where none);
        a referral consultation (an incapable facility, or a gatekeeping referral) is charged this."""
        op_rows = self.setting != INPATIENT
        with np.errstate(all="ignore"):
            return np.nan_to_num(np.nanmedian(np.where(op_rows[:, None], self.cost, np.nan), axis=0))

    def of_setting(self, setting: int) -> np.ndarray:
        """Indices of conditions of one setting."""
        return np.flatnonzero(self.setting == setting)


def _bool_column(df: pd.DataFrame, col: str, where: str) -> np.ndarray:
    raw = df[col].astype(str).str.strip().str.lower()
    bad = ~raw.isin(["true", "false", "1", "0"])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ConfigError(f"{where}: row '{df['code'].iloc[i]}', column '{col}' = {df[col].iloc[i]!r}: "
                          "expected true or false")
    return raw.isin(["true", "1"]).to_numpy()


def _numeric(df: pd.DataFrame, cols: list[str], where: str) -> np.ndarray:
    out = np.empty((len(df), len(cols)))
    for j, col in enumerate(cols):
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna() & (df[col].astype(str).str.strip() != "")
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ConfigError(f"{where}: row '{df['code'].iloc[i]}', column '{col}' = {df[col].iloc[i]!r}: "
                              "expected a number")
        if (values < 0).any():
            i = int(np.flatnonzero(values < 0)[0])
            raise ConfigError(f"{where}: row '{df['code'].iloc[i]}', column '{col}' = {values.iloc[i]}: "
                              "expected a number >= 0")
        out[:, j] = values.to_numpy(dtype=float)
    return out


def load_casemix(path: str | Path, incidence_scale: float = 1.0,
                 incidence_multipliers: dict[str, float] | None = None) -> Casemix:
    """Read and validate a case-mix CSV.

    Parameters
    ----------
    path : CSV file with the columns of ``COLUMNS``.
    incidence_scale : multiplier on all incidences.
    incidence_multipliers : per-condition multipliers ``{code: factor}``; unknown codes are errors.
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise ConfigError(f"{where}: case-mix table not found")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where}: not a readable CSV ({exc})") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ConfigError(f"{where}: missing column(s) {', '.join(missing)}")
    if df["code"].isna().any() or df["code"].duplicated().any():
        dup = df["code"][df["code"].duplicated()].tolist()
        raise ConfigError(f"{where}: column 'code' must be unique and non-empty (duplicates: {dup})")
    bad_setting = ~df["setting"].isin(SETTINGS)
    if bad_setting.any():
        i = int(np.flatnonzero(bad_setting)[0])
        raise ConfigError(f"{where}: row '{df['code'].iloc[i]}', column 'setting' = {df['setting'].iloc[i]!r}: "
                          f"expected one of {', '.join(SETTINGS)}")
    bad_sex = ~df["sex"].isin(SEX_CODES)
    if bad_sex.any():
        i = int(np.flatnonzero(bad_sex)[0])
        raise ConfigError(f"{where}: row '{df['code'].iloc[i]}', column 'sex' = {df['sex'].iloc[i]!r}: "
                          "expected all, male or female")

    setting = df["setting"].map(SETTINGS.index).to_numpy(dtype=np.int8)
    incidence = np.nan_to_num(_numeric(df, [f"inc_{b}" for b in AGE_BANDS], where)) * incidence_scale
    sev = _numeric(df, ["sev_mild", "sev_moderate", "sev_severe"], where)
    min_level = _numeric(df, ["min_level_mild", "min_level_moderate", "min_level_severe"], where)
    los = np.full((len(df), N_LEVELS), np.nan)
    los[:, 1:] = _numeric(df, [f"los_{n}" for n in LEVEL_NAMES[1:]], where)
    cost = _numeric(df, [f"cost_{n}" for n in LEVEL_NAMES], where)
    rw = np.nan_to_num(_numeric(df, ["rw"], where)[:, 0])
    for col in OPTIONAL_COLUMNS:
        if col not in df:
            df[col] = np.nan
    drg = df["drg_code"].fillna("").str.strip()
    drg70 = df["drg_code_70plus"].fillna("").astype(str).str.strip()
    drg70 = drg70.where(drg70 != "", drg)
    rw70 = _numeric(df, ["rw_70plus"], where)[:, 0]
    # an age-split group without its own weight: scale by the ES45 -> ES4G ratio of
    # docs/sources/payment_rules.md §1.9 [S]
    rw70 = np.where(np.isnan(rw70), np.where(drg70 != drg, rw * ELDERLY_RW_FACTOR, rw), rw70)
    rec_frac = np.nan_to_num(_numeric(df, ["recovery_fraction"], where)[:, 0])
    readmit = np.nan_to_num(_numeric(df, ["readmit_30d"], where)[:, 0])

    for i, code in enumerate(df["code"]):
        row = f"{where}: row '{code}'"
        if np.isnan(sev[i]).any() or abs(sev[i].sum() - 1) > 1e-6:
            raise ConfigError(f"{row}: severity shares {sev[i].tolist()} must sum to 1")
        if np.isnan(min_level[i]).any() or (min_level[i] > N_LEVELS - 1).any() or (np.diff(min_level[i]) < 0).any():
            raise ConfigError(f"{row}: min_level_* = {min_level[i].tolist()}: expected levels 0-4, "
                              "non-decreasing with severity")
        lo = int(min_level[i, 0])
        if setting[i] == INPATIENT:
            if lo < 1:
                raise ConfigError(f"{row}: column 'min_level_mild' = {lo}: inpatient care needs level >= 1 "
                                  "(village clinics do not admit)")
            if np.isnan(los[i, lo:]).any():
                raise ConfigError(f"{row}: los_* must be given at every level from {LEVEL_NAMES[lo]} up")
        if np.isnan(cost[i, lo:]).any():
            raise ConfigError(f"{row}: cost_* must be given at every level from {LEVEL_NAMES[lo]} up")
        if not 0 <= rec_frac[i] < 1 or not 0 <= readmit[i] <= 1:
            raise ConfigError(f"{row}: recovery_fraction must lie in [0, 1) and readmit_30d in [0, 1]")

    codes = tuple(df["code"])
    multipliers = np.ones(len(df))
    for code, factor in (incidence_multipliers or {}).items():
        if code not in codes:
            raise ConfigError(f"casemix.incidence_multipliers: unknown condition code '{code}' "
                              f"(not in {where})")
        multipliers[codes.index(code)] = factor
    incidence = incidence * multipliers[:, None]

    return Casemix(
        codes=codes, drg_codes=tuple(drg), drg_codes_70plus=tuple(drg70), rw_70plus=rw70, setting=setting,
        sex=df["sex"].map(SEX_CODES).to_numpy(dtype=np.int8),
        base_group=_bool_column(df, "base_group", where), rw=rw,
        incidence=incidence, severity_shares=sev, min_level=min_level.astype(np.int8), los=los,
        cost=cost, recovery_eligible=_bool_column(df, "recovery_eligible", where),
        recovery_fraction=rec_frac, readmit_30d=readmit, table=df,
    )
