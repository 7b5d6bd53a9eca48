"""Health outcome KPIs by year (docs/health.md §5): deaths by cause, strokes and heart attacks, disability,
DALYs (years of life lost against the standard life table plus years lived with disability), avoidable
admissions, hypertension and diabetes control, emergency onset-to-treatment time, and the yearly cost of the
health levers (yuan; reported, not in the claims)."""

from __future__ import annotations

import numpy as np

#: causes of death the model draws
CAUSES = ("background", "stroke", "heart_attack", "other_admitted")


def _ratio(a, b):
    return float(a) / float(b) if b else None


def health_kpis(log: dict[int, dict], years: int, population: int, disability_weight: float,
                disability_years: float) -> dict[str, dict]:
    """KPIs keyed by year (string) from :attr:`sim.model.emergency.Health.log`."""
    out = {}
    for y in range(years):
        g = log.get(y)
        if g is None:
            continue
        deaths = {c: int(g["deaths"].get(c, 0)) for c in CAUSES}
        yll = {c: float(g["yll"].get(c, 0.0)) for c in CAUSES}
        disease_yll = sum(v for c, v in yll.items() if c != "background")
        yld = g["stroke_disabled"] * disability_weight * disability_years
        minutes = np.concatenate(g["emergency_minutes"]) if g["emergency_minutes"] else np.zeros(0)
        emergency_deaths = deaths["stroke"] + deaths["heart_attack"]
        events = g["strokes"] + g["heart_attacks"]
        out[str(y)] = {
            "deaths": sum(deaths.values()), "deaths_by_cause": deaths,
            "mortality_per_1000": _ratio(1000 * sum(deaths.values()), population),
            "births": int(g["births"]),
            "strokes": int(g["strokes"]), "heart_attacks": int(g["heart_attacks"]),
            "major_cv_events": int(events),
            "major_cv_events_managed_hypertensives": int(g["cv_events_managed_htn"]),
            "strokes_managed_hypertensives": int(g["strokes_managed_htn"]),
            "managed_hypertensives": int(g.get("htn_managed", 0)),
            "emergency_deaths": int(emergency_deaths),
            "emergency_case_fatality": _ratio(emergency_deaths, events),
            "emergency_expected_deaths_treated": float(g["emergency_expected_deaths"]),
            "stroke_disabled": int(g["stroke_disabled"]),
            "emergency_onset_to_treatment_min": float(np.median(minutes)) if len(minutes) else None,
            "yll": disease_yll, "yll_background": yll["background"], "yld": float(yld),
            "dalys": float(disease_yll + yld),
            "dalys_per_1000": _ratio(1000 * (disease_yll + yld), population),
            "avoidable_admissions": int(g["avoidable_admissions"]),
            "hypertension_control": _ratio(g.get("htn_controlled", 0), g.get("htn_patients", 0)),
            "hypertension_control_managed": _ratio(g.get("htn_managed_controlled", 0), g.get("htn_managed", 0)),
            "diabetes_control": _ratio(g.get("dm_controlled", 0), g.get("dm_patients", 0)),
            "protocol_patients": int(g.get("protocol_patients", 0)),
            "protocol_share": float(g.get("protocol_share", 0.0)),
            "management_incentive_yuan": float(g.get("management_incentive_yuan", 0.0)),
            "protocol_cost_yuan": float(g.get("protocol_cost_yuan", 0.0)),
            "green_channel_cost_yuan": float(g.get("green_channel_cost_yuan", 0.0)),
        }
    return out
