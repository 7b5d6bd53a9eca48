"""KPIs (绩效指标) of a run, by year, from the daily record and the settled claims.

Definitions (each KPI also in :mod:`sim.results.registry`; Chinese terms from ``docs/sources/payment_rules.md`` §5.2):

* ``in_county_visit_rate`` 县域内就诊率: outpatient visits in county facilities / all visits.
* ``in_county_admission_rate`` 县域内住院率: admissions to county facilities / all admissions.
* ``primary_visit_share`` 基层就诊占比: visits at village clinics and township centres / all visits.
* ``admission_rate``: admissions per resident per year.
* ``up_referrals`` 上转 / ``down_referrals`` 下转: inpatient referrals (before or during a stay).
* ``out_of_county_fund_share`` 县外基金占比 / ``primary_fund_share`` 基层医保基金支出占比: fund payments
  at out-of-county / primary facilities over all fund payments for the county's residents.
* ``oop_share``: out-of-pocket / total cost. ``readmission_rate_30d``: readmissions / discharges.
* Patients (``sim/behaviour``): ``visits_per_capita`` and ``visits_per_capita_by_level`` (visits per resident per
  year); ``unmet_need`` (acute and inpatient episodes without care 应就诊未就诊, missed chronic follow-ups, and
  the share of new episodes without care); ``care_seeking_by_income_quintile`` (share of new acute and
  inpatient episodes seen, q1 = poorest fifth of residents by household per-capita income);
  ``first_contact_primary_share`` (acute outpatient first contacts at a village clinic or township centre),
  also for contracted and other residents; ``contract_rate`` (residents with a family-doctor contract).
* provider channels (``docs/providers.md``): ``admissions_per_1000`` (per 1,000 residents per year, also by
  level); ``case_mix_index_true_by_level`` / ``case_mix_index_coded_by_level`` 病例组合指数: mean relative weight of
  the year's admissions (first segments of the inpatient claims discharged that year) at the true and the coded
  severity, by the treating level; ``upcoded_claims``, ``audits_detected`` and
  ``audit_recoveries`` (yuan clawed back 追回); ``admissions_treated_as_outpatient`` (admission threshold);
  ``readmissions_flagged`` (readmissions scheduled within ``payment.supervision.readmission_window_days`` of
  a discharge, flagged by rule screening as possible split admissions 分解住院, split admissions included);
  ``split_admissions`` (stays split into two admissions 分解住院, counted on the second admission's day),
  ``split_admissions_per_1000_admissions``, ``splits_detected`` (confirmed by supervision, claims of the year) and
  ``split_recoveries`` (yuan clawed back from them, part of ``audit_recoveries``); ``outpatient_redirects``
  (county outpatient visits redirected to primary care 门诊下沉) and ``outpatient_redirect_share`` (over the
  county visits plus the redirected ones); ``refusals`` (admissions referred up by a facility that could treat
  them 推诿); ``self_pay_items`` (yuan billed outside the payment list 自费, cost shifting); ``stays_shortened``
  (admissions planned below the calibrated stay 提前出院 risk); ``drg_point_value_factor``
  (floating DRG point value over the configured one, DRG claims' mean).

Admissions and referrals are counted on the day they happen; money on the claim's discharge date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.codes import CITY, COUNTY, DAYS_PER_YEAR, LEVEL_NAMES, PRIMARY_MAX_LEVEL, REFERRED_CAPABLE, TOWNSHIP

BEDDED_LEVELS = (TOWNSHIP, COUNTY)


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b else float("nan")


def _fund_where(ip: pd.DataFrame, op: pd.DataFrame, mask_ip, mask_op) -> float:
    """Fund payment (yuan) of the inpatient claims ``ip[mask_ip]`` and outpatient claims ``op[mask_op]``."""
    return ip.loc[mask_ip, "fund_payment"].sum() + op.loc[mask_op, "fund_payment"].sum()


def yearly_kpis(daily: pd.DataFrame, inpatient: pd.DataFrame, outpatient: pd.DataFrame, bed_days: np.ndarray,
                facility_level: np.ndarray, beds: np.ndarray, population: int,
                base_group: np.ndarray) -> dict[str, dict]:
    """KPIs keyed by year (as a string, ``'0'`` is the first simulated year).

    Parameters
    ----------
    daily : one row per day with the counters of :data:`sim.model.DAILY_COLUMNS` and ``year``.
    inpatient, outpatient : settled claims (with ``fund_payment``, ``oop_payment``, ``level``, ``year``).
    bed_days : (years, F) occupied bed-days per facility.
    facility_level, beds : (F,) facility level codes and beds.
    population : residents.
    base_group : (C,) bool, condition is a DRG base group.
    """
    out: dict[str, dict] = {}
    for year, day in daily.groupby("year"):
        s = day.sum(numeric_only=True)
        ip = inpatient[inpatient["year"] == year]
        op = outpatient[outpatient["year"] == year]
        total = ip["total_cost"].sum() + op["total_cost"].sum()
        fund = ip["fund_payment"].sum() + op["fund_payment"].sum()
        oop = ip["oop_payment"].sum() + op["oop_payment"].sum()

        adm = inpatient[(inpatient["admit_day"] // DAYS_PER_YEAR == year) & (inpatient["segment"] == 0)]
        closed = ip[~ip["open_at_end"]]
        alos = closed.groupby("level")["days"].mean()
        cost_stay = adm.groupby("level")["total_cost"].mean()
        visits_by_level = op.groupby("level")[["visits", "total_cost"]].sum()
        bg = adm[base_group[adm["condition_index"].to_numpy(np.int64)]]
        bg_by_level = bg.groupby("level").size()
        n_days = len(day)
        occ = {}
        for lvl in BEDDED_LEVELS:
            sel = facility_level == lvl
            occ[LEVEL_NAMES[lvl]] = _ratio(bed_days[year, sel].sum(), beds[sel].sum() * n_days)
        prov = _provider_kpis(ip, s, population)
        # pushing away cases it could treat 推诿: admissions that reached their bed after a facility able to
        # treat them referred them up by choice
        prov["refusals"] = int((adm["path_code"] == REFERRED_CAPABLE).sum()) if "path_code" in adm else 0
        if "outpatient_redirects" in prov:
            # redirected visits over the county outpatient visits there would have been without them
            county_visits = visits_by_level["visits"].get(COUNTY, 0)
            prov["outpatient_redirect_share"] = _ratio(prov["outpatient_redirects"],
                                                       county_visits + prov["outpatient_redirects"])
        out[str(year)] = {
            "onsets": int(s["onsets"]), "no_care": int(s["no_care"]),
            "visits": int(s["visits"]), "chronic_visits": int(s["chronic_visits"]),
            "admissions": int(s["admissions"]),
            "in_county_visit_rate": _ratio(s["visits_in_county"], s["visits"]),
            "in_county_admission_rate": _ratio(s["admissions_in_county"], s["admissions"]),
            "primary_visit_share": _ratio(s["visits_primary"], s["visits"]),
            "admission_rate": _ratio(s["admissions"], population),
            "admissions_by_level": {"township": int(s["admissions_township"]), "county": int(s["admissions_county"]),
                                    "out_of_county": int(s["admissions_out_of_county"])},
            "up_referrals": int(s["up_referrals"]),
            "up_referrals_out_of_county": int(s["up_referrals_out_of_county"]),
            "down_referrals": int(s["down_referrals"]),
            "outpatient_referrals": int(s["outpatient_referrals"]),
            "gatekeeping_referrals": int(s.get("gatekeeping_referrals", 0)),
            "out_of_county_admissions": int(s["admissions_out_of_county"]),
            "unreferred_out_of_county_admissions": int(
                (adm["unreferred_out"]).sum()),
            "out_of_county_fund_share": _ratio(_fund_where(ip, op, ip["level"] >= CITY, op["level"] >= CITY), fund),
            "out_of_county_inpatient_fund_share": _ratio(ip.loc[ip["level"] >= CITY, "fund_payment"].sum(),
                                                         ip["fund_payment"].sum()),
            "primary_fund_share": _ratio(_fund_where(ip, op, ip["level"] <= PRIMARY_MAX_LEVEL,
                                                     op["level"] <= PRIMARY_MAX_LEVEL), fund),
            "total_cost": float(total), "fund_payment": float(fund), "oop_payment": float(oop),
            "oop_share": _ratio(oop, total),
            "fund_per_resident": _ratio(fund, population),
            "oop_per_admission": _ratio(ip["oop_payment"].sum(), s["admissions"]),
            "alos_by_level": {LEVEL_NAMES[int(k)]: float(v) for k, v in alos.items()},
            "bed_occupancy_by_level": occ,
            "cost_per_stay_by_level": {LEVEL_NAMES[int(k)]: float(v) for k, v in cost_stay.items()},
            "cost_per_visit_by_level": {LEVEL_NAMES[int(k)]: _ratio(r.total_cost, r.visits)
                                        for k, r in visits_by_level.iterrows()},
            "readmissions": int(s["readmissions"]),
            "readmission_rate_30d": _ratio(s["readmissions"], s["discharges"]),
            "base_group_admissions_by_level": {LEVEL_NAMES[int(k)]: int(v) for k, v in bg_by_level.items()},
            "admissions_per_1000_by_level": {LEVEL_NAMES[int(k)]: 1000.0 * int(v) / population
                                             for k, v in adm.groupby("level").size().items()},
            **prov,
        }
        out[str(year)].update(_patient_kpis(s, visits_by_level, population))
    return out


def _provider_kpis(ip: pd.DataFrame, s: pd.Series, population: int) -> dict:
    """KPIs of the provider channels for one year (claims of the year, summed daily counters)."""
    out: dict = {"admissions_per_1000": 1000.0 * _ratio(s["admissions"], population)}
    for key, col in (("admissions_treated_as_outpatient", "admissions_avoided"), ("upcoded_claims", "upcoded"),
                     ("audits_detected", "audits_detected"), ("stays_shortened", "stays_cut"),
                     ("readmissions_flagged", "readmissions_flagged"), ("split_admissions", "split_admissions"),
                     ("outpatient_redirects", "outpatient_redirects")):
        if col in s:
            out[key] = int(s[col])
    if "split_admissions" in s:
        out["split_admissions_per_1000_admissions"] = 1000.0 * _ratio(s["split_admissions"], s["admissions"])
    if "split_detected" in ip:
        out["splits_detected"] = int(ip["split_detected"].sum())
    if "split_recovery" in ip:
        out["split_recoveries"] = float(ip["split_recovery"].sum())
    if "audit_recovery" in ip:
        out["audit_recoveries"] = float(ip["audit_recovery"].sum())
    if "self_pay_cost" in ip:
        out["self_pay_items"] = float(ip["self_pay_cost"].sum())
    if "rw" in ip and len(ip):
        # one case per admission (first segment): a recovery segment repeats its stay's group
        first = ip[ip["segment"].to_numpy() == 0] if "segment" in ip else ip
        grouped = first[first["rw"].to_numpy(float) > 0]
        true_col = "rw_true" if "rw_true" in grouped else "rw"
        by = grouped.groupby("level")
        out["case_mix_index_coded_by_level"] = {LEVEL_NAMES[int(k)]: float(v) for k, v in by["rw"].mean().items()}
        out["case_mix_index_true_by_level"] = {LEVEL_NAMES[int(k)]: float(v) for k, v in by[true_col].mean().items()}
        out["case_mix_index_coded"] = float(grouped["rw"].mean()) if len(grouped) else float("nan")
        out["case_mix_index_true"] = float(grouped[true_col].mean()) if len(grouped) else float("nan")
    if "point_value_factor" in ip and "payment_method" in ip:
        drg = ip[ip["payment_method"].astype(str) == "drg"]
        # None, not NaN, without DRG claims: summaries of two such runs compare equal
        out["drg_point_value_factor"] = float(drg["point_value_factor"].mean()) if len(drg) else None
    return out


def capacity_kpis(capacity: dict[str, np.ndarray], level: np.ndarray) -> dict[str, dict]:
    """Per year: ``reinvested_yuan`` (retained surplus reinvested at the year's start, all facilities) and
    ``township_quality`` (mean perceived quality of township centres in force, 0-1)."""
    township = level == TOWNSHIP
    return {str(y): {"reinvested_yuan": float(capacity["invested"][y].sum()),
                     "township_quality": float(capacity["quality"][y][township].mean()) if township.any() else None}
            for y in range(capacity["invested"].shape[0])}


def facility_year_table(inpatient: pd.DataFrame, outpatient: pd.DataFrame, bed_days: np.ndarray,
                        facilities: pd.DataFrame, finances: pd.DataFrame | None = None,
                        capacity: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """One row per facility and year: visits, admissions, bed-days, occupancy, revenue, fund, out-of-pocket.

    Without ``finances`` the facility's revenue is the claims' total cost (fee-for-service). With the
    ``facility_finances`` of :func:`sim.settlement.settle.settle`, ``revenue`` is what the facility was
    paid (fund payment to it + out-of-pocket + capitation + its part of the budget's net result), and the
    table gains ``claims_revenue, capitation, budget_share, fund_to_provider, cost, margin`` (yuan).
    With the model's ``capacity`` ((years, F) arrays by name, :attr:`sim.model.CountyModel.capacity`) it gains
    those columns: ``invested`` (yuan), ``quality`` (0-1), ``capable_cells``.
    """
    years = bed_days.shape[0]
    F = len(facilities)
    base = pd.DataFrame({"year": np.repeat(np.arange(years), F), "facility_index": np.tile(np.arange(F), years)})
    ip_adm = inpatient.assign(year=inpatient["admit_day"] // DAYS_PER_YEAR)
    adm = ip_adm.groupby(["year", "facility_index"]).size().rename("admissions")
    money_cols = ["total_cost", "fund_payment", "oop_payment"]
    ip_money = inpatient.groupby(["year", "facility_index"])[money_cols].sum()
    op_sum = outpatient.groupby(["year", "facility_index"])[["visits"] + money_cols].sum()
    out = base.join(adm, on=["year", "facility_index"]).join(op_sum[["visits"]], on=["year", "facility_index"])
    money = ip_money.add(op_sum[money_cols], fill_value=0.0)
    out = out.join(money, on=["year", "facility_index"]).fillna(0)
    out["admissions"] = out["admissions"].astype(np.int64)
    out["visits"] = out["visits"].astype(np.int64)
    out["bed_days"] = bed_days.reshape(-1)
    fac = facilities.reset_index(drop=True)
    out["facility"] = fac["id"].to_numpy()[out["facility_index"]]
    out["name"] = fac["name"].to_numpy()[out["facility_index"]]
    out["level_name"] = np.asarray(LEVEL_NAMES, dtype=object)[fac["level"].to_numpy()[out["facility_index"]]]
    beds = fac["beds"].to_numpy()[out["facility_index"]]
    in_county = fac["level"].to_numpy()[out["facility_index"]] <= COUNTY
    out["beds"] = np.where(in_county, beds, 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["bed_occupancy"] = np.where(in_county & (beds > 0), out["bed_days"] / (beds * DAYS_PER_YEAR), np.nan)
    out = out.rename(columns={"total_cost": "revenue"})
    cols = ["year", "facility", "name", "level_name", "beds", "visits", "admissions", "bed_days",
            "bed_occupancy", "revenue", "fund_payment", "oop_payment"]
    for name, values in (capacity or {}).items():
        out[name] = values.reshape(-1)
        cols.append(name)
    if finances is None:
        return out[cols]
    money = ["revenue", "claims_revenue", "capitation", "budget_share", "fund_to_provider", "cost", "margin"]
    fin = finances.set_index(["year", "facility_index"])[money]
    out = out.drop(columns="revenue").join(fin, on=["year", "facility_index"])
    out[money] = out[money].fillna(0.0)
    return out[cols + money[1:]]


def policy_kpis(inpatient: pd.DataFrame, outpatient: pd.DataFrame, casemix, years: int) -> dict[str, dict]:
    """Per year: the KPIs each policy module declares (:attr:`sim.policy.base.Policy.kpis`), computed whether
    or not the policy is in force, so a reform and its baseline report the same indicators."""
    from sim.policy import POLICIES
    from sim.policy.base import YearClaims

    out: dict[str, dict] = {}
    for year in range(years):
        adm = inpatient[(inpatient["admit_day"] // DAYS_PER_YEAR == year) & (inpatient["segment"] == 0)]
        claims = YearClaims(admissions=adm, inpatient=inpatient[inpatient["year"] == year],
                            outpatient=outpatient[outpatient["year"] == year], casemix=casemix)
        out[str(year)] = {k: v for p in POLICIES if p.kpis is not None for k, v in p.kpis(claims).items()}
    return out
def _patient_kpis(s: pd.Series, visits_by_level: pd.DataFrame, population: int) -> dict:
    """Care seeking, unmet need and first contact of one year (``s``: the year's summed daily counters)."""
    g = s.get
    fc, fcc = g("first_contacts", 0), g("first_contacts_contracted", 0)
    new_episodes = sum(g(f"ill_q{q}", 0) for q in range(1, 6))
    unseen = new_episodes - sum(g(f"seen_q{q}", 0) for q in range(1, 6))
    return {
        "visits_per_capita": _ratio(s["visits"], population),
        "visits_per_capita_by_level": {LEVEL_NAMES[int(k)]: _ratio(r.visits, population)
                                       for k, r in visits_by_level.iterrows()},
        "unmet_need": {"episodes_without_care": int(unseen), "missed_followups": int(g("missed_followups", 0)),
                       "share_of_episodes": _ratio(unseen, new_episodes)},
        "care_seeking_by_income_quintile": {f"q{q}": _ratio(g(f"seen_q{q}", 0), g(f"ill_q{q}", 0))
                                            for q in range(1, 6)},
        "outpatient_episodes_seen": int(fc),
        "first_contact_primary_share": _ratio(g("first_contacts_primary", 0), fc),
        "first_contact_primary_share_contracted": _ratio(g("first_contacts_contracted_primary", 0), fcc),
        "first_contact_primary_share_other": _ratio(g("first_contacts_primary", 0) -
                                                    g("first_contacts_contracted_primary", 0), fc - fcc),
        "contract_rate": _ratio(g("contracted", 0), population),
        "extra_followups": int(g("extra_followups", 0)),
    }
