"""Bad input ends with one clear message (file, field, value, expectation), exit code 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

import sim
from sim.cli import main


def _cli(capsys, *args):
    """``countysim ARGS`` in-process: exit code and printed text, like a finished subprocess."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return SimpleNamespace(returncode=code, stdout=out, stderr=err)


def _one_line_error(stderr: str) -> bool:
    return stderr.startswith("countysim: error: ") and stderr.count("\n") == 1 and "Traceback" not in stderr


def _write(tmp_path, text, name="bad.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize("yaml_text, expected", [
    ("extends: default\npopulaton: 1000\n", ["populaton", "unknown field"]),
    ("extends: default\nworld:\n  thc_beds: many\n", ["world.thc_beds", "'many'", "integer"]),
    ("extends: default\npopulation: -50\n", ["population", "-50", "greater than or equal to 1"]),
    ("extends: default\ndemography:\n  age_shares: {0-14: 0.5, 15-44: 0.2, 45-64: 0.1, 65+: 0.1}\n",
     ["age_shares", "sum to 0.9", "expected 1"]),
    ("extends: default\ninsurance:\n  resident:\n    inpatient_ratio: {county: 1.4}\n",
     ["insurance.resident.inpatient_ratio.county", "1.4", "less than or equal to 1"]),
    ("extends: default\ncasemix:\n  incidence_multipliers: {no_such_condition: 2}\n",
     ["no_such_condition", "unknown condition code"]),
    ("extends: default\ncasemix:\n  table: missing.csv\n", ["missing.csv", "not found"]),
    ("extends: nowhere.yaml\n", ["nowhere.yaml", "not found"]),
    ("extends: default\nreinvestment:\n  township: {capability_conditions: [stroke]}\n",
     ["reinvestment.township.capability_conditions", "stroke", "cost_township"]),
    ("extends: default\nreinvestment:\n  township: {capability_conditions: [no_such]}\n",
     ["reinvestment.township.capability_conditions", "no_such", "unknown condition"]),
    ("extends: default\nreinvestment:\n  village: {share: 1.5}\n",
     ["reinvestment.village.share", "1.5", "less than or equal to 1"]),
    ("population: [1, 2\n", ["bad.yaml", "not valid YAML"]),
])
def test_bad_config_message(tmp_path, capsys, yaml_text, expected):
    path = _write(tmp_path, yaml_text)
    r = _cli(capsys, "run", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert _one_line_error(r.stderr) and r.stdout == "", r.stderr
    for fragment in expected:
        assert fragment in r.stderr, (fragment, r.stderr)
    assert not (tmp_path / "out").exists()


def test_missing_config_file(tmp_path, capsys):
    r = _cli(capsys, "run", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "not found" in r.stderr and "Traceback" not in r.stderr
    assert _one_line_error(r.stderr)


def test_existing_output_folder_is_not_overwritten(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    r = _cli(capsys, "run", "--population", "2000", "--out", str(tmp_path / "out"))
    assert r.returncode == 2 and "already exists" in r.stderr
    assert _one_line_error(r.stderr) and not any((tmp_path / "out").iterdir())


def test_console_entry_exits_with_code_2(tmp_path):
    """The real process: ``python -m sim.cli`` (as the ``countysim`` script) exits 2 with one line, no traceback."""
    path = _write(tmp_path, "extends: default\npopulaton: 1000\n")
    r = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(path), "--out", str(tmp_path / "out"), "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    assert _one_line_error(r.stderr) and "populaton" in r.stderr and "unknown field" in r.stderr
    assert not (tmp_path / "out").exists()


def test_usage_errors_and_help_return_codes(capsys):
    """``main`` returns argparse's exit codes instead of raising SystemExit."""
    assert main(["--help"]) == 0
    assert "usage: countysim" in capsys.readouterr().out
    assert main(["no-such-command"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["run", "--no-such-option"]) == 2


def test_help_lists_every_command_without_heavy_imports():
    """``countysim --help`` is built without importing the commands' modules; its listing matches the full
    parser's, and neither pandas nor the model is imported to print it."""
    from sim import cli

    assert cli._build_parser(light=True).format_help() == cli.build_parser().format_help()
    code = ("import sys; from sim.cli import main; main(['--help']); "
            "heavy = [m for m in ('pandas', 'matplotlib', 'mesa', 'scipy', 'sim.simulation', 'sim.model', "
            "'sim.experiments', 'sim.plots') if m in sys.modules]; print(heavy)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout


def test_api_raises_config_error():
    with pytest.raises(sim.ConfigError, match="population"):
        sim.load_config({"extends": "default", "population": 0})


def test_partial_section_keeps_documented_defaults():
    """Setting one level's ratio leaves the other levels at their documented defaults, not at zero."""
    base = sim.load_config()
    cfg = sim.load_config({"extends": "default", "insurance": {"resident": {"inpatient_ratio": {"township": 0.9}}}})
    assert cfg.insurance.resident.inpatient_ratio.township == 0.9
    assert cfg.insurance.resident.inpatient_ratio.county == base.insurance.resident.inpatient_ratio.county == 0.75
    assert cfg.choice.asc_inpatient == base.choice.asc_inpatient
