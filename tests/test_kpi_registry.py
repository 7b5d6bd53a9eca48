"""Every KPI a run reports is defined once, in sim.results.registry."""

from __future__ import annotations

from sim.results.registry import REGISTRY


def test_every_reported_kpi_is_registered(small_result):
    reported = {k for year in small_result.summary["kpis"].values() for k in year}
    missing = sorted(reported - set(REGISTRY))
    assert not missing, f"KPIs reported but not defined in sim/results/registry.py: {missing}"


def test_registry_entries_are_complete():
    for k in REGISTRY.values():
        assert k.name and k.unit and k.formula, k.key
