"""Sensitivity designs end to end on a toy county (2,000 residents, one year): Sobol' indices, Morris elementary
effects, one-at-a-time tornado tables.

Split from ``test_experiments_sweep.py`` so that xdist (``--dist loadfile``) can run this file, the suite's longest
(the Sobol' design is 32 runs), on one worker while the sweep tests run on the other.
"""

from __future__ import annotations

from sim import experiments as ex
from sim.cli import main
from tests.golden.regenerate import BEHAVIOUR_OFF

#: the designs and their indices are under test here, not the model's behaviour: with the behaviour channels off
#: a run costs about a third (0.8 s instead of 2.6 s for 2,000 residents x 1 year)
FAST = {"output.claims": "none", "output.daily": False,
        **{f"mechanisms.{k}": False for k in BEHAVIOUR_OFF["mechanisms"]}}


def test_sobol_ranks_a_strong_parameter_over_a_dummy(tmp_path):
    """Sobol' on a toy county: incidence drives admissions; the spec-level dummy (sampled, never applied)
    gets zero indices, since replicates share seeds."""
    spec = {"name": "toy_sobol", "scenarios": ["default"], "population": 2000, "years": 1,
            "set": FAST,
            "parameters": {"casemix.incidence_scale": {"low": 0.5, "high": 1.5}},
            "dummy": {"dummy": {"low": 0.0, "high": 1.0}},
            "design": {"method": "sobol", "samples": 8}}
    # one process: the pool's worker processes would cost imports, not test anything the CLI sweep above does not
    status = ex.run_sweep(spec, out=tmp_path / "s", workers=1)
    assert status.done == 8 * (2 + 2)
    idx = ex.sobol_indices(tmp_path / "s", ["admissions"]).set_index("parameter")
    strong, dummy = idx.loc["casemix.incidence_scale"], idx.loc["dummy"]
    # true value 1; N = 8 keeps the test fast, not precise (N = 4 gives S1 from -0.2 to 1.4 over root seeds)
    assert strong["S1"] > 0.3 and strong["ST"] > 0.3
    assert abs(dummy["S1"]) < 0.02 and abs(dummy["ST"]) < 0.02


def test_morris_and_tornado(tmp_path, capsys):
    base = {"scenarios": ["default"], "population": 2000, "years": 1, "set": FAST,
            "parameters": {"casemix.incidence_scale": {"low": 0.5, "high": 1.5}},
            "dummy": {"dummy": {"low": 0.0, "high": 1.0}}}
    ex.run_sweep({**base, "name": "toy_morris", "design": {"method": "morris", "samples": 2}},
                 out=tmp_path / "m", workers=1)
    mo = ex.morris_indices(tmp_path / "m", ["admissions"]).set_index("parameter")
    assert mo.loc["casemix.incidence_scale", "mu_star"] > 100 and mo.loc["dummy", "mu_star"] == 0
    oat = {**base, "name": "toy_oat", "design": "oat"}
    first = ex.run_sweep(oat, out=tmp_path / "o", workers=1, max_runs=2)
    assert (first.done, first.pending) == (2, 3)
    assert ex.run_sweep(oat, out=tmp_path / "o", workers=1).done == 5
    tor = ex.tornado(tmp_path / "o", ["admissions"])
    assert list(tor["parameter"]) == ["casemix.incidence_scale", "dummy"]
    top = tor.iloc[0]
    assert top["kpi_low"] < top["kpi_base"] < top["kpi_high"] and tor.iloc[1]["swing"] == 0
    assert main(["sweep-analyze", str(tmp_path / "o"), "--kpi", "admissions"]) == 0
    assert "tornado" in capsys.readouterr().out
