"""Patient behaviour: first-contact choice by multinomial logit, vectorised over episodes.

The deterministic part of each alternative's utility is assembled from small
tables (facility x condition x severity, scheme x condition x level, village x
alternative), so a day's thousands of episodes cost a few array gathers; the
random part is keyed Gumbel noise (see :mod:`sim.streams`), so each episode's
taste shocks are the same in every scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.codes import CITY, COUNTY, PROVINCE, TOWNSHIP, VILLAGE
from sim.config.scenario import ChoiceConfig
from sim.county.casemix import Casemix
from sim.county.world import World

#: alternative slots: 0 own village clinic, 1 own township centre, then hospitals (see World.alternatives)
OWN_PRIMARY_SLOTS = 2


@dataclass(frozen=True)
class ChoiceTables:
    """Deterministic utility components, rebuilt when prices, rules or capabilities change.

    Attributes
    ----------
    facility_outpatient, facility_inpatient : (F, C, 3) level constant + quality + severity shift
        - incapability penalty, for outpatient and inpatient first contact.
    oop : (2, C, 5) utility of expected out-of-pocket cost by scheme, condition, level (<= 0).
    travel : (V, K) utility of travel time from each village to each alternative (<= 0).
    contract : utility bonus of own primary facilities for contracted residents.
    oop_yuan : (2, C, 5) the expected out-of-pocket cost itself, yuan (0 where the level does not treat).
    contract_named : extra utility of the facility a contract names (slot 0 village doctor, 1 township team).
    via_yuan : (2, 2, C) out-of-pocket of county outpatient care via a referral at the own village clinic (slot 0)
        or township centre (slot 1), by scheme and condition, yuan (NaN where no such route); for gatekeeping
        that counts only the contracted doctor's referral (see ``route_slot`` of :func:`utilities`); None: none.
    oop_per_100_yuan : disutility of 100 yuan out of pocket (the coefficient behind ``oop``).
    """

    facility_outpatient: np.ndarray
    facility_inpatient: np.ndarray
    oop: np.ndarray
    travel: np.ndarray
    contract: float
    oop_yuan: np.ndarray | None = None
    contract_named: float = 0.0
    via_yuan: np.ndarray | None = None
    oop_per_100_yuan: float = 0.0


def build_choice_tables(cfg: ChoiceConfig, world: World, casemix: Casemix, capable: np.ndarray,
                        quality: np.ndarray, expected_oop: np.ndarray,
                        via_yuan: np.ndarray | None = None) -> ChoiceTables:
    """Assemble utility tables.

    Parameters
    ----------
    capable : (F, C, 3) bool, facility can treat condition at severity.
    quality : (F,) perceived quality 0-1.
    expected_oop : (2, C, 5) expected out-of-pocket, yuan (NaN where the level does not treat).
    via_yuan : see :class:`ChoiceTables`.
    """
    level = world.level.astype(np.int64)
    hosp_above = np.maximum(level - TOWNSHIP, 0).astype(float)
    sev_shift = np.zeros((len(level), 1, 3))
    sev_shift[:, 0, 2] = cfg.severity_upshift * hosp_above
    common = cfg.quality * quality[:, None, None] + sev_shift + cfg.hospital_size * _county_size(world)[:, None, None]
    common = common - cfg.incapable * (~capable[:, :, 1:2])
    fac_out = np.array(cfg.asc_outpatient.as_list())[level][:, None, None] + common
    fac_in = np.array(cfg.asc_inpatient.as_list())[level][:, None, None] + common
    fac_in[level == VILLAGE] = -np.inf  # village clinics do not admit
    oop_yuan = np.nan_to_num(expected_oop, nan=0.0)
    oop = -cfg.oop_per_100_yuan * oop_yuan / 100.0
    travel = -cfg.travel_per_hour * world.travel_hours
    return ChoiceTables(facility_outpatient=fac_out, facility_inpatient=fac_in, oop=oop, travel=travel,
                        contract=cfg.contract, oop_yuan=oop_yuan, contract_named=cfg.contract_named,
                        via_yuan=via_yuan, oop_per_100_yuan=cfg.oop_per_100_yuan)


def _county_size(world: World) -> np.ndarray:
    """(F,) log of each county hospital's beds relative to the county hospitals' mean; 0 elsewhere."""
    out = np.zeros(len(world.level))
    county = world.level == COUNTY
    beds = world.beds[county].astype(float)
    out[county] = np.log(beds / beds.mean())
    return out


#: an episode batch's choice set: (alternatives (n, K) facility rows, deterministic utilities (n, K))
Utilities = tuple[np.ndarray, np.ndarray]


def pick(util: Utilities, gumbel: np.ndarray) -> np.ndarray:
    """(n,) facility row each episode goes to first: argmax of utility + Gumbel noise (n, K), a logit draw."""
    alts, u = util
    return alts[np.arange(len(alts)), np.argmax(u + gumbel, axis=1)]


def utilities(tables: ChoiceTables, world: World, level: np.ndarray, village: np.ndarray, condition: np.ndarray,
              severity: np.ndarray, scheme: np.ndarray, contracted: np.ndarray, inpatient: bool,
              oop_scale: np.ndarray | None = None,
              named_slot: np.ndarray | None = None,
              route_slot: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(alternatives (n, K) facility rows, deterministic utilities (n, K))`` of episodes.

    ``oop_scale`` : (n,) multiplier on the out-of-pocket term (severity and income; None = 1).
    ``named_slot`` : (n,) alternative slot a contract names (0 village clinic, 1 township centre, -1 none);
    that slot gets ``tables.contract_named`` on top of the contract bonus.
    ``route_slot`` : (n,) primary slot whose referral opens the route to county outpatient care at
    ``tables.via_yuan`` (the contracted facility; -1 none: such a patient can only bypass); None: no one.
    """
    alts = world.alternatives[village]                          # (n, K)
    fac_tab = tables.facility_inpatient if inpatient else tables.facility_outpatient
    u = fac_tab[alts, condition[:, None], severity[:, None]]
    oop = tables.oop[scheme[:, None], condition[:, None], level[alts]]
    if tables.via_yuan is not None and route_slot is not None:
        lvl = level[alts]
        yuan = episode_oop_yuan(tables, lvl, scheme, condition, route_slot)
        oop = np.where(lvl == COUNTY, -tables.oop_per_100_yuan * yuan / 100.0, oop)
    u = u + (oop if oop_scale is None else oop * oop_scale[:, None])
    u = u + tables.travel[village]
    u[:, :OWN_PRIMARY_SLOTS] += tables.contract * contracted[:, None]
    if named_slot is not None and tables.contract_named:
        rows = np.flatnonzero(named_slot >= 0)
        u[rows, named_slot[rows]] += tables.contract_named * contracted[rows]
    return alts, u


def episode_oop_yuan(tables: ChoiceTables, lvl: np.ndarray, scheme: np.ndarray, condition: np.ndarray,
                     route_slot: np.ndarray | None = None) -> np.ndarray:
    """(n, K) out-of-pocket episodes expect at each alternative (levels ``lvl`` (n, K)), yuan: the table's
    price, or at county hospitals the referral route's (``tables.via_yuan``) where the episode's ``route_slot``
    opens one (see :func:`utilities`)."""
    oop = tables.oop_yuan[scheme[:, None], condition[:, None], lvl]
    if tables.via_yuan is None or route_slot is None:
        return oop
    via = tables.via_yuan[np.maximum(route_slot, 0), scheme, condition]
    use = (route_slot >= 0) & ~np.isnan(via)
    return np.where(use[:, None] & (lvl == COUNTY), via[:, None], oop)


def capability_table(world: World, casemix: Casemix) -> np.ndarray:
    """(F, C, 3) bool: a facility treats a condition at a severity if its level reaches the minimum level.

    Facilities of the highest level present treat everything (the end of every referral chain).
    """
    level = world.level
    return (level[:, None, None] >= casemix.min_level[None, :, :]) | (level == level.max())[:, None, None]


def referral_targets(world: World) -> np.ndarray:
    """(F,) facility row a facility refers up to.

    Village clinic -> own township centre; township centre -> main county hospital; county hospital ->
    main city hospital; city -> provincial hospital; provincial -> itself (treats everything).
    """
    level = world.level
    tgt = np.empty(len(level), dtype=np.int64)
    tgt[level == VILLAGE] = world.thc_of_township[world.facilities["township"].to_numpy()[level == VILLAGE]]
    tgt[level == TOWNSHIP] = world.first_of_level(COUNTY)
    tgt[level == COUNTY] = world.first_of_level(CITY)
    has_prov = (level == PROVINCE).any()
    tgt[level == CITY] = world.first_of_level(PROVINCE) if has_prov else np.flatnonzero(level == CITY)
    if has_prov:
        tgt[level == PROVINCE] = np.flatnonzero(level == PROVINCE)
    return tgt
