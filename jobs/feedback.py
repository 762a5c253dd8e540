"""Feedback jobs: importing an uploaded CSV file."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from jobs.runtime import retries_left, task
from vocportal.feedback.importer import import_rows
from vocportal.spreadsheets import open_csv


@task
def import_csv(name: str, original: str = "", *, progress) -> dict:
    """Import instance/imports/NAME (saved by the upload page from a file the person called
    ORIGINAL); report per-line errors. The saved file is deleted once the import is over,
    and after a failure that will not be retried."""
    path = Path(current_app.instance_path) / "imports" / Path(name).name
    try:
        with open_csv(path) as file:
            total = max(sum(1 for _ in file) - 1, 1)
            file.seek(0)
            report = import_rows(
                file, progress=lambda n: progress(n / total, f"{n} of {total} rows")
            )
    except BaseException:
        if retries_left() == 0:
            path.unlink(missing_ok=True)
        raise
    path.unlink(missing_ok=True)
    report.file = original or name
    return report.as_dict()
