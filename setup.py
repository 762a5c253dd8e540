"""Packaging hook: a built wheel carries the top-level templates/, static/ and migrations/.

They stay at the repository's top level (the project's layout), and the portal reads them
from there in a checkout or an editable install. A wheel has no top level, so building one
copies them into the package as ``vocportal/_resources/``, where ``vocportal.config``
finds them when the checkout's are not there.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCES = ("templates", "static", "migrations")


class BuildWithResources(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "vocportal" / "_resources"
        for name in RESOURCES:
            shutil.copytree(
                root / name,
                target / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )


setup(cmdclass={"build_py": BuildWithResources})
