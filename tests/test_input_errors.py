"""Every bad input ends with one line naming the file or flag, the field, the value and what was expected;
exit code 2, no traceback, nothing written (issue #15). In-process through ``sim.cli.main``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim.cli
from tests.test_world import FACILITIES, VILLAGES


def cli(*args):
    try:
        rc = sim.cli.main([str(a) for a in args])
    except SystemExit as e:  # argparse errors
        rc = e.code
    return rc


def run_err(capsys, *args):
    """Run the CLI; return (exit code, stderr). Asserts no traceback and a one-line message."""
    rc = cli(*args)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    if rc == 2 and lines and lines[-1].startswith("countysim: error:"):
        assert len(lines) == 1, err  # one clear line
    return rc, err


def _yaml(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# -- scenario files and flags -------------------------------------------------------------------------
FLAG_CASES = [
    # (args after `run`, fragments expected in the message)
    (["--set", "x=[1,"], ["--set x", "'[1,'", "not a plain YAML value"]),
    (["--set", "a=!!python/object/apply:os.system [echo]"], ["--set a", "python/object", "not a plain YAML value"]),
    (["--set", "referral.refer_up_capable.township=1.5"],
     ["--set referral.refer_up_capable.township", "1.5", "probability must lie in [0, 1]"]),
    (["--set", "referral.refer_up_capable.township=-2"], ["refer_up_capable.township", "-2", "[0, 1]"]),
    (["--set", "casemix.seek_care.mild=1.2"], ["casemix.seek_care.mild", "1.2", "[0, 1]"]),
    (["--set", "choice.quality=.inf"], ["--set choice.quality", "inf", "finite number"]),
    (["--set", "choice.travel_per_hour=.nan"], ["choice.travel_per_hour", "finite number"]),
    (["--set", "casemix.incidence_multipliers.stroke=-1"], ["casemix.incidence_multipliers", "stroke", ">= 0"]),
    (["--population", "1"], ["--population", "'population' = 1", "greater than or equal to 100"]),
    (["--population", "10"], ["--population", "= 10", "100"]),
    (["--years", "0"], ["--years", "'years' = 0", "greater than or equal to 1"]),
    (["--seed", "-3"], ["--seed", "'seed' = -3", "greater than or equal to 0"]),
    (["global_budget", "--years", "1"], ["reform.start_year", "= 2", "never starts", "years = 1"]),
    (["--set", "reform.start_year=5", "--set", "reform.before=baseline", "--years", "2"],
     ["--set reform.start_year", "= 5", "never starts", "years = 2"]),
    (["typo_dir/whitelist.yaml"], ["typo_dir/whitelist.yaml", "not found", "folder typo_dir does not exist"]),
    (["--set", "refer_up_capable.township=0.1"], ["--set refer_up_capable.township", "unknown field"]),
]


@pytest.mark.parametrize("args, fragments", FLAG_CASES, ids=[" ".join(a)[:40] for a, _ in FLAG_CASES])
def test_bad_flags_and_overrides(tmp_path, capsys, monkeypatch, args, fragments):
    monkeypatch.chdir(tmp_path)
    rc, err = run_err(capsys, "run", *args, "--out", tmp_path / "out", "--quiet")
    assert rc == 2, err
    for f in fragments:
        assert f in err, (f, err)
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []  # nothing partial (no results/, no temporaries)


YAML_CASES = [
    ("", ["s.yaml", "file is empty", "extends: default"]),
    ("extends: default\nworld: {villages_csv: v.csv}\n", ["world", "together"]),
    ("extends: default\nworld: {county_hospital_beds: []}\n", ["county_hospital_beds", "at least one"]),
    ("extends: default\ndemography:\n  age_shares: {0-14: 0.5, 15-44: 0.2, 45-64: 0.1, 65+: 0.1}\n",
     ["age_shares", "sum to 0.9", "expected 1"]),
]


@pytest.mark.parametrize("text, fragments", YAML_CASES)
def test_bad_yaml(tmp_path, capsys, text, fragments):
    path = _yaml(tmp_path, text)
    rc, err = run_err(capsys, "run", path, "--out", tmp_path / "out", "--quiet")
    assert rc == 2, err
    for f in fragments:
        assert f in err, (f, err)
    assert "0.38" not in err and "b15_44" not in err  # a section is summarised, never dumped
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("raw", [b"name: \xe9t\xe9\n", bytes(range(256))])
def test_non_utf8_yaml(tmp_path, capsys, raw):
    path = tmp_path / "s.yaml"
    path.write_bytes(raw)
    rc, err = run_err(capsys, "run", path, "--out", tmp_path / "out")
    assert rc == 2 and "s.yaml" in err and "not UTF-8" in err


# -- CSV counties -------------------------------------------------------------------------------------
def _county(tmp_path, facilities=FACILITIES, villages=VILLAGES, sep=","):
    (tmp_path / "fac.csv").write_text(facilities.replace(",", sep), encoding="utf-8")
    (tmp_path / "vil.csv").write_text(villages, encoding="utf-8")
    return _yaml(tmp_path,
                 "extends: default\npopulation: 2000\nworld: {facilities_csv: fac.csv, villages_csv: vil.csv}\n",
                 "county.yaml")


XY_FACILITIES = FACILITIES.replace("lat,lon", "x,y")
CSV_CASES = {
    "duplicate id": (dict(facilities=FACILITIES.replace("T2,北乡", "T1,北乡")),
                     ["fac.csv", "row 4", "'id' = 'T1'", "duplicate of row 3"]),
    "inf coordinate": (dict(facilities=FACILITIES.replace("34.20,114.05", "inf,114.05")),
                       ["fac.csv", "row 4", "'lat' = 'inf'", "degrees"]),
    "latitude out of range": (dict(facilities=FACILITIES.replace("34.20,114.05", "340.2,114.05")),
                              ["fac.csv", "'lat' = '340.2'", "±90"]),
    "mixed coordinate systems": (dict(facilities=XY_FACILITIES), ["fac.csv", "x,y (km)", "lat,lon", "same system"]),
    "semicolons": (dict(sep=";"), ["fac.csv", "separated by semicolons", "comma-separated"]),
    "township without centre": (dict(facilities=FACILITIES.replace("T2,北乡卫生院,township,北乡",
                                                                   "T2,北乡卫生院,county,城关")),
                                ["fac.csv", "'township' = '北乡'", "villages in", "no township health centre"]),
    "infinite beds": (dict(facilities=FACILITIES.replace(",300,140", ",inf,140")), ["'beds' = 'inf'", "finite"]),
}


@pytest.mark.parametrize("command", ["run", "validate"])
@pytest.mark.parametrize("case", list(CSV_CASES))
def test_bad_county_csv(tmp_path, capsys, command, case):
    kwargs, fragments = CSV_CASES[case]
    cfg = _county(tmp_path, **kwargs)
    extra = ["--out", tmp_path / "out", "--quiet"] if command == "run" else []
    rc, err = run_err(capsys, command, cfg, *extra)
    assert rc == 2, err
    for f in fragments:
        assert f in err, (f, err)
    assert not (tmp_path / "out").exists()


def test_validate_rejects_policy_codes_missing_from_the_casemix(tmp_path, capsys):
    path = _yaml(tmp_path, "extends: whitelist\npolicy:\n  whitelist: {codes: [stroke, no_such_condition]}\n")
    rc, err = run_err(capsys, "validate", path)
    assert rc == 2 and "policy.whitelist.codes" in err and "no_such_condition" in err
    # and a disabled list too: switching it on later with --set would fail then
    path = _yaml(tmp_path, "extends: default\npolicy:\n  gatekeeping: {enabled: false, codes: [nope]}\n", "g.yaml")
    rc, err = run_err(capsys, "validate", path)
    assert rc == 2 and "policy.gatekeeping.codes" in err and "'nope'" in err


def test_validate_accepts_a_good_csv_county(tmp_path, capsys):
    assert cli("validate", _county(tmp_path)) == 0
    assert "valid scenario" in capsys.readouterr().out


# -- output folders -----------------------------------------------------------------------------------
def test_out_under_a_file_fails_before_simulating(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    rc, err = run_err(capsys, "run", "--population", 500_000, "--out", tmp_path / "file" / "run")
    assert rc == 2 and "--out" in err and "is a file" in err  # a 500k county would take minutes: fails first


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_read_only_results_folder_fails_before_simulating(tmp_path, capsys, monkeypatch):
    from sim.config.loader import ConfigError
    from sim.results.atomic import check_can_create

    ro = tmp_path / "ro"
    ro.mkdir()
    monkeypatch.chdir(ro)
    # (as root, permissions do not bind: simulate the refusal the probe gets on a read-only mount)
    import tempfile

    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(ConfigError, match="cannot write in .*Permission denied"):
        check_can_create(ro / "results" / "run")
    rc, err = run_err(capsys, "run", "--population", 500_000)
    assert rc == 2 and "output folder (--out)" in err and "Permission denied" in err
    assert list(ro.iterdir()) == []


def test_report_and_sweep_analyze_targets_are_checked(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    rc, err = run_err(capsys, "sweep-analyze", tmp_path, "--csv", tmp_path / "file" / "x.csv")
    assert rc == 2 and "--csv" in err and "is a file" in err


# -- other commands -----------------------------------------------------------------------------------
@pytest.mark.parametrize("args, fragment", [
    (["sweep", "configs/sweeps/example_grid.yaml", "--max-runs", "0"], "expected a number of runs >= 1"),
    (["sweep", "configs/sweeps/example_grid.yaml", "--retries", "-1"], "extra attempts >= 0"),
    (["compare", "baseline", "drg", "--seeds", "0"], "replicates >= 1"),
    (["plot", ".", "--dpi", "-5"], "dots per inch between 10 and 2400"),
    (["report", ".", "--dpi", "-5"], "dots per inch between 10 and 2400"),
])
def test_bad_numbers_in_other_commands(tmp_path, capsys, args, fragment):
    rc = cli(*args)
    err = capsys.readouterr().err
    assert rc == 2 and fragment in err and "Traceback" not in err


def test_compare_a_scenario_with_itself(tmp_path, capsys):
    rc, err = run_err(capsys, "compare", "baseline", "baseline", "--population", 2000, "--years", 1,
                      "--out", tmp_path / "c", "--quiet")
    assert rc == 2 and "identical" in err
    assert not (tmp_path / "c").exists()


def test_compare_into_a_folder_holding_another_population(tmp_path, capsys):
    import yaml

    from sim.experiments.spec import load_spec

    spec = load_spec({"name": "c", "scenarios": {"baseline": "baseline", "reform": "drg"}, "population": 2000,
                      "years": 1, "seeds": 1})
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "sweep.yaml").write_text(yaml.safe_dump(spec.stored()), encoding="utf-8")
    rc, err = run_err(capsys, "compare", "baseline", "drg", "--population", 3000, "--years", 1, "--seeds", 1,
                      "--out", tmp_path / "c", "--quiet")
    assert rc == 2 and "holds an earlier sweep or comparison" in err and "population 2000 -> 3000" in err
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["sweep.yaml"]


def test_plot_on_a_corrupt_parquet(tmp_path, capsys):
    import sim

    r = sim.run(None, population=2000, years=1)
    folder = r.write(tmp_path / "run")
    (folder / "daily.parquet").write_bytes(b"PAR1 this is not parquet")
    rc, err = run_err(capsys, "plot", folder, "--out", tmp_path / "figs")
    assert rc == 2 and "daily.parquet" in err and "damaged" in err


def test_params_into_a_closed_pipe():
    r = subprocess.run(f"{sys.executable} -m sim.cli params | head -1", shell=True, capture_output=True, text=True,
                       cwd=Path(__file__).parents[1])
    assert r.returncode == 0 and "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr
    assert r.stdout.startswith("name = ")


# -- property test: random malformed configs and CSVs -------------------------------------------------
_FIELDS = ["population", "years", "seed", "referral.down_referral", "choice.quality", "world.townships",
           "casemix.seek_care.mild", "insurance.resident.inpatient_ratio.county", "demography.female_share",
           "reform.start_year", "calendar.first_year", "casemix.incidence_scale", "no_such.field"]
_BAD_VALUES = st.one_of(st.sampled_from([-1, -0.5, 1.5, 1e12, float("inf"), float("-inf"), float("nan"), "",
                                         "abc", [], [1, 2], {"a": 1}, None, True]),
                        st.text(max_size=8), st.integers(max_value=-1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(_FIELDS), value=_BAD_VALUES)
def test_random_malformed_overrides_exit_2(tmp_path, field, value):
    """Any value of a field either validates or is a ConfigError with the field's name; never a traceback."""
    from sim.config.loader import ConfigError, load_config

    try:
        load_config(None, {field: value})
    except ConfigError as exc:
        assert field.split(".")[0] in str(exc)
    # (what validates must be a sensible value: a share in [0, 1], finite numbers)
    else:
        assert not (isinstance(value, float) and value != value)


_CSV_TEXT = st.lists(st.sampled_from(list("ab,;\t\n\"1-.9e") + ["inf", "nan", "城关", "township", "city", ",,"]),
                     max_size=40).map("".join)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(["fac", "vil"]), text=_CSV_TEXT, keep_header=st.booleans())
def test_random_malformed_csv_exit_2(tmp_path, capsys, which, text, keep_header):
    """Garbage in either CSV ends with exit 2 and one line naming the file: never a traceback."""
    fac, vil = FACILITIES, VILLAGES
    header = (fac if which == "fac" else vil).splitlines()[0] + "\n"
    body = (header if keep_header else "") + text
    import tempfile

    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    cfg = _county(folder, **({"facilities": body} if which == "fac" else {"villages": body}))
    rc, err = run_err(capsys, "validate", cfg)
    assert rc in (0, 2), err
    if rc == 2:
        assert f"{which}.csv" in err, err
