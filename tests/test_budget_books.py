"""The runner closes each year once (Books), every year boundary calls the year-end callback, shocks act
through onset, and the books balance over random years (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.config.budget import BudgetConfig
from sim.config.loader import load_config
from sim.config.shocks import Shock
from sim.model import CountyModel
from sim.settlement import PaymentRules, settle
from sim.settlement.books import Books, claims_tables, settle_model
from tests.payment_helpers import full_cover, no_outpatient, spending

M = 1e6


def test_year_end_called_at_every_boundary_and_each_year_closed_once(monkeypatch):
    cfg = load_config({"extends": "global_budget", "years": 3, "reform": {"start_year": 1}},
                      {"population": 1500, "seed": 4})
    model = CountyModel(cfg)
    books = Books(model)
    calls, closes = [], []
    real = books._close
    monkeypatch.setattr(books, "_close", lambda y: (closes.append(y), real(y)))

    def year_end(m, year):
        calls.append(year)
        return books.close_year(m, year)
    model.run(year_end=year_end)
    assert calls == [0, 1]                       # every boundary, reinvestment or not
    settled = books.settlement()                 # the last year is closed after the final day
    assert closes == [0, 1, 2] and settled.balanced
    # the same settlement as pricing the whole run at once (chains across Dec 31 keep one deductible)
    whole = settle_model(model, *claims_tables(model), range(3))
    pd.testing.assert_frame_equal(settled.budget.reset_index(drop=True), whole.budget.reset_index(drop=True),
                                  rtol=1e-9, check_dtype=False)
    assert settled.inpatient["oop_payment"].sum() == pytest.approx(whole.inpatient["oop_payment"].sum(), rel=1e-12)
    assert len(settled.pool) == 6 and set(settled.pool["scheme"]) == {"resident", "employee"}


def test_incidence_shock_acts_through_onset_only_in_its_months():
    base = {"extends": "baseline", "years": 1}
    runs = {}
    for name, shocks in (("none", []), ("epidemic", [{"kind": "incidence", "year": 0, "months": [3],
                                                      "multiplier": 2.0}])):
        m = CountyModel(load_config({**base, "shocks": shocks}, {"population": 3000, "seed": 5}))
        m.run()
        runs[name] = np.asarray(m.daily["onsets"])
    march = np.zeros(len(runs["none"]), dtype=bool)
    march[59:90] = True                           # days 59-89 are month 3 of year 0
    # the other days see the very same illnesses (common random numbers); March about twice as many
    assert (runs["epidemic"][~march] == runs["none"][~march]).all()
    assert 1.7 < runs["epidemic"][march].sum() / runs["none"][march].sum() < 2.3


def _claims(amounts):
    frames = [spending(a, b, y) for y, (a, b) in enumerate(amounts)]
    df = pd.concat(frames, ignore_index=True)
    df["episode_id"] = range(len(df))
    return df


@settings(max_examples=5, deadline=None)
@given(amounts=st.lists(st.tuples(st.floats(50, 150), st.floats(5, 40)), min_size=2, max_size=4),
       mode=st.sampled_from(["reserve", "returned"]), rule=st.sampled_from(["reference", "rolling_mean"]),
       score=st.floats(0, 1), shock_year=st.integers(0, 3), mult=st.floats(1.0, 1.5),
       opening=st.floats(0, 30))
def test_books_balance_over_random_years(amounts, mode, rule, score, shock_year, mult, opening):
    cfg = BudgetConfig(enabled=True, history_yuan=[100 * M], risk_fund_mode=mode, base_rule=rule,
                       risk_fund_opening_balance=opening * M, performance={"fixed_score": score})
    s = settle(_claims([(a * M, b * M) for a, b in amounts]), no_outpatient(),
               PaymentRules(insurance=full_cover(), budget=cfg), enrollees={0: 50_000, 1: 10_000},
               shocks=[Shock(kind="price", year=shock_year, multiplier=mult)])
    assert s.balanced                                   # ledger every month and year, pool every year
    b = s.budget
    assert np.allclose(b["net_result"], b["retained_surplus"] - b["deposit_forfeited"] - b["community_overspend_share"])
    cap = cfg.risk_fund_cap_months * b["budget_total"] / 12
    # accrual stops at 3 months of B (a fund above the cap of a smaller budget keeps what it holds)
    assert (b["risk_fund_balance"] >= -1e-6).all()
    assert (b["risk_fund_balance"] <= np.maximum(cap, b["risk_fund_opening"]) + 1e-3).all()
    assert (b["risk_fund_balance"].iloc[:-1].to_numpy() == b["risk_fund_opening"].iloc[1:].to_numpy()).all()
    assert (b["shock_overspend"] <= b["reasonable_overspend"] + 1e-6).all()
    assert (b["risk_fund_draw"] <= b["pool_overspend_share"] + 1e-6).all()
    p = s.pool.groupby("year")[["balance_opening", "income", "spending", "balance"]].sum()
    assert np.allclose(p["balance"], p["balance_opening"] + p["income"] - p["spending"])
    assert np.allclose(p["balance"].iloc[:-1].to_numpy(), p["balance_opening"].iloc[1:].to_numpy())
