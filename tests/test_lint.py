"""The code is clean under ruff (rules and line length in pyproject.toml, ``[tool.ruff]``).

Checks the whole repository (sim/, tests/, benchmarks/; notebooks/ are excluded in the config) the way a
developer would: ``ruff check .``. Skipped where ruff is not installed; it is in the ``[test]`` extras, so CI
runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_check_is_clean():
    pytest.importorskip("ruff")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", str(ROOT)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"ruff check found problems (exit {done.returncode}; fix them by hand):\n"
                    f"{done.stdout}{done.stderr}", pytrace=False)
