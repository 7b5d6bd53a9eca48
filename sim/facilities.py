"""Facilities as Mesa agents: village clinics, township centres, county and out-of-county hospitals.

A facility owns its beds, capability (which condition and severity it can
treat), perceived quality and its referral propensities. The daily episode
pipeline reads these into arrays once a month (facilities are a few hundred,
episodes are thousands a day); each facility's ``step`` closes its month:
it books the month's bed-days and reviews its propensities, which is where
payment incentives act once a scenario gives them a margin to respond to.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.levels import CITY, COUNTY, LEVEL_NAMES, PROVINCE, TOWNSHIP, VILLAGE


class Facility(mesa.Agent):
    """A health facility of the county system.

    Parameters
    ----------
    model : the :class:`~sim.model.CountyModel`.
    row : row of this facility in ``model.world.facilities`` (its index in every facility array).
    capable : (C, 3) bool, conditions x severities this facility can treat.
    quality : perceived quality, 0-1.
    refer_up_propensity : probability of referring up an inpatient case it could treat.
    down_referral_propensity : probability of referring a recovery-phase inpatient down (county hospitals).
    """

    level: int = -1

    def __init__(self, model: mesa.Model, row: int, capable: np.ndarray, quality: float,
                 refer_up_propensity: float = 0.0, down_referral_propensity: float = 0.0):
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
        self.refer_up_propensity = float(refer_up_propensity)
        self.down_referral_propensity = float(down_referral_propensity)
        self.bed_days_month = 0

    @property
    def in_county(self) -> bool:
        return self.level <= COUNTY

    @property
    def census(self) -> int:
        """Inpatients in a bed now."""
        return int(self.model.census[self.row])

    def step(self) -> None:
        """Close the month: book bed-days from the model's running count."""
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
