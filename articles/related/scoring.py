"""How related one story is to another: pure functions over numbers the queries fetched.

A candidate's score combines three signals, each between 0 and 1:

    tags    = 1 − Π (1 − w(t)) over the tags both stories carry,
              w(t) = ln((N + 1) / df(t)) / ln(N + 1)      (N stories, df(t) of them tagged t)
    text    = rank(candidate) / rank(the story itself), at most 1: how well the candidate
              matches the story's most distinctive words, against how well the story does
    recency = 0.5 ** (days between the two publications / HALF_LIFE_DAYS)

    score   = (tags + text) × (RECENCY_FLOOR + (1 − RECENCY_FLOOR) × max(recency, text))

w(t) is the tag's inverse document frequency scaled to 0..1: a tag on 3 of 100,000 stories
weighs 0.90, one on 30,000 weighs 0.10, and shared tags add up like independent evidence. An
old story counts less, down to RECENCY_FLOOR of its relevance, unless its text is as similar
as it is old: a near-copy of the story is exempt from the age penalty.
"""

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable
from datetime import datetime

HALF_LIFE_DAYS = 90.0
RECENCY_FLOOR = 0.2
# Below this a candidate is noise, not a related story; it is not stored.
MIN_SCORE = 0.08
# The reasons editors read: from these text scores on, "similar text" / "very similar text".
SIMILAR_TEXT = 0.15
VERY_SIMILAR_TEXT = 0.5
REASON_TAG_NAMES = 4

# Field weights of a story's words, as PostgreSQL's ts_rank weighs A (headline), B (dek) and D
# (body); tags are a signal of their own, so their words take no part in text similarity.
HEADLINE_WEIGHT = 1.0
DEK_WEIGHT = 0.4
BODY_WEIGHT = 0.1

WORD_RE = re.compile(r"\w+")
# Words that say nothing about a story. The document frequencies would rule them out anyway;
# leaving them out first keeps the frequency query short.
STOP_WORD_LIST = """
    about above after again against all also although among and any are around because been
    before being below between both but can could did does doing down during each either
    even ever every few for from further had has have having her here hers herself him
    himself his how however into its itself just last least less like made make many may
    more most much must near never not now off often once only other our ours out over own
    per rather said same says she should since some still such than that the their theirs
    them themselves then there these they this those though through told too under until
    upon very was were what when where whether which while who whom whose why will with
    within without would yet you your yours
"""
STOP_WORDS = frozenset(STOP_WORD_LIST.split())


def story_fields(*, headline: str, dek: str, body: Iterable[str]) -> list[tuple[str, float]]:
    """A story's texts with the weight each of their words carries."""
    return [
        (headline, HEADLINE_WEIGHT),
        (dek, DEK_WEIGHT),
        *((text, BODY_WEIGHT) for text in body),
    ]


def weighted_words(fields: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Each word's weight in a text: the sum of its field's weight over its occurrences.

    Words are lower-cased runs of letters and digits, as search reads them; stop words, words
    shorter than three characters and numbers are left out.
    """
    weights: Counter[str] = Counter()
    for text, weight in fields:
        for word in WORD_RE.findall(text.lower()):
            if len(word) >= 3 and not word.isdigit() and word not in STOP_WORDS:
                weights[word] += weight
    return dict(weights)


def heaviest_words(weights: dict[str, float], *, limit: int) -> list[str]:
    """The `limit` heaviest words (alphabetical among equals): those worth counting in the index."""
    return heapq.nsmallest(limit, weights, key=lambda word: (-weights[word], word))


def distinctive_words(
    weights: dict[str, float],
    doc_freqs: dict[str, int],
    *,
    corpus_size: int,
    min_df: int,
    max_df: int,
    limit: int,
) -> list[str]:
    """The `limit` words with the highest weight × ln(N / df), among those held by at least
    `min_df` and fewer than `max_df` stories (and not by all of them).

    `min_df` rules out words no other story has (2 for a story's own words, which it holds
    itself); `max_df` rules out words so common that matching them would touch a large part of
    the index.
    """
    scored = {}
    for word, df in doc_freqs.items():
        if min_df <= df < max_df and df < corpus_size:
            scored[word] = weights[word] * math.log(corpus_size / df)
    return heapq.nsmallest(limit, scored, key=lambda word: (-scored[word], word))


def tag_weight(*, doc_freq: int, corpus_size: int) -> float:
    """A tag's rarity between 0 (on every story) and 1 (on one story of many)."""
    total = max(corpus_size, doc_freq, 1) + 1
    return math.log(total / max(doc_freq, 1)) / math.log(total)


def tag_similarity(weights: Iterable[float]) -> float:
    """The evidence of the shared tags' weights together, between 0 and 1."""
    return 1.0 - math.prod(1.0 - weight for weight in weights)


def text_similarity(*, rank: float, own_rank: float) -> float:
    """The candidate's text rank as a share of the story's own, between 0 and 1."""
    if own_rank <= 0 or rank <= 0:
        return 0.0
    return min(1.0, rank / own_rank)


def days_apart(first: datetime, second: datetime) -> float:
    return abs((first - second).total_seconds()) / 86400


def recency(*, days: float) -> float:
    """1 for stories published together, halving every HALF_LIFE_DAYS between them."""
    return 0.5 ** (days / HALF_LIFE_DAYS)


def related_score(*, tags: float, text: float, recency: float) -> float:
    """The combined score (see the module's docstring)."""
    freshness = max(recency, text)
    return (tags + text) * (RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) * freshness)


def reason(*, tag_names: list[str], text: float, days: float) -> str:
    """Why a story is related, for editors: "shares tags Peru, coca; similar text".

    `tag_names` come rarest first; only the first few are named.
    """
    parts = []
    if tag_names:
        named = ", ".join(tag_names[:REASON_TAG_NAMES])
        more = len(tag_names) - REASON_TAG_NAMES
        noun = "tag" if len(tag_names) == 1 else "tags"
        parts.append(f"shares {noun} {named}" + (f" and {more} more" if more > 0 else ""))
    if text >= VERY_SIMILAR_TEXT:
        parts.append("very similar text")
    elif text >= SIMILAR_TEXT:
        parts.append("similar text")
    elif text > 0:
        parts.append("some words in common")
    if days >= 365:
        years = round(days / 365.25)
        parts.append(f"published {years} year{'s' if years > 1 else ''} apart")
    return "; ".join(parts)
