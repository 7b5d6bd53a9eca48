"""The simulation core: ``CountyModel(mesa.Model)`` runs the day as a declared list of stages
(:mod:`~sim.stages`) over array-backed residents and ``mesa.Agent`` facilities.

* :mod:`~sim.model.model` — the model: state, stages, year boundaries;
* :mod:`~sim.model.onset` — disease onset and chronic follow-ups;
* :mod:`~sim.model.choice` — first-contact choice (multinomial logit), capability, referral targets;
* :mod:`~sim.model.facilities` — the facility agents;
* :mod:`~sim.model.ward` — inpatients in beds; :mod:`~sim.model.claims` — the claims recorder.
"""

from __future__ import annotations

from sim.model.model import CountyModel

__all__ = ["CountyModel"]
