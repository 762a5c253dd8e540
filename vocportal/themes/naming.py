"""Theme names a person would write: short noun phrases mined from the theme's own texts.

No tagger and no hosted model. For each theme:

1. texts are split at punctuation and cut into 2-4 word phrases that look like noun
   phrases: no pronoun, auxiliary, modal, negation, question word, greeting or number
   anywhere, no function word at either end, at most one linking word inside ("mode on
   mobile"), no inner "to" unless an article follows ("transfer to a beneficiary", not
   "card to top"), no end just before a particle ("card for top [up]");
2. each phrase is scored by class-based TF-IDF: the share of the theme's texts that use it,
   times how rare it is in the other themes (BERTopic's c-TF-IDF, per document);
3. the best ``CANDIDATES`` phrases of every theme are embedded (short phrases, never the
   documents again) and ranked by closeness to the theme's centroid in the stored vectors
   plus twice their margin: how much closer they are to their own theme than to the
   nearest other one. A phrase that names *this* theme beats one that is merely common
   in it ("right now", "next few weeks" are frequent in small themes and close to none);
4. a leading verb becomes its gerund ("reset passcode" -> "Resetting passcode"), the
   casing customers used most is kept ("ATM", "Apple Pay") and the first letter is upper
   case. Two themes never get the same name; a theme with no usable phrase gets "X and Y"
   from its two best single words.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Words that make a phrase a sentence fragment rather than a name, anywhere in it.
BANNED = _set(
    """
    i me my mine myself you your yours yourself we us our ours he him his she her hers they
    them their theirs it its itself this that these those there here someone something
    anyone anything everyone everything nobody nothing somebody anybody
    am is are was were be been being do does did doing done have has had having
    can could would should will shall may might must ought cannot
    not no nor never yes ok okay please thanks thank hi hello hey dear regards sir madam
    what when where which who whom whose why how whether if else than then so too very
    while because although though unless until since instead whereas otherwise
    now today tomorrow yesterday soon later ago lately recently sometimes always usually
    really just still already also even only again ever yet maybe perhaps actually
    want wanted wants need needed needs like liked likes know knew known think thought
    tell told say said help try tried trying let lets get got getting gotten go going
    went gone come came make made seem seems see saw seen look looking wondering wonder
    im ive id dont doesnt didnt cant wont isnt arent wasnt havent hasnt couldnt wouldnt
    """
)

#: Function words a phrase may not start or end with.
EDGE = _set(
    """
    a an the of for on in to with from by at about into onto over under after before
    during without within between through and or but as per via up out off down some any
    all each every both either neither more most much many few other another such own same
    one two three new old
    """
)

#: Function words allowed once inside a phrase ("offline mode on mobile"); not "to",
#: which mostly opens a clause ("card to top up").
LINKS = _set("of for on in with from by at via")

#: Particles of phrasal verbs: a phrase never ends just before one ("card for top [up]").
PARTICLES = _set("up out off down")

#: What may follow an inner "to" in a name ("transfer to a beneficiary").
ARTICLES = _set("a an the another")

#: Verbs a request often starts with that are seldom nouns: a phrase led by one becomes a
#: gerund ("activate card" -> "Activating card"). Words that are nouns as often ("transfer",
#: "top", "order", "refund") are left as they are.
VERBS = _set(
    """
    activate add cancel close delete disable enable find install receive remove rename
    reset restore send sync unlock use verify withdraw convert apply replace connect merge
    invite
    """
)

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9&+'’-]*")
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”\n\r\t/|]+")

#: Phrases a theme keeps after c-TF-IDF, to embed and rank by closeness.
CANDIDATES = 20
#: Texts per theme the phrases are mined from: the ones nearest the centroid.
TEXTS_PER_THEME = 300
#: Weight of a phrase's margin (closeness to its own centroid minus to the nearest other).
MARGIN = 2.0

Embed = Callable[[list[str]], np.ndarray]


def _tokens(text: str) -> list[list[str]]:
    """Runs of words between punctuation, lower case and as written."""
    return [_WORD.findall(part) for part in _BREAK.split(text or "") if part.strip()]


def phrases(text: str, longest: int = 4) -> tuple[set[str], Counter]:
    """The candidate phrases of one text (lower case) and how each word was written."""
    found: set[str] = set()
    surface: Counter = Counter()
    for run in _tokens(text):
        words = [w.lower().replace("’", "'") for w in run]
        surface.update(zip(words, run, strict=True))
        for start in range(len(words)):
            first = words[start]
            if first in EDGE or first in BANNED or first in LINKS or "'" in first:
                continue
            if first.isdigit():
                continue
            links = 0
            for end in range(start + 1, min(start + longest, len(words))):
                word = words[end]
                if word in BANNED or "'" in word or word.isdigit():
                    break
                nxt = words[end + 1] if end + 1 < len(words) else ""
                if word in LINKS:
                    links += 1
                    # "to activate", "for topping": a verb after a link is a clause, not a name
                    if links > 1 or nxt in VERBS or nxt.endswith("ing"):
                        break
                    continue
                # "to" opens a clause ("card to top up") unless an article follows
                # ("transfer to a beneficiary").
                if word == "to" and nxt not in ARTICLES:
                    break
                # two function words in a row only after a link ("for the", "to a"), not
                # "app a some cash"
                before = words[end - 1]
                if word in EDGE and before in EDGE - LINKS and before != "to" and end - 1 > start:
                    break
                if word in EDGE or nxt in PARTICLES:
                    # no phrase ends on a function word, nor inside "top up", "log out"
                    continue
                found.add(" ".join(words[start : end + 1]))
    return found, surface


def _single_words(text: str) -> set[str]:
    return {
        w.lower()
        for run in _tokens(text)
        for w in run
        if w.lower() not in BANNED
        and w.lower() not in EDGE
        and w.lower() not in LINKS
        and len(w) > 2
        and not w.isdigit()
    }


def gerund(verb: str) -> str:
    """ "cancel" -> "cancelling", "use" -> "using", "top" -> "topping" (English spelling)."""
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        return verb[:-1] + "ing"
    if verb in DOUBLED or _short_cvc(verb):
        return verb + verb[-1] + "ing"
    return verb + "ing"


#: Verbs of more than one syllable that double their last consonant before -ing.
DOUBLED = _set("cancel reset submit admit commit refer prefer transfer control travel label")


def _short_cvc(word: str) -> bool:
    """One syllable ending consonant-vowel-consonant ("stop", "top"): the consonant doubles."""
    vowels = "aeiou"
    groups = re.findall(r"[aeiouy]+", word[:-1]) if word else []
    return (
        len(word) >= 3
        and len(groups) == 1
        and word[-1] not in vowels + "wxy"
        and word[-2] in vowels
        and word[-3] not in vowels
    )


def display(phrase: str, surface: Counter) -> str:
    """A phrase as a name: the leading verb as a gerund, customers' casing, capitalised.

    ``surface`` counts (lower-case word, as written) pairs: the most common way of writing
    a word wins, so one customer's "CARD" does not become the theme's name.
    """
    words = phrase.split()
    shown = []
    for i, word in enumerate(words):
        if i == 0 and word in VERBS:
            shown.append(gerund(word))
            continue
        form = _written(word, surface)
        # Keep ALLCAPS acronyms and inner capitals ("ATM", "iPhone"), else lower case.
        keep = len(form) > 1 and (form.isupper() or any(c.isupper() for c in form[1:]))
        shown.append(form if keep else word)
    name = " ".join(shown)
    return name[:1].upper() + name[1:]


def _written(word: str, surface: Counter) -> str:
    forms = [(count, form) for (lower, form), count in surface.items() if lower == word]
    return max(forms)[1] if forms else word


def name_themes(
    texts: Sequence[str],
    assignments: np.ndarray,
    embeddings: np.ndarray,
    centroids: np.ndarray,
    embed: Embed | None,
    keywords: Sequence[Sequence[str]] | None = None,
) -> list[str]:
    """One name per theme (themes are 0..len(centroids)-1 in `assignments`).

    `embeddings` are the texts' stored vectors (to take the texts nearest each centroid);
    `embed` embeds candidate phrases (None: rank by c-TF-IDF alone).
    """
    n_themes = len(centroids)
    if n_themes == 0:
        return []
    assignments = np.asarray(assignments)
    per_theme: list[Counter] = []
    surfaces: list[Counter] = []
    words: list[Counter] = []
    sizes: list[int] = []
    for key in range(n_themes):
        members = np.flatnonzero(assignments == key)
        if len(members) > TEXTS_PER_THEME:
            closeness = embeddings[members] @ centroids[key]
            members = members[np.argsort(-closeness, kind="stable")[:TEXTS_PER_THEME]]
        counts: Counter = Counter()
        single: Counter = Counter()
        surface: Counter = Counter()
        for i in members:
            found, seen = phrases(texts[i])
            counts.update(found)
            single.update(_single_words(texts[i]))
            surface.update(seen)
        per_theme.append(counts)
        words.append(single)
        surfaces.append(surface)
        sizes.append(max(len(members), 1))

    # c-TF-IDF per document: share of the theme's texts with the phrase, times
    # log(1 + average texts per theme / texts with the phrase in all themes).
    total: Counter = Counter()
    for counts in per_theme:
        total.update(counts)
    average = sum(sizes) / n_themes
    shortlist: list[list[tuple[str, float]]] = []
    for counts, size in zip(per_theme, sizes, strict=True):
        scored = [
            (p, (c / size) * math.log(1 + average / total[p]))
            for p, c in counts.items()
            if c >= 2 or size < 4
        ]
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        shortlist.append(scored[:CANDIDATES])

    unique = sorted({p for short in shortlist for p, _ in short})
    closeness: dict[str, np.ndarray] = {}
    if embed is not None and unique:
        vectors = np.asarray(embed(unique), dtype=np.float32)
        sims = vectors @ np.asarray(centroids, dtype=np.float32).T
        closeness = {p: sims[i] for i, p in enumerate(unique)}

    ranked: list[list[tuple[float, str]]] = []
    for key, short in enumerate(shortlist):
        best_tfidf = max((s for _, s in short), default=1.0) or 1.0
        options = []
        for phrase, tfidf in short:
            # c-TF-IDF chose the shortlist; it ranks only when nothing could be embedded.
            score = tfidf / best_tfidf
            if phrase in closeness:
                sims = closeness[phrase]
                own = float(sims[key])
                other = float(np.max(np.delete(sims, key))) if n_themes > 1 else 0.0
                score = own + MARGIN * (own - other)
            options.append((score, phrase))
        options.sort(key=lambda pair: (-pair[0], pair[1]))
        ranked.append(options)

    names: list[str] = [""] * n_themes
    taken: set[str] = set()
    for key in sorted(range(n_themes), key=lambda k: (-sizes[k], k)):
        for _, phrase in ranked[key]:
            name = display(phrase, surfaces[key])
            if name.lower() not in taken:
                break
        else:
            name = _fallback(words[key], keywords[key] if keywords else [], surfaces[key], key)
            if name.lower() in taken:
                name = f"{name} ({key + 1})"
        taken.add(name.lower())
        names[key] = name
    return names


def _fallback(single: Counter, keywords: Sequence[str], surface: Counter, key: int) -> str:
    """ "X and Y" from the theme's two most frequent content words (or its keywords)."""
    top: list[str] = []
    # Ties go to the theme's keywords (c-TF-IDF order), then to the word itself; not to the
    # Counter's order, which comes from sets, so from the hash seed: the same fit in another
    # process named a theme "People and month" instead of "People and report".
    rank = {word: i for i, word in enumerate(keywords)}
    frequent = sorted(single.items(), key=lambda p: (-p[1], rank.get(p[0], len(rank)), p[0]))
    for word, _ in frequent[:10]:
        if all(word.rstrip("s") != t.rstrip("s") for t in top):  # not "invoice and invoices"
            top.append(word)
        if len(top) == 2:
            break
    if len(top) < 2:
        top = [w for k in keywords for w in k.split() if w not in BANNED][:2]
    if len(top) < 2:
        return f"Theme {key + 1}"
    return display(f"{top[0]} and {top[1]}", surface)


def is_noun_phrase(name: str) -> bool:
    """What a name must look like: 2-6 words, no comma, no word from the banned list."""
    words = name.split()
    return (
        2 <= len(words) <= 6
        and "," not in name
        and not any(w.lower() in BANNED for w in words)
        and words[-1].lower() not in EDGE | LINKS
    )
