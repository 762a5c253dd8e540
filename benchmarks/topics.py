"""Theme quality and fit time: the portal's own pipeline on a labelled CSV.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/topics.py                     # BANKING77 train.csv
    .venv/bin/python benchmarks/topics.py --data FILE.csv --text-col text --label-col category
    .venv/bin/python benchmarks/topics.py --limit 2000         # the first 2,000 rows only
    .venv/bin/python benchmarks/topics.py --scale 50000        # plus a 50,000-item refit
    .venv/bin/python benchmarks/topics.py --embeddings-cache /tmp/b77.npy   # embed once

What it does:

1. reads the CSV and embeds the texts with the project's `embed()` (timed);
2. times `warm_up()` (the numba/UMAP/HDBSCAN JIT a fresh process pays once: the cold
   start), then `fit_topics()` on the texts alone, without the labels and without the
   number of labels (the warm fit time);
3. compares the themes with the labels: NMI, ARI and accuracy after Hungarian matching of
   themes to labels (`scipy.optimize.linear_sum_assignment`; outliers count as wrong; in
   NMI/ARI outliers are one more cluster, -1);
4. with `--scale N`, builds N items by repeating the texts with light variations (word
   dropout and a swap of two neighbouring words) and their stored vectors with a little
   Gaussian noise, re-normalised (not re-embedded: that would take ~10 minutes), and refits
   in a fresh process that warms up first, like the portal's worker; it reports that
   process's fit time and peak RSS (target: under 2 GB at 50,000 items).

Progress goes to stderr; stdout gets one JSON object (nmi, ari, accuracy, n_themes,
outlier_share, embedding_seconds, warm_up_seconds, fit_seconds, n_items, peak_rss_mb and,
with --scale, a `scale` object).

Data: BANKING77 (`../shared/data/banking77/train.csv`), Casanueva et al., "Efficient
Intent Detection with Dual Sentence Encoders" (2020), PolyAI, licensed CC BY 4.0. Keep this
attribution wherever its results are published.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import BANKING77_ATTRIBUTION, banking77_train, read_labelled_csv  # noqa: E402

#: Standard deviation of the per-dimension noise added to stored vectors at --scale
#: (mean cosine to the original about 0.96 for 384 dimensions).
SCALE_NOISE = 0.015


def log(message: str) -> None:
    print(f"[topics] {message}", file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


# --------------------------------------------------------------------------------------
# Scores


def scores(labels: list[str], assignments: np.ndarray) -> dict:
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    assignments = np.asarray(assignments)
    names, truth = np.unique(np.asarray(labels), return_inverse=True)
    clusters = np.unique(assignments[assignments >= 0])
    contingency = np.zeros((len(clusters), len(names)), dtype=np.int64)
    index = {c: i for i, c in enumerate(clusters)}
    for a, t in zip(assignments, truth, strict=True):
        if a >= 0:
            contingency[index[a], t] += 1
    rows, cols = linear_sum_assignment(-contingency) if len(clusters) else ([], [])
    matched = int(contingency[rows, cols].sum()) if len(clusters) else 0
    return {
        "nmi": round(float(normalized_mutual_info_score(truth, assignments)), 4),
        "ari": round(float(adjusted_rand_score(truth, assignments)), 4),
        "accuracy": round(matched / len(truth), 4) if len(truth) else 0.0,
        "n_labels": len(names),
    }


# --------------------------------------------------------------------------------------
# Embeddings


def embed_texts(texts: list[str], cache: str | None) -> tuple[np.ndarray, float, bool]:
    """Embed with the project's embed(); reuse `cache` (.npy) when it holds these texts."""
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()
    side = Path(cache).with_suffix(".json") if cache else None
    if cache and Path(cache).is_file() and side and side.is_file():
        meta = json.loads(side.read_text())
        if meta.get("sha256") == digest:
            vectors = np.load(cache)
            if vectors.shape == (len(texts), 384):
                return vectors.astype(np.float32), float(meta.get("seconds", 0.0)), True
    from vocportal.embeddings.model import embed

    started = time.perf_counter()
    vectors = embed(texts)
    seconds = time.perf_counter() - started
    if cache:
        np.save(cache, vectors)
        side.write_text(json.dumps({"sha256": digest, "seconds": seconds}))
    return vectors, seconds, False


# --------------------------------------------------------------------------------------
# A larger corpus from a small one


def vary(text: str, rng: random.Random) -> str:
    """A light variation: drop ~10% of words (keeping two or more), maybe swap two."""
    words = text.split()
    if len(words) > 2:
        kept = [w for w in words if rng.random() >= 0.1]
        words = kept if len(kept) >= 2 else words
    if len(words) > 2 and rng.random() < 0.5:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def scaled_corpus(
    texts: list[str], labels: list[str], vectors: np.ndarray, n: int, seed: int
) -> tuple[list[str], list[str], np.ndarray, float]:
    """`n` items: the originals, then varied copies with perturbed, re-normalised vectors."""
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    base = len(texts)
    index = np.arange(n) % base
    big_texts = [texts[i] if k < base else vary(texts[i], rng) for k, i in enumerate(index)]
    big_labels = [labels[i] for i in index]
    big = vectors[index].copy()
    copies = np.arange(n) >= base
    big[copies] += noise.normal(0.0, SCALE_NOISE, size=(int(copies.sum()), big.shape[1]))
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    big = big.astype(np.float32)
    cosine = float(np.mean(np.sum(big[copies] * vectors[index[copies]], axis=1)))
    return big_texts, big_labels, big, cosine


def _scale_run(texts, labels, vectors, n, seed, representation) -> dict:
    """In a fresh process, as a portal worker would: warm up, then refit at scale."""
    from vocportal.themes.pipeline import fit_topics, warm_up

    big_texts, big_labels, big, cosine = scaled_corpus(texts, labels, vectors, n, seed)
    del texts, vectors
    started = time.perf_counter()
    warm_up()
    warm = time.perf_counter() - started
    result = fit_topics(
        big_texts,
        big,
        seed=seed,
        representation=representation,
        progress=lambda f, m: log(f"scale {n}: {f:.0%} {m}"),
    )
    out = {
        "n_items": n,
        "embeddings": (
            f"stored vectors repeated, Gaussian noise sd {SCALE_NOISE} per dimension, "
            f"re-normalised (mean cosine to original {cosine:.3f}); texts varied by word "
            "dropout and swaps; not re-embedded"
        ),
        "warm_up_seconds": round(warm, 1),
        "fit_seconds": round(result.seconds, 1),
        "n_themes": len(result.topics),
        "outlier_share": round(result.outlier_share, 4),
        "peak_rss_mb": peak_rss_mb(),
        "params": result.params,
    }
    out.update(scores(big_labels, result.assignments))
    return out


# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="CSV file (default: shared BANKING77 train.csv)")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--label-col", default="category")
    parser.add_argument("--limit", type=int, help="use the first N rows only")
    parser.add_argument("--scale", type=int, help="also refit at N items (e.g. 50000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--representation",
        choices=["keybert", "ctfidf"],
        default="keybert",
        help="label words: KeyBERTInspired+MMR (the portal's) or plain c-TF-IDF",
    )
    parser.add_argument("--embeddings-cache", help=".npy file to reuse embeddings between runs")
    parser.add_argument("--no-main", action="store_true", help="only the --scale run")
    args = parser.parse_args(argv)

    path = args.data or banking77_train()
    if path is None:
        log("no --data and no ../shared/data/banking77/train.csv: nothing to do")
        return 2
    texts, labels = read_labelled_csv(path, args.text_col, args.label_col, args.limit)
    log(f"{len(texts)} texts from {path}")
    if "banking77" in str(path).lower():
        log(BANKING77_ATTRIBUTION)

    vectors, embed_seconds, cached = embed_texts(texts, args.embeddings_cache)
    log(f"embedded in {embed_seconds:.1f} s{' (from cache)' if cached else ''}")
    report: dict = {"data": str(path), "n_items": len(texts)}
    report["embedding_seconds"] = round(embed_seconds, 1)
    report["embeddings_from_cache"] = cached

    if not args.no_main:
        from vocportal.themes.pipeline import fit_topics, warm_up

        started = time.perf_counter()
        warm_up()
        report["warm_up_seconds"] = round(time.perf_counter() - started, 1)
        log(f"warm-up (cold start, model load included) {report['warm_up_seconds']} s")
        result = fit_topics(
            texts,
            vectors,
            seed=args.seed,
            representation=args.representation,
            progress=lambda f, m: log(f"fit: {f:.0%} {m}"),
        )
        report.update(scores(labels, result.assignments))
        report.update(
            {
                "n_themes": len(result.topics),
                "outlier_share": round(result.outlier_share, 4),
                "fit_seconds": round(result.seconds, 1),
                "peak_rss_mb": peak_rss_mb(),
                "params": result.params,
                "largest_themes": [{"label": t.label, "size": t.size} for t in result.topics[:5]],
            }
        )
        log(f"nmi {report['nmi']} ari {report['ari']} themes {report['n_themes']}")

    if args.scale:
        log(f"refit at {args.scale} items in a fresh process")
        context = multiprocessing.get_context("spawn")
        with context.Pool(1, maxtasksperchild=1) as pool:
            report["scale"] = pool.apply(
                _scale_run,
                (texts, labels, vectors, args.scale, args.seed, args.representation),
            )

    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
