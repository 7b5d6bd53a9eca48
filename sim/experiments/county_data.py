"""A real county's yearbook figures (县统计年鉴 / 卫生统计) -> a county config and calibration targets.

Input: a long CSV, one figure per row, columns ``item,level,value[,source]`` (``level`` empty where none)::

    item,level,value,source
    population,,520000,2023 county yearbook table 3-1
    population,0-14,85000,...          # residents by age band (0-14, 15-44, 45-64, 65+); shares are derived
    population,urban,210000,...        # county-seat (城关镇) residents -> world.urban_share
    facilities,township,19,...         # township health centres; village = village clinics
    beds,township,900,...              # all township centres' beds together (spread evenly per centre)
    beds,county,1100,...               # one row per county-level public hospital (its beds)
    visits,village,1450000,...         # outpatient visits 诊疗人次 by level: village, township, county, out_of_county
    admissions,township,21000,...      # admissions 入院人次 by level: township, county, out_of_county
    fund,village,21000000,...          # fund payments 医保基金支出 (yuan) by level: village, township, county,
                                       # out_of_county

Output of :func:`county_from_csv`: a scenario overlay (``extends: default``, the county's population, age shares,
facilities and beds at ``world.reference_population`` = its population) and a calibration targets file
(``scenario:`` the overlay) with the derived shares and rates: primary visit share, in-county visit rate, visits
per resident, admission rate, in-county admission rate, primary and out-of-county fund shares, fund per resident.
Only figures present in the CSV give targets. Tolerances default to 10% of the value (at least 0.02 for shares);
fitted parameters default to the level constants of the facility choice. Command line::

    python -m sim.experiments.county_data county.csv OUTDIR
    countysim calibrate OUTDIR/targets.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.config.loader import ConfigError, load_config
from sim.results.atomic import write_text_atomic

AGE_BANDS = ("0-14", "15-44", "45-64", "65+")
VISIT_LEVELS = ("village", "township", "county", "out_of_county")
ADMISSION_LEVELS = ("township", "county", "out_of_county")
DEFAULT_PARAMETERS = {
    "choice.asc_outpatient.county": {"low": -1.5, "high": 1.0},
    "choice.asc_outpatient.city": {"low": -2.0, "high": 1.0},
    "choice.asc_inpatient.township": {"low": -3.0, "high": 1.0},
    "choice.asc_inpatient.city": {"low": 1.0, "high": 6.0},
}


def read_county_csv(path: str | Path) -> pd.DataFrame:
    """The CSV as a table (item, level, value, source); raises ConfigError naming the bad row."""
    try:
        t = pd.read_csv(path, dtype={"item": str, "level": str}, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise ConfigError(f"{path}: cannot read the county CSV ({exc})") from None
    missing = {"item", "level", "value"} - set(t.columns)
    if missing:
        raise ConfigError(f"{path}: missing columns {sorted(missing)}; expected item,level,value[,source]")
    if "source" not in t.columns:
        t["source"] = ""
    t["item"], t["level"] = t["item"].str.strip(), t["level"].str.strip()
    values = pd.to_numeric(t["value"], errors="coerce")
    bad = t[values.isna() | (values < 0)]
    if len(bad):
        r = bad.index[0]
        raise ConfigError(f"{path} row {r + 2}: value {t.loc[r, 'value']!r} of {t.loc[r, 'item']},"
                          f"{t.loc[r, 'level']}: expected a number >= 0")
    t["value"] = values
    return t


def _get(t: pd.DataFrame, item: str, level: str = "") -> float | None:
    rows = t[(t["item"] == item) & (t["level"] == level)]
    return float(rows["value"].sum()) if len(rows) else None


def _source(t: pd.DataFrame, item: str) -> str:
    s = sorted({x for x in t.loc[t["item"] == item, "source"] if x})
    return "; ".join(s)


def county_from_csv(path: str | Path, name: str | None = None) -> tuple[dict, dict]:
    """(scenario overlay, targets) mappings from a county CSV (see the module docstring)."""
    t = read_county_csv(path)
    name = name or Path(path).stem
    pop = _get(t, "population")
    if not pop:
        raise ConfigError(f"{path}: needs a row population,,<residents>")
    overlay: dict[str, Any] = {"extends": "default", "name": name,
                               "description": f"county from {Path(path).name} (sim/experiments/county_data.py)",
                               "population": int(pop), "world": {"reference_population": int(pop)}}
    ages = [_get(t, "population", b) for b in AGE_BANDS]
    if all(a is not None for a in ages):
        total = sum(ages)
        overlay["demography"] = {"age_shares": {b: round(a / total, 4) for b, a in zip(AGE_BANDS, ages)}}
    urban = _get(t, "population", "urban")
    if urban is not None:
        overlay["world"]["urban_share"] = round(urban / pop, 4)
    thcs, clinics = _get(t, "facilities", "township"), _get(t, "facilities", "village")
    if thcs:
        overlay["world"]["townships"] = int(thcs)
    if clinics:
        overlay["world"]["village_clinics"] = int(clinics)
    thc_beds = _get(t, "beds", "township")
    if thc_beds is not None and thcs:
        overlay["world"]["thc_beds"] = int(round(thc_beds / thcs))
    county_beds = t.loc[(t["item"] == "beds") & (t["level"] == "county"), "value"]
    if len(county_beds):
        overlay["world"]["county_hospital_beds"] = [int(b) for b in county_beds]
    load_config(overlay)  # fails here, naming the field, if the county does not make a valid scenario

    targets: list[dict] = []

    def add(kpi: str, value: float, share: bool, item: str, how: str) -> None:
        tol = max(0.1 * abs(value), 0.02) if share else 0.1 * abs(value)
        targets.append({"kpi": kpi, "value": round(value, 6), "tolerance": round(tol, 6),
                        "source": f"{Path(path).name}: {how}" + (f" ({_source(t, item)})" if _source(t, item) else "")})

    visits = {lv: _get(t, "visits", lv) for lv in VISIT_LEVELS}
    if all(v is not None for v in visits.values()) and sum(visits.values()) > 0:
        vt = sum(visits.values())
        add("primary_visit_share", (visits["village"] + visits["township"]) / vt, True, "visits",
            "village + township visits / all visits")
        add("in_county_visit_rate", 1 - visits["out_of_county"] / vt, True, "visits", "in-county visits / all visits")
        add("visits_per_capita", vt / pop, False, "visits", "visits / population")
    adm = {lv: _get(t, "admissions", lv) for lv in ADMISSION_LEVELS}
    if all(v is not None for v in adm.values()) and sum(adm.values()) > 0:
        at = sum(adm.values())
        add("admission_rate", at / pop, False, "admissions", "admissions / population")
        add("in_county_admission_rate", 1 - adm["out_of_county"] / at, True, "admissions",
            "in-county admissions / all admissions")
    fund = {lv: _get(t, "fund", lv) for lv in VISIT_LEVELS}
    if all(v is not None for v in fund.values()) and sum(fund.values()) > 0:
        ft = sum(fund.values())
        add("primary_fund_share", (fund["village"] + fund["township"]) / ft, True, "fund",
            "fund to village + township / all fund payments")
        add("out_of_county_fund_share", fund["out_of_county"] / ft, True, "fund",
            "fund to out-of-county hospitals / all fund payments")
        add("fund_per_resident", ft / pop, False, "fund", "fund payments / population")
    if not targets:
        raise ConfigError(f"{path}: no visits, admissions or fund rows by level: nothing to calibrate against")
    spec = {"name": f"{name}_targets", "scenario": f"{name}.yaml", "seeds": 3, "population": int(pop), "years": 1,
            "method": "nelder-mead", "max_trials": 40, "parameters": DEFAULT_PARAMETERS, "targets": targets}
    return overlay, spec


def write_county(path: str | Path, out: str | Path, name: str | None = None) -> tuple[Path, Path]:
    """Write ``<out>/<name>.yaml`` (the county) and ``<out>/targets.yaml``; returns both paths."""
    overlay, spec = county_from_csv(path, name)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    county, targets = out / f"{overlay['name']}.yaml", out / "targets.yaml"
    write_text_atomic(county, yaml.safe_dump(overlay, sort_keys=False, allow_unicode=True))
    write_text_atomic(targets, yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    return county, targets


if __name__ == "__main__":  # pragma: no cover - thin command line
    if len(sys.argv) != 3:
        print("usage: python -m sim.experiments.county_data COUNTY.csv OUTDIR", file=sys.stderr)
        sys.exit(2)
    try:
        for p in write_county(sys.argv[1], sys.argv[2]):
            print(f"wrote {p}")
    except ConfigError as exc:
        print(f"county_data: {exc}", file=sys.stderr)
        sys.exit(2)
