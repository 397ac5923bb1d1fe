"""Build hook: the bundled case and reference data (``data/``) travel in the wheel.

Everything else is declared in pyproject.toml. A checkout reads ``data/`` where it is; an installed
wheel has no checkout, so ``build_py`` copies the folder into the package as ``estimates/data``,
where :mod:`estimates.paths` finds it.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithData(build_py):
    def run(self):
        super().run()
        source = Path(__file__).resolve().parent / "data"
        if source.is_dir() and not self.editable_mode:
            shutil.copytree(source, Path(self.build_lib) / "estimates" / "data", dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithData})
