"""One-line text: titles and names that end up in email headers, subjects and page titles.

Input refuses what `single_line_error` names; `one_line` is the defence where such text is
used (an email header, a subject), so that rows stored before the rule cannot break them.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters Python's str.splitlines() breaks on: in a header any of them ends the line.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"

_BREAK_RUN = re.compile(rf"\s*[{LINE_BREAKS}]\s*")
#: Control characters other than the tab (the line breaks among them are handled above).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


def one_line(value: str) -> str:
    """`value` as one line: each whitespace run holding a line break becomes one space, other
    control characters go, and the ends are stripped."""
    return _CONTROL.sub("", _BREAK_RUN.sub(" ", value)).strip()


def single_line_error(value: str) -> str | None:
    """Why `value` cannot be a title or a name (None if it can): line breaks or other
    control characters (the tab is allowed)."""
    if any(char in LINE_BREAKS for char in value):
        return "Must be one line (no line breaks)."
    if any(char != "\t" and unicodedata.category(char) in {"Cc", "Cs"} for char in value):
        return "Must not contain control characters."
    return None


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str, max_length: int) -> str:
    """A name as a URL part: lower-case ASCII letters and digits joined by hyphens, cut to
    `max_length` ("" when nothing is left)."""
    return _NOT_SLUG.sub("-", name.lower()).strip("-")[:max_length].strip("-")
