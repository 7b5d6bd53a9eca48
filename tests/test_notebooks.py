"""The notebooks in ``notebooks/`` run top to bottom (nbclient, a kernel on this interpreter).

The kernel is a ``python3`` kernelspec written to a temporary ``JUPYTER_PATH`` that starts
``sys.executable``, so a fresh virtual environment with ipykernel runs them whatever kernels the
machine has installed elsewhere. The notebooks run two at a time (each in its own kernel process); each
takes 5-20 s on a 20,000-resident county or smaller.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TIMEOUT_S = 120          # per cell


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory, monkeypatch_module):
    spec = tmp_path_factory.mktemp("jupyter") / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (countysim tests)", "language": "python"}))
    monkeypatch_module.setenv("JUPYTER_PATH", str(spec.parents[1]))
    monkeypatch_module.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch_module.setenv("TMPDIR", str(tmp_path_factory.mktemp("notebook-outputs")))  # their tempfile dirs
    monkeypatch_module.setenv("COUNTYSIM_QUICK", "1")      # notebooks that honour it run fewer seeds


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def execute(path: Path):
    """Run a notebook in a fresh kernel from its own folder; returns the executed notebook."""
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(book, kernel_name="python3", timeout=TIMEOUT_S,
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return book


@pytest.fixture(scope="module")
def executed(kernel_env):
    """Every notebook executed (two kernels at a time): name -> notebook or the exception it raised."""
    def run(path):
        try:
            return execute(path)
        except Exception as exc:  # noqa: BLE001 - reported by the test of that notebook
            return exc
    order = NOTEBOOKS[::-1]          # the later notebooks take longest: start them first
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip((p.name for p in order), pool.map(run, order)))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["01_quickstart.ipynb"]


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_notebook_runs(executed, name):
    book = executed[name]
    if isinstance(book, Exception):
        pytest.fail(f"{name} failed:\n{book}")
    outputs = [o for cell in book.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{name} shows no figure"
    # mesa imports tqdm.auto, which warns when ipywidgets is absent (the test extra has no Jupyter front end)
    warnings = [o["text"] for o in outputs if o.get("name") == "stderr" and "Warning" in o.get("text", "")
                and "TqdmWarning: IProgress not found" not in o["text"]]
    assert not warnings, f"{name} printed warnings: {warnings}"
