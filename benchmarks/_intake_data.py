"""The rows benchmarks/intake.py imports: banking77 texts made distinct per pass, authors
round-robin over a fixed set of contacts, contacts spread over companies."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from _data import FIRST_NAMES, LAST_NAMES

OPENERS = ["", "Hi, ", "Hello, ", "Quick question: ", "Hey there. ", "Good morning. ", "Help! "]
CLOSERS = ["", " Thanks.", " Thanks in advance.", " Please help.", " Cheers!"]


def load_base_texts(path: Path, seed: int) -> list[str]:
    """The data set's texts, whitespace-normalised (as the app stores them), shuffled."""
    with open(path, newline="", encoding="utf-8") as file:
        texts = [" ".join(row["text"].split()) for row in csv.DictReader(file)]
    texts = [t for t in texts if t]
    random.Random(seed).shuffle(texts)
    return texts


class RowMaker:
    """Rows by global index: distinct texts, round-robin authors, their companies."""

    def __init__(self, base: list[str], total_rows: int):
        self.base = base
        self.people = max(10, min(20_000, total_rows // 5))
        self.companies = max(2, self.people // 10)
        self.seen: set[str] = set()
        self.refs_added = 0

    def text(self, g: int) -> str:
        cycle, position = divmod(g, len(self.base))
        opener = OPENERS[cycle % len(OPENERS)]
        closer = CLOSERS[(cycle // len(OPENERS)) % len(CLOSERS)]
        value = f"{opener}{self.base[position]}{closer}"
        if cycle >= len(OPENERS) * len(CLOSERS) or value in self.seen:
            value = f"{value} (ref {g})"
            self.refs_added += 1
        self.seen.add(value)
        return value

    def person(self, g: int) -> dict:
        p = g % self.people
        return {
            "email": f"customer{p:05d}@example.com",
            "name": f"{FIRST_NAMES[p % len(FIRST_NAMES)]} {LAST_NAMES[p // 20 % len(LAST_NAMES)]}",
            "company": f"Company {p % self.companies:04d}",
        }

    def rows(self, prefix: str, start: int, n: int) -> list[dict]:
        return [
            {"id": f"{prefix}-{g}", "text": self.text(g), **self.person(g)}
            for g in range(start, start + n)
        ]


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=["id", "text", "email", "name", "company"])
        writer.writeheader()
        writer.writerows(rows)


def prepare_data(args) -> dict:
    """The seed, CSV and API rows, an evenly spread sample of them for the embedding floor,
    and figures about them for the report."""
    base = load_base_texts(args.data, args.seed)
    maker = RowMaker(base, args.seed_rows + 2 * args.rows)
    seed = maker.rows("seed", 0, args.seed_rows)
    csv_rows = maker.rows("csv", args.seed_rows, args.rows)
    api_rows = maker.rows("api", args.seed_rows + args.rows, args.rows)
    everything = [r["text"] for r in csv_rows + api_rows]
    k = min(args.embed_sample, len(everything))
    step = len(everything) / k
    sample = [everything[int(i * step)] for i in range(k)]
    if len({r["text"] for r in seed + csv_rows + api_rows}) != len(seed) + 2 * args.rows:
        raise RuntimeError("texts are not distinct")
    return {
        "seed": seed,
        "csv": csv_rows,
        "api": api_rows,
        "embed_sample": sample,
        "base_texts": len(base),
        "refs_added": maker.refs_added,
        "people": min(maker.people, len(seed) + 2 * args.rows),
        "companies": maker.companies,
    }
