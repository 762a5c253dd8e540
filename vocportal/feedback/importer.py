"""CSV import of feedback: a bad row is reported with its line number and the rest imports;
importing the same file again creates nothing new.

Columns (header row, any order, case-insensitive): `text` and `email` are required; `name`,
`company`, `received_at` (ISO 8601) and `id` (the row's id in the source system, used to
recognise it on re-import; without it the row's content is its id) are optional. Any other
column is kept in the item's payload.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from vocportal.audit import operations as audit_ops
from vocportal.errors import OperationError
from vocportal.extensions import db
from vocportal.feedback import operations as feedback
from vocportal.feedback.models import FeedbackSource
from vocportal.spreadsheets import NOT_UTF8, csv_header, csv_records, undecodable

REQUIRED = ("text", "email")
KNOWN = ("text", "email", "name", "company", "received_at", "id")
#: Rows stored (a few statements) and committed together: a crash loses at most one batch,
#: which a re-run then imports.
BATCH = 500


@dataclass
class ImportReport:
    #: The file's name, as its uploader called it.
    file: str = ""
    created: int = 0
    duplicates: int = 0
    #: (line number in the file, what was wrong)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.duplicates + len(self.errors)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "rows": self.rows,
            "created": self.created,
            "duplicates": self.duplicates,
            "errors": [{"line": line, "error": message} for line, message in self.errors],
        }


def _parse_time(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OperationError(f"received_at {value!r} is not an ISO 8601 date") from None


def import_rows(
    lines: Iterable[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import CSV text lines; commits every BATCH rows and at the end."""
    report = ImportReport()
    reader = csv.DictReader(lines)
    headers = csv_header(reader, report.errors)
    if headers is None:
        return report
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        report.errors.append((1, f"the header has no {' or '.join(missing)} column"))
        return report
    batch: list[tuple[int, dict]] = []
    done = 0

    def flush() -> None:
        nonlocal done
        for (line, _), result in zip(
            batch,
            feedback.create_feedback_bulk([v for _, v in batch], FeedbackSource.csv, embed=False),
            strict=True,
        ):
            if result.error:
                report.errors.append((line, result.error))
            elif result.created:
                report.created += 1
            else:
                report.duplicates += 1
        db.session.commit()
        done += len(batch)
        batch.clear()
        if progress:
            progress(done)

    for line, row in csv_records(reader, report.errors):
        values = {key: (row.get(original) or "") for key, original in headers.items()}
        if any(undecodable(v) for v in values.values()):
            report.errors.append((line, NOT_UTF8))
            continue
        try:
            received_at = _parse_time(values.get("received_at", ""))
        except OperationError as error:
            report.errors.append((line, error.message))
            continue
        batch.append(
            (
                line,
                {
                    "text": values["text"],
                    "email": values["email"],
                    "name": values.get("name"),
                    "company": values.get("company"),
                    "external_id": values.get("id") or None,
                    "received_at": received_at,
                    "payload": {k: v for k, v in values.items() if k not in KNOWN and v},
                },
            )
        )
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    report.errors.sort()
    if report.created:
        feedback.request_embedding()
    audit_ops.record(
        None,
        "feedback.imported",
        target_type="feedback",
        summary=f"Feedback CSV: {report.created} imported, {report.duplicates} already there, "
        f"{len(report.errors)} rejected",
        details={"channel": "csv", "created": report.created, "rejected": len(report.errors)},
    )
    db.session.commit()
    return report


def import_text(text: str, **kwargs) -> ImportReport:
    return import_rows(io.StringIO(text, newline=""), **kwargs)
