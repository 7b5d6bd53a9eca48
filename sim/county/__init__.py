"""The county: geography and facilities (:mod:`~sim.county.world`), residents as numpy columns
(:mod:`~sim.county.population`) and the conditions they fall ill with (:mod:`~sim.county.casemix`)."""
