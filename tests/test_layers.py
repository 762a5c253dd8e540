"""The layers written down in .importlinter hold: import-linter's contracts are a test."""

from __future__ import annotations

from importlinter.cli import lint_imports

from vocportal.config import PROJECT_ROOT


def test_import_linter_contracts_are_kept(capsys, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)  # the contracts name the top-level packages
    code = lint_imports(config_filename=str(PROJECT_ROOT / ".importlinter"), no_cache=True)
    output = capsys.readouterr().out
    assert code == 0, output[-4000:]
    assert "0 broken" in output
