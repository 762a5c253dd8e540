"""Shared data for benchmarks: where `shared/data` is, and reading labelled CSV files.

The data lives beside the project root (`../shared/data/...`), read-only, never copied into
the tree. BANKING77 (Casanueva et al. 2020, PolyAI) is licensed CC BY 4.0.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BANKING77_ATTRIBUTION = (
    "BANKING77: Casanueva et al., 'Efficient Intent Detection with Dual Sentence "
    "Encoders' (2020), PolyAI. Licence: CC BY 4.0."
)


def shared_data_dir() -> Path | None:
    """`shared/data` beside the project root (or $VOCPORTAL_SHARED_DATA), if it exists."""
    override = os.environ.get("VOCPORTAL_SHARED_DATA")
    candidates = [Path(override)] if override else []
    candidates.append(ROOT.parent / "shared" / "data")
    for path in candidates:
        if path.is_dir():
            return path
    return None


def banking77_train() -> Path | None:
    """The BANKING77 train.csv, or None when `shared/data` is absent."""
    base = shared_data_dir()
    path = base / "banking77" / "train.csv" if base else None
    return path if path and path.is_file() else None


def read_labelled_csv(
    path: str | Path, text_col: str = "text", label_col: str = "category", limit: int | None = None
) -> tuple[list[str], list[str]]:
    """Texts and labels from a CSV with a header; rows with an empty text are skipped."""
    texts: list[str] = []
    labels: list[str] = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {text_col, label_col} - set(reader.fieldnames or [])
        if missing:
            raise SystemExit(f"{path}: no column(s) {sorted(missing)}; has {reader.fieldnames}")
        for row in reader:
            text = (row[text_col] or "").strip()
            if not text:
                continue
            texts.append(text)
            labels.append(row[label_col])
            if limit and len(texts) >= limit:
                break
    return texts, labels


def require_shared_file(*parts: str) -> Path:
    """`shared/data/<parts...>`; exit with a message saying where it was looked for (and how
    to point elsewhere) when it is absent."""
    base = shared_data_dir()
    path = base.joinpath(*parts) if base else None
    if path is None or not path.is_file():
        override = os.environ.get("VOCPORTAL_SHARED_DATA")
        looked = [Path(override)] if override else []
        looked.append(ROOT.parent / "shared" / "data")
        raise SystemExit(
            f"benchmark data {'/'.join(parts)} not found under "
            + " or ".join(str(p) for p in looked)
            + ": put the shared data folder beside the project (../shared/data), set "
            "VOCPORTAL_SHARED_DATA to its path, or pass --data FILE"
        )
    return path


def require_banking77_train() -> Path:
    """The BANKING77 train.csv; exit with a clear message when `shared/data` lacks it."""
    return require_shared_file("banking77", "train.csv")


#: Given and family names the benchmarks' made-up people are called by.
FIRST_NAMES = [
    "Ada", "Bilal", "Chen", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ines", "Jonas",
    "Keiko", "Lars", "Maya", "Nuno", "Olga", "Priya", "Quentin", "Rosa", "Sami", "Tomas",
]  # fmt: skip
LAST_NAMES = [
    "Okafor", "Lindqvist", "Moreau", "Tanaka", "Novak", "Haddad", "Silva", "Kowalski",
    "Fischer", "Rossi", "Nguyen", "Ibrahim", "Costa", "Berg", "Walsh", "Yilmaz",
]  # fmt: skip
