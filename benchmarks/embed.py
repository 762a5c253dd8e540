"""Embedding job benchmark: the real job path against sentence-transformers' `encode`, and
the quality of the portal's embedding backend beside the float model.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/embed.py                    # BANKING77 train, 2 threads
    .venv/bin/python benchmarks/embed.py --rows 2000 --nmi-per-label 0   # quick, no NMI
    .venv/bin/python benchmarks/embed.py --nmi-per-label -1   # NMI on all 10,003 (slow)
    VOCPORTAL_EMBEDDING_BACKEND=torch .venv/bin/python benchmarks/embed.py   # float path

Data: BANKING77 -- Casanueva, Temcinas, Gerz, Henderson, Vulic, "Efficient Intent Detection
with Dual Sentence Encoders" (2020), PolyAI. Licence: CC BY 4.0 (attribution kept here and
wherever results are published). Two texts with the same category count as similar.

What it measures, in one process, torch and ONNX Runtime both on `--threads` threads:

- `encode_rows_per_s`: `SentenceTransformer.encode(texts, batch_size=32)` on the texts,
  timed before and after the job (the mean is used; both are printed). Its vectors are the
  float reference (the packaged model, exactly as sentence-transformers runs it).
- `job_rows_per_s`: the texts stored as feedback rows in a temporary SQLite database (the
  app's own migrations; 77 active themes whose centroids are the float vectors' per-label
  means, so placement has real work), then the real job, `jobs.embeddings.embed_feedback`,
  run in this process under its job record: read the rows, embed, store every vector,
  place every row in a theme, commit per batch. Timed from the call to its return; every
  row must then have an `embeddings` row and a `theme_items` row. The model is loaded (and
  exported, the first time) before the clock starts. `ratio` = job / encode.
- quality of the backend's vectors (read back from the database) beside the float ones:
  `cosine_min`/`cosine_mean`; precision@5 of the portal's similar-ideas ranking
  (`VectorIndex.similar`, k=5, over `--splits` seeded splits of `--queries` queries, the
  rest stored; as in `benchmarks/similar.py`), for float, the backend, and `mixed` (float
  vectors stored, the backend's for queries: an index filled before a backend change);
  theme NMI of `vocportal.themes.pipeline.fit_topics` on both sets of vectors of the same
  per-label subsample (`--nmi-per-label` texts of each label; 0 skips it).

Checks (`checks`): cosine_min >= 0.99, precision@5 drop <= 0.005, NMI drop <= 0.005.
Progress goes to stderr; stdout gets one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _data import BANKING77_ATTRIBUTION, read_labelled_csv, require_banking77_train

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
K = 5


def log(message: str) -> None:
    print(f"[embed] {message}", file=sys.stderr, flush=True)


def encode_rate(texts: list[str]) -> tuple[float, np.ndarray]:
    from vocportal.embeddings.reference import get_model

    model = get_model()
    model.encode(texts[:64], batch_size=32)  # warm-up
    started = time.perf_counter()
    vectors = model.encode(texts, batch_size=32, normalize_embeddings=True)
    return len(texts) / (time.perf_counter() - started), np.asarray(vectors, dtype=np.float32)


def run_job(texts: list[str], labels: np.ndarray, reference: np.ndarray, workdir: Path):
    """Store the texts as feedback, run the real embedding job, return (rows/s, vectors)."""
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select

    from jobs.embeddings import embed_feedback
    from jobs.runtime import set_app
    from vocportal import create_app
    from vocportal.accounts.models import User
    from vocportal.embeddings.encoder import MODEL_NAME, embed
    from vocportal.embeddings.models import Embedding
    from vocportal.extensions import db
    from vocportal.feedback.models import FeedbackItem, FeedbackSource
    from vocportal.queue.models import JobRecord
    from vocportal.redis_client import EmbeddedRedis
    from vocportal.themes.models import Theme, ThemeItem, ThemeStatus

    redis = EmbeddedRedis(workdir)  # the job asks for a theme refresh at the end
    redis.start()
    url = f"sqlite:///{workdir / 'embed.db'}"
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REDIS_URL": redis.url}
    app = create_app(config, workdir)
    set_app(app)
    try:
        with app.app_context():
            upgrade()
            user = {"id": 1, "email": "bench@example.test", "display_name": "Bench"}
            rows = [
                {"text": t, "source": FeedbackSource.csv, "external_id": str(i), "author_id": 1}
                for i, t in enumerate(texts)
            ]
            themes = []
            for n, label in enumerate(np.unique(labels)):
                centroid = reference[labels == label].mean(axis=0)
                centroid = (centroid / np.linalg.norm(centroid)).astype("<f4").tobytes()
                themes.append({"label": str(label), "centroid": centroid, "size": 0, "id": n + 1})
            with db.engine.begin() as conn:
                conn.execute(insert(User.__table__), [{**user, "password_hash": "x"}])
                conn.execute(insert(FeedbackItem), rows)
                conn.execute(insert(Theme), [{**t, "status": ThemeStatus.active} for t in themes])
            record = JobRecord(kind="embed feedback", func="jobs.embeddings.embed_feedback")
            record.queue = "embeddings"
            db.session.add(record)
            db.session.commit()
            record_id = record.id
            embed(["warm up"])  # load (and on the first run export) the model: not timed
        started = time.perf_counter()
        done = embed_feedback(record_id)
        seconds = time.perf_counter() - started
        with app.app_context():
            stored = db.session.scalar(select(func.count()).select_from(Embedding))
            placed = db.session.scalar(select(func.count()).select_from(ThemeItem))
            if not done == stored == placed == len(texts):
                raise SystemExit(f"job did {done}, stored {stored}, placed {placed}")
            blobs = db.session.execute(
                select(Embedding.vector)
                .where(Embedding.item_type == "feedback", Embedding.model == MODEL_NAME)
                .order_by(Embedding.item_id)
            ).scalars()
            vectors = np.vstack([np.frombuffer(b, dtype="<f4") for b in blobs])
            db.session.remove()
            db.engine.dispose()
    finally:
        redis.stop()
    return len(texts) / seconds, vectors


def precision_at_5(stored_vectors, query_vectors, labels, splits: int, queries: int) -> float:
    """Mean over seeded splits of the portal's similar-ideas precision@5 (similar.py)."""
    from vocportal.embeddings.index import VectorIndex

    results = []
    for seed in range(splits):
        order = np.random.default_rng(seed).permutation(len(labels))
        asked, stored = order[:queries], np.sort(order[queries:])
        index = VectorIndex(stored_vectors.shape[1])
        index.upsert(stored.tolist(), stored_vectors[stored])
        hits = sum(
            sum(labels[j] == labels[i] for j, _ in index.similar(query_vectors[i], K))
            for i in asked
        )
        results.append(hits / (K * len(asked)))
    return float(np.mean(results))


def nmi(texts, labels, vectors, picks: np.ndarray) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    from vocportal.themes.pipeline import fit_topics

    result = fit_topics([texts[i] for i in picks], vectors[picks], seed=42)
    return float(normalized_mutual_info_score(labels[picks], result.assignments))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="CSV with text and category columns")
    parser.add_argument("--rows", type=int, default=0, help="N texts spread evenly (0: all)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--nmi-per-label", type=int, default=60, help="0 skips NMI; -1: all")
    args = parser.parse_args()

    os.environ["VOCPORTAL_TORCH_THREADS"] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    from vocportal.embeddings.encoder import backend

    path = args.data or require_banking77_train()
    texts, label_list = read_labelled_csv(path)
    labels = np.array(label_list)
    if 0 < args.rows < len(texts):  # evenly spread: BANKING77's rows are grouped by label
        picks = np.linspace(0, len(texts) - 1, args.rows).astype(int)
        texts, labels = [texts[i] for i in picks], labels[picks]
    log(f"{len(texts)} texts from {path}; backend {backend()}; {args.threads} threads")

    encode_before, reference = encode_rate(texts)
    log(f"encode: {encode_before:.0f} texts/s")
    with tempfile.TemporaryDirectory(prefix="vocportal-embed-") as workdir:
        job_rate, vectors = run_job(texts, labels, reference, Path(workdir))
    log(f"job: {job_rate:.0f} rows/s")
    encode_after, _ = encode_rate(texts)
    log(f"encode again: {encode_after:.0f} texts/s")
    encode = (encode_before + encode_after) / 2

    cosine = np.sum(vectors * reference, axis=1)
    queries = min(args.queries, len(texts) // 10)
    p_float = precision_at_5(reference, reference, labels, args.splits, queries)
    p_fast = precision_at_5(vectors, vectors, labels, args.splits, queries)
    p_mixed = precision_at_5(reference, vectors, labels, args.splits, queries)
    log(f"precision@5 float {p_float:.4f}, {backend()} {p_fast:.4f}, mixed {p_mixed:.4f}")
    result = {
        "backend": backend(),
        "rows": len(texts),
        "threads": args.threads,
        "job_rows_per_s": round(job_rate, 1),
        "encode_rows_per_s": round(encode, 1),
        "encode_rows_per_s_before_after": [round(encode_before, 1), round(encode_after, 1)],
        "ratio": round(job_rate / encode, 2),
        "cosine_min": round(float(cosine.min()), 4),
        "cosine_mean": round(float(cosine.mean()), 4),
        "cosine_p1": round(float(np.percentile(cosine, 1)), 4),
        "precision_at_5": {
            "float": round(p_float, 4),
            "fast": round(p_fast, 4),
            "mixed": round(p_mixed, 4),
            "splits": args.splits,
            "queries": queries,
        },
    }
    checks = {
        "cosine_min >= 0.99": result["cosine_min"] >= 0.99,
        "precision drop <= 0.005": p_float - p_fast <= 0.005,
    }
    if args.nmi_per_label:
        rng = np.random.default_rng(0)
        picks = np.sort(
            np.concatenate(
                [
                    (lambda m: m if args.nmi_per_label < 0 else m[: args.nmi_per_label])(
                        rng.permutation(np.flatnonzero(labels == label))
                    )
                    for label in np.unique(labels)
                ]
            )
        )
        log(f"fitting themes on {len(picks)} texts, float then {backend()}")
        n_float = nmi(texts, labels, reference, picks)
        n_fast = nmi(texts, labels, vectors, picks)
        result["nmi"] = {"float": round(n_float, 4), "fast": round(n_fast, 4), "n": len(picks)}
        checks["nmi drop <= 0.005"] = n_float - n_fast <= 0.005
    result["checks"] = checks
    result["load_average_1m"] = round(os.getloadavg()[0], 2)
    result["cpus"] = os.cpu_count()
    result["python"] = platform.python_version()
    result["data"] = BANKING77_ATTRIBUTION if args.data is None else str(path)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
