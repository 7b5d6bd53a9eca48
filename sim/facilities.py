"""Facilities as Mesa agents: village clinics, township centres, county and out-of-county hospitals.

A facility owns its beds, capability (which condition and severity it can
treat), perceived quality and its referral propensities. The daily episode
pipeline reads these into arrays once a month (facilities are a few hundred,
episodes are thousands a day); each facility's ``step`` closes its month:
it books the month's bed-days and reviews its propensities against the
margins the payment rules in force give it (:mod:`sim.policy.incentives`).
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.levels import CITY, COUNTY, LEVEL_NAMES, PROVINCE, TOWNSHIP, VILLAGE
from sim.policy.reinvestment import quality_after


class Facility(mesa.Agent):
    """A health facility of the county system.

    Parameters
    ----------
    model : the :class:`~sim.model.CountyModel`.
    row : row of this facility in ``model.world.facilities`` (its index in every facility array).
    capable : (C, 3) bool, conditions x severities this facility can treat.
    quality : perceived quality, 0-1.

    Attributes
    ----------
    refer_up : (C, 3) probability of referring up an inpatient case it could treat 上转.
    triage_down : (C, 3) probability (county hospitals) of redirecting an admission a township centre could
        treat to the patient's township centre 首诊下转.
    accept : (C, 3) probability (township centres) of accepting such a patient.
    down_recovery : (C,) probability (county hospitals) of referring a recovery-phase inpatient down 下转.
    invested : retained surplus this facility has reinvested in its capacity so far, yuan.
    """

    level: int = -1

    def __init__(self, model: mesa.Model, row: int, capable: np.ndarray, quality: float):
        super().__init__(model)
        rec = model.world.facilities.iloc[row]
        self.row = row
        self.level = int(rec["level"])
        self.facility_id: str = rec["id"]
        self.name: str = rec["name"]
        self.township: int = int(rec["township"])
        self.beds: int = int(rec["beds"])
        self.doctors: int = int(rec["doctors"])
        self.capable = capable
        self.quality = float(quality)
        self.invested = 0.0
        self.bed_days_month = 0
        self.review_incentives()

    @property
    def in_county(self) -> bool:
        return self.level <= COUNTY

    @property
    def census(self) -> int:
        """Inpatients in a bed now."""
        return int(self.model.census[self.row])

    def review_incentives(self) -> None:
        """Set this facility's referral propensities from the margins of the rules now in force."""
        p = self.model.regime.propensities
        self.refer_up = p.refer_up[self.level]
        self.triage_down = p.triage_down[self.level]
        self.accept = p.accept[self.level]
        self.down_recovery = p.down_recovery[self.level]

    def invest(self, amount: float, rule, upgrade: np.ndarray) -> None:
        """Put ``amount`` yuan of retained surplus into capacity (结余留用 reinvested).

        Quality rises by the level's rule (:func:`sim.policy.reinvestment.quality_after`); once the
        investment so far reaches the rule's threshold the facility can treat the ``upgrade`` cells
        ((C, 3) bool) as well.
        """
        if amount <= 0:
            return
        self.invested += amount
        self.quality = quality_after(self.quality, amount, rule)
        if self.invested >= rule.capability_threshold_yuan:
            self.capable = self.capable | upgrade

    def step(self) -> None:
        """Close the month: book bed-days and review referral propensities under the rules in force."""
        self.bed_days_month = int(self.model.bed_days_month[self.row])
        self.review_incentives()

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
