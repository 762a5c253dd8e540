"""The search box: full-text and semantic results fused by reciprocal rank fusion.

A natural-language query rarely has every one of its words in the idea people mean, so
requiring all of them (the search box until issue 16) found nothing for 85% of BANKING77
texts used as queries. Now a query is answered by three rankings, each over the ideas the
listing's filters (visibility, board, status) allow:

1. exact keyword hits: ideas containing every word (the last as a prefix), by bm25;
2. full-text results: ideas containing any word that is not a common one, by bm25 (among
   the semantic candidates when there are some: see `search`);
3. semantic results: the ideas whose stored embedding is closest to the query's, from the
   embeddings feature (`search_by_meaning`; ideas does not import it).

Rankings 2 and 3 are fused by reciprocal rank fusion (score = sum of weight / (RRF_K +
rank), the semantic ranking weighing SEMANTIC_WEIGHT); exact keyword hits come first, in
fused order, then everything else. While the model is not loaded in this process
(`vocportal.embeddings.warm`), the semantic ranking is missing and the result says
`mode == "keyword"`, which the page tells the reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from blinker import Namespace
from sqlalchemy import Select

from vocportal.extensions import db
from vocportal.ideas.models import Idea
from vocportal.ideas.search import ranked_matches

_signals = Namespace()

search_by_meaning = _signals.signal(
    "search-by-meaning",
    doc="""The search box wants ideas by meaning. Sender: the query text. Keyword argument:
    `limit`. A receiver returns a list of (idea_id, cosine similarity) pairs, best first
    (any idea: the search applies visibility and filters), or None while its model is not
    loaded in this process (the search then uses keywords only, and says so).""",
)

#: Reciprocal rank fusion's constant (Cormack et al. 2009): a low rank in one list counts
#: for little against a high rank in another.
RRF_K = 60
#: The semantic ranking's weight in the fusion: on BANKING77 texts as queries, precision@5
#: went 0.869 (equal weights), 0.883 (2), 0.889 (3), 0.892 (5); with 3 an idea first by
#: keywords still beats one below the model's 120th.
SEMANTIC_WEIGHT = 3.0
#: How many results of each ranking take part (the semantic ones before the filters: 200
#: cost 5 ms more CPU per search at 100,000 ideas for the same precision@5).
CANDIDATES = 100
#: Search modes: with the model's ranking, or keywords only (the model is still loading).
HYBRID = "hybrid"
KEYWORD = "keyword"

#: Words too common to find an idea by (what is left of the query goes to the any-word
#: full-text ranking; exact hits still need every word).
STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        """a an and are as at be but by can could do does for from have how i in is it its
        me my of on or our please should so than that the their them then there these they
        this to us was we were what when where which while who why will with would you
        your""",
    )
)


@dataclass(frozen=True)
class SearchResult:
    #: The matching ideas' ids, best first (exact keyword hits, then the fused rest).
    ids: list[int]
    #: How many of the first `ids` contain every word of the query.
    exact: int
    #: HYBRID, or KEYWORD when the semantic ranking was not available.
    mode: str


def meaningful_words(q: str) -> list[str]:
    """The query's words that are not common ones (and longer than one character)."""
    return [w for w in re.findall(r"\w+", q.lower()) if w not in STOP_WORDS and len(w) > 1]


def by_meaning(q: str, limit: int) -> list[tuple[int, float]] | None:
    """What `search_by_meaning`'s receiver answers, or None when it has no model yet (or
    nobody listens)."""
    answers = [answer for _receiver, answer in search_by_meaning.send(q, limit=limit)]
    if not answers or any(answer is None for answer in answers):
        return None
    return answers[0]


def _keyword_ids(filtered: Select, q: str, any_word: bool) -> list[int]:
    matches = ranked_matches(q, any_word=any_word)
    if matches is None:
        return []
    ranked = matches.subquery()
    stmt = (
        filtered.with_only_columns(Idea.id)
        .join(ranked, ranked.c.idea_id == Idea.id)
        .order_by(ranked.c.rank, Idea.id.desc())
        .limit(CANDIDATES)
    )
    return list(db.session.scalars(stmt))


def _allowed(filtered: Select, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(filtered.with_only_columns(Idea.id).where(Idea.id.in_(ids))))


def fuse(*rankings: list[int], weights: tuple[float, ...] = ()) -> dict[int, float]:
    """Reciprocal rank fusion: each id's sum of weight / (RRF_K + rank) over the rankings
    (weights 1 unless given, one per ranking)."""
    scores: dict[int, float] = {}
    for n, ranking in enumerate(rankings):
        weight = weights[n] if weights else 1.0
        for rank, idea_id in enumerate(ranking, start=1):
            scores[idea_id] = scores.get(idea_id, 0.0) + weight / (RRF_K + rank)
    return scores


def search(q: str, filtered: Select) -> SearchResult:
    """Answer the search box's `q` over `filtered` (a select of Idea with the listing's
    visibility and filters, unordered): the matching ids, best first.

    With semantic candidates, the any-word ranking is taken among them only: bm25
    over every idea with any of the words (a frequent word matches a third of BANKING77)
    cost 27 ms of CPU (p50; 60 p95) at 100,000 ideas, among the candidates 4.5 ms, and
    precision@5 moved by less than 0.002. Ideas with all the words are always found."""
    exact = _keyword_ids(filtered, q, any_word=False)
    words = " ".join(meaningful_words(q))
    meaning = by_meaning(q, CANDIDATES)
    semantic: list[int] = []
    if meaning:
        ids = [idea_id for idea_id, _similarity in meaning]
        allowed = _allowed(filtered, ids)
        semantic = [idea_id for idea_id in ids if idea_id in allowed]
    # Any word, among the semantic candidates; among every idea when there are none (the
    # model is loading, nothing is embedded yet, or nothing within the filters is close).
    pool = filtered.where(Idea.id.in_(semantic)) if semantic else filtered
    loose = _keyword_ids(pool, words, any_word=True) if words else []
    scores = fuse(loose, semantic, weights=(1.0, SEMANTIC_WEIGHT))
    for rank, idea_id in enumerate(exact, start=1):  # beyond the any-word candidates
        scores.setdefault(idea_id, 1.0 / (RRF_K + CANDIDATES + rank))
    first = set(exact)
    ordered = sorted(scores, key=lambda i: (i not in first, -scores[i], -i))
    return SearchResult(ordered, len(first), HYBRID if meaning is not None else KEYWORD)
