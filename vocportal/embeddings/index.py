"""An in-process vector index of ideas, and the similar-ideas ranking built on it.

numpy and numkong's int8 kernels (no Flask, no BLAS threads): brute force over one matrix
of int8-coded vectors (100,000 ideas x 384 = 37 MB; 146 MB with `storage="float32"`); one
query is one pass over it, 2.5 ms of CPU per 100,000 ideas (AVX-512 VNNI; 10.5 ms when it
decoded to float32 first), so it behaves the same on SQLite and PostgreSQL deployments and
needs no extra service. Float products use numpy's own single-threaded loop (`np.einsum`),
not OpenBLAS, whose idle threads spin and made small products up to 60 ms on a busy machine.

Use (`vocportal.embeddings.similar.IdeaIndex` does it once per web process)::

    index = VectorIndex(DIMENSIONS)
    index.reserve(count)           # optional: size it once before loading every idea
    index.upsert(ids, vectors)     # stored float32 embeddings (n, 384), blocks of ~2,000
    index.remove([idea.id])        # withdrawn, hidden or merged
    hits = index.similar(embed([idea_text(title, body)])[0], k=5, exclude={idea.id})

then load those ideas by id (keeping the order) and drop any that stopped being public in
the meantime. `exclude` takes any container (`in` only), e.g. the idea being edited.

`similar` is the method measured by `benchmarks/similar.py` (precision@5 on BANKING77 about
0.889 against 0.880 for plain cosine `search`); `search` stays available as the plain
nearest-neighbour look-up. Both return `(id, cosine similarity)` pairs, best first: for
`similar` the order is the re-ranked one but the number is still the plain cosine between
the query and the idea, so a "looks like a duplicate" threshold keeps one meaning.

What `similar` does (see `rerank`; every step uses the stored vectors only, never labels):

1. plain cosine top-200 candidates from the whole index (the one full pass, int8 query
   against int8 rows; the best 232 are then ordered by exact cosine);
2. centring: subtract the mean of all stored vectors from the query and the candidates and
   re-normalise (sentence embeddings share a common direction that blurs topics apart);
3. pseudo-relevance feedback: add 0.5 x the mean of the 3 best candidates to the query;
4. neighbourhood re-rank: score += 0.5 x similarity to the centroid of the new 5 best.

An optional `keyword_scores` mapping (idea id -> full-text score, higher better, e.g. minus
FTS5 bm25 of an OR-of-words query) adds a small lexical term; measured +0.002 precision@5,
so it is off unless the caller has such scores at hand.
"""

from __future__ import annotations

import threading
from collections.abc import Container, Iterable, Mapping, Sequence
from contextlib import contextmanager

import numpy as np

#: Candidates taken by plain cosine before re-ranking (the re-ranking only sees these).
CANDIDATES = 200
#: Pseudo-relevance feedback: how many top candidates are averaged into the query, and weight.
FEEDBACK = 3
FEEDBACK_WEIGHT = 0.5
#: Neighbourhood re-rank: size of the centroid of the best candidates, and its weight.
CENTROID = 5
CENTROID_WEIGHT = 0.5
#: Weight of the optional keyword score (normalised to [0, 1] over the candidates).
KEYWORD_WEIGHT = 0.1
#: Below this many stored vectors the mean is too noisy to centre on.
CENTRE_MIN_ITEMS = 100
#: Extra rows taken from the approximate int8 pass before ordering by exact cosine.
_MARGIN = 32

_EPS = 1e-12


def _normalise(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, _EPS)


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector with numpy's own SIMD loop: single-threaded and as fast as BLAS here
    (memory-bound), without multi-threaded OpenBLAS's spin-waits, which measured up to 60 ms
    for a 9,000-row product on a busy 2-core machine."""
    return np.einsum("ij,j->i", matrix, vector)


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest scores, best first (argpartition, then sort only those)."""
    n = scores.shape[0]
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    if n >= 1 << 16 and k <= n >> 8:  # large: drop first what a 1/64 sample says cannot win
        sample = np.partition(scores[::64], -(k // 16 + 2))
        keep = np.flatnonzero(scores >= sample[-(k // 16 + 2)])  # ~4k + 128 rows expected
        if keep.shape[0] >= k:  # else (rare) the full partition below
            return keep[_top(scores[keep], k)]
    if k < scores.shape[0]:
        part = np.argpartition(-scores, k - 1)[:k]
    else:
        part = np.arange(scores.shape[0])
    return part[np.argsort(-scores[part], kind="stable")]


def rerank(
    query: np.ndarray,
    ids: Sequence[int] | np.ndarray,
    vectors: np.ndarray,
    k: int,
    mean: np.ndarray | None = None,
    keyword_scores: Mapping[int, float] | None = None,
    *,
    feedback: int = FEEDBACK,
    feedback_weight: float = FEEDBACK_WEIGHT,
    centroid: int = CENTROID,
    centroid_weight: float = CENTROID_WEIGHT,
    keyword_weight: float = KEYWORD_WEIGHT,
) -> list[tuple[int, float]]:
    """Re-rank candidates for a query; return the best k as (id, plain cosine), best first.

    `query` (dim,) and `vectors` (n, dim) are L2-normalised embeddings; `ids` names the rows;
    `mean` is the mean of every stored vector (None: no centring). Pure function.
    """
    ids = np.asarray(ids)
    if k <= 0 or ids.shape[0] == 0:
        return []
    query = np.asarray(query, dtype=np.float32).reshape(-1)
    vectors = np.asarray(vectors, dtype=np.float32)
    cosine = _dot(vectors, query)
    if mean is not None:
        q = _normalise(query - mean)
        cands = _normalise(vectors - mean)
    else:
        q, cands = query, vectors
    scores = _dot(cands, q)
    if feedback > 0 and feedback_weight:
        best = _top(scores, feedback)
        q = _normalise(q + feedback_weight * cands[best].mean(axis=0))
        scores = _dot(cands, q)
    if keyword_scores:
        words = np.array([keyword_scores.get(int(i), 0.0) for i in ids], dtype=np.float32)
        top_word = float(words.max())
        if top_word > 0:
            scores = scores + keyword_weight * np.maximum(words, 0.0) / top_word
    if centroid > 0 and centroid_weight:
        best = _top(scores, centroid)
        centre = _normalise(cands[best].mean(axis=0))
        scores = scores + centroid_weight * _dot(cands, centre)
    order = _top(scores, k)
    return [(int(ids[i]), float(cosine[i])) for i in order]


class _ReadWriteLock:
    """Many readers at once, or one writer; a waiting writer stops new readers."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._readers = 0
        self._writing = False
        self._writers_waiting = 0

    @contextmanager
    def reading(self):
        with self._cond:
            while self._writing or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self):
        with self._cond:
            self._writers_waiting += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class VectorIndex:
    """Ids and their L2-normalised vectors, searchable by cosine similarity.

    Rows live in one capacity-doubling matrix; an id -> row map finds them and removal moves
    the last row into the hole, so every change is amortised O(dim) per vector and a search
    is one matrix-vector product over the used rows. Thread-safe: many concurrent readers,
    one writer at a time.

    `storage="int8"` (default) keeps each vector as 384 int8 codes and one float32 scale
    (its largest |coordinate| / 127): 100,000 ideas take 37 MB instead of 146 MB, a pass
    costs 2.5 ms of CPU against 6.4 ms, and cosines move by at most ~0.002, which changed
    no precision@5 figure measured. `storage="float32"` keeps vectors exactly.
    """

    def __init__(self, dim: int = 384, *, storage: str = "int8"):
        if storage not in ("int8", "float32"):
            raise ValueError("storage must be 'int8' or 'float32'")
        self.dim = dim
        self.storage = storage
        self._dtype = np.int8 if storage == "int8" else np.float32
        self._codes = np.zeros((0, dim), dtype=self._dtype)
        self._scales = np.zeros(0, dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self._rows: dict[int, int] = {}
        self._n = 0
        # Running sum of the stored (decoded) vectors, for the mean used in centring.
        self._sum = np.zeros(dim, dtype=np.float64)
        self._lock = _ReadWriteLock()

    def __len__(self) -> int:
        return self._n

    def __contains__(self, idea_id: object) -> bool:
        return idea_id in self._rows

    @property
    def nbytes(self) -> int:
        """Memory held by the vectors (allocated capacity, not only used rows)."""
        return self._codes.nbytes + self._scales.nbytes + self._ids.nbytes

    # --- encoding -----------------------------------------------------------------------

    def _encode(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.storage == "float32":
            return vectors, np.ones(len(vectors), dtype=np.float32)
        scales = np.abs(vectors).max(axis=1) / 127.0
        scales[scales == 0] = 1.0
        codes = np.rint(vectors / scales[:, None]).astype(np.int8)
        return codes, scales.astype(np.float32)

    def _decode(self, rows) -> np.ndarray:
        """Float32 copies of the given rows (caller holds the lock)."""
        if self.storage == "float32":
            return self._codes[rows].copy()
        return self._codes[rows].astype(np.float32) * self._scales[rows, None]

    def _scores(self, query: np.ndarray) -> np.ndarray:
        """Dot products of `query` with every used row, to pick candidates (caller holds the
        lock). int8: the query is coded to int8 too and numkong's integer kernel does the
        pass; the caller recomputes the candidates' exact cosines."""
        n = self._n
        if self.storage == "float32":
            return _dot(self._codes[:n], query)
        import numkong  # on first use: its kernels take 0.1-0.4 s to load, and CLIs never search

        q_scale = 127.0 / max(float(np.abs(query).max()), _EPS)  # changes no order: not undone
        q_codes = np.rint(query * q_scale).astype(np.int8)[None]
        products = np.empty((n, 1), dtype=np.int32)
        numkong.cdist(self._codes[:n], q_codes, "dot", out=products, threads=1)
        return products[:, 0].astype(np.float32) * self._scales[:n]

    # --- writing ------------------------------------------------------------------------

    def reserve(self, capacity: int) -> None:
        """Make room for `capacity` vectors at once (e.g. before loading every idea), so that
        loading in blocks does not double the matrix several times on the way."""
        with self._lock.writing():
            self._reserve(capacity, exact=True)

    def _reserve(self, needed: int, exact: bool = False) -> None:
        capacity = self._codes.shape[0]
        if needed <= capacity:
            return
        capacity = needed if exact else max(needed, 2 * capacity, 1024)
        codes = np.empty((capacity, self.dim), dtype=self._dtype)
        scales = np.empty(capacity, dtype=np.float32)
        ids = np.empty(capacity, dtype=np.int64)
        codes[: self._n] = self._codes[: self._n]
        scales[: self._n] = self._scales[: self._n]
        ids[: self._n] = self._ids[: self._n]
        self._codes, self._scales, self._ids = codes, scales, ids

    def upsert(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Add or replace the vectors of `ids` (row i of `vectors` belongs to ids[i])."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected vectors of shape ({len(ids)}, {self.dim})")
        if not len(ids):
            return
        # Last occurrence wins when an id is repeated within the batch.
        latest = {int(i): row for row, i in enumerate(ids)}
        picked = np.fromiter(latest.values(), dtype=np.intp, count=len(latest))
        # Callers should pass unit vectors; make sure, so that dot = cosine.
        codes, scales = self._encode(_normalise(vectors[picked]).astype(np.float32))
        with self._lock.writing():
            self._reserve(self._n + len(latest))
            rows = np.empty(len(latest), dtype=np.intp)
            for j, idea_id in enumerate(latest):
                row = self._rows.get(idea_id)
                if row is None:
                    row = self._n
                    self._rows[idea_id] = row
                    self._ids[row] = idea_id
                    self._n += 1
                else:
                    self._sum -= self._decode(row)
                rows[j] = row
            self._codes[rows] = codes
            self._scales[rows] = scales
            self._sum += self._decode(rows).sum(axis=0, dtype=np.float64)

    def remove(self, ids: Iterable[int]) -> None:
        """Forget `ids`; unknown ids are ignored."""
        with self._lock.writing():
            for idea_id in ids:
                row = self._rows.pop(int(idea_id), None)
                if row is None:
                    continue
                self._sum -= self._decode(row)
                last = self._n - 1
                if row != last:
                    moved = int(self._ids[last])
                    self._codes[row] = self._codes[last]
                    self._scales[row] = self._scales[last]
                    self._ids[row] = moved
                    self._rows[moved] = row
                self._n = last
            if not self._n:
                self._sum[:] = 0.0  # no drift left behind by float rounding

    # --- reading ------------------------------------------------------------------------

    def vector(self, idea_id: int) -> np.ndarray | None:
        """The stored vector of `idea_id` (decoded, unit length), or None."""
        with self._lock.reading():
            row = self._rows.get(int(idea_id))
            return None if row is None else _normalise(self._decode(row))

    def mean(self) -> np.ndarray | None:
        """The mean stored vector, or None when there are too few to centre on."""
        with self._lock.reading():
            if self._n < CENTRE_MIN_ITEMS:
                return None
            return (self._sum / self._n).astype(np.float32)

    def _candidates(
        self, query: np.ndarray, k: int, exclude: Container[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows of the k best non-excluded ids by cosine, best first (caller holds the lock)."""
        n = self._n
        if n == 0 or k <= 0:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        scores = self._scores(query)  # approximate (int8 query): a margin, then exact order
        want = k + _MARGIN
        while True:
            rows = _top(scores, want)
            if exclude:
                rows = rows[[int(self._ids[r]) not in exclude for r in rows]]
            if len(rows) >= k or want >= n:
                exact = _dot(self._decode(rows), query)
                best = np.argsort(-exact, kind="stable")[:k]
                return rows[best], exact[best]
            want = min(n, want * 2 + 16)

    def _query(self, query: np.ndarray) -> np.ndarray:
        query = np.asarray(query, dtype=np.float32).reshape(-1)
        if query.shape[0] != self.dim:
            raise ValueError(f"expected a query of dimension {self.dim}")
        return query

    def search(
        self, query: np.ndarray, k: int, exclude: Container[int] = ()
    ) -> list[tuple[int, float]]:
        """The k ids most similar to `query` by plain cosine, as (id, cosine), best first."""
        query = self._query(query)
        with self._lock.reading():
            rows, scores = self._candidates(query, k, exclude)
            ids = self._ids[rows]
        return [(int(i), float(s)) for i, s in zip(ids, scores, strict=True)]

    def similar(
        self,
        query: np.ndarray,
        k: int = 5,
        exclude: Container[int] = (),
        keyword_scores: Mapping[int, float] | None = None,
    ) -> list[tuple[int, float]]:
        """The portal's similar-ideas ranking: `CANDIDATES` by cosine, then `rerank`.

        Returns (id, cosine) pairs in re-ranked order, best first.
        """
        query = self._query(query)
        mean = self.mean()
        with self._lock.reading():
            rows, _ = self._candidates(query, max(k, CANDIDATES), exclude)
            ids = self._ids[rows]
            vectors = self._decode(rows)
        return rerank(query, ids, vectors, k, mean, keyword_scores)
