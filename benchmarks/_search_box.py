"""The search box's part of benchmarks/similar.py: precision@5 of the board's hybrid search
(`vocportal.ideas.operations.board_listing` with `q`) on the same BANKING77 splits, and its
latency with 100,000 ideas and filters.

Both run the portal's own code on a migrated SQLite database whose ideas are BANKING77
texts (title = text, empty body) with their stored embeddings in the `embeddings` table, as
the embedding job leaves them; the search embeds each query with the real model, as a web
process does once its model is loaded.
"""

from __future__ import annotations

import os
import time

import numpy as np

#: The filters a latency query cycles through (board slug or None, status or None).
FILTERS = [(None, None), ("board-1", None), (None, "open"), ("board-2", "planned")]
PER_PAGE = 20


def store_vectors(db, ids, vectors: np.ndarray, chunk: int = 5_000) -> None:
    """Write each idea's vector to the embeddings table (what the embedding job stores).

    Dated a day back: the in-process index re-reads rows of the last 15 minutes every 30
    seconds (ids from a sequence may commit out of order), which on a board whose 100,000
    vectors were all just written would time that re-read, not the search."""
    from datetime import timedelta

    from sqlalchemy import insert

    from vocportal.embeddings.encoder import MODEL_NAME
    from vocportal.embeddings.models import Embedding
    from vocportal.timeutil import utcnow

    created = utcnow() - timedelta(days=1)
    ids = [int(i) for i in ids]
    with db.engine.begin() as conn:
        for start in range(0, len(ids), chunk):
            rows = [
                {
                    "item_type": "idea",
                    "item_id": idea_id,
                    "model": MODEL_NAME,
                    "dim": vectors.shape[1],
                    "vector": np.asarray(vectors[start + j], dtype="<f4").tobytes(),
                    "text_hash": "",
                    "created_at": created,
                }
                for j, idea_id in enumerate(ids[start : start + chunk])
            ]
            conn.execute(insert(Embedding.__table__), rows)


def search_box(db, q: str, k: int, board=None, status=None) -> list[int]:
    """The first k ids the board's search box shows an anonymous reader for `q`."""
    from vocportal.ideas.operations import IdeaQuery, board_listing

    listing = board_listing(IdeaQuery(q=q, board=board, status=status))
    return list(db.session.scalars(listing.stmt.with_only_columns(_idea_id()).limit(k)))


def _idea_id():
    from vocportal.ideas.models import Idea

    return Idea.id


def page_of_results(db, q: str, board, status) -> tuple[int, str]:
    """What the board's view does for a search: the listing, one page of rows and the
    count (the template aside); returns the number of rows and the search mode."""
    from vocportal.ideas.listing import idea_rows
    from vocportal.ideas.operations import IdeaQuery, board_listing
    from vocportal.pagination import page_of

    listing = board_listing(IdeaQuery(q=q, board=board, status=status))
    page = page_of(idea_rows(listing.stmt, None), 1, PER_PAGE, count=listing.stmt, rows=True)
    db.session.rollback()  # end the read transaction, as a request does
    return len(page.items), listing.search.mode


def fill_ideas(app, db, texts: list[str], matrix: np.ndarray, log) -> None:
    """`len(matrix)` ideas on 4 boards with mixed statuses: titles cycle through `texts`
    (the copies' vectors are noisy copies of the originals'), plus their embeddings."""
    from sqlalchemy import insert

    from vocportal.accounts.models import User
    from vocportal.ideas.models import Board, Idea, IdeaStatus

    statuses = [IdeaStatus.open] * 6 + [IdeaStatus.planned, IdeaStatus.under_review]
    statuses += [IdeaStatus.in_progress, IdeaStatus.shipped]
    boards = [
        {"id": b, "slug": f"board-{b}", "name": f"Board {b}", "description": "", "position": b}
        for b in range(1, 5)
    ]
    user = {"id": 1, "email": "bench@example.test", "display_name": "Bench"}
    user["password_hash"] = "not-a-hash"
    started = time.monotonic()
    with db.engine.begin() as conn:
        conn.execute(insert(Board.__table__), boards)
        conn.execute(insert(User.__table__), [user])
        for start in range(0, len(matrix), 10_000):
            rows = [
                {
                    "id": i + 1,
                    "board_id": 1 + i % 4,
                    "author_id": 1,
                    "title": texts[i % len(texts)],
                    "body": "",
                    "body_html": "",
                    "status": statuses[(i // 4) % len(statuses)],
                    "vote_count": (i * 7919) % 97,
                    "trend_score": float((i * 104729) % 1000),
                }
                for i in range(start, min(start + 10_000, len(matrix)))
            ]
            conn.execute(insert(Idea.__table__), rows)
    store_vectors(db, range(1, len(matrix) + 1), matrix)
    log(f"{len(matrix):,} ideas and embeddings stored in {time.monotonic() - started:.0f} s")


def cyclic_copies(base: np.ndarray, total: int, sigma: float, seed: int) -> np.ndarray:
    """`total` rows: row i is base[i % len(base)] (plus Gaussian noise, re-normalised, from
    the second round on), so idea i's title can be text i % len(base)."""
    rng = np.random.default_rng(seed)
    out = np.empty((total, base.shape[1]), dtype=np.float32)
    for start in range(0, total, len(base)):
        block = base[: min(len(base), total - start)]
        if start:
            block = block + rng.normal(0.0, sigma, size=block.shape).astype(np.float32)
            block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + len(block)] = block
    return out


def measure_latency(stored_texts, matrix, queries: list[str], workdir, log) -> dict:
    """p50/p95 wall and CPU time of the board's search (listing, page, count) with
    `len(matrix)` ideas, the filters cycling through FILTERS; the model and index loaded
    first, as in a warmed-up web process."""
    from flask_migrate import upgrade

    from vocportal import create_app
    from vocportal.embeddings.similar import idea_index
    from vocportal.extensions import db
    from vocportal.ideas.boards import board_by_slug
    from vocportal.ideas.models import IdeaStatus

    url = f"sqlite:///{workdir / 'search_box.db'}"
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}
    config["SIMILAR_WAIT_FOR_MODEL"] = True  # as once the model is loaded: no fallback
    app = create_app(config, workdir)
    with app.app_context():
        upgrade()
        fill_ideas(app, db, stored_texts, matrix, log)
        started = time.monotonic()
        idea_index()
        log(f"index loaded from the table in {time.monotonic() - started:.1f} s")
        filters = [
            (board_by_slug(b) if b else None, IdeaStatus(s) if s else None) for b, s in FILTERS
        ]
        for i, q in enumerate(queries[:10]):  # warm-up: lazy loads, statement caches
            page_of_results(db, q, *filters[i % len(filters)])
        wall, cpu, shown, modes = [], [], [], set()
        load_before = os.getloadavg()[0]
        for i, q in enumerate(queries):
            c0, t0 = time.thread_time(), time.perf_counter()
            count, mode = page_of_results(db, q, *filters[i % len(filters)])
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - t0)
            shown.append(count)
            modes.add(mode)
        load_after = os.getloadavg()[0]
        db.session.remove()
        db.engine.dispose()
    ms, cpu_ms = np.array(wall) * 1000, np.array(cpu) * 1000
    return {
        "ideas": len(matrix),
        "queries": len(queries),
        "filters": [f"board={b or 'any'}, status={s or 'any'}" for b, s in FILTERS],
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "cpu_p50_ms": round(float(np.percentile(cpu_ms, 50)), 2),
        "cpu_p95_ms": round(float(np.percentile(cpu_ms, 95)), 2),
        "mean_rows_on_page": round(float(np.mean(shown)), 1),
        "modes": sorted(modes),
        "load_average_1m": [round(load_before, 2), round(load_after, 2)],
        "cpu_count": os.cpu_count(),
    }
