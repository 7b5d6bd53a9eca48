"""Build hook: ship the repository's configs/ folder inside the package as ``sim/_configs``.

configs/ (the built-in county, scenarios, case-mix table, example sweeps) lives at the top of the repository,
where users read and edit it; a wheel (``pip install .``) must carry it too, or ``countysim run`` only works
from an editable install. ``sim.config.loader.CONFIGS_DIR`` uses the repository's configs/ when present and
the packaged copy otherwise. Everything else is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithConfigs(build_py):
    def run(self):
        super().run()
        target = Path(self.build_lib) / "sim" / "_configs"
        if (HERE / "configs").is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(HERE / "configs", target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildWithConfigs})
