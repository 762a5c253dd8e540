"""After the clustering: number the topics, place the items outside the sample, keep items
with their previous theme at fuzzy borders, pick representatives and names.

Pure code (numpy; SciPy is imported on use): part of the theme fit that
:mod:`vocportal.themes.pipeline` runs in workers.
"""

from __future__ import annotations

import numpy as np

from vocportal.themes.results import Topic

#: Words per topic kept in ``Topic.top_words``.
TOP_WORDS = 10
#: Representative documents per topic (closest to its centroid).
REPRESENTATIVES = 5

#: A refit leaves an item in the topic that continues its previous theme unless another
#: topic's centroid is closer by more than this cosine, in the stored vectors (which do not
#: change between fits, unlike the reduced space): hysteresis at fuzzy borders.
STAY_MARGIN = 0.05


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return (v / norm if norm > 0 else v).astype(np.float32)


def collect_topics(model, raw, fitted, texts, embeddings, embed, previous=None):
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
