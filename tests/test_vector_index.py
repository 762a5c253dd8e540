"""The in-process vector index (vocportal.embeddings.index) without the model: the int8
pass picks the same ideas, with the same cosines, as exact brute force over the stored
vectors."""

from __future__ import annotations

import numpy as np
import pytest

from vocportal.embeddings.index import CANDIDATES, VectorIndex, _top


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


@pytest.fixture
def stored():
    """3,000 vectors in 60 groups (like ideas on 60 topics; cosine ~0.9 within), ids 1..3000."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(60, 384))
    vectors = _unit(centres[rng.integers(0, 60, 3000)] + rng.normal(0, 0.33, (3000, 384)))
    return np.arange(1, 3001), vectors, rng


def _exact(index: VectorIndex, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Brute force in float64 over the index's own stored (decoded) vectors."""
    rows = np.arange(len(index))
    ids, matrix = index._ids[rows], index._decode(rows).astype(np.float64)
    scores = matrix @ query.astype(np.float64)
    best = np.argsort(-scores, kind="stable")[:k]
    return [(int(ids[i]), float(scores[i])) for i in best]


@pytest.mark.parametrize("storage", ["int8", "float32"])
def test_search_matches_exact_brute_force(stored, storage):
    ids, vectors, rng = stored
    index = VectorIndex(384, storage=storage)
    index.upsert(ids.tolist(), vectors)
    for row in rng.integers(0, len(ids), 60):
        query = _unit(vectors[row] + rng.normal(0, 0.05, 384))
        got = index.search(query, 10)
        want = _exact(index, query, 10)
        assert [i for i, _ in got] == [i for i, _ in want]
        assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)
        assert got[0][0] == ids[row]


def test_candidates_for_reranking_are_the_exact_best(stored):
    ids, vectors, rng = stored
    index = VectorIndex(384)
    index.upsert(ids.tolist(), vectors)
    query = _unit(vectors[5] + rng.normal(0, 0.05, 384))
    got = {i for i, _ in index.search(query, CANDIDATES)}
    want = {i for i, _ in _exact(index, query, CANDIDATES)}
    assert len(got ^ want) <= 2  # a tie at the 200th place may fall either way


def test_excluded_removed_and_replaced_ids(stored):
    ids, vectors, _ = stored
    index = VectorIndex(384)
    index.upsert(ids.tolist(), vectors)
    query = vectors[0]
    first = [i for i, _ in index.search(query, 5)]
    assert first[0] == 1
    assert [i for i, _ in index.search(query, 4, exclude={1})] == first[1:]
    index.remove([1])
    assert 1 not in [i for i, _ in index.similar(query, 5)]
    index.upsert([2], -query[None, :])  # idea 2 edited to the opposite meaning
    assert 2 not in [i for i, _ in index.search(query, 50)]
    assert len(index) == 2999


@pytest.mark.parametrize("k", [1, 37, 232, 900])
def test_top_of_a_large_index_is_the_exact_top(k):
    rng = np.random.default_rng(k)
    scores = rng.normal(size=200_000).astype(np.float32)
    assert _top(scores, k).tolist() == np.argsort(-scores, kind="stable")[:k].tolist()
    coarse = np.round(scores, 1)  # many ties: the same values, whichever tied rows are kept
    assert np.array_equal(coarse[_top(coarse, k)], -np.sort(-coarse)[:k])
