"""How fine the themes are: chosen from the data by cutting HDBSCAN's tree, then refined.

Granularity. HDBSCAN's single-linkage tree over the reduced points does not depend on
``min_cluster_size``; only the way it is condensed does. The tree is built once, then cut
with every ``min_cluster_size`` of a geometric grid (3, 4, 6, 8, ... ×√2 up to a tenth of
the corpus); each cut keeps the clusters "excess of mass" selects. A cut is scored by its
**total cluster stability**: the sum over its clusters of HDBSCAN's normalised stability
(how long, in density, each cluster persists before it splits or dissolves, 0..1). A cut
that merges real groups loses the stability of the parts; a cut that shatters them keeps
only short-lived crumbs.

That score is noisy: it is normalised by the densest point of each cut's condensed tree,
an extreme value, so two sets of vectors 1e-7 apart (ONNX vs torch) gave 3.77 at size 6
and 4.45 at size 3 on the demo corpus, and the arg-max swung from 18 to 33 themes. Most
of that swing is UMAP's: the two sets of vectors are laid out differently. So each cut's
score is measured several times: on the layout BERTopic uses and on a second layout of
the same vectors (another UMAP seed, made by the reducer in
:mod:`vocportal.themes.pipeline`), each jittered :data:`JITTER_RUNS` times, every point by
about its own core distance (to its ``min_samples``-th neighbour: mutual reachability
already blurs every point over that radius, so a move within it should change nothing
real). Each cut gets a mean score and its standard error. The chosen cut (on the first
layout) is the **finest whose mean is not significantly below the best mean**: within
:data:`SIGNIFICANCE` standard errors of the difference. Finer, because a merge is the
error a person cannot see (a need voiced by eight customers vanishes into a bigger
theme), while two themes that should be one show side by side. The tolerance and the
jitter come from the data (the spread over layouts and jitters, the core distances);
nothing depends on ``n`` except the top of the grid, and nothing on the number of labels.
The price is a second UMAP run and six more trees (one per jitter).

Rejected: the arg-max of the mean over the same runs (still 18 demo themes on one
layout: at size 6 the mean is 0.1 above size 3, well inside the spread); jitters of one
layout alone (they keep each layout's own preference: 18 vs 33 again); normalising by a
robust density (a quantile of the points' lambdas, or the median cluster's peak) instead
of the maximum (then every corpus gets the finest cut: 569 themes for 77 intents);
silhouette in the reduced space (UMAP with ``min_dist=0`` packs points into
tight crumbs, and silhouette rewards crumbs: 330 themes for 77 intents on BANKING77
train); DBCV (swung between far too coarse and far too fine); the un-normalised
stability (in density units it falls steadily with ``min_cluster_size`` on every corpus
tried, so it always picks the finest cut: 569 themes for 77 intents); a plateau of the
cluster count over neighbouring sizes (the count falls smoothly, no plateau to find).

Pure code (numpy; HDBSCAN and scikit-learn are imported on use): part of the theme fit that
:mod:`vocportal.themes.pipeline` runs in workers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: The smallest cluster a cut may keep, and the factor between grid steps.
GRID_START = 3
GRID_STEP = 2**0.5
#: How many jittered copies of each layout measure each cut's spread of stability.
JITTER_RUNS = 3
#: A cut is "not significantly worse" than the best within this many standard errors of
#: the difference of their mean stabilities (the conventional two-sided 95% bound).
SIGNIFICANCE = 2.0

Progress = Callable[[float, str], None]


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


def single_linkage_tree(X: np.ndarray, min_samples: int):
    """HDBSCAN's single-linkage tree of ``X`` (it depends on ``min_samples`` only)."""
    import hdbscan

    base = hdbscan.HDBSCAN(
        min_cluster_size=GRID_START,
        min_samples=min_samples,
        metric="euclidean",
        core_dist_n_jobs=1,
    ).fit(X)
    return base._single_linkage_tree


def stable_cuts(X: np.ndarray, grid: list[int], min_samples: int) -> list[dict]:
    """Cut HDBSCAN's tree of ``X`` at every ``min_cluster_size`` in ``grid``.

    Returns one dict per cut: ``min_cluster_size``, ``labels`` (-1 = noise), ``clusters``
    and ``stability`` (the sum of the selected clusters' normalised stabilities).
    """
    from hdbscan.hdbscan_ import _tree_to_labels

    # Build once, condense per size (_tree_to_labels is what HDBSCAN.fit itself calls).
    tree = single_linkage_tree(X, min_samples)
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


def jittered_stability(
    X: np.ndarray, grid: list[int], min_samples: int, runs: int, seed: int
) -> np.ndarray:
    """Total stability of every cut on ``runs`` jittered copies of ``X``: (runs, len(grid)).

    Each point moves by Gaussian noise whose expected length is its core distance (to its
    ``min_samples``-th neighbour), the radius mutual reachability blurs it over anyway.
    """
    from sklearn.neighbors import NearestNeighbors

    k = min(min_samples + 1, len(X))
    distances, _ = NearestNeighbors(n_neighbors=k).fit(X).kneighbors(X)
    scale = distances[:, -1:] / np.sqrt(X.shape[1])
    rng = np.random.default_rng(seed)
    return np.array(
        [
            [
                c["stability"]
                for c in stable_cuts(X + rng.normal(size=X.shape) * scale, grid, min_samples)
            ]
            for _ in range(runs)
        ]
    )


def choose_cut(cuts: list[dict], jittered: np.ndarray) -> int:
    """Index of the finest cut (of two clusters or more) not significantly below the best.

    ``jittered[r, i]``: cut ``i``'s stability in jitter run ``r``. "Not significantly
    below": the best mean minus this cut's mean is at most :data:`SIGNIFICANCE` times the
    standard error of that difference (both from the runs).
    """
    mean = jittered.mean(axis=0)
    spread = jittered.std(axis=0, ddof=1) if len(jittered) > 1 else np.zeros_like(mean)
    spread = spread / np.sqrt(len(jittered))  # standard error of each mean
    usable = [i for i, c in enumerate(cuts) if c["clusters"] >= 2]
    best = max(usable, key=lambda i: (mean[i], -i))
    return min(
        i
        for i in usable
        if mean[best] - mean[i] <= SIGNIFICANCE * np.hypot(spread[best], spread[i])
    )


class StableCut:
    """Choose the finest cut of HDBSCAN's tree that is about as stable as the most stable
    (:func:`choose_cut`); refine with k-means.

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
        self.progress = progress or no_progress
        #: Per point, the theme it had after the previous fit (any int key; -1: none).
        self.previous = previous
        #: The same points laid out again (another UMAP seed), set by the reducer: their
        #: stabilities join the jittered runs, so the spread includes the layout's chance.
        self.other_layouts: list[np.ndarray] = []

    def fit(self, X, y=None):
        from sklearn.cluster import KMeans

        X = np.asarray(X, dtype=np.float64)
        self.progress(0.45, "Finding themes")
        cuts = stable_cuts(X, self.grid, self.min_samples)
        if not any(c["clusters"] >= 2 for c in cuts):
            self.cuts_ = []
            self.labels_ = np.full(len(X), -1, dtype=int)
            self.chosen_ = None
            self.hdbscan_outlier_share_ = 1.0
            return self
        layouts = [X, *(np.asarray(o, dtype=np.float64) for o in self.other_layouts)]
        if any(len(layout) != len(X) for layout in layouts):
            raise ValueError("every layout must place the same points as the one clustered")
        jittered = np.vstack(
            [
                jittered_stability(layout, self.grid, self.min_samples, JITTER_RUNS, self.seed)
                for layout in layouts
            ]
        )
        self.cuts_ = [
            {
                **{k: c[k] for k in ("min_cluster_size", "clusters", "stability")},
                "jittered_mean": round(float(jittered[:, i].mean()), 3),
                "jittered_sd": round(float(jittered[:, i].std(ddof=1)), 3),
            }
            for i, c in enumerate(cuts)
        ]
        best = cuts[choose_cut(cuts, jittered)]
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


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that reports nowhere."""
    return None
