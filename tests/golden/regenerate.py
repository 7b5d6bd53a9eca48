"""Regenerate the stored regression baseline (golden KPIs) on purpose.

    python tests/golden/regenerate.py

Runs a small county (20,000 residents, 4 years, seed 1) under ``baseline`` and ``combined`` and writes every
numeric KPI of every year to ``tests/golden/kpis.json``. ``tests/test_golden.py`` fails when a change moves
any of them beyond its tolerance. Regenerate only when a change is meant to move results, and say in the
commit which KPIs moved and why.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

SCENARIOS = ("baseline", "combined")
RUN = {"population": 20_000, "years": 4, "seed": 1}

#: An overlay that switches off every behavioural channel added since ``pre_behaviour.json`` was stored
#: (the model before the provider and patient responses): with it, both scenarios must reproduce that file
#: (``tests/test_golden.py``). A new channel adds its off-switch (or zero parameters) here.
BEHAVIOUR_OFF: dict = {
    # the global budget's earlier rules (issue #14 made the reference rules the default): rolling-mean base with
    # growth capped at a fixed 4.5 %, risk accrual paid back at year end, score from three indicators
    "budget": {"base_rule": "rolling_mean", "growth_cap": "fixed", "risk_fund_mode": "returned",
               "performance": {
                   "in_county_rate": {"weight": 0.4, "floor": 0.80, "target": 0.90},
                   "primary_fund_share": {"weight": 0.3, "floor": 0.10, "target": 0.20},
                   "cost_growth": {"weight": 0.3, "floor": 0.145, "target": 0.045},
                   "primary_visit_share": {"weight": 0.0, "floor": 0.45, "target": 0.65},
                   "referral_ratio": {"weight": 0.0, "floor": 0.1, "target": 0.33},
                   "readmission_rate": {"weight": 0.0, "floor": 0.10, "target": 0.05},
                   "oop_rate": {"weight": 0.0, "floor": 0.40, "target": 0.30}}},
    # patients (sim/behaviour: care seeking, contracts, chronic continuity; evidence-based choice coefficients)
    # and provider channels (sim/behaviour: length of stay, intensity, admission threshold, coding, selection)
    "mechanisms": {"care_seeking": False, "contracts": False, "chronic_continuity": False,
                   "refill_cap_in_price": False,
                   "length_of_stay": False, "intensity": False, "admission": False, "coding": False,
                   "cost_shifting": False,
                   # selection: split admissions 分解住院; county outpatient redirects to primary care 门诊下沉
                   "split_admission": False, "outpatient_redirect": False,
                   # health (sim/model/emergency.py): control multipliers, ageing and deaths, emergencies
                   "chronic_control": False, "demography": False, "emergency": False,
                   "management_effort": False},
    "choice": {"oop_per_100_yuan": 0.08, "contract": 0.6, "oop_income_elasticity": 0.0,
               "oop_severity_factor": {"mild": 1.0, "moderate": 1.0, "severe": 1.0},
               "asc_outpatient": {"village": 0.0, "township": -0.1, "county": -0.55, "city": -0.9, "province": -2.3},
               "asc_inpatient": {"village": 0.0, "township": 0.0, "county": 0.0, "city": 2.5, "province": 0.6}},
    # gatekeeping without the referral route through the township centre
    "policy": {"gatekeeping": {"referral_route": False}},
    # DRG groups split by coded severity (CC/MCC) and the floating DRG point value 点数法
    "payment": {"severity_groups": {"enabled": False}, "drg": {"point_value_mode": "fixed"}},
}


def flatten(kpis: dict, prefix: str = "") -> dict[str, float]:
    """``{"0": {"a": 1, "b": {"c": 2}}}`` -> ``{"0.a": 1.0, "0.b.c": 2.0}`` (numbers only)."""
    out: dict[str, float] = {}
    for key, value in kpis.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, name + "."))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = float(value)
    return out


def golden_kpis(overlay: dict | None = None) -> dict[str, dict[str, float]]:
    """The golden KPIs of each scenario as computed by the code now (with ``overlay`` on each scenario)."""
    import sim
    return {name: flatten(sim.run({"extends": name, **(overlay or {})}, **RUN).summary["kpis"])
            for name in SCENARIOS}


def drift(now: dict[str, float], stored: dict[str, float], rtol: float = 1e-6, atol: float = 1e-9,
          new_kpis_allowed: bool = False) -> list[str]:
    """KPIs that differ between ``now`` and ``stored`` beyond the tolerance (names, or added/removed)."""
    out = [] if new_kpis_allowed else [f"{k}: added" for k in sorted(set(now) - set(stored))]
    out += [f"{k}: removed" for k in sorted(set(stored) - set(now))]
    for k in sorted(set(now) & set(stored)):
        a, b = stored[k], now[k]
        if not (math.isclose(a, b, rel_tol=rtol, abs_tol=atol) or (math.isnan(a) and math.isnan(b))):
            out.append(f"{k}: {a:g} -> {b:g}")
    return out


def main() -> None:
    data = {"run": RUN, "kpis": golden_kpis()}
    text = json.dumps(data, indent=1, sort_keys=True, allow_nan=True)
    (HERE / "kpis.json").write_text(text + "\n", encoding="utf-8")
    n = sum(len(v) for v in data["kpis"].values())
    nan = sum(math.isnan(x) for v in data["kpis"].values() for x in v.values())
    print(f"wrote {HERE / 'kpis.json'}: {n} KPIs ({nan} NaN)")


if __name__ == "__main__":
    main()
