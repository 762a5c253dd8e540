"""Theme quality, names, fit time, scale and stability: the portal's pipeline on a labelled CSV.

Run by hand from the repository root (never part of the test suite):

    .venv/bin/python benchmarks/topics.py --embeddings-cache /tmp/b77.npy   # BANKING77 train
    .venv/bin/python benchmarks/topics.py --per-label 10 20 40              # subsample table
    .venv/bin/python benchmarks/topics.py --stability                       # +10% items
    .venv/bin/python benchmarks/topics.py --scale 50000 200000 --compare-full 50000
    .venv/bin/python benchmarks/topics.py --data FILE.csv --text-col text --label-col category

What it does:

1. reads the CSV and embeds the texts with the project's `embed()` (timed, or from cache);
2. times `warm_up()` (the JIT a fresh process pays once) apart from `fit_topics()`, which
   sees the texts alone, never the labels nor their number;
3. compares themes with labels: NMI, ARI, accuracy after Hungarian matching, the number of
   themes against the number of labels, and per theme its name, keywords, size, majority
   label and purity;
4. `name_match`: embeds every theme name and every label name (`_` read as a space) and
   counts the share of themes whose name is nearest to the theme's majority label; the same
   for the old comma-separated keyword labels (`name_match_keywords`) as a baseline;
5. `--per-label N...`: the same on subsamples with at most N texts per label (seed fixed);
   `--perturb SD` also refits every run on its vectors plus Gaussian noise of SD per
   dimension (re-normalised) and reports the theme count's ratio and the ARI to the
   unperturbed fit (1e-6 is about the gap between the ONNX and torch backends);
6. `--stability`: fits on a random 10/11 of the corpus, then on all of it (another seed,
   given the first fit's themes as `refit()` gives them), maps the second fit onto the
   first as `refit()` does (`map_onto_themes`), and reports
   the share of the first fit's items that keep their theme id;
7. `--scale N...`: builds N items from the real ones (texts varied by word dropout and a
   swap, vectors between two stored vectors of one label with light Gaussian noise,
   re-normalised; see `scaled_corpus`; NOT re-embedded: the
   figures say how the pipeline scales, not how it does on N new texts) and refits in a
   fresh process that warms up first, like the portal's worker: fit time, peak RSS, share
   of items placed by nearest theme; with `--compare-full N` also a full fit without
   sampling at that size, and the ARI between the two.

Progress goes to stderr; stdout gets one JSON object.

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
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
        "n_themes": len(clusters),
        "themes_per_label": round(len(clusters) / max(len(names), 1), 2),
    }


def theme_table(result, labels: list[str]) -> list[dict]:
    """Per theme: name, keywords, size, majority label and purity."""
    from vocportal.themes.collect import make_label

    rows = []
    for topic in result.topics:
        members = np.flatnonzero(result.assignments == topic.key)
        majority, count = Counter(labels[i] for i in members).most_common(1)[0]
        rows.append(
            {
                "name": topic.label,
                "keywords": make_label(topic.top_words),
                "size": int(len(members)),
                "majority_label": majority,
                "purity": round(count / max(len(members), 1), 3),
            }
        )
    return rows


def name_match(table: list[dict], labels: list[str], field: str) -> float:
    """Share of themes whose `field` is nearest (embedded) to the theme's majority label."""
    from vocportal.embeddings.encoder import embed

    names = sorted(set(labels))
    label_vectors = embed([n.replace("_", " ") for n in names])
    theme_vectors = embed([row[field] for row in table])
    nearest = np.argmax(theme_vectors @ label_vectors.T, axis=1)
    hits = sum(names[j] == row["majority_label"] for j, row in zip(nearest, table, strict=True))
    return round(hits / max(len(table), 1), 3)


def evaluate(texts, labels, vectors, seed: int, **fit_args) -> tuple[dict, object]:
    from vocportal.themes.pipeline import fit_topics

    result = fit_topics(texts, vectors, seed=seed, **fit_args)
    out = scores(labels, result.assignments)
    out["fit_seconds"] = round(result.seconds, 1)
    out["cluster_seconds"] = result.params.get("cluster_seconds")
    out["min_cluster_size"] = result.params.get("min_cluster_size")
    return out, result


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
    from vocportal.embeddings.encoder import embed

    started = time.perf_counter()
    vectors = embed(texts)
    seconds = time.perf_counter() - started
    if cache:
        np.save(cache, vectors)
        side.write_text(json.dumps({"sha256": digest, "seconds": seconds}))
    return vectors, seconds, False


# --------------------------------------------------------------------------------------
# Subsamples, stability


def per_label_sample(labels: list[str], n: int, seed: int) -> np.ndarray:
    """Indices of at most `n` texts per label, drawn with a fixed seed, in corpus order."""
    rng = np.random.default_rng(seed)
    labels_array = np.asarray(labels)
    chosen = []
    for label in sorted(set(labels)):
        members = np.flatnonzero(labels_array == label)
        chosen.extend(rng.permutation(members)[:n])
    return np.sort(np.asarray(chosen))


def stability(texts, labels, vectors, seed: int) -> dict:
    """Fit on 10/11 of the items, then on all: share of old items keeping their theme id."""
    from vocportal.themes.refit import map_onto_themes

    n = len(texts)
    old = np.sort(np.random.default_rng(seed).permutation(n)[: round(n / 1.1)])
    first = evaluate([texts[i] for i in old], [labels[i] for i in old], vectors[old], seed)[1]
    # As refit() does: every item's current theme goes in (the new ones have none).
    previous = np.full(n, -1)
    previous[old] = first.assignments
    second_scores, second = evaluate(texts, labels, vectors, seed + 1, previous=previous)
    mapping = map_onto_themes(
        second.topics, [t.key for t in first.topics], np.stack([t.centroid for t in first.topics])
    )
    before = first.assignments
    after = np.array([mapping.get(int(k), -1) for k in second.assignments[old]])
    return {
        "old_items": len(old),
        "added_items": n - len(old),
        "themes_before": len(first.topics),
        "themes_after": len(second.topics),
        "themes_kept": len(mapping),
        "old_items_keeping_theme": round(float(np.mean(after == before)), 4),
        "second_fit": {k: second_scores[k] for k in ("nmi", "ari", "n_themes", "fit_seconds")},
        "note": "second fit with another seed, given the first fit's themes as refit() gives "
        "them; its topics mapped as refit() maps them (map_onto_themes: the theme a topic "
        "holds most items of, else centroid cosine >= KEEP_SIMILARITY, one-to-one)",
    }


def perturbed(texts, labels, vectors, sd: float, seed: int, first) -> dict:
    """The same fit on the vectors plus Gaussian noise of `sd` per dimension, re-normalised:
    how far a tiny change in the vectors (another runtime, another library) moves the
    themes. ``first`` is the unperturbed fit's result."""
    from sklearn.metrics import adjusted_rand_score

    noisy = vectors + np.random.default_rng(seed).normal(0.0, sd, vectors.shape)
    noisy = (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)
    out, result = evaluate(texts, labels, noisy, seed)
    return {
        "noise_sd": sd,
        **{k: out[k] for k in ("nmi", "ari", "n_themes", "fit_seconds", "min_cluster_size")},
        "themes_ratio_to_unperturbed": round(out["n_themes"] / max(len(first.topics), 1), 3),
        "ari_to_unperturbed": round(
            float(adjusted_rand_score(first.assignments, result.assignments)), 4
        ),
    }


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


def scaled_corpus(texts, labels, vectors, n: int, seed: int):
    """`n` items: the originals, then new points *between* texts of the same label.

    Each extra item takes an original text (varied) and a vector anywhere on the segment
    between that text's vector and another text's of the same label (uniform weight), plus
    light noise, re-normalised. Copies with noise alone would stack 5 (50,000) or 20
    (200,000) near-duplicates on every text, and the densest structure of the corpus would
    be "copies of one text" (a full 50,000 fit then finds ~5,000 themes; with a weight of 0.5-0.9 on
    the text's own vector still ~850): real growth adds new texts across each need, which
    this imitates. The labels only build the benchmark's
    corpus; the fit never sees them.
    """
    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    base = len(texts)
    index = np.arange(n) % base
    big_texts = [texts[i] if k < base else vary(texts[i], rng) for k, i in enumerate(index)]
    big_labels = [labels[i] for i in index]
    big = vectors[index].copy()
    copies = np.flatnonzero(np.arange(n) >= base)
    by_label: dict[str, np.ndarray] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    by_label = {k: np.asarray(v) for k, v in by_label.items()}
    partners = np.array(
        [by_label[labels[i]][noise.integers(len(by_label[labels[i]]))] for i in index[copies]]
    )
    weight = noise.uniform(0.0, 1.0, size=(len(copies), 1)).astype(np.float32)
    big[copies] = weight * vectors[index[copies]] + (1 - weight) * vectors[partners]
    big[copies] += noise.normal(0.0, SCALE_NOISE, size=(len(copies), big.shape[1]))
    big /= np.linalg.norm(big, axis=1, keepdims=True)
    big = big.astype(np.float32)
    cosine = float(np.mean(np.sum(big[copies] * vectors[index[copies]], axis=1)))
    return big_texts, big_labels, big, cosine


def _scale_run(texts, labels, vectors, n, seed, compare_full) -> dict:
    """In a fresh process, as a portal worker would: warm up, then refit at scale."""
    from sklearn.metrics import adjusted_rand_score

    from vocportal.themes.pipeline import warm_up

    big_texts, big_labels, big, cosine = scaled_corpus(texts, labels, vectors, n, seed)
    del texts, vectors
    started = time.perf_counter()
    warm_up()
    out = {
        "n_items": n,
        "embeddings": (
            "anywhere between the stored vectors of two texts of one label, "
            f"Gaussian noise sd {SCALE_NOISE} per dimension, "
            f"re-normalised (mean cosine to original {cosine:.3f}); texts varied by word "
            "dropout and swaps; not re-embedded"
        ),
        "warm_up_seconds": round(time.perf_counter() - started, 1),
    }
    fit_scores, result = evaluate(
        big_texts, big_labels, big, seed, progress=lambda f, m: log(f"scale {n}: {f:.0%} {m}")
    )
    out.update(fit_scores)
    out["peak_rss_mb"] = peak_rss_mb()
    out["share_placed"] = round(result.params["placed_items"] / n, 4)
    out["fitted_items"] = result.params["fitted_items"]
    if compare_full:
        log(f"scale {n}: full fit without sampling, for comparison")
        full_scores, full = evaluate(big_texts, big_labels, big, seed, sample_above=n)
        out["full_fit"] = {**full_scores, "peak_rss_mb": peak_rss_mb()}
        out["ari_sampled_vs_full"] = round(
            float(adjusted_rand_score(full.assignments, result.assignments)), 4
        )
    return out


# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="CSV file (default: shared BANKING77 train.csv)")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--label-col", default="category")
    parser.add_argument("--limit", type=int, help="use the first N rows only")
    parser.add_argument("--per-label", type=int, nargs="*", default=[], help="subsample runs")
    parser.add_argument("--stability", action="store_true", help="+10%% items, ids kept")
    parser.add_argument("--scale", type=int, nargs="*", default=[], help="refits at N items")
    parser.add_argument("--compare-full", type=int, nargs="*", default=[], help="with --scale")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--embeddings-cache", help=".npy file to reuse embeddings between runs")
    parser.add_argument("--no-main", action="store_true", help="skip the run on all texts")
    parser.add_argument("--themes", action="store_true", help="print the per-theme list")
    parser.add_argument(
        "--perturb", type=float, help="also fit every run on vectors + Gaussian noise of this sd"
    )
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

    if not args.no_main or args.per_label or args.stability:
        from vocportal.themes.pipeline import warm_up

        started = time.perf_counter()
        warm_up()
        report["warm_up_seconds"] = round(time.perf_counter() - started, 1)
        log(f"warm-up (cold start, model load included) {report['warm_up_seconds']} s")

    def run(idx: np.ndarray | None) -> dict:
        sub_texts = texts if idx is None else [texts[i] for i in idx]
        sub_labels = labels if idx is None else [labels[i] for i in idx]
        sub_vectors = vectors if idx is None else vectors[idx]
        out, result = evaluate(sub_texts, sub_labels, sub_vectors, args.seed)
        out["n_items"] = len(sub_texts)
        table = theme_table(result, sub_labels)
        out["name_match"] = name_match(table, sub_labels, "name")
        out["name_match_keywords"] = name_match(table, sub_labels, "keywords")
        log(f"{out['n_items']} items: " + json.dumps({k: out[k] for k in list(out)[:8]}))
        if args.perturb:
            out["perturbed"] = perturbed(
                sub_texts, sub_labels, sub_vectors, args.perturb, args.seed, result
            )
            log(f"{out['n_items']} items, perturbed: " + json.dumps(out["perturbed"]))
        return {**out, "themes": table}

    if not args.no_main:
        main_run = run(None)
        report.update({k: v for k, v in main_run.items() if k != "themes"})
        report["peak_rss_mb"] = peak_rss_mb()
        report["themes"] = main_run["themes"] if args.themes else main_run["themes"][:10]
    if args.per_label:
        report["per_label"] = []
        for n in args.per_label:
            row = run(per_label_sample(labels, n, args.seed))
            row.pop("themes")
            report["per_label"].append({"per_label": n, **row})
    if args.stability:
        log("stability: fit on 10/11, then on all")
        report["stability"] = stability(texts, labels, vectors, args.seed)

    report["scale"] = []
    for n in args.scale:
        log(f"refit at {n} items in a fresh process")
        context = multiprocessing.get_context("spawn")
        with context.Pool(1, maxtasksperchild=1) as pool:
            report["scale"].append(
                pool.apply(
                    _scale_run,
                    (texts, labels, vectors, n, args.seed, n in args.compare_full),
                )
            )
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
