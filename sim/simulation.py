"""Run one scenario end to end: build the county, simulate, settle claims, compute KPIs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import __version__
from sim.codes import DAYS_PER_YEAR, LEVEL_NAMES, MONTH_START, year_month
from sim.config.loader import load_config
from sim.config.scenario import ScenarioConfig
from sim.county.world import UNLIMITED_BEDS
from sim.model import CountyModel
from sim.model.claims import label_claims
from sim.policy.timeline import rules_in_year
from sim.results import Result
from sim.results.equity import equity_kpis, household_bills, protection_kpis
from sim.results.health import health_kpis
from sim.results.kpis import capacity_kpis, facility_year_table, policy_kpis, yearly_kpis
from sim.settlement.books import Books
from sim.settlement.settle import apply_protection, check_rules


def run(config: str | Path | Mapping[str, Any] | ScenarioConfig | None = None, *, seed: int | None = None,
        population: int | None = None, years: int | None = None,
        progress: Callable[[int, int], None] | None = None) -> Result:
    """Simulate a scenario and return its :class:`~sim.results.Result`.

    Parameters
    ----------
    config : scenario (path, built-in name, mapping or ``ScenarioConfig``; ``None`` = typical county).
    seed, population, years : override the scenario's values.
    progress : optional callable ``(days_done, n_days)``.
    """
    overrides = {k: v for k, v in (("seed", seed), ("population", population), ("years", years)) if v is not None}
    return simulate(load_config(config, overrides), progress)


def simulate(cfg: ScenarioConfig, progress: Callable[[int, int], None] | None = None) -> Result:
    """Build the county of a validated scenario, simulate it closing each year's books at its end, and collect
    the :class:`~sim.results.Result` (what :func:`run` does after loading the config)."""
    model = CountyModel(cfg)
    check_rules(cfg, model.casemix)
    books = Books(model)
    model.run(progress=progress, year_end=books.close_year)
    return collect(model, books)


def collect(model: CountyModel, books: Books | None = None) -> Result:
    """Assemble a finished model's tables and summary from its books: the years ``books`` closed at each year
    end, the last one closed now (a model run without books is closed here, year by year)."""
    cfg: ScenarioConfig = model.config
    cm = model.casemix
    fac = model.world.facilities
    level = model.level

    settled = (books if books is not None else Books(model)).settlement()
    households = _protect(model, settled)
    ip, op = settled.inpatient, settled.outpatient

    daily = pd.DataFrame(model.daily)
    days = np.arange(len(daily))
    daily.insert(0, "day", days)
    year, month = year_month(days)
    daily.insert(1, "year", year)
    daily.insert(2, "month", month)

    kpis = yearly_kpis(daily, ip, op, model.bed_days, level, model.world.beds, cfg.population, cm.base_group)
    extras = [settled.kpis, capacity_kpis(model.capacity, level), policy_kpis(ip, op, cm, cfg.years),
              equity_kpis(households, cfg.protection.bills.che_ctp_threshold) if households is not None else {},
              protection_kpis(settled.protection, ip)]
    if model.health is not None:
        o = cfg.health.outcomes
        extras.append(health_kpis(model.health.log, cfg.years, cfg.population, o.stroke_disability_weight,
                                  o.stroke_disability_years))
    for extra in extras:
        for y, values in extra.items():
            kpis.setdefault(y, {}).update(values)
    first_year = cfg.calendar.first_year
    daily.insert(3, "date", _dates(days, first_year))
    summary = {"scenario": cfg.name, "seed": cfg.seed, "population": cfg.population, "years": cfg.years,
               "version": __version__, "provenance": provenance(), "days_per_year": DAYS_PER_YEAR,
               "first_calendar_year": first_year,
               "calendar_years": {str(y): first_year + y for y in range(cfg.years)}, "kpis": kpis}
    facility_year = facility_year_table(ip, op, model.bed_days, fac, settled.facility_finances, model.capacity)
    ids = fac["id"].to_numpy()
    claims = label_claims(ip, cm.codes, cm.drg_codes, cm.base_group, ids) if len(ip) else ip
    outpatient = label_claims(op, cm.codes, cm.drg_codes, cm.base_group, ids) if len(op) else op
    if cfg.output.claims == "none":
        claims = claims.iloc[0:0]
    daily_out = daily if cfg.output.daily else daily.iloc[0:0]
    facilities = fac[["id", "name", "level", "township", "x", "y", "beds", "doctors"]].assign(
        level_name=np.asarray(LEVEL_NAMES, dtype=object)[fac["level"].to_numpy()])
    # out-of-county hospitals are modelled with unlimited beds: write "unknown", not the internal 1e9 sentinel
    facilities["beds"] = facilities["beds"].astype("Int64").mask(facilities["beds"] >= UNLIMITED_BEDS)
    tables = {"daily": daily_out, "claims": claims, "outpatient": outpatient, "facility_year": facility_year,
              "budget": settled.budget, "ledger": settled.ledger, "pool": settled.pool,
              "households": households, "protection": settled.protection}
    tables = {name: _with_calendar_year(t, first_year) for name, t in tables.items()}
    return Result(config=cfg.model_dump(mode="json", by_alias=True), summary=summary, facilities=facilities,
                  **tables)


def _with_calendar_year(table: pd.DataFrame | None, first_year: int) -> pd.DataFrame | None:
    """``calendar_year`` (first_year + the 0-based ``year``) right after ``year``; tables without ``year`` as is."""
    if table is None or "year" not in table.columns or "calendar_year" in table.columns:
        return table
    table = table.copy()
    table.insert(table.columns.get_loc("year") + 1, "calendar_year",
                 (table["year"].to_numpy(dtype=np.int64) + first_year).astype(np.int32))
    return table


def _dates(days: np.ndarray, first_year: int) -> np.ndarray:
    """Calendar dates of simulation days (365-day years: 29 February never occurs)."""
    year, month = year_month(days)
    day_of_month = days % DAYS_PER_YEAR - MONTH_START[month - 1] + 1
    parts = pd.DataFrame({"year": year + first_year, "month": month, "day": day_of_month})
    return pd.to_datetime(parts).dt.date.to_numpy()


def provenance() -> dict[str, Any]:
    """What produced a run: countysim's version and git commit (when run from a git checkout), and the versions
    of Python and the numerical libraries, so that a shared result can be traced and reproduced."""
    import platform
    import subprocess

    import mesa

    out: dict[str, Any] = {"countysim": __version__, "git_commit": None, "git_dirty": None,
                           "python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
                           "mesa": getattr(mesa, "__version__", None), "platform": platform.platform(terse=True)}
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=5)
        if commit.returncode == 0:
            out["git_commit"] = commit.stdout.strip()
            dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no", "--", "."],
                                   capture_output=True, text=True, timeout=5)
            out["git_dirty"] = bool(dirty.stdout.strip()) if dirty.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        pass  # no git, or not a checkout (an installed wheel): the version identifies the code
    return out


def _protect(model: CountyModel, settled) -> pd.DataFrame | None:
    """Critical-illness insurance and medical assistance on the settled claims (each year under that year's
    rules on the reform timeline), then household bills (docs/protection.md). Returns the household-year table, or
    None when the population has no households."""
    cfg: ScenarioConfig = model.config
    by_year = {y: rules_in_year(cfg, model.rules_before, y) for y in range(cfg.years)}
    pop = model.population
    income = pop.income if len(pop.income) == pop.n else np.zeros(0)
    apply_protection(settled, by_year, income, cfg.households.rural_income_mean,
                     int(np.count_nonzero(pop.scheme == 0)))
    if len(income) == 0 or len(pop.household) != pop.n:
        return None
    # inpatient bills only: the same whether outpatient claims are kept singly or as aggregates
    return household_bills(pop.household, income, pop.township, settled.inpatient, range(cfg.years),
                           cfg.protection.bills, cfg.seed, settled.info.get("assistance_group"))
