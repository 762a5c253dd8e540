"""Theme fitting: BERTopic over stored embeddings. Pure code: no Flask, no database.

The portal stores one embedding per item; :func:`fit_topics` clusters them and names the
clusters. The pipeline is BERTopic with

* UMAP to 5 dimensions (cosine, ``min_dist=0``; ``n_neighbors`` grows with the corpus),
* a clusterer that lets HDBSCAN decide how many themes there are (``min_cluster_size``
  ~ sqrt(n) / 2, ``min_samples`` 5) and then refines HDBSCAN's clusters with k-means in
  the same UMAP space, seeded with HDBSCAN's cluster means. The refinement keeps HDBSCAN's
  number of clusters, moves the fuzzy borders and gives every item a theme (no outliers),
* c-TF-IDF over unigrams and bigrams, then KeyBERTInspired + MaximalMarginalRelevance for
  readable labels.

Measured on BANKING77 (10,003 texts, 77 intents, the number of intents not given):
NMI 0.82 / ARI 0.58, against 0.80 / 0.41 for plain UMAP+HDBSCAN (``benchmarks/topics.py``).

Topic keys are only this fit's numbering: they are *not* stable between fits. Map a new
fit onto stored themes by centroid similarity (``Topic.centroid``).

Never ``calculate_probabilities=True`` (the memory/time trap at scale). The first fit in a
process pays 35-45 s of numba JIT: call :func:`warm_up` once in a long-lived worker.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: Below this many texts clustering means nothing: :func:`fit_topics` raises TooFewItems.
MIN_ITEMS = 30

#: Words per topic kept in ``Topic.top_words``; label words come from the first of these.
TOP_WORDS = 10
#: Representative documents per topic (closest to its centroid).
REPRESENTATIVES = 5

Progress = Callable[[float, str], None]


class TooFewItems(ValueError):
    """Raised when the corpus is too small for clustering to mean anything."""


@dataclass
class Topic:
    key: int  # this fit's topic number (0..n-1); NOT stable between fits
    label: str  # readable, e.g. "card arrival, delivery, track card"
    top_words: list[str]  # 10 or so
    size: int  # number of documents assigned
    representative: list[int]  # indices (into the input) of 3-5 representative documents
    centroid: np.ndarray = field(repr=False)  # float32 (384,), L2-normalised mean embedding


@dataclass
class FitResult:
    assignments: np.ndarray  # int per input document: topic key, or -1 for outlier/unsorted
    topics: list[Topic]
    outlier_share: float
    seconds: float
    params: dict = field(default_factory=dict)  # the parameters this corpus size chose


# --------------------------------------------------------------------------------------
# Parameters that scale with the corpus


def parameters(n: int) -> dict:
    """UMAP/HDBSCAN parameters for a corpus of ``n`` items (rules, not tuned constants).

    * ``min_cluster_size`` = max(4, round(sqrt(n) / 2)): 30 items -> 4, 1,000 -> 16,
      10,000 -> 50, 50,000 -> 112. The number of themes then grows like sqrt(n).
    * ``n_neighbors`` = clip(round(sqrt(n) / 2), 5, 30): local structure for small
      corpora, capped where more neighbours only cost time.
    * ``min_samples`` = min(5, min_cluster_size): a low density requirement, so HDBSCAN
      finds the real groups instead of declaring a third of the corpus noise.
    """
    root = math.sqrt(max(n, 1))
    min_cluster_size = max(4, round(root / 2))
    n_neighbors = int(min(30, max(5, round(root / 2))))
    return {
        "n_neighbors": min(n_neighbors, max(2, n - 1)),
        "n_components": 5,
        "min_dist": 0.0,
        "min_cluster_size": min_cluster_size,
        "min_samples": min(5, min_cluster_size),
        "cluster_selection_method": "eom",
    }


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


class RefinedHDBSCAN:
    """HDBSCAN picks the number of clusters; k-means in the same space refines them.

    HDBSCAN on UMAP output finds dense cores well but leaves fuzzy borders and many
    outliers. Seeding k-means with HDBSCAN's cluster means (so the number of clusters stays
    HDBSCAN's) moves the borders to where they separate best and gives every point a
    cluster. If HDBSCAN finds no cluster at all, every point stays an outlier (-1).
    """

    def __init__(
        self,
        min_cluster_size: int,
        min_samples: int,
        cluster_selection_method: str = "eom",
        seed: int = 42,
        progress: Progress | None = None,
    ):
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.cluster_selection_method = cluster_selection_method
        self.seed = seed
        self.progress = progress or _no_progress

    def fit(self, X, y=None):
        import hdbscan
        from sklearn.cluster import KMeans

        X = np.asarray(X, dtype=np.float64)
        self.progress(0.45, "Finding themes")

        def clusters(method: str) -> np.ndarray:
            return np.asarray(
                hdbscan.HDBSCAN(
                    min_cluster_size=self.min_cluster_size,
                    min_samples=self.min_samples,
                    cluster_selection_method=method,
                    metric="euclidean",
                    core_dist_n_jobs=1,
                )
                .fit(X)
                .labels_
            )

        labels = clusters(self.cluster_selection_method)
        # "eom" can stop at a few huge clusters on small corpora (seen: 2 themes for 319
        # requests about ~40 subjects). When it finds fewer than sqrt(n)/4 clusters, the
        # finer "leaf" selection is taken if it finds more.
        self.selection_ = self.cluster_selection_method
        floor = max(3, math.sqrt(len(X)) / 4)
        if self.cluster_selection_method == "eom" and len(np.unique(labels[labels >= 0])) < floor:
            leaf = clusters("leaf")
            if len(np.unique(leaf[leaf >= 0])) > len(np.unique(labels[labels >= 0])):
                labels, self.selection_ = leaf, "leaf"
        self.hdbscan_labels_ = labels
        self.hdbscan_outlier_share_ = float(np.mean(labels < 0)) if len(labels) else 0.0
        keys = np.unique(labels[labels >= 0])
        if len(keys) == 0:
            self.labels_ = labels
            self.cluster_centers_ = np.zeros((0, X.shape[1]))
            return self
        self.progress(0.55, "Refining theme borders")
        seeds = np.stack([X[labels == k].mean(axis=0) for k in keys])
        kmeans = KMeans(n_clusters=len(keys), init=seeds, n_init=1, random_state=self.seed)
        self.labels_ = kmeans.fit_predict(X).astype(int)
        self.cluster_centers_ = kmeans.cluster_centers_
        self._kmeans = kmeans
        self.progress(0.6, "Naming themes")
        return self

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
        random_state=seed,
        n_jobs=1,  # what random_state implies anyway; saying so avoids UMAP's warning
        low_memory=True,
    )


def build_topic_model(
    n: int,
    *,
    seed: int = 42,
    progress: Progress | None = None,
    embedding_model=None,
    representation: str = "keybert",
):
    """The BERTopic model for a corpus of ``n`` items (not fitted).

    ``representation``: "keybert" (KeyBERTInspired + MMR, readable, needs the embedding
    model) or "ctfidf" (c-TF-IDF words only: cheaper, no model needed).
    """
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.feature_extraction.text import CountVectorizer

    progress = progress or _no_progress
    p = parameters(n)
    umap_model = make_umap(p, seed)
    cluster_model = RefinedHDBSCAN(
        min_cluster_size=p["min_cluster_size"],
        min_samples=p["min_samples"],
        cluster_selection_method=p["cluster_selection_method"],
        seed=seed,
        progress=progress,
    )
    representation_model = None
    if representation == "keybert":
        from bertopic.representation import KeyBERTInspired, MaximalMarginalRelevance

        representation_model = [
            # 40 candidates a topic, not 100: embedding the candidate phrases is most of
            # the labelling time, and the best words are among the first c-TF-IDF ones.
            KeyBERTInspired(top_n_words=3 * TOP_WORDS, nr_candidate_words=40, random_state=seed),
            MaximalMarginalRelevance(diversity=0.5, top_n_words=TOP_WORDS),
        ]
    # c-TF-IDF is computed over one concatenated document per topic, so min_df counts
    # topics, not items: keep it at 1 or topic-specific words disappear.
    vectorizer = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1)
    return BERTopic(
        embedding_model=embedding_model if representation == "keybert" else None,
        umap_model=_ReportingUMAP(umap_model, progress),
        hdbscan_model=cluster_model,
        vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=representation_model,
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
    embedding_model=None,
    representation: str = "keybert",
) -> FitResult:
    """Cluster ``texts`` (with their stored ``embeddings``) into themes.

    ``embeddings``: one L2-normalised vector per text, as ``vocportal.embeddings.model.embed``
    makes. The embedding model is only needed for labels (KeyBERTInspired); it is loaded
    lazily through ``get_model()`` unless passed. ``progress(fraction, message)`` is called
    at the main stages. Raises :class:`TooFewItems` below :data:`MIN_ITEMS` texts.
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

    progress(0.0, "Preparing")
    with warnings.catch_warnings():
        # Third-party chatter (umap's ImportWarning about TensorFlow, numba and sklearn
        # deprecations) is not ours to act on, and test suites that turn warnings into
        # errors must not fail on it: imports included, hence the wide block.
        warnings.simplefilter("ignore")
        if representation == "keybert" and embedding_model is None:
            from vocportal.embeddings.model import get_model

            embedding_model = get_model()
        model = build_topic_model(
            n,
            seed=seed,
            progress=progress,
            embedding_model=embedding_model,
            representation=representation,
        )
        model.fit_transform(texts, embeddings=embeddings)
        progress(0.95, "Collecting themes")
        raw = np.asarray(model.topics_, dtype=int)
        topics, assignments = _collect_topics(model, raw, embeddings)

    progress(1.0, "Done")
    outliers = float(np.mean(assignments < 0)) if n else 0.0
    params = parameters(n)
    params["hdbscan_outlier_share"] = getattr(model.hdbscan_model, "hdbscan_outlier_share_", None)
    params["representation"] = representation
    return FitResult(
        assignments=assignments,
        topics=topics,
        outlier_share=outliers,
        seconds=time.perf_counter() - started,
        params=params,
    )


def _collect_topics(model, raw: np.ndarray, embeddings: np.ndarray):
    """Our Topic list, numbered 0..n-1 by decreasing size, and per-document keys."""
    ids = [int(t) for t in np.unique(raw) if t >= 0]
    ids.sort(key=lambda t: (-int(np.sum(raw == t)), t))
    renumber = {old: new for new, old in enumerate(ids)}
    assignments = np.array([renumber.get(int(t), -1) for t in raw], dtype=int)
    topics = []
    for old, key in renumber.items():
        members = np.flatnonzero(assignments == key)
        centroid = embeddings[members].mean(axis=0)
        norm = float(np.linalg.norm(centroid))
        centroid = (centroid / norm if norm > 0 else centroid).astype(np.float32)
        closeness = embeddings[members] @ centroid
        order = np.argsort(-closeness, kind="stable")[:REPRESENTATIVES]
        words = [w for w, _ in (model.get_topic(old) or []) if w][:TOP_WORDS]
        topics.append(
            Topic(
                key=key,
                label=make_label(words),
                top_words=words,
                size=len(members),
                representative=[int(i) for i in members[order]],
                centroid=centroid,
            )
        )
    return topics, assignments


def _stem(token: str) -> str:
    """A crude stem, only to tell "transfer failed" and "transfers failing" apart."""
    for suffix in ("ing", "ed", "es", "s"):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)]
    return token


def make_label(words: list[str], parts: int = 3) -> str:
    """A short label from topic words: the first few that add a new word.

    ["transfer failed", "transfers failing", "failed transfer", "unable transfer"]
    -> "transfer failed, unable transfer".
    """
    chosen: list[str] = []
    covered: set[str] = set()
    for word in words:
        stems = {_stem(t) for t in word.split()}
        if not stems or stems <= covered:
            continue  # adds nothing to what the label already says
        # a phrase replaces earlier single words it contains ("card" -> "card arrival")
        chosen = [c for c in chosen if not {_stem(t) for t in c.split()} <= stems]
        chosen.append(word)
        covered |= stems
        if len(chosen) >= parts:
            break
    return ", ".join(chosen) if chosen else "(no words)"


# --------------------------------------------------------------------------------------
# Warm-up


def warm_up(*, load_model: bool = True, seed: int = 0) -> None:
    """Pay numba/UMAP/HDBSCAN JIT once, e.g. in a long-lived worker's parent process.

    Fits the clustering stage on synthetic data twice: 5,000 points (above UMAP's 4,096
    threshold, so its nearest-neighbour descent path compiles) and 300 points (the exact
    path small corpora take). With ``load_model`` it also loads the embedding model, which
    the labels need. Runs in about the time one cold fit costs; later fits are fast.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(40, 384)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        for n in (5000, 300):
            points = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.normal(
                size=(n, 384)
            ).astype(np.float32)
            points /= np.linalg.norm(points, axis=1, keepdims=True)
            p = parameters(n)
            reduced = make_umap(p, seed).fit_transform(points)
            RefinedHDBSCAN(p["min_cluster_size"], p["min_samples"], seed=seed).fit(reduced)
        if load_model:
            from vocportal.embeddings.model import get_model

            get_model()
