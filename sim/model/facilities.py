"""Facilities as Mesa agents: village clinics, township centres, county and out-of-county hospitals.

A facility owns its beds, capability (which condition and severity it can
treat), perceived quality and its referral propensities. Its state is its
row of the model's facility arrays (facilities are a few hundred, episodes
thousands a day, so the pipeline works on the arrays); at each year start it
reviews its propensities against the margins the payment rules in force give
it (:mod:`sim.policy.incentives`).
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.codes import CITY, COUNTY, LEVEL_NAMES, PROVINCE, TOWNSHIP, VILLAGE
from sim.policy.reinvestment import quality_after


class Facility(mesa.Agent):
    """A health facility of the county system.

    Its state lives once, in row ``row`` of the model's facility arrays (``model.capable``,
    ``model.quality``, ``model.refer_up`` ...); the attributes below read and write that row, so the daily
    pipeline sees every change at once and nothing is copied back and forth.

    Parameters
    ----------
    model : the :class:`~sim.model.CountyModel`.
    row : row of this facility in ``model.world.facilities`` (its index in every facility array).

    Attributes
    ----------
    capable : (C, 3) bool, conditions x severities this facility can treat.
    quality : perceived quality, 0-1.
    refer_up : (C, 3) probability of referring up an inpatient case it could treat 上转.
    triage_down : (C, 3) probability (county hospitals) of redirecting an admission a township centre could
        treat to the patient's township centre 首诊下转.
    accept : (C, 3) probability (township centres) of accepting such a patient.
    down_recovery : (C,) probability (county hospitals) of referring a recovery-phase inpatient down 下转.
    invested : retained surplus this facility has reinvested in its capacity so far, yuan.
    """

    level: int = -1

    def __init__(self, model: mesa.Model, row: int):
        super().__init__(model)
        rec = model.world.facilities.iloc[row]
        self.row = row
        self.level = int(rec["level"])
        self.facility_id: str = rec["id"]
        self.name: str = rec["name"]
        self.township: int = int(rec["township"])
        self.beds: int = int(rec["beds"])
        self.doctors: int = int(rec["doctors"])
        self.invested = 0.0
        self.bed_days_month = 0
        self.review_incentives()

    # views of this facility's row of the model's arrays
    capable = property(lambda self: self.model.capable[self.row])
    refer_up = property(lambda self: self.model.refer_up[self.row])
    triage_down = property(lambda self: self.model.triage_down[self.row])
    accept = property(lambda self: self.model.accept[self.row])
    down_recovery = property(lambda self: self.model.down_prop[self.row])

    @property
    def quality(self) -> float:
        return float(self.model.quality[self.row])

    @property
    def in_county(self) -> bool:
        return self.level <= COUNTY

    @property
    def census(self) -> int:
        """Inpatients in a bed now."""
        return int(self.model.census[self.row])

    def review_incentives(self) -> None:
        """Set this facility's referral propensities from the margins of the rules now in force."""
        p, m, r = self.model.regime.propensities, self.model, self.row
        m.refer_up[r] = p.refer_up[self.level]
        m.triage_down[r] = p.triage_down[self.level]
        m.accept[r] = p.accept[self.level]
        m.down_prop[r] = p.down_recovery[self.level]

    def invest(self, amount: float, rule, upgrade: np.ndarray) -> None:
        """Put ``amount`` yuan of retained surplus into capacity (结余留用 reinvested).

        Quality rises by the level's rule (:func:`sim.policy.reinvestment.quality_after`); once the
        investment so far reaches the rule's threshold the facility can treat the ``upgrade`` cells
        ((C, 3) bool) as well.
        """
        if amount <= 0:
            return
        self.invested += amount
        self.model.quality[self.row] = quality_after(self.quality, amount, rule)
        if self.invested >= rule.capability_threshold_yuan:
            self.model.capable[self.row] |= upgrade

    def step(self) -> None:
        """Close the month: book the month's bed-days (propensities change only with the rules, at a
        year start: :meth:`review_incentives`)."""
        self.bed_days_month = int(self.model.bed_days_month[self.row])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.facility_id}, {self.name}, beds={self.beds})"


class VillageClinic(Facility):
    """村卫生室: outpatient care and chronic follow-up; no beds."""

    level = VILLAGE


class TownshipHealthCentre(Facility):
    """乡镇卫生院: outpatient care and simple admissions; receives down-referrals."""

    level = TOWNSHIP


class CountyHospital(Facility):
    """县级医院: the community's lead hospital(s); refers out of county and down to townships."""

    level = COUNTY


class OutOfCountyHospital(Facility):
    """市级/省级医院 outside the county (and outside the medical community)."""

    level = CITY


AGENT_CLASS = {VILLAGE: VillageClinic, TOWNSHIP: TownshipHealthCentre, COUNTY: CountyHospital,
               CITY: OutOfCountyHospital, PROVINCE: OutOfCountyHospital}
assert set(AGENT_CLASS) == set(range(len(LEVEL_NAMES)))
