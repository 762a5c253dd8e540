"""Theme fitting: BERTopic over stored embeddings. Pure code: no Flask, no database.

The portal stores one embedding per item; :func:`fit_topics` clusters them and names the
clusters. The pipeline is BERTopic with

* UMAP to 5 dimensions (cosine, ``min_dist=0``, 15 neighbours: UMAP's own default, a
  statement about local structure, not about how many themes there are), started from PCA:
  UMAP's default spectral start solves an eigenproblem on the neighbour graph, 10 of 36 s
  at 10,000 items on a loaded machine, and on BANKING77 train the PCA start gave themes at
  least as good (NMI/ARI all items 0.820/0.551 against 0.817/0.544; 10 per intent
  0.827/0.507 against 0.816/0.473);
* a clusterer that chooses **how fine the themes are from the data**
  (:mod:`vocportal.themes.clustering`), then refines
  the chosen clusters with k-means in the same UMAP space, seeded with their means. The
  refinement keeps the number of clusters, moves the fuzzy borders and gives every item a
  theme (no outliers);
* c-TF-IDF over unigrams and bigrams for the keywords (no KeyBERTInspired/MMR: they cost
  most of the fit and the keywords are now secondary detail);
* names from :mod:`vocportal.themes.naming`: noun phrases mined from the theme's texts,
  ranked by c-TF-IDF and by closeness to the centroid in the stored vectors.

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
``Topic.previous`` names the theme a topic continues (optimal pairing on overlap counts;
:mod:`vocportal.themes.collect`).
Measured with ``benchmarks/topics.py --stability``: 93% of old items keep their theme.

Topic keys are only this fit's numbering: they are *not* stable between fits. Map a new
fit onto stored themes with ``Topic.previous``, then by centroid similarity
(``Topic.centroid``): ``vocportal.themes.refit.map_onto_themes``.

Never ``calculate_probabilities=True`` (the memory/time trap at scale). The first fit in a
process pays 35-45 s of numba JIT: call :func:`warm_up` once in a long-lived worker.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np

from vocportal.themes.clustering import Progress, StableCut, no_progress, parameters
from vocportal.themes.collect import TOP_WORDS, collect_topics
from vocportal.themes.results import MIN_ITEMS, FitResult, TooFewItems

#: Above this many items the model is fitted on a sample of this size and the rest placed
#: by nearest centroid. Measured with benchmarks/topics.py on the 2 shared cores (load
#: average 3-4): a full fit takes 24 s at 10,000 items and 61 s at 50,000 (1.45 GB), i.e.
#: already the whole 60 s budget at 50,000 on a lightly loaded machine; a 20,000 sample
#: fits, places and names 50,000 items in 41 s (1.23 GB) and 200,000 in 32 s (1.56 GB),
#: leaving a third of the budget for load. Under a load of 8-9 the same 20,000-item fit
#: took 132 s, so a larger sample would not hold the target there either.
SAMPLE_ABOVE = 20_000


Embed = Callable[[list[str]], np.ndarray]


class _ReportingUMAP:
    """A UMAP model that reports progress when BERTopic calls it.

    With ``second`` (another UMAP, another seed) and ``cluster_model``, it also lays the
    same vectors out a second time for the clusterer to measure how much the choice of
    granularity depends on the layout (:attr:`StableCut.other_layouts`).
    """

    def __init__(self, umap_model, progress: Progress, second=None, cluster_model=None):
        self.umap_model = umap_model
        self.progress = progress
        self.second = second
        self.cluster_model = cluster_model

    def fit_transform(self, X, y=None):
        self.progress(0.05, "Reducing dimensions")
        reduced = self.umap_model.fit_transform(X)
        if self.second is not None and self.cluster_model is not None:
            self.cluster_model.other_layouts = [self.second.fit_transform(X)]
        self.progress(0.4, "Reduced dimensions")
        return reduced

    def fit(self, X, y=None):
        self.fit_transform(X, y)
        return self

    def transform(self, X):
        return self.umap_model.transform(X)


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

    progress = progress or no_progress
    p = parameters(n)
    cluster_model = StableCut(
        p["grid"], p["min_samples"], seed=seed, progress=progress, previous=previous
    )
    # c-TF-IDF is computed over one concatenated document per topic, so min_df counts
    # topics, not items: keep it at 1 or topic-specific words disappear.
    vectorizer = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1)
    return BERTopic(
        embedding_model=None,
        umap_model=_ReportingUMAP(
            make_umap(p, seed), progress, make_umap(p, seed + 1), cluster_model
        ),
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

    ``embeddings``: one L2-normalised vector per text, as ``vocportal.embeddings.encoder.embed``
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
    progress = progress or no_progress
    texts = [t if isinstance(t, str) else "" for t in texts]
    n = len(texts)
    embeddings = np.asarray(embeddings, dtype=np.float32)
    if embeddings.ndim != 2 or embeddings.shape[0] != n:
        raise ValueError(f"need one embedding per text: {embeddings.shape} for {n} texts")
    if n < MIN_ITEMS:
        raise TooFewItems(f"{n} items: at least {MIN_ITEMS} are needed to find themes")
    if embed is None:
        from vocportal.embeddings.encoder import embed
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
        topics, assignments = collect_topics(model, raw, fitted, texts, embeddings, embed, previous)

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
            from vocportal.embeddings.encoder import embed

            embed(["warm up"])
