"""A model's books: its claims priced and settled one year at a time, as the year ends (年终清算).

The runner (:func:`sim.simulation.run`) opens :class:`Books` on a model and hands ``books.close_year`` to
``CountyModel.run(year_end=...)``, which calls it at every year boundary; :meth:`Books.settlement` closes the
last year after the final day and assembles the run's settlement from the closed years. Each year is priced
and settled once, so the work grows with the number of years, not its square; what one year hands the next
(spending history of every scheme, last total, risk fund, the pool's balance) is carried by
:class:`sim.settlement.settle.YearBooks`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.behaviour.management_effort import Realised, YearClose, budget_primary_share
from sim.codes import CHRONIC, LEVEL_NAMES, TOWNSHIP, VILLAGE
from sim.policy.reinvestment import retained_surplus
from sim.policy.timeline import rules_in_year
from sim.settlement.settle import (
    PaymentRules,
    Settlement,
    YearBooks,
    _price,
    _with_community,
    apply_price_shocks,
    combine,
    settle,
)


def claims_tables(model) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(inpatient, outpatient)`` claims recorded so far; outpatient single visits when the scenario keeps
    them (``output.claims: all``), else monthly aggregates, with ``level`` and ``visits`` columns."""
    ip = model.claims.inpatient_table()
    op = model.claims.outpatient_visits() if model.config.output.claims == "all" else model.claims.outpatient_table()
    op = op.assign(level=model.level[op["facility_index"].to_numpy(np.int64)]) if len(op) else op.assign(level=[])
    if "visits" not in op:
        op["visits"] = 1
    return ip, op


def _rules_by_year(model, years) -> dict[int, object]:
    """The rules in force each year: the reform timeline's (:func:`sim.policy.timeline.rules_in_year`)."""
    cfg = model.config
    before = getattr(model, "rules_before", None)
    return {y: (rules_in_year(cfg, before, y) if before is not None else cfg) for y in years}


def _caps(model):
    tracker = getattr(model, "outpatient_caps", None)
    return (None if model.config.output.claims == "all" else tracker.table()) if tracker is not None else False


def _enrolled(model) -> int:
    pop = model.population
    return int(np.count_nonzero(pop.managed_htn)) + int(np.count_nonzero(pop.managed_dm))


def enrollees(model) -> dict[int, float]:
    """``{scheme: residents}``: the pool's enrolment (every resident is insured in one scheme)."""
    counts = np.bincount(np.asarray(model.population.scheme, dtype=np.int64), minlength=2)
    return {0: float(counts[0]), 1: float(counts[1])}


def settle_model(model, inpatient: pd.DataFrame, outpatient: pd.DataFrame, years: range) -> Settlement:
    """Price a model's claims and settle its budget (:func:`sim.settlement.settle.settle`) for ``years`` at once.

    Rules by year: the reform timeline's (:func:`sim.policy.timeline.rules_in_year`). Outpatient
    caps: aggregated visits are capped through the model's ``outpatient_caps`` tracker
    (:class:`sim.payment.caps.OutpatientCapTracker`) when it keeps one; without it caps are left off in
    both claims layouts, so single visits and aggregates price alike. Capitation enrolment: residents
    under two-disease management (their follow-ups are the capitated claims), counted per disease.
    """
    cfg = model.config
    return settle(inpatient, outpatient, cfg, casemix=model.casemix, chronic_condition=model.casemix.setting == CHRONIC,
                  facility_level=model.level, capitation_enrolled=_enrolled(model), outpatient_caps=_caps(model),
                  years=years, rules_by_year=_rules_by_year(model, years), enrollees=enrollees(model),
                  shocks=cfg.shocks)


class Books:
    """A model's books, closed one year at a time.

    ``close_year(model, year)`` prices ``year``'s claims under that year's rules and settles its budget and
    pool; it returns each facility's retained surplus of the year, (F,) yuan. A referral chain that began in an
    earlier year under the same rules is priced with its earlier segments (one deductible per chain, as when
    the whole run is priced at once); a chain that spans a change of rules pays again under the new ones.
    """

    def __init__(self, model):
        cfg = model.config
        self.model = model
        self.years = range(cfg.years)
        self.rules = {y: PaymentRules.of(r) for y, r in _rules_by_year(model, self.years).items()}
        self.books = YearBooks(None, enrollees(model), cfg.shocks, list(model.casemix.codes))
        self.parts: dict[int, Settlement] = {}

    def close_year(self, model, year: int) -> YearClose:
        """Settle ``year`` (年终清算) once and return each facility's retained surplus from it, (F,) yuan, with
        what the year realised for the primary facilities' management effort (:meth:`realised`)."""
        if year not in self.parts:
            for y in range(min(self.years.start, year), year):     # earlier years not closed yet
                if y not in self.parts:
                    self._close(y)
            self._close(year)
        return YearClose(retained_surplus(self.parts[year].facility_finances, year, len(model.facilities)),
                         self.realised(year))

    def realised(self, year: int) -> Realised:
        """The closed ``year``'s realised surpluses at township and village level (yuan): capitation paid to
        them minus the fund's share of their capitated follow-ups, and their share of a yuan of the global
        budget's surplus (sim/behaviour/management_effort.py)."""
        part, r = self.parts[year], self.rules[year]
        cap, b = r.payment.capitation, r.budget
        k = part.kpis.get(str(year), {})
        by_level = k.get("capitation_surplus_by_level", {})
        primary = float(by_level.get(LEVEL_NAMES[TOWNSHIP], 0.0) + by_level.get(LEVEL_NAMES[VILLAGE], 0.0))
        bud = part.budget
        on = bool(b.enabled and len(bud))
        share = budget_primary_share(float(bud["surplus"].sum()), float(bud["retained_surplus"].sum()),
                                     float(bud["community_overspend_share"].sum()),
                                     b.surplus_split.township + b.surplus_split.village) if on else 0.0
        return Realised(capitation_on=bool(cap.enabled), rate=float(cap.rate), enrolled=float(_enrolled(self.model)),
                        primary_surplus=primary, budget_on=on, budget_primary_share=share)

    def _close(self, year: int) -> None:
        m = self.model
        ip_all, op_all = claims_tables(m)
        r = self.rules[year]
        iy = ip_all["year"].to_numpy() if len(ip_all) else np.zeros(0, int)
        ip_y = ip_all[iy == year]
        same = [y for y in self.rules if y < year and self.rules[y] == r]
        context = ip_all[np.isin(iy, same) & ip_all["episode_id"].isin(ip_y["episode_id"]).to_numpy()] \
            if len(ip_y) and same else ip_all.iloc[0:0]
        ip = pd.concat([context, ip_y], ignore_index=True) if len(context) else ip_y.reset_index(drop=True)
        op = op_all[op_all["year"].to_numpy() == year].reset_index(drop=True) if len(op_all) else op_all
        codes = list(m.casemix.codes)
        ip = apply_price_shocks(ip, m.config.shocks, codes)
        op = apply_price_shocks(op, m.config.shocks, codes)
        caps = _caps(m)
        if isinstance(caps, pd.DataFrame) and "year" in caps:
            caps = caps[caps["year"] == year]
        pip, pop_, mode, base = _price(ip, op, r, m.casemix, m.casemix.setting == CHRONIC, caps)
        pip = pip.iloc[len(context):].reset_index(drop=True)
        self.parts[year] = self.books.close(_with_community(pip), _with_community(pop_), r, year,
                                            capitation_enrolled=_enrolled(m), facility_level=m.level,
                                            cap_mode=mode, base_codes=base)

    def settlement(self) -> Settlement:
        """Close the years still open (the last one after the final day) and assemble the run's settlement."""
        for y in self.years:
            if y not in self.parts:
                self._close(y)
        return combine([self.parts[y] for y in self.years])
