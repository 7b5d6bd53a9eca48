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
from sim.results.health import health_kpis
from sim.results.kpis import capacity_kpis, facility_year_table, yearly_kpis
from sim.model import CountyModel
from sim.settlement.settle import check_rules
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
    ip, op = settled.inpatient, settled.outpatient

    daily = pd.DataFrame(model.daily)
    days = np.arange(len(daily))
    daily.insert(0, "day", days)
    year, month = year_month(days)
    daily.insert(1, "year", year)
    daily.insert(2, "month", month)

    kpis = yearly_kpis(daily, ip, op, model.bed_days, level, model.world.beds, cfg.population, cm.base_group)
    extras = [settled.kpis, capacity_kpis(model.capacity, level)]
    if model.health is not None:
        o = cfg.health.outcomes
        extras.append(health_kpis(model.health.log, cfg.years, cfg.population, o.stroke_disability_weight,
                                  o.stroke_disability_years))
    for extra in extras:
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
                  budget=settled.budget, ledger=settled.ledger)
