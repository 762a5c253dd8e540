"""CSV files from and for spreadsheets: cells that cannot run as formulas on the way out;
on the way in, a file that is not UTF-8 or not CSV is reported by line, never a crash."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

#: A cell starting with one of these is a formula to a spreadsheet (a tab or a carriage
#: return first is skipped by some, so the next character would count).
FORMULA_STARTS = "=+-@\t\r"


def spreadsheet_safe(value):
    """Formula injection: a text cell starting with = + - @ (or a tab or carriage return)
    gets a leading apostrophe, so it is shown as text; other values are unchanged."""
    if isinstance(value, str) and value and value[0] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text, the header first, one chunk per row (for a streamed response); every cell
    is made spreadsheet-safe and None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe("" if v is None else v) for v in row])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


# --- reading ---------------------------------------------------------------------------------

#: What a row that is not UTF-8 text gets (`open_csv` reads undecodable bytes as lone
#: surrogates, so the rest of the file still imports).
NOT_UTF8 = "not UTF-8 text (save the file as CSV UTF-8 and import it again)"


def open_csv(path) -> IO[str]:
    """Open a CSV file to import: UTF-8 (a BOM is skipped); bytes that are not UTF-8 become
    lone surrogates, which `undecodable` finds on the rows that hold them."""
    return open(path, newline="", encoding="utf-8-sig", errors="surrogateescape")


def undecodable(text: str) -> bool:
    """Whether `text` holds bytes `open_csv` could not read as UTF-8."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def unreadable(error: csv.Error) -> str:
    """What to tell the person about a file the csv module gave up on."""
    if "field larger than field limit" in str(error):
        limit = csv.field_size_limit()
        return (
            f"a field is longer than {limit // 1024} KiB (an unclosed quote?); "
            "the rest of the file was not read"
        )
    return f"not readable as CSV ({error}); the rest of the file was not read"


def csv_header(reader: csv.DictReader, errors: list[tuple[int, str]]) -> dict[str, str] | None:
    """The header's columns, lower-cased name -> as written; None (with the reason added to
    `errors`, at line 1) when the header cannot be read."""
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as error:
        errors.append((1, unreadable(error)))
        return None
    if any(undecodable(h) for h in fieldnames if h):
        errors.append((1, NOT_UTF8))
        return None
    return {h.strip().lower(): h for h in fieldnames if h}


def csv_records(
    reader: csv.DictReader, errors: list[tuple[int, str]]
) -> Iterator[tuple[int, dict]]:
    """(line, row) for each row; a row the csv module cannot read is added to `errors` and
    ends the file (after it, where one row ends and the next begins is anybody's guess)."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The csv reader's own count: the DictReader's stops at the last good row.
            errors.append((reader.reader.line_num, unreadable(error)))
            return
        yield reader.line_num, row
