"""The layers written down in .importlinter hold: import-linter's contracts are a test."""

from __future__ import annotations

import configparser
import pkgutil

from importlinter.cli import lint_imports

from vocportal.config import PROJECT_ROOT


def test_import_linter_contracts_are_kept(capsys, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)  # the contracts name the top-level packages
    code = lint_imports(config_filename=str(PROJECT_ROOT / ".importlinter"), no_cache=True)
    output = capsys.readouterr().out
    assert code == 0, output[-4000:]
    assert "0 broken" in output


#: Modules under vocportal/ that may import jobs/: the CLI that assembles the `vocportal`
#: command, and the commands that run jobs in their own process.
WORKER_SIDE = {
    "vocportal.cli",
    "vocportal.cli.__main__",
    "vocportal.cli.themes",
    "vocportal.cli.workers",
}


def test_every_web_module_is_held_to_never_importing_jobs():
    config = configparser.ConfigParser()
    config.read(PROJECT_ROOT / ".importlinter")
    contract = config["importlinter:contract:web-never-imports-jobs"]
    listed = set(contract["source_modules"].split())
    package = PROJECT_ROOT / "vocportal"
    modules = {f"vocportal.{m.name}" for m in pkgutil.iter_modules([str(package)])}
    modules |= {f"vocportal.cli.{m.name}" for m in pkgutil.iter_modules([str(package / "cli")])}
    # A package listed there covers its own modules; only the CLI's are listed one by one.
    unchecked = sorted(modules - WORKER_SIDE - listed)
    assert unchecked == [], (
        f"add {unchecked} to the sources of .importlinter's web-never-imports-jobs contract "
        "(or, for a command that runs jobs here, to WORKER_SIDE)"
    )
    assert not listed & WORKER_SIDE


def test_every_feature_package_has_a_place_in_the_layers():
    """A new feature package must be placed in the feature-layers contract, or nothing
    stops it from importing (and being imported by) any other."""
    config = configparser.ConfigParser()
    config.read(PROJECT_ROOT / ".importlinter")
    layers = config["importlinter:contract:feature-layers"]["layers"]
    placed = {name.strip() for line in layers.split("\n") for name in line.split("|")}
    packages = {
        f"vocportal.{m.name}"
        for m in pkgutil.iter_modules([str(PROJECT_ROOT / "vocportal")])
        if m.ispkg and m.name not in {"data", "_resources"}
    }
    assert sorted(packages - placed) == []
