"""Facility levels of the county system and their integer codes.

The integer code is used in every array (facility tables, episodes, claims):
0 village clinic 村卫生室, 1 township health centre 乡镇卫生院, 2 county
hospital 县级医院, 3 city tertiary hospital 市级三级医院 (out of county),
4 provincial hospital 省级医院 (out of county).
"""

from __future__ import annotations

VILLAGE, TOWNSHIP, COUNTY, CITY, PROVINCE = 0, 1, 2, 3, 4
LEVEL_NAMES: tuple[str, ...] = ("village", "township", "county", "city", "province")
LEVEL_NAMES_ZH: tuple[str, ...] = ("村卫生室", "乡镇卫生院", "县级医院", "市级医院", "省级医院")
N_LEVELS = len(LEVEL_NAMES)

#: levels inside the county (and inside the medical community 医共体)
IN_COUNTY_MAX_LEVEL = COUNTY
#: primary care (基层): village clinics and township health centres
PRIMARY_MAX_LEVEL = TOWNSHIP

SEVERITY_NAMES: tuple[str, ...] = ("mild", "moderate", "severe")
SCHEME_NAMES: tuple[str, ...] = ("resident", "employee")  # 城乡居民医保, 职工医保


def level_code(name: str) -> int:
    """Integer code of a level name (``'township'`` -> 1); raises ``KeyError`` for unknown names."""
    return LEVEL_NAMES.index(name)
