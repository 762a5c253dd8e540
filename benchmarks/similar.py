"""Similar-ideas benchmark: precision@5 of the portal's similar-ideas ranking against its own
full-text search, and the latency and memory of a look-up with 100,000 stored ideas.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/similar.py --data ../shared/data/banking77/train.csv
    .venv/bin/python benchmarks/similar.py --data feedback.csv --text-col text --label-col category
    .venv/bin/python benchmarks/similar.py --cache /tmp/banking77-emb.npz   # re-runs skip embedding
    .venv/bin/python benchmarks/similar.py --cache /tmp/b77.npz --splits 1 --stored 1000000

Data: BANKING77 -- Casanueva, Temcinas, Gerz, Henderson, Vulic, "Efficient Intent Detection
with Dual Sentence Encoders" (2020), PolyAI. Licence: CC BY 4.0 (attribution kept here and
wherever results are published). It stands in for customer feedback: two messages with the
same `category` count as similar. Any CSV with a text and a label column works.

What it does, for each of `--splits` seeded splits (default 5; the headline figures are the
mean over splits, per-split values are printed too):

1. `--queries` texts (default 1,000) are queries, the rest are the stored "ideas";
2. portal method: every stored text is embedded (`idea_text(title=text, body="")`) into a
   `VectorIndex`; a query is embedded and `VectorIndex.similar(q, k=5)` answers it. A
   suggestion is correct when its label equals the query's; labels are never used to rank;
3. keyword baselines, on a temporary SQLite database built with the app's own migrations
   (the stored texts inserted as ideas: title = text, empty body):
   - `keyword_and`: the portal's search as it is, `idea_listing(IdeaQuery(q=text))` (FTS5,
     every word required, the last as a prefix): long queries often match nothing;
   - `keyword_or`: a fairer FTS5 query, any of the words, ordered by the same
     `bm25(ideas_fts, 4.0, 1.0)`;
   missing suggestions (fewer than 5 results) count as wrong for every method;
4. also reported: plain cosine kNN (`VectorIndex.search`), and `similar` with the optional
   keyword term fed by the OR query's bm25 (`hybrid`).

Latency and memory: the stored vectors of split 0 are duplicated with small Gaussian noise
(sigma `--noise` per coordinate, then re-normalised; not re-embedded, for speed) up to
`--stored` (100,000) vectors. A fresh process (spawned, importing only numpy, the model and
the index, like a web worker; the encoder limited to `--torch-threads`, default 1) loads the
model and the index in blocks of 2,000 and, for `--latency-queries` query texts one at a
time, times embedding the text plus `similar` (p50/p95 of wall time, and of the thread's CPU
time: the steadier figure on a shared machine), and each part alone. Its RSS is read at
start, after the model, after the index and at the end. `--stored 1000000` makes the same
noisy copies, 50,000 at a time. With 2 torch threads on a busy 2-core
machine embedding one query went from ~12 ms to 160-480 ms (threads waiting on each other);
1 thread stayed at ~14 ms.

The search box (`_search_box.py`): on each split's database the stored texts' vectors go
into the `embeddings` table, and `search_box_precision_at_5` is the first 5 ideas the
board's search (`board_listing` with `q`: all-words hits first, then any-word bm25 and the
model's ranking fused by RRF) shows for each query text. Its latency: `--search-stored`
(100,000) ideas on 4 boards with mixed statuses (split 0's texts, their vectors copied with
noise), the model and the index loaded, then for `--latency-queries` texts the listing,
one page of rows and the count, the filters cycling through none, a board, a status, and
both (wall and CPU p50/p95). `--skip-index-latency` times only the search box.

Progress goes to stderr; stdout gets one JSON object. Targets: precision@5 >= 0.88 and at
least 0.15 above the keyword baseline, p95 <= 30 ms at 100,000 stored (<= 60 ms at
1,000,000), worker RSS < 600 MB at 100,000; search box precision@5 >= 0.85 and p95 <= 60 ms
at 100,000 ideas, filters included.

Experiment log (BANKING77 train, 10,003 texts, 1,000 queries, mean precision@5 over 5
seeded splits; labels only for scoring):
plain cosine kNN 0.880 | centring on the corpus mean 0.882 | removing the top 1/2/5
principal components 0.882/0.879/0.867 | CSLS hubness correction 0.866-0.879 (worse) |
PRF alone (query + 0.5 x mean of its top 3) 0.885; with centring 0.887 | + neighbourhood
re-rank (centroid of the new top 5, weight 0.5) 0.889 (chosen) | + keyword term (0.1 x
OR-bm25 normalised over the candidates) 0.891 | cosine + 0.1 x bm25 alone 0.884 | RRF of
cosine and OR-bm25 0.851-0.882 | database-side augmentation (stored vectors averaged with
their 5 neighbours) 0.890 but needs a neighbour graph kept up to date: not taken. Running
steps 2-4 on the plain-cosine top 200 only, and int8 storage, changed nothing measurable.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import _search_box
import numpy as np
from _data import require_banking77_train

TARGETS = {
    "precision_at_5": ">= 0.88",
    "margin_over_keyword": ">= 0.15",
    "p95_ms": "<= 30 at 100,000 stored, <= 60 at 1,000,000",
    "rss_mb": "< 600",
    "search_box_precision_at_5": ">= 0.85",
    "search_box_p95_ms": "<= 60 at 100,000 ideas, filters included",
}
K = 5
_WORD = re.compile(r"\w+", re.UNICODE)


# Not _harness.log: the latency worker is spawned from this module and must import only what
# it measures (numpy, the model, the index), so the benchmark helpers stay out of it.
def log(message: str) -> None:
    print(f"[similar] {message}", file=sys.stderr, flush=True)


def load_csv(path: Path, text_col: str, label_col: str) -> tuple[list[str], np.ndarray]:
    if not path.exists():
        raise SystemExit(f"no data at {path} (BANKING77 lives in ../shared/data/banking77/)")
    with path.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if (r.get(text_col) or "").strip()]
    if not rows or label_col not in rows[0]:
        raise SystemExit(f"{path}: need columns {text_col!r} and {label_col!r}")
    return [r[text_col].strip() for r in rows], np.array([r[label_col] for r in rows])


def embed_all(texts: list[str], cache: Path | None) -> np.ndarray:
    """Embed every text as the portal would embed an idea with that title and no body."""
    from vocportal.embeddings.encoder import MODEL_NAME, embed, idea_text

    docs = [idea_text(t, "") for t in texts]
    key = hashlib.sha256("\n".join([MODEL_NAME, *docs]).encode()).hexdigest()
    if cache is not None and cache.exists():
        saved = np.load(cache)
        if str(saved["key"]) == key:
            log(f"embeddings from {cache}")
            return saved["vectors"]
    started = time.monotonic()
    vectors = embed(docs, batch_size=64)
    log(f"embedded {len(docs)} texts in {time.monotonic() - started:.0f} s")
    if cache is not None:
        with cache.open("wb") as f:  # a file object: np.savez would add ".npz" to a name
            np.savez(f, key=np.array(key), vectors=vectors)
    return vectors


def precision(suggested: list[list[int]], labels: np.ndarray, query_labels: np.ndarray) -> float:
    """Mean over queries of (correct suggestions / K); missing suggestions count as wrong."""
    hits = sum(
        sum(labels[i] == want for i in ids[:K])
        for ids, want in zip(suggested, query_labels, strict=True)
    )
    return float(hits) / (K * len(suggested))


# --- the portal's keyword search on a throw-away SQLite database ---------------------------


class KeywordSearch:
    """A migrated SQLite database holding the stored texts as ideas (id = row number)."""

    def __init__(self, texts: list[str], ids: np.ndarray, workdir: Path, vectors=None):
        from flask_migrate import upgrade
        from sqlalchemy import insert

        from vocportal import create_app
        from vocportal.accounts.models import User
        from vocportal.extensions import db
        from vocportal.ideas.models import Board, Idea

        url = f"sqlite:///{workdir / 'similar.db'}"
        config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"}
        config["SIMILAR_WAIT_FOR_MODEL"] = True  # the search box as once the model is loaded
        self.app = create_app(config, workdir)
        self.ctx = self.app.app_context()
        self.ctx.push()
        upgrade()
        board = {"id": 1, "slug": "feedback", "name": "Feedback", "description": ""}
        user = {"id": 1, "email": "bench@example.test", "display_name": "Bench"}
        user["password_hash"] = "not-a-hash"
        ideas = [
            {
                "id": int(i),
                "board_id": 1,
                "author_id": 1,
                "title": texts[i],
                "body": "",
                "body_html": "",
            }
            for i in ids
        ]
        with db.engine.begin() as conn:
            conn.execute(insert(Board.__table__), [board])
            conn.execute(insert(User.__table__), [user])
            conn.execute(insert(Idea.__table__), ideas)
        self.db = db
        if vectors is not None:  # stored embeddings, for the search box's semantic part
            _search_box.store_vectors(db, ids, vectors[ids])

    def close(self) -> None:
        self.db.session.remove()
        self.db.engine.dispose()
        self.ctx.pop()

    def portal(self, q: str) -> list[int]:
        """The search box before issue 16 (now its exact hits): every word required (FTS5
        AND, last word as prefix), best bm25 first."""
        from sqlalchemy import select

        from vocportal.ideas.search import ranked_matches

        matches = ranked_matches(q)
        if matches is None:
            return []
        hits = matches.subquery()
        stmt = select(hits.c.idea_id).order_by(hits.c.rank, hits.c.idea_id.desc()).limit(K)
        return list(self.db.session.scalars(stmt))

    def _or_query(self, q: str) -> str | None:
        words = list(dict.fromkeys(_WORD.findall(q.lower())))
        return " OR ".join(f'"{w}"' for w in words) if words else None

    def any_words(self, q: str) -> dict[int, float]:
        """Fairer: every idea with any of the words, scored by minus the portal's bm25
        weights (higher is better)."""
        from sqlalchemy import text

        query = self._or_query(q)
        if query is None:
            return {}
        rows = self.db.session.execute(
            text(
                "SELECT rowid, -bm25(ideas_fts, 4.0, 1.0) FROM ideas_fts WHERE ideas_fts MATCH :q"
            ),
            {"q": query},
        )
        return dict(rows.all())


# --- precision ------------------------------------------------------------------------------


def evaluate_split(
    texts, labels, vectors, seed: int, n_queries: int, workdir: Path, storage: str
) -> dict:
    from vocportal.embeddings.index import VectorIndex

    order = np.random.default_rng(seed).permutation(len(texts))
    queries, stored = order[:n_queries], np.sort(order[n_queries:])
    index = VectorIndex(vectors.shape[1], storage=storage)
    index.upsert(stored.tolist(), vectors[stored])
    found: dict[str, list[list[int]]] = {
        name: []
        for name in ("similar", "cosine", "keyword_and", "keyword_or", "hybrid", "search_box")
    }
    keyword = KeywordSearch(texts, stored, workdir, vectors)
    empty_and = 0
    try:
        for i in queries:
            q = vectors[i]
            found["similar"].append([j for j, _ in index.similar(q, K)])
            found["cosine"].append([j for j, _ in index.search(q, K)])
            found["keyword_and"].append(keyword.portal(texts[i]))
            empty_and += not found["keyword_and"][-1]
            words = keyword.any_words(texts[i])
            # Best bm25 first, ties as the portal breaks them (newest id first).
            best = sorted(words.items(), key=lambda item: (-item[1], -item[0]))[:K]
            found["keyword_or"].append([j for j, _ in best])
            found["hybrid"].append([j for j, _ in index.similar(q, K, keyword_scores=words)])
            found["search_box"].append(_search_box.search_box(keyword.db, texts[i], K))
    finally:
        keyword.close()
    result = {name: precision(ids, labels, labels[queries]) for name, ids in found.items()}
    result["keyword_and_empty_fraction"] = empty_and / len(queries)
    return result


# --- latency and memory --------------------------------------------------------------------


def noisy_copies(base: np.ndarray, total: int, sigma: float, seed: int) -> tuple[np.ndarray, float]:
    """`base` plus noisy, re-normalised copies of it, `total` rows in all; and the mean
    cosine between a copy and its original. Made 50,000 rows at a time in float32, so
    1,000,000 rows need 1.5 GB, not several."""
    rng = np.random.default_rng(seed)
    out = np.empty((max(total, len(base)), base.shape[1]), dtype=np.float32)
    out[: len(base)] = base
    cosines = []
    for start in range(len(base), total, 50_000):
        picks = rng.integers(0, len(base), size=min(50_000, total - start))
        noise = rng.normal(0.0, sigma, size=(len(picks), base.shape[1])).astype(np.float32)
        copies = base[picks] + noise
        copies /= np.linalg.norm(copies, axis=1, keepdims=True)
        cosines.append(np.sum(copies * base[picks], axis=1))
        out[start : start + len(picks)] = copies
    cosine = float(np.mean(np.concatenate(cosines))) if cosines else 1.0
    return out[:total], cosine


def percentiles(samples: list[float], cpu: list[float] | None = None) -> dict:
    """p50/p95 of wall times; with `cpu`, the same of the thread's CPU time (what the
    look-up costs, whatever else the machine runs)."""
    ms = np.array(samples) * 1000.0
    out = {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }
    if cpu is not None:
        out["cpu_p50_ms"] = round(float(np.percentile(np.array(cpu) * 1000.0, 50)), 2)
        out["cpu_p95_ms"] = round(float(np.percentile(np.array(cpu) * 1000.0, 95)), 2)
    return out


def latency_worker(matrix_path: str, queries: list[str], storage: str, threads: int) -> dict:
    """Run in a fresh process, like a web worker: load the model and the index, time look-ups.

    Imports only numpy, the model and the index, so its RSS is what a worker would hold
    (with the default ONNX backend, no torch: a web process never imports it).
    """
    import os

    import psutil

    # Before the encoder is built: it reads the thread count once (ONNX Runtime and torch).
    os.environ["VOCPORTAL_TORCH_THREADS"] = str(threads)
    from vocportal.embeddings.encoder import backend, embed, idea_text
    from vocportal.embeddings.index import VectorIndex

    process = psutil.Process()
    rss_start = process.memory_info().rss
    embed(["warm-up"])
    model_rss = process.memory_info().rss
    matrix = np.load(matrix_path, mmap_mode="r")
    index = VectorIndex(matrix.shape[1], storage=storage)
    started = time.monotonic()
    index.reserve(len(matrix))
    for start in range(0, len(matrix), 2_000):  # as a worker would page through the table
        block = np.array(matrix[start : start + 2_000])
        index.upsert(range(start + 1, start + 1 + len(block)), block)
    build_s = time.monotonic() - started
    del matrix, block
    index_rss = process.memory_info().rss

    for text in queries[:10]:  # warm-up: first calls allocate and load lazily
        index.similar(embed([idea_text(text, "")])[0], K)
    load_before = os.getloadavg()[0]
    total, embedding, searching, plain = [], [], [], []
    cpu_total, cpu_embedding, cpu_searching = [], [], []
    for text in queries:
        c0, t0 = time.thread_time(), time.perf_counter()
        q = embed([idea_text(text, "")])[0]
        c1, t1 = time.thread_time(), time.perf_counter()
        index.similar(q, K)
        c2, t2 = time.thread_time(), time.perf_counter()
        index.search(q, K)
        t3 = time.perf_counter()
        total.append(t2 - t0)
        embedding.append(t1 - t0)
        searching.append(t2 - t1)
        plain.append(t3 - t2)
        cpu_total.append(c2 - c0)
        cpu_embedding.append(c1 - c0)
        cpu_searching.append(c2 - c1)
    return {
        "stored": len(index),
        "storage": storage,
        "queries": len(queries),
        "embed_and_similar": percentiles(total, cpu_total),
        "embed_only": percentiles(embedding, cpu_embedding),
        "similar_only": percentiles(searching, cpu_searching),
        "plain_search_only": percentiles(plain),
        "index_build_s": round(build_s, 2),
        "index_mb": round(index.nbytes / 2**20, 1),
        "backend": backend(),
        "threads": threads,
        "rss_at_start_mb": round(rss_start / 2**20, 1),
        "rss_after_model_mb": round(model_rss / 2**20, 1),
        "rss_after_index_mb": round(index_rss / 2**20, 1),
        "rss_mb": round(process.memory_info().rss / 2**20, 1),
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }


def measure_latency(texts, vectors, args) -> dict:
    """Build the 100k vectors from split 0's stored ones and time look-ups in a fresh process."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    order = np.random.default_rng(args.seed).permutation(len(texts))
    queries, stored = order[: args.queries], order[args.queries :]
    matrix, copy_cosine = noisy_copies(vectors[stored], args.stored, args.noise, args.seed)
    picks = [texts[i] for i in queries[: args.latency_queries]]
    with tempfile.TemporaryDirectory(prefix="vocportal-similar-") as workdir:
        path = str(Path(workdir) / "vectors.npy")
        np.save(path, matrix)
        del matrix
        log(f"timing {len(picks)} look-ups in a fresh process ({args.stored:,} vectors)")
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            job = pool.submit(latency_worker, path, picks, args.storage, args.torch_threads)
            result = job.result()
    result["vectors"] = (
        f"{len(stored)} real + noisy copies (sigma {args.noise}/coord, re-normalised, "
        f"mean cosine to original {copy_cosine:.3f}); not re-embedded"
    )
    return result


def measure_search_box_latency(texts, vectors, args) -> dict:
    """The board's search box with `--search-stored` ideas (split 0's stored texts, their
    vectors copied with noise), filters included, timed in this process after the model."""
    order = np.random.default_rng(args.seed).permutation(len(texts))
    queries, stored = order[: args.queries], order[args.queries :]
    matrix = _search_box.cyclic_copies(vectors[stored], args.search_stored, args.noise, args.seed)
    picks = [texts[i] for i in queries[: args.latency_queries]]
    log(f"timing {len(picks)} searches of the board with {args.search_stored:,} ideas")
    with tempfile.TemporaryDirectory(prefix="vocportal-search-") as workdir:
        return _search_box.measure_latency(
            [texts[i] for i in stored], matrix, picks, Path(workdir), log
        )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, help="labelled CSV (default: banking77/train.csv in ../shared/data)"
    )
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--label-col", default="category")
    parser.add_argument("--queries", type=int, default=1000, help="queries per split")
    parser.add_argument("--splits", type=int, default=5, help="seeded query/stored splits")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stored", type=int, default=100_000, help="index size for latency")
    parser.add_argument("--noise", type=float, default=0.02, help="sigma of the copies' noise")
    parser.add_argument("--latency-queries", type=int, default=300)
    parser.add_argument("--cache", type=Path, help="an .npz file to keep the embeddings in")
    parser.add_argument("--storage", choices=("int8", "float32"), default="int8")
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=1,
        help="torch threads in the timed worker (1: the setting advised for web workers)",
    )
    parser.add_argument(
        "--search-stored", type=int, default=100_000, help="ideas for the search box's latency"
    )
    parser.add_argument(
        "--skip-index-latency", action="store_true", help="time only the search box"
    )
    args = parser.parse_args(argv)
    if args.data is None:
        args.data = require_banking77_train()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    texts, labels = load_csv(args.data, args.text_col, args.label_col)
    if len(texts) <= args.queries + K:
        raise SystemExit(f"need more than {args.queries + K} rows, got {len(texts)}")
    log(f"{len(texts)} texts, {len(set(labels))} labels from {args.data}")
    vectors = embed_all(texts, args.cache)

    splits = []
    for s in range(args.splits):
        with tempfile.TemporaryDirectory(prefix="vocportal-similar-") as workdir:
            splits.append(
                evaluate_split(
                    texts, labels, vectors, args.seed + s, args.queries, Path(workdir), args.storage
                )
            )
        log(f"split {s}: " + ", ".join(f"{k} {v:.4f}" for k, v in splits[-1].items()))

    def mean(name: str) -> float:
        return round(float(np.mean([r[name] for r in splits])), 4)

    latency = {} if args.skip_index_latency else measure_latency(texts, vectors, args)
    log(f"latency: {latency}")
    search_latency = measure_search_box_latency(texts, vectors, args)
    log(f"search box latency: {search_latency}")
    p_at_5 = mean("similar")
    baseline = mean("keyword_or")
    result = {
        "data": str(args.data),
        "texts": len(texts),
        "queries_per_split": args.queries,
        "splits": args.splits,
        "precision_at_5": p_at_5,
        "keyword_baseline_precision_at_5": baseline,
        "keyword_baseline": "FTS5 OR-of-words, bm25(ideas_fts, 4.0, 1.0) (fairer than the "
        "portal's AND search)",
        "portal_fts_and_precision_at_5": mean("keyword_and"),
        "portal_fts_and_empty_fraction": mean("keyword_and_empty_fraction"),
        "difference": round(p_at_5 - max(baseline, mean("keyword_and")), 4),
        "plain_cosine_precision_at_5": mean("cosine"),
        "hybrid_precision_at_5": mean("hybrid"),
        "search_box_precision_at_5": mean("search_box"),
        "search_box": "the board's search box (ideas.operations.board_listing with q): "
        "all-words hits first, then RRF of any-word bm25 and the model's ranking",
        "search_box_latency": search_latency,
        "search_box_p95_ms": search_latency["p95_ms"],
        "per_split": [{k: round(v, 4) for k, v in r.items()} for r in splits],
        "latency": latency,
        "p50_ms": latency.get("embed_and_similar", {}).get("p50_ms"),
        "p95_ms": latency.get("embed_and_similar", {}).get("p95_ms"),
        "rss_mb": latency.get("rss_mb"),
        "targets": TARGETS,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
