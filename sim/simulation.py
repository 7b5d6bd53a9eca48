"""Run one scenario end to end: build the county, simulate, settle claims, compute KPIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from sim import __version__
from sim.settlement.books import claims_tables, close_year, settle_model
from sim.codes import DAYS_PER_YEAR, LEVEL_NAMES, year_month
from sim.model.claims import label_claims
from sim.config.loader import load_config
from sim.config.scenario import ScenarioConfig
from sim.results.kpis import capacity_kpis, facility_year_table, yearly_kpis
from sim.model import CountyModel
from sim.settlement.settle import apply_protection, check_rules
from sim.results.equity import equity_kpis, household_bills, protection_kpis
from sim.results import Result


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
    cfg = load_config(config, overrides)
    model = CountyModel(cfg)
    check_rules(cfg, model.casemix)
    model.run(progress=progress, year_end=close_year)
    return collect(model)


def collect(model: CountyModel) -> Result:
    """Settle a finished model's claims and assemble its tables and summary."""
    cfg: ScenarioConfig = model.config
    cm = model.casemix
    fac = model.world.facilities
    level = model.level

    ip, op = claims_tables(model)
    settled = settle_model(model, ip, op, range(cfg.years))
    households = _protect(model, settled)
    ip, op = settled.inpatient, settled.outpatient

    daily = pd.DataFrame(model.daily)
    days = np.arange(len(daily))
    daily.insert(0, "day", days)
    year, month = year_month(days)
    daily.insert(1, "year", year)
    daily.insert(2, "month", month)

    kpis = yearly_kpis(daily, ip, op, model.bed_days, level, model.world.beds, cfg.population, cm.base_group)
    for extra in (settled.kpis, capacity_kpis(model.capacity, level),
                  equity_kpis(households, cfg.protection.bills.che_ctp_threshold) if households is not None else {},
                  protection_kpis(settled.protection, ip)):
        for y, values in extra.items():
            kpis.setdefault(y, {}).update(values)
    summary = {"scenario": cfg.name, "seed": cfg.seed, "population": cfg.population, "years": cfg.years,
               "version": __version__, "days_per_year": DAYS_PER_YEAR, "kpis": kpis}
    facility_year = facility_year_table(ip, op, model.bed_days, fac, settled.facility_finances, model.capacity)
    ids = fac["id"].to_numpy()
    claims = label_claims(ip, cm.codes, cm.drg_codes, cm.base_group, ids) if len(ip) else ip
    outpatient = label_claims(op, cm.codes, cm.drg_codes, cm.base_group, ids) if len(op) else op
    if cfg.output.claims == "none":
        claims = claims.iloc[0:0]
    daily_out = daily if cfg.output.daily else daily.iloc[0:0]
    facilities = fac[["id", "name", "level", "township", "x", "y", "beds", "doctors"]].assign(
        level_name=np.asarray(LEVEL_NAMES, dtype=object)[fac["level"].to_numpy()])
    return Result(config=cfg.model_dump(mode="json", by_alias=True), summary=summary, daily=daily_out,
                  claims=claims, outpatient=outpatient, facility_year=facility_year, facilities=facilities,
                  budget=settled.budget, ledger=settled.ledger, households=households,
                  protection=settled.protection)


def _protect(model: CountyModel, settled) -> pd.DataFrame | None:
    """Critical-illness insurance and medical assistance on the settled claims (each year under that year's
    rules: ``reform.before``'s protection before ``reform.start_year``), then household bills (docs/protection.md).
    Returns the household-year table, or None when the population has no households."""
    cfg: ScenarioConfig = model.config
    before = load_config(cfg.reform.before) if cfg.reform.before is not None else cfg
    by_year = {y: (cfg if y >= cfg.reform.start_year else before) for y in range(cfg.years)}
    pop = model.population
    income = pop.income if len(pop.income) == pop.n else np.zeros(0)
    apply_protection(settled, by_year, income, cfg.households.rural_income_mean,
                     int(np.count_nonzero(pop.scheme == 0)))
    if len(income) == 0 or len(pop.household) != pop.n:
        return None
    # inpatient bills only: the same whether outpatient claims are kept singly or as aggregates
    return household_bills(pop.household, income, pop.township, settled.inpatient, range(cfg.years),
                           cfg.protection.bills, cfg.seed, settled.info.get("assistance_group"))
