"""CSV files people open in a spreadsheet: cells that cannot run as formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

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
