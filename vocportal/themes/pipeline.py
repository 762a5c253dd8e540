"""Theme fitting: BERTopic over stored embeddings. Pure code: no Flask, no database.

The portal stores one embedding per item; :func:`fit_topics` clusters them and names the
clusters. The pipeline is BERTopic with

* UMAP to 5 dimensions (cosine, ``min_dist=0``, 15 neighbours: UMAP's own default, a
  statement about local structure, not about how many themes there are), started from PCA:
  UMAP's default spectral start solves an eigenproblem on the neighbour graph, 10 of 36 s
  at 10,000 items on a loaded machine, and on BANKING77 train the PCA start gave themes at
  least as good (NMI/ARI all items 0.820/0.551 against 0.817/0.544; 10 per intent
  0.827/0.507 against 0.816/0.473);
* a clusterer that chooses **how fine the themes are from the data** (below), then refines
  the chosen clusters with k-means in the same UMAP space, seeded with their means. The
  refinement keeps the number of clusters, moves the fuzzy borders and gives every item a
  theme (no outliers);
* c-TF-IDF over unigrams and bigrams for the keywords (no KeyBERTInspired/MMR: they cost
  most of the fit and the keywords are now secondary detail);
* names from :mod:`vocportal.themes.naming`: noun phrases mined from the theme's texts,
  ranked by c-TF-IDF and by closeness to the centroid in the stored vectors.

Granularity. HDBSCAN's single-linkage tree over the reduced points does not depend on
``min_cluster_size``; only the way it is condensed does. The tree is built once, then cut
with every ``min_cluster_size`` of a geometric grid (3, 4, 6, 8, ... ×√2 up to a tenth of
the corpus); each cut keeps the clusters "excess of mass" selects. The chosen cut is the one
with the largest **total cluster stability**: the sum over its clusters of HDBSCAN's
normalised stability (how long, in density, each cluster persists before it splits or
dissolves, 0..1). A cut that merges real groups loses the stability of the parts; a cut
that shatters them keeps only short-lived crumbs. Silhouette in the reduced space was
tried and rejected: UMAP with ``min_dist=0`` packs points into tight crumbs, and
silhouette rewards crumbs (it chose 330 themes for 77 intents on BANKING77 train); DBCV
swung between far too coarse and far too fine. Nothing here depends on ``n`` except the top
of the grid, and nothing on the number of labels.

Large corpora. Above ``SAMPLE_ABOVE`` items (justified beside the constant) the model is
fitted on a uniform random sample of that size, which covers the corpus in
proportion, and every other item is placed in the theme whose centroid (in the stored
vectors) is nearest. A need voiced by fewer than ~``n/SAMPLE_ABOVE × 3`` items can then go
unseen: the price of a bounded refit time. ``FitResult.params`` says how many were placed.

Refits. Total stability is flat near its peak, so a fresh cut on 10% more items can jump
(73 themes became 106 on BANKING77 train, and only 71% of the old items kept their theme).
``fit_topics(previous=...)`` takes each item's current theme: k-means then starts from the
previous themes' means in the new reduced space (plus the clusters of the new cut made
mostly of new items: new needs), an item goes back to the topic continuing its theme unless
another centroid is closer by more than ``STAY_MARGIN`` in the stored vectors, and
``Topic.previous`` names the theme a topic continues (optimal pairing on overlap counts).
Measured with ``benchmarks/topics.py --stability``: 93% of old items keep their theme.

Topic keys are only this fit's numbering: they are *not* stable between fits. Map a new
fit onto stored themes with ``Topic.previous``, then by centroid similarity
(``Topic.centroid``): ``vocportal.themes.operations.map_onto_themes``.

Never ``calculate_probabilities=True`` (the memory/time trap at scale). The first fit in a
process pays 35-45 s of numba JIT: call :func:`warm_up` once in a long-lived worker.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: Below this many texts clustering means nothing: :func:`fit_topics` raises TooFewItems.
MIN_ITEMS = 30

#: Above this many items the model is fitted on a sample of this size and the rest placed
#: by nearest centroid. Measured with benchmarks/topics.py on the 2 shared cores (load
#: average 3-4): a full fit takes 24 s at 10,000 items and 61 s at 50,000 (1.45 GB), i.e.
#: already the whole 60 s budget at 50,000 on a lightly loaded machine; a 20,000 sample
#: fits, places and names 50,000 items in 41 s (1.23 GB) and 200,000 in 32 s (1.56 GB),
#: leaving a third of the budget for load. Under a load of 8-9 the same 20,000-item fit
#: took 132 s, so a larger sample would not hold the target there either.
SAMPLE_ABOVE = 20_000

#: Words per topic kept in ``Topic.top_words``.
TOP_WORDS = 10
#: Representative documents per topic (closest to its centroid).
REPRESENTATIVES = 5

#: A refit leaves an item in the topic that continues its previous theme unless another
#: topic's centroid is closer by more than this cosine, in the stored vectors (which do not
#: change between fits, unlike the reduced space): hysteresis at fuzzy borders.
STAY_MARGIN = 0.05

#: The smallest cluster a cut may keep, and the factor between grid steps.
GRID_START = 3
GRID_STEP = 2**0.5

Progress = Callable[[float, str], None]
Embed = Callable[[list[str]], np.ndarray]


class TooFewItems(ValueError):
    """Raised when the corpus is too small for clustering to mean anything."""


@dataclass
class Topic:
    key: int  # this fit's topic number (0..n-1); NOT stable between fits
    label: str  # the theme's name, a short noun phrase, e.g. "Card delivery tracking"
    top_words: list[str]  # c-TF-IDF keywords, 10 or so: secondary detail
    size: int  # number of documents assigned
    representative: list[int]  # indices (into the input) of 3-5 representative documents
    centroid: np.ndarray = field(repr=False)  # float32 (384,), L2-normalised mean embedding
    #: The previous theme (a key of ``fit_topics(previous=...)``) more than half of whose
    #: items are in this topic: the theme it continues. None for a new need.
    previous: int | None = None


@dataclass
class FitResult:
    assignments: np.ndarray  # int per input document: topic key, or -1 for outlier/unsorted
    topics: list[Topic]
    outlier_share: float
    seconds: float
    params: dict = field(default_factory=dict)  # what this fit chose and measured
    #: Indices of the items the model was fitted on (all of them below the threshold);
    #: the others were placed by nearest centroid.
    fitted: np.ndarray | None = field(default=None, repr=False)


# --------------------------------------------------------------------------------------
# Parameters


def parameters(n: int) -> dict:
    """UMAP/HDBSCAN settings for a corpus of ``n`` items.

    None of them sets how many themes there are: ``min_cluster_size`` is chosen later from
    the data (:class:`StableCut`); ``n`` only bounds the grid it is chosen from.
    """
    return {
        "n_neighbors": min(15, max(2, n - 1)),
        "n_components": 5,
        "min_dist": 0.0,
        "min_samples": GRID_START,
        "grid": size_grid(n),
    }


def size_grid(n: int) -> list[int]:
    """Candidate ``min_cluster_size`` values: 3, 4, 6, 8, 11, ... up to n / 10 (at least 3)."""
    top = max(GRID_START, n // 10)
    grid, value = [], float(GRID_START)
    while round(value) <= top:
        if not grid or round(value) != grid[-1]:
            grid.append(round(value))
        value *= GRID_STEP
    return grid


# --------------------------------------------------------------------------------------
# The pieces BERTopic is given


class _ReportingUMAP:
    """A UMAP model that reports progress when BERTopic calls it."""

    def __init__(self, umap_model, progress: Progress):
        self.umap_model = umap_model
        self.progress = progress

    def fit_transform(self, X, y=None):
        self.progress(0.05, "Reducing dimensions")
        reduced = self.umap_model.fit_transform(X)
        self.progress(0.4, "Reduced dimensions")
        return reduced

    def fit(self, X, y=None):
        self.fit_transform(X, y)
        return self

    def transform(self, X):
        return self.umap_model.transform(X)


def stable_cuts(X: np.ndarray, grid: list[int], min_samples: int) -> list[dict]:
    """Cut HDBSCAN's tree of ``X`` at every ``min_cluster_size`` in ``grid``.

    Returns one dict per cut: ``min_cluster_size``, ``labels`` (-1 = noise), ``clusters``
    and ``stability`` (the sum of the selected clusters' normalised stabilities).
    """
    import hdbscan
    from hdbscan.hdbscan_ import _tree_to_labels

    base = hdbscan.HDBSCAN(
        min_cluster_size=grid[0],
        min_samples=min_samples,
        metric="euclidean",
        core_dist_n_jobs=1,
    ).fit(X)
    # The single-linkage tree depends on min_samples only: build once, condense per size.
    # (_tree_to_labels is what HDBSCAN.fit itself calls with the same tree.)
    tree = base._single_linkage_tree
    cuts = []
    for size in grid:
        labels, _, stabilities, _, _ = _tree_to_labels(X, tree, size, "eom")
        labels = np.asarray(labels)
        cuts.append(
            {
                "min_cluster_size": size,
                "labels": labels,
                "clusters": len(np.unique(labels[labels >= 0])),
                "stability": float(np.sum(stabilities)),
            }
        )
    return cuts


class StableCut:
    """Choose the cut of HDBSCAN's tree with the most total stability; refine with k-means.

    HDBSCAN finds dense cores well but leaves fuzzy borders and outliers. Seeding k-means
    with the chosen clusters' means (so their number stays) moves the borders to where
    they separate best and gives every point a cluster. If no cut finds a cluster, every
    point stays an outlier (-1).
    """

    def __init__(
        self,
        grid: list[int],
        min_samples: int = GRID_START,
        seed: int = 42,
        progress: Progress | None = None,
        previous: np.ndarray | None = None,
    ):
        self.grid = grid
        self.min_samples = min_samples
        self.seed = seed
        self.progress = progress or _no_progress
        #: Per point, the theme it had after the previous fit (any int key; -1: none).
        self.previous = previous

    def fit(self, X, y=None):
        from sklearn.cluster import KMeans

        X = np.asarray(X, dtype=np.float64)
        self.progress(0.45, "Finding themes")
        cuts = [c for c in stable_cuts(X, self.grid, self.min_samples) if c["clusters"] >= 2]
        self.cuts_ = [
            {k: c[k] for k in ("min_cluster_size", "clusters", "stability")} for c in cuts
        ]
        if not cuts:
            self.labels_ = np.full(len(X), -1, dtype=int)
            self.chosen_ = None
            self.hdbscan_outlier_share_ = 1.0
            return self
        best = max(cuts, key=lambda c: (round(c["stability"], 9), -c["min_cluster_size"]))
        self.chosen_ = best["min_cluster_size"]
        labels = best["labels"]
        self.hdbscan_outlier_share_ = float(np.mean(labels < 0))
        self.progress(0.55, "Refining theme borders")
        seeds = self._seeds(X, labels)
        kmeans = KMeans(n_clusters=len(seeds), init=seeds, n_init=1, random_state=self.seed)
        self.labels_ = kmeans.fit_predict(X).astype(int)
        self._kmeans = kmeans
        self.progress(0.6, "Naming themes")
        return self

    def _seeds(self, X: np.ndarray, labels: np.ndarray) -> np.ndarray:
        """Where k-means starts: the chosen clusters' means, or the previous themes'.

        Without a previous fit, every cluster of the chosen cut is a seed. With one, each
        previous theme still holding ``GRID_START`` or more of these points is a seed (its
        members' mean in *this* fit's reduced space), and a cluster of the chosen cut joins
        only if most of its points are new (had no theme): a need that was not there
        before. So a refit after a few more items moves borders where the data pulls them
        but neither splits nor merges themes on a whim of the tree cut.
        """
        keys = np.unique(labels[labels >= 0])
        fresh = [X[labels == k].mean(axis=0) for k in keys]
        previous = self.previous
        self.seeded_ = {"previous_themes": 0, "new_clusters": len(fresh)}
        if previous is None or len(previous) != len(X) or not np.any(previous >= 0):
            return np.stack(fresh)
        previous = np.asarray(previous)
        seeds = []
        for key in np.unique(previous[previous >= 0]):
            members = previous == key
            if members.sum() >= GRID_START:
                seeds.append(X[members].mean(axis=0))
        kept = len(seeds)
        for k, mean in zip(keys, fresh, strict=True):
            if np.mean(previous[labels == k] >= 0) < 0.5:
                seeds.append(mean)
        if len(seeds) < 2:
            return np.stack(fresh)
        self.seeded_ = {"previous_themes": kept, "new_clusters": len(seeds) - kept}
        return np.stack(seeds)

    def predict(self, X):
        if not hasattr(self, "_kmeans"):
            return np.full(len(X), -1, dtype=int)
        return self._kmeans.predict(np.asarray(X, dtype=np.float64)).astype(int)


def _no_progress(fraction: float, message: str) -> None:
    return None


# --------------------------------------------------------------------------------------
# Fitting


def make_umap(p: dict, seed: int):
    """UMAP with the parameters `parameters(n)` chose."""
    from umap import UMAP

    return UMAP(
        n_neighbors=p["n_neighbors"],
        n_components=p["n_components"],
        min_dist=p["min_dist"],
        metric="cosine",
        # PCA start instead of the spectral one: the graph's eigenvectors cost about a
        # third of UMAP at 10,000 items and gave no better themes on BANKING77 train at any
        # size (see the module docstring).
        init="pca",
        random_state=seed,
        n_jobs=1,  # what random_state implies anyway; saying so avoids UMAP's warning
        low_memory=True,
    )


def build_topic_model(
    n: int,
    *,
    seed: int = 42,
    progress: Progress | None = None,
    previous: np.ndarray | None = None,
):
    """The BERTopic model for a corpus of ``n`` items (not fitted); ``previous``: see
    :meth:`StableCut._seeds`."""
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    progress = progress or _no_progress
    p = parameters(n)
    cluster_model = StableCut(
        p["grid"], p["min_samples"], seed=seed, progress=progress, previous=previous
    )
    # c-TF-IDF is computed over one concatenated document per topic, so min_df counts
    # topics, not items: keep it at 1 or topic-specific words disappear.
    vectorizer = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1)
    return BERTopic(
        embedding_model=None,
        umap_model=_ReportingUMAP(make_umap(p, seed), progress),
        hdbscan_model=cluster_model,
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=None,
        top_n_words=TOP_WORDS,
        calculate_probabilities=False,
        verbose=False,
    )


def fit_topics(
    texts: list[str],
    embeddings: np.ndarray,
    *,
    seed: int = 42,
    progress: Progress | None = None,
    embed: Embed | None = None,
    sample_above: int | None = None,
    previous: np.ndarray | None = None,
) -> FitResult:
    """Cluster ``texts`` (with their stored ``embeddings``) into named themes.

    ``embeddings``: one L2-normalised vector per text, as ``vocportal.embeddings.model.embed``
    makes. ``embed`` embeds the few hundred candidate name phrases (default: that same
    ``embed``; documents are never embedded again). Above ``sample_above`` items (default
    :data:`SAMPLE_ABOVE`) a sample of that size is fitted and the rest placed by nearest
    centroid. ``previous``: per text, the theme it had after the last fit (-1 for a new
    text), so that a refit keeps the themes the data still supports (see
    :meth:`StableCut._seeds`). ``progress(fraction, message)`` is called at the main
    stages. Raises
    :class:`TooFewItems` below :data:`MIN_ITEMS` texts.
    """
    started = time.perf_counter()
    progress = progress or _no_progress
    texts = [t if isinstance(t, str) else "" for t in texts]
    n = len(texts)
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2 or embeddings.shape[0] != n:
        raise ValueError(f"need one embedding per text: {embeddings.shape} for {n} texts")
    if n < MIN_ITEMS:
        raise TooFewItems(f"{n} items: at least {MIN_ITEMS} are needed to find themes")
    if embed is None:
        from vocportal.embeddings.model import embed
    limit = max(MIN_ITEMS, sample_above or SAMPLE_ABOVE)
    fitted = np.arange(n)
    if n > limit:
        fitted = np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))

    progress(0.0, "Preparing")
    with warnings.catch_warnings():
        # Third-party chatter (umap's ImportWarning about TensorFlow, numba and sklearn
        # deprecations) is not ours to act on, and test suites that turn warnings into
        # errors must not fail on it: imports included, hence the wide block.
        warnings.simplefilter("ignore")
        if previous is not None:
            previous = np.asarray(previous, dtype=np.int64)
            if previous.shape != (n,):
                raise ValueError(f"need one previous theme per text: {previous.shape} for {n}")
        model = build_topic_model(
            len(fitted),
            seed=seed,
            progress=progress,
            previous=None if previous is None else previous[fitted],
        )
        sample_texts = [texts[i] for i in fitted]
        model.fit_transform(sample_texts, embeddings=embeddings[fitted])
        clustered = time.perf_counter() - started
        raw = np.full(n, -1, dtype=int)
        raw[fitted] = np.asarray(model.topics_, dtype=int)
        progress(0.85, "Naming themes")
        topics, assignments = _collect_topics(
            model, raw, fitted, texts, embeddings, embed, previous
        )

    progress(1.0, "Done")
    params = parameters(len(fitted))
    clusterer = model.hdbscan_model
    params.update(
        {
            "min_cluster_size": getattr(clusterer, "chosen_", None),
            "cuts": getattr(clusterer, "cuts_", []),
            "hdbscan_outlier_share": getattr(clusterer, "hdbscan_outlier_share_", None),
            **getattr(clusterer, "seeded_", {}),
            "fitted_items": len(fitted),
            "placed_items": n - len(fitted),
            "cluster_seconds": round(clustered, 2),
        }
    )
    return FitResult(
        assignments=assignments,
        topics=topics,
        outlier_share=float(np.mean(assignments < 0)) if n else 0.0,
        seconds=time.perf_counter() - started,
        params=params,
        fitted=fitted,
    )


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return (v / norm if norm > 0 else v).astype(np.float32)


def _collect_topics(model, raw, fitted, texts, embeddings, embed, previous=None):
    """Our Topic list, numbered 0..n-1 by decreasing size, and per-document keys.

    Items outside the fitted sample (``raw`` -1 there) join the nearest topic centroid.
    """
    from vocportal.themes.naming import name_themes

    in_fit = raw[fitted]
    ids = [int(t) for t in np.unique(in_fit) if t >= 0]
    ids.sort(key=lambda t: (-int(np.sum(in_fit == t)), t))
    renumber = {old: new for new, old in enumerate(ids)}
    assignments = np.array([renumber.get(int(t), -1) for t in raw], dtype=int)
    if not ids:
        return [], assignments
    centroids = np.stack(
        [_unit(embeddings[assignments == k].mean(axis=0)) for k in range(len(ids))]
    )
    rest = np.setdiff1d(np.arange(len(raw)), fitted, assume_unique=True)
    for start in range(0, len(rest), 20_000):  # bounded memory: 20,000 x themes at a time
        chunk = rest[start : start + 20_000]
        assignments[chunk] = np.argmax(embeddings[chunk] @ centroids.T, axis=1)
    continues: dict[int, int] = {}
    if previous is not None:
        assignments = _stay(assignments, previous, embeddings, centroids)
        centroids = np.stack(
            [_unit(embeddings[assignments == k].mean(axis=0)) for k in range(len(ids))]
        )
        continues = _continuations(assignments, previous, len(ids))
    words = [[w for w, _ in (model.get_topic(old) or []) if w][:TOP_WORDS] for old in ids]
    sample = np.zeros(len(raw), dtype=bool)
    sample[fitted] = True
    # Names come from the fitted texts (all of them below the sample threshold).
    named = np.where(sample, assignments, -1)
    names = name_themes(texts, named, embeddings, centroids, embed, words)
    topics = []
    for key in range(len(ids)):
        members = np.flatnonzero(assignments == key)
        centroid = _unit(embeddings[members].mean(axis=0))
        closeness = embeddings[members] @ centroid
        order = np.argsort(-closeness, kind="stable")[:REPRESENTATIVES]
        topics.append(
            Topic(
                key=key,
                label=names[key],
                top_words=words[key],
                size=len(members),
                representative=[int(i) for i in members[order]],
                centroid=centroid,
                previous=continues.get(key),
            )
        )
    return topics, assignments


def _continuations(assignments: np.ndarray, previous: np.ndarray, n_topics: int) -> dict:
    """Topic key -> the previous theme key it continues, one-to-one.

    Topics and previous themes are paired so that as many items as possible stay with
    their theme (an optimal assignment on the overlap counts); a pair counts only when the
    topic is mostly that theme's items or holds most of that theme. A theme split evenly
    or dissolved is continued by none; its topics are matched by centroid afterwards.
    """
    from scipy.optimize import linear_sum_assignment

    held = (previous >= 0) & (assignments >= 0)
    if not n_topics or not held.any():
        return {}
    keys, column = np.unique(previous[held], return_inverse=True)
    overlap = np.zeros((n_topics, len(keys)), dtype=np.int64)
    np.add.at(overlap, (assignments[held], column), 1)
    theme_totals = overlap.sum(axis=0)
    topic_totals = overlap.sum(axis=1)
    rows, cols = linear_sum_assignment(-overlap)
    return {
        int(r): int(keys[c])
        for r, c in zip(rows, cols, strict=True)
        if overlap[r, c]
        and (2 * overlap[r, c] > theme_totals[c] or 2 * overlap[r, c] > topic_totals[r])
    }


def _stay(assignments, previous, embeddings, centroids) -> np.ndarray:
    """Items go back to the topic continuing their previous theme unless another topic is
    closer by more than :data:`STAY_MARGIN` (cosine, stored vectors)."""
    topic_of = {key: t for t, key in _continuations(assignments, previous, len(centroids)).items()}
    own = np.array([topic_of.get(int(p), -1) for p in previous])
    rows = np.flatnonzero((own >= 0) & (assignments >= 0) & (own != assignments))
    if not len(rows):
        return assignments
    to_own = np.sum(embeddings[rows] * centroids[own[rows]], axis=1)
    to_new = np.sum(embeddings[rows] * centroids[assignments[rows]], axis=1)
    stay = to_own >= to_new - STAY_MARGIN
    assignments = assignments.copy()
    assignments[rows[stay]] = own[rows[stay]]
    return assignments


def make_label(words: list[str], parts: int = 3) -> str:
    """The keyword label of old: the first few topic words, comma-separated (a baseline)."""
    chosen: list[str] = []
    covered: set[str] = set()
    for word in words:
        tokens = set(word.split())
        if not tokens or tokens <= covered:
            continue
        chosen = [c for c in chosen if not set(c.split()) <= tokens]
        chosen.append(word)
        covered |= tokens
        if len(chosen) >= parts:
            break
    return ", ".join(chosen) if chosen else "(no words)"


# --------------------------------------------------------------------------------------
# Warm-up


def warm_up(*, load_model: bool = True, seed: int = 0) -> None:
    """Pay imports and numba/UMAP/HDBSCAN JIT once, e.g. in a long-lived worker's parent.

    Fits the clustering stage on synthetic data twice: 5,000 points (above UMAP's 4,096
    threshold, so its nearest-neighbour descent path compiles) and 300 points (the exact
    path small corpora take). With ``load_model`` it also loads the embedding model, which
    the names need. Runs in about the time one cold fit costs; later fits are fast.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, 384)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Importing BERTopic pulls in transformers' pipelines: ~18 s of a loaded machine
        # that the first fit would otherwise pay.
        import bertopic  # noqa: F401

        for n in (5000, 300):
            points = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.normal(
                size=(n, 384)
            ).astype(np.float32)
            points /= np.linalg.norm(points, axis=1, keepdims=True)
            p = parameters(n)
            reduced = make_umap(p, seed).fit_transform(points)
            StableCut(p["grid"][:4], p["min_samples"], seed=seed).fit(reduced)
        if load_model:
            from vocportal.embeddings.model import embed

            embed(["warm up"])
