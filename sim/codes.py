"""Codes shared by every layer, defined once: facility levels, severities, insurance schemes, care
settings, referral paths and the calendar.

Integer codes are what the arrays hold (facility tables, episodes, claims):

* level: 0 village clinic 村卫生室, 1 township health centre 乡镇卫生院, 2 county hospital 县级医院,
  3 city tertiary hospital 市级三级医院 (out of county), 4 provincial hospital 省级医院 (out of county);
* setting of a condition: 0 outpatient, 1 inpatient, 2 chronic follow-up (two-disease 两病 refills);
* referral path (``path`` column of a claim): how the patient reached the treating facility;
* calendar: 365-day years, calendar months 1-12; simulation years are 0-based.
"""

from __future__ import annotations

import numpy as np

# -- facility levels ----------------------------------------------------------------------------------
VILLAGE, TOWNSHIP, COUNTY, CITY, PROVINCE = 0, 1, 2, 3, 4
LEVEL_NAMES: tuple[str, ...] = ("village", "township", "county", "city", "province")
LEVEL_NAMES_ZH: tuple[str, ...] = ("村卫生室", "乡镇卫生院", "县级医院", "市级医院", "省级医院")
N_LEVELS = len(LEVEL_NAMES)
#: levels inside the county (and inside the medical community 医共体)
IN_COUNTY_MAX_LEVEL = COUNTY
#: primary care (基层): village clinics and township health centres
PRIMARY_MAX_LEVEL = TOWNSHIP
#: the first level outside the county
OUT_OF_COUNTY_MIN_LEVEL = CITY

SEVERITY_NAMES: tuple[str, ...] = ("mild", "moderate", "severe")
MILD, MODERATE, SEVERE = 0, 1, 2
SCHEME_NAMES: tuple[str, ...] = ("resident", "employee")  # 城乡居民医保, 职工医保

# -- care settings of a condition ---------------------------------------------------------------------
OUTPATIENT, INPATIENT, CHRONIC = 0, 1, 2
SETTINGS: tuple[str, ...] = ("outpatient", "inpatient", "chronic")

# -- referral paths -----------------------------------------------------------------------------------
SELF, REFERRED_INCAPABLE, REFERRED_CAPABLE, REFERRED_CAPACITY, REFERRED_DOWN, REDIRECTED_DOWN = range(6)
PATH_NAMES: tuple[str, ...] = ("self", "referred_up_incapable", "referred_up_capable", "referred_up_no_bed",
                               "referred_down", "redirected_down")
#: paths that count as an up-referral 上转
UP_PATHS = (REFERRED_INCAPABLE, REFERRED_CAPABLE, REFERRED_CAPACITY)
#: (paths,) bool by path code: ``IS_UP_PATH[path]`` is ``path in UP_PATHS`` as an array lookup
IS_UP_PATH = np.isin(np.arange(len(PATH_NAMES)), UP_PATHS)
#: paths that count as a down-referral 下转: recovery phase, or an admission redirected to a township centre
DOWN_PATHS = (REFERRED_DOWN, REDIRECTED_DOWN)
#: the recovery-phase segment of a stay (康复期下转), priced per bed-day
RECOVERY_PATH = REFERRED_DOWN

# -- calendar -----------------------------------------------------------------------------------------
DAYS_PER_YEAR = 365
MONTHS = 12
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
MONTH_OF_DAY = np.repeat(np.arange(12), _MONTH_DAYS)          # (365,) month index 0-11 of a day of the year
MONTH_START = np.concatenate([[0], np.cumsum(_MONTH_DAYS)])     # first day of each month


def level_code(name: str) -> int:
    """Integer code of a level name (``'township'`` -> 1); raises ``KeyError`` for unknown names."""
    return LEVEL_NAMES.index(name)


def year_month(day: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """Simulation year (0-based) and calendar month (1-12) of a simulation day (ints for an int day, as a
    daily caller needs them; arrays for an array)."""
    if isinstance(day, (int, np.integer)):
        year, day_of_year = divmod(int(day), DAYS_PER_YEAR)
        return year, int(MONTH_OF_DAY[day_of_year]) + 1
    day = np.asarray(day)
    return day // DAYS_PER_YEAR, MONTH_OF_DAY[day % DAYS_PER_YEAR] + 1


def is_month_end(days_done: int) -> bool:
    """True when ``days_done`` simulated days close a calendar month."""
    day_of_year = days_done % DAYS_PER_YEAR
    return bool(day_of_year == 0 or day_of_year in MONTH_START[1:])
