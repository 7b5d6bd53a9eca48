"""Effects benchmark (sim/experiments/effects.py): verdicts, a deliberately wrong published effect, resume.

Tiny county (3,000 residents, 1 year, 2 seeds); two scenarios run once each per seed in one sweep. PASS,
DIRECTION-ONLY and FAIL on real effects are covered by the verdict rules and by configs/effects/published.yaml.
"""

from __future__ import annotations

import json

import pytest

from sim.experiments.effects import load_benchmark, run_effects, verdict
from sim.experiments.store import status

NOOP = {"extends": "baseline", "name": "noop", "description": "identical rules: no effect at all"}


def _entry(id, reform, published, band, kpi="visits", **kw):
    return {"id": id, "baseline": "baseline", "reform": reform, "kpi": kpi, "published": published, "band": band,
            "source": "test", **kw}


BENCH = {"name": "tiny", "seeds": 2, "population": 3000, "years": 1, "effects": [
    _entry("wrong_plus_50", NOOP, 0.50, [0.40, 0.60]),        # published +50%, the scenario has no effect
    _entry("no_effect", NOOP, 0.0, [-0.01, 0.01], kpi="admissions"),
    _entry("missing_kpi", NOOP, 0.1, [0.0, 0.2], kpi="no_such_kpi"),
    {"id": "not_yet", "kpi": "visits", "published": -0.1, "band": [-0.2, 0.0], "source": "test",
     "expressible": False, "note": "no channel"},
]}


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("effects")
    return run_effects(BENCH, out=out, workers=1), out


def test_verdict_rules():
    assert verdict(-0.05, -0.08, (-0.13, -0.03)) == "PASS"
    assert verdict(-0.01, -0.08, (-0.13, -0.03)) == "DIRECTION-ONLY"
    assert verdict(0.01, -0.08, (-0.13, -0.03)) == "FAIL"
    assert verdict(0.0, -0.08, (-0.13, -0.03)) == "FAIL"
    assert verdict(float("nan"), -0.08, (-0.13, -0.03)) == "N/A"


def test_wrong_effect_fails_and_verdicts(result):
    table, _ = result
    v = dict(zip(table["id"], table["verdict"]))
    m = dict(zip(table["id"], table["model"]))
    assert m["wrong_plus_50"] == 0.0  # same rules on common random numbers: exactly no effect
    assert v["wrong_plus_50"] == "FAIL"
    assert v["no_effect"] == "PASS"
    assert v["missing_kpi"] == "N/A" and v["not_yet"] == "N/A"
    assert (table.loc[table["id"] != "not_yet", "n"].isin([0, 2])).all()


def test_outputs_and_shared_runs(result):
    table, out = result
    meta = json.loads((out / "effects.json").read_text())
    assert [r["verdict"] for r in meta["rows"]] == list(table["verdict"])
    assert "| wrong_plus_50 |" in (out / "effects.md").read_text()
    st = status(out)
    assert st.done == 2 * 2  # baseline, noop x 2 seeds: the entries share the pair's runs
    again = run_effects(BENCH, out=out, workers=1)  # finished runs are reused (no new runs)
    assert list(again["model"].fillna(-9)) == list(table["model"].fillna(-9))


def test_shipped_benchmark_is_valid():
    bench, _ = load_benchmark("configs/effects/published.yaml")
    assert len(bench.effects) >= 8
    assert all("docs/sources/behaviour_evidence.md §" in e.source for e in bench.effects)
