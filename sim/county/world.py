"""The county: townships, villages, facilities and travel times.

Built synthetically from :class:`~sim.config.scenario.WorldConfig` (a square
county with the county seat 城关镇 at its centre) or loaded from two CSV files
describing a real county. Coordinates are in km; travel times in hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.codes import CITY, COUNTY, LEVEL_NAMES, PROVINCE, TOWNSHIP, VILLAGE
from sim.config.loader import ConfigError
from sim.config.scenario import WorldConfig

#: road distance is longer than the straight line
ROAD_FACTOR = 1.3
#: out-of-county hospitals have no bed limit for one county's patients
UNLIMITED_BEDS = 1_000_000_000


@dataclass(frozen=True)
class World:
    """Geography and facilities of one county.

    Attributes
    ----------
    facilities : one row per facility: id, name, level (int code), township (index, -1 outside the
        county), x, y (km), beds, doctors.
    villages : one row per village: id, township (index), population (weight), x, y (km),
        clinic (facility row of its village clinic).
    township_names : township names; index = township code.
    thc_of_township : facility row of each township's health centre, shape (T,).
    alternatives : (V, K) facility rows a resident of each village can choose first: own village
        clinic, own township centre, every county hospital, every out-of-county hospital.
    travel_hours : (V, K) travel time from the village to each alternative, hours.
    """

    facilities: pd.DataFrame
    villages: pd.DataFrame
    township_names: tuple[str, ...]
    thc_of_township: np.ndarray
    alternatives: np.ndarray
    travel_hours: np.ndarray

    @property
    def level(self) -> np.ndarray:
        return self.facilities["level"].to_numpy()

    @property
    def beds(self) -> np.ndarray:
        return self.facilities["beds"].to_numpy()

    def first_of_level(self, level: int) -> int:
        """Facility row of the first (largest) facility of a level: the referral target of that level."""
        rows = self.facilities.index[self.facilities["level"] == level]
        return int(rows[0])


def build_world(cfg: WorldConfig, population: int, rng: np.random.Generator) -> World:
    """Build the county from the config: from CSV files if given, otherwise synthetic."""
    if cfg.facilities_csv is not None:
        fac, vil = _read_csvs(Path(cfg.facilities_csv), Path(cfg.villages_csv))
    else:
        fac, vil = _synthetic(cfg, population, rng)
    return _assemble(fac, vil, cfg)


def _synthetic(cfg: WorldConfig, population: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    side = cfg.area_km
    centre = np.array([side / 2, side / 2])
    n_t = cfg.townships
    # township seats on a jittered grid; township 0 is the county seat at the centre
    g = int(np.ceil(np.sqrt(n_t)))
    cells = np.array([(i, j) for i in range(g) for j in range(g)], dtype=float)
    cells = cells[np.argsort(np.hypot(*(cells - (g - 1) / 2).T), kind="stable")][:n_t]
    seats = (cells + 0.5) / g * side + rng.uniform(-0.15, 0.15, size=cells.shape) * side / g
    seats[0] = centre
    radius = side / g / 2

    # township populations: the seat holds urban_share, the rest split with moderate variation
    rural_w = rng.lognormal(0.0, 0.3, size=n_t - 1) if n_t > 1 else np.zeros(0)
    t_pop = np.concatenate([[cfg.urban_share], (1 - cfg.urban_share) * rural_w / max(rural_w.sum(), 1e-12)])
    if n_t == 1:
        t_pop = np.array([1.0])
    # village clinics (社区卫生服务站 in the seat) in proportion to population, at least one per township
    n_v = max(cfg.village_clinics, n_t)
    per_t = np.maximum(1, np.floor(t_pop * (n_v - n_t)).astype(int) + 1)
    while per_t.sum() < n_v:
        per_t[np.argmax(t_pop * n_v - per_t)] += 1
    while per_t.sum() > n_v:
        per_t[np.argmax(np.where(per_t > 1, per_t - t_pop * n_v, -np.inf))] -= 1

    vil_rows = []
    for t in range(n_t):
        k = per_t[t]
        w = rng.lognormal(0.0, 0.4, size=k)
        w = w / w.sum() * t_pop[t]
        r = radius * (0.35 if t == 0 else 1.0) * np.sqrt(rng.uniform(0.05, 1.0, size=k))
        a = rng.uniform(0, 2 * np.pi, size=k)
        xy = np.clip(seats[t] + np.c_[r * np.cos(a), r * np.sin(a)], 0, side)
        for i in range(k):
            vil_rows.append((f"V{t:02d}{i:03d}", t, w[i] * population, xy[i, 0], xy[i, 1]))
    vil = pd.DataFrame(vil_rows, columns=["id", "township", "population", "x", "y"])

    names = ["城关镇"] + [f"T{t:02d}" for t in range(1, n_t)]
    scale = population / cfg.reference_population
    size = t_pop ** cfg.thc_beds_population_elasticity
    thc_beds = np.maximum(1, np.rint(cfg.thc_beds * scale * n_t * size / size.sum())).astype(int) if cfg.thc_beds \
        else np.zeros(n_t, dtype=int)
    fac_rows = []
    for h, beds in enumerate(cfg.county_hospital_beds):
        beds = max(1, round(beds * scale))
        name = ("县人民医院", "县中医院")[h] if h < 2 else f"县医院{h + 1}"
        fac_rows.append((f"CH{h + 1}", name, COUNTY, 0, centre[0] + 1.0 * h, centre[1] + 0.5 * h, beds,
                         round(beds * cfg.county_doctors_per_bed)))
    for t in range(n_t):
        fac_rows.append((f"THC{t:02d}", f"{names[t]}卫生院", TOWNSHIP, t, seats[t][0], seats[t][1], thc_beds[t],
                         max(1, round(thc_beds[t] * cfg.thc_doctors_per_bed))))
    for v in vil.itertuples():
        fac_rows.append((f"VC{v.id[1:]}", f"{v.id}村卫生室", VILLAGE, v.township, v.x, v.y, 0,
                         max(1, round(cfg.village_doctors_per_clinic))))
    fac_rows.append(("CITY1", "市第一人民医院", CITY, -1, centre[0] + cfg.city_distance_km, centre[1],
                     UNLIMITED_BEDS, 0))
    fac_rows.append(("PROV1", "省人民医院", PROVINCE, -1, centre[0] + cfg.province_distance_km, centre[1],
                     UNLIMITED_BEDS, 0))
    fac = pd.DataFrame(fac_rows, columns=["id", "name", "level", "township", "x", "y", "beds", "doctors"])
    fac.attrs["township_names"] = tuple(names)
    return fac, vil


def _read_csvs(fac_path: Path, vil_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    fac = _read_csv(fac_path, ["id", "name", "level", "township", "beds", "doctors"])
    vil = _read_csv(vil_path, ["id", "township", "population"])
    systems = {path: _coordinates(df, path) for df, path in ((fac, fac_path), (vil, vil_path))}
    if len(set(systems.values())) > 1:
        raise ConfigError(f"{fac_path}: coordinates in {systems[fac_path]} but {vil_path} has them in "
                          f"{systems[vil_path]}: expected both files in the same system (x,y in km or lat,lon)")
    for df, path in ((fac, fac_path), (vil, vil_path)):
        ids = df["id"].astype(str).str.strip()
        dup = ids.duplicated(keep="first")
        if dup.any():
            i = int(np.flatnonzero(dup)[0])
            first = int(np.flatnonzero(ids == ids.iloc[i])[0])
            raise ConfigError(f"{path}: row {i + 2}, column 'id' = {df['id'].iloc[i]!r}: duplicate of row {first + 2}; "
                              "expected unique ids")
    bad = ~fac["level"].isin(LEVEL_NAMES)
    if bad.any():
        raise ConfigError(f"{fac_path}: row {int(np.flatnonzero(bad)[0]) + 2}, column 'level' = "
                          f"{fac['level'][bad].iloc[0]!r}: expected one of {', '.join(LEVEL_NAMES)}")
    fac["level"] = fac["level"].map(LEVEL_NAMES.index)
    for col, df, path in (("beds", fac, fac_path), ("doctors", fac, fac_path), ("population", vil, vil_path)):
        values = pd.to_numeric(df[col].replace("", np.nan), errors="coerce")
        if col == "beds":
            values = values.where(~(values.isna() & (fac["level"] >= CITY)), UNLIMITED_BEDS)
        values = values.fillna(0) if col == "doctors" else values
        bad = values.isna() | (values < 0) | ~np.isfinite(values.to_numpy(dtype=float))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ConfigError(f"{path}: row {i + 2}, column '{col}' = {df[col].iloc[i]!r}: "
                              "expected a finite number >= 0")
        df[col] = values
    if vil["population"].sum() <= 0:
        raise ConfigError(f"{vil_path}: column 'population' sums to 0: expected a positive total")
    names = tuple(dict.fromkeys(list(vil["township"].astype(str))
                                + list(fac.loc[fac["level"] <= COUNTY, "township"].astype(str))))
    code = {n: i for i, n in enumerate(names)}
    vil["township"] = vil["township"].astype(str).map(code)
    fac["township"] = [code.get(str(t), -1) if lvl <= COUNTY else -1 for t, lvl in zip(fac["township"], fac["level"])]
    for lvl in (TOWNSHIP, COUNTY, CITY):
        if not (fac["level"] == lvl).any():
            raise ConfigError(f"{fac_path}: no facility of level '{LEVEL_NAMES[lvl]}': a county needs at least one "
                              "township health centre, one county hospital and one out-of-county city hospital")
    missing = sorted(set(range(len(names))) - set(fac.loc[fac["level"] == TOWNSHIP, "township"]))
    if missing:
        listed = ", ".join(repr(names[i]) for i in missing)
        these = "this township has" if len(missing) == 1 else "these townships have"
        raise ConfigError(f"{fac_path}: column 'township' = {listed}: {these} "
                          f"villages in {vil_path} but no township health centre; expected a row with level 'township' "
                          f"for {'it' if len(missing) == 1 else 'each'}")
    fac.attrs["township_names"] = names
    return fac, vil


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise ConfigError(f"{path}: file is empty: expected a header row ({', '.join(required)}, ...) "
                          "and data") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable CSV ({exc})") from None
    df.columns = [c.strip().lower() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing and len(df.columns) == 1:
        header = df.columns[0]
        sep = next((name for ch, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")) if ch in header), None)
        if sep:
            raise ConfigError(f"{path}: header {header!r} is separated by {sep}: expected a comma-separated file "
                              f"(columns {', '.join(required)}, ...)")
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)} (expected {', '.join(required)} "
                          "and x,y in km or lat,lon in degrees)")
    if df.empty:
        row = "facility" if "beds" in required else "village"
        raise ConfigError(f"{path}: header only, no rows: expected one row per {row}")
    return df


def _coordinates(df: pd.DataFrame, path: Path) -> str:
    """Fill x, y in km from x/y columns or from lat/lon (local equirectangular projection); return which
    system the file uses (both files must use the same)."""
    if {"x", "y"} <= set(df.columns):
        cols = ["x", "y"]
    elif {"lat", "lon"} <= set(df.columns):
        cols = ["lat", "lon"]
    else:
        raise ConfigError(f"{path}: needs coordinates: columns x,y (km) or lat,lon (degrees)")
    vals = {}
    limits = {"lat": 90.0, "lon": 180.0}
    for c in cols:
        v = pd.to_numeric(df[c], errors="coerce")
        bad = v.isna() | ~np.isfinite(v.to_numpy(dtype=float)) | (v.abs() > limits.get(c, np.inf))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            expected = f"degrees within ±{limits[c]:g}" if c in limits else "a finite number (km)"
            raise ConfigError(f"{path}: row {i + 2}, column '{c}' = {df[c].iloc[i]!r}: expected {expected}")
        vals[c] = v.to_numpy(dtype=float)
    if cols == ["x", "y"]:
        df["x"], df["y"] = vals["x"], vals["y"]
        return "x,y (km)"
    lat0 = np.deg2rad(vals["lat"].mean())
    df["x"] = vals["lon"] * 111.32 * np.cos(lat0)
    df["y"] = vals["lat"] * 110.57
    return "lat,lon (degrees)"


def _assemble(fac: pd.DataFrame, vil: pd.DataFrame, cfg: WorldConfig) -> World:
    names = fac.attrs.get("township_names", ())
    # facility rows ordered by level then size, so "first of a level" is its main hospital
    fac = fac.assign(_neg_beds=-fac["beds"].astype(float)).sort_values(["level", "_neg_beds"], kind="stable")
    fac = fac.drop(columns="_neg_beds").reset_index(drop=True)
    fac["beds"] = fac["beds"].astype(np.int64)
    fac["doctors"] = fac["doctors"].astype(np.int64)
    fac["level"] = fac["level"].astype(np.int8)
    fac["township"] = fac["township"].astype(np.int32)
    vil = vil.reset_index(drop=True)
    vil["township"] = vil["township"].astype(np.int32)

    n_t = len(names)
    thc = np.full(n_t, -1)
    for row in fac.index[fac["level"] == TOWNSHIP][::-1]:
        thc[fac.at[row, "township"]] = row  # the largest centre of a township wins

    fxy = fac[["x", "y"]].to_numpy()
    vxy = vil[["x", "y"]].to_numpy()
    clinics = np.flatnonzero(fac["level"].to_numpy() == VILLAGE)
    if len(clinics):
        d = np.hypot(*(vxy[:, None, :] - fxy[clinics][None, :, :]).transpose(2, 0, 1))
        other_township = fac["township"].to_numpy()[clinics][None, :] != vil["township"].to_numpy()[:, None]
        vil["clinic"] = clinics[np.argmin(d + 1e6 * other_township, axis=1)]
    else:
        vil["clinic"] = thc[vil["township"].to_numpy()]

    hospitals = np.flatnonzero(fac["level"].to_numpy() >= COUNTY)
    alternatives = np.column_stack([vil["clinic"].to_numpy(), thc[vil["township"].to_numpy()],
                                    np.broadcast_to(hospitals, (len(vil), len(hospitals)))]).astype(np.int64)
    dist = np.hypot(*(vxy[:, None, :] - fxy[alternatives]).transpose(2, 0, 1)) * ROAD_FACTOR
    out = fac["level"].to_numpy()[alternatives] >= CITY
    hours = np.where(out, dist / cfg.intercity_speed_kmh, dist / cfg.road_speed_kmh) + cfg.access_minutes / 60
    return World(facilities=fac, villages=vil, township_names=tuple(names), thc_of_township=thc,
                 alternatives=alternatives, travel_hours=hours)
