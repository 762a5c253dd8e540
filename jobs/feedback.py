"""Feedback jobs: importing an uploaded CSV file."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from jobs.runtime import task
from vocportal.feedback.importer import import_rows


@task
def import_csv(name: str, *, progress) -> dict:
    """Import instance/imports/NAME (saved by the upload page); report per-line errors."""
    path = Path(current_app.instance_path) / "imports" / Path(name).name
    with path.open(newline="", encoding="utf-8-sig") as file:
        total = max(sum(1 for _ in file) - 1, 1)
        file.seek(0)
        report = import_rows(file, progress=lambda n: progress(n / total, f"{n} of {total} rows"))
    path.unlink(missing_ok=True)
    return report.as_dict()
