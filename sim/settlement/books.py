"""A model's books: its claims so far as tables, priced and settled under each year's rules.

:func:`sim.simulation.collect` settles a finished run with these; :func:`close_year` is the year-end
settlement 年终清算 the runner hands the model (``CountyModel.run(year_end=close_year)``) so that retained
surplus can be reinvested.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import CHRONIC
from sim.policy.reinvestment import retained_surplus
from sim.policy.timeline import rules_in_year
from sim.settlement.settle import Settlement, settle


def claims_tables(model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(inpatient, outpatient)`` claims recorded so far; outpatient single visits when the scenario keeps
    them (``output.claims: all``), else monthly aggregates, with ``level`` and ``visits`` columns."""
    ip = model.claims.inpatient_table()
    op = model.claims.outpatient_visits() if model.config.output.claims == "all" else model.claims.outpatient_table()
    op = op.assign(level=model.level[op["facility_index"].to_numpy(np.int64)]) if len(op) else op.assign(level=[])
    if "visits" not in op:
        op["visits"] = 1
    return ip, op


def settle_model(model, inpatient: pd.DataFrame, outpatient: pd.DataFrame, years: range) -> Settlement:
    """Price a model's claims and settle its budget (:func:`sim.settlement.settle.settle`) for ``years``.

    Rules by year: the reform timeline's (:func:`sim.policy.timeline.rules_in_year`). Outpatient
    caps: aggregated visits are capped through the model's ``outpatient_caps`` tracker
    (:class:`sim.payment.caps.OutpatientCapTracker`) when it keeps one; without it caps are left off in
    both claims layouts, so single visits and aggregates price alike. Capitation enrolment: residents
    under two-disease management (their follow-ups are the capitated claims), counted per disease.
    """
    cfg = model.config
    tracker = getattr(model, "outpatient_caps", None)
    caps = (None if cfg.output.claims == "all" else tracker.table()) if tracker is not None else False
    before = getattr(model, "rules_before", None)
    by_year = {y: (rules_in_year(cfg, before, y) if before is not None else cfg) for y in years}
    pop = model.population
    enrolled = int(np.count_nonzero(pop.managed_htn)) + int(np.count_nonzero(pop.managed_dm))
    return settle(inpatient, outpatient, cfg, casemix=model.casemix, chronic_condition=model.casemix.setting == CHRONIC,
                  facility_level=model.level, capitation_enrolled=enrolled, outpatient_caps=caps,
                  years=years, rules_by_year=by_year)


def close_year(model, year: int) -> np.ndarray:
    """Settle ``year`` (年终清算) and return each facility's retained surplus from it, (F,) yuan."""
    settled = settle_model(model, *claims_tables(model), range(year + 1))
    return retained_surplus(settled.facility_finances, year, len(model.facilities))
