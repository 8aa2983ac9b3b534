"""Re-anchor notes after the paragraph they annotate has been edited.

A note remembers what it covers in two redundant ways (the text-quote and
text-position selectors of the W3C Web Annotation model): the quoted text (``exact``) with up
to ``CONTEXT_LENGTH`` code points of ``prefix`` and ``suffix`` context, and ``[start, end)``
offsets. Offsets count Unicode code points, i.e. Python ``str`` indices; browsers count UTF-16
code units, hence :func:`utf16_to_codepoint` and :func:`codepoint_to_utf16`.

:func:`reanchor` moves anchors from ``old_text`` to ``new_text`` in three steps:

1. Resolve each anchor in the old text. Normally ``old_text[start:end] == exact``; when the
   stored offsets are stale the quote is looked up with :func:`locate` instead.
2. Map the offsets through a single diff of the two texts. The diff is computed on word,
   whitespace and punctuation tokens, and each replaced run of tokens is then re-diffed
   character by character, so that a one-letter correction moves the boundaries precisely.
   Offsets are mapped by bisecting over the diff's opcodes, O(log n) per anchor.
3. Judge what now lies between the mapped offsets. If it still reads exactly as the quote, the
   anchor is kept: UNCHANGED when its context is identical too, MAPPED otherwise. If the quote
   itself was edited, the mapped span is scored against the old quote and context and kept as
   FUZZY only when the score reaches ``MATCH_THRESHOLD``; otherwise the anchor is ORPHANED.
   Before scoring, a passage whose words are no longer where the diff put it may have moved
   whole (a sentence moved within its paragraph): it is MOVED when its quote and *both* sides
   of its context read the same at exactly one place of the new text, and the old text had
   them at its own place only (:func:`find_moved`).

Every call does a bounded amount of work (a :class:`WorkBudget`, ``MAX_WORK``): difflib's cost
grows with the square of its input or worse (rewriting a 49 KB paragraph took it 24 s, scattered
edits in a text of few distinct words far longer), so the diff and every similarity are counted
as they run. When the budget is spent the answer is the safe one: the stretch the diff could not
align is treated as unknown and the anchors in it are ORPHANED, and so is an anchor whose score
could not be finished. An editor re-attaches them; the request never hangs.

The fuzzy step never searches the rest of the paragraph: the diff decides *where* the passage
went and the score only decides *whether* what is there is still that passage. A quote whose
text was deleted maps to an empty span and is orphaned, even when an identical phrase survives
elsewhere; silently moving an editor's note onto a look-alike passage is worse than asking
them to re-attach it. The one search is for a move, and it demands more than a look-alike ever
has: the quote with its whole prefix and whole suffix, at one place only. One intact side, or
two such places, leaves the note orphaned.

Score of a candidate span (also used by :func:`locate`, where the quote is always exact)::

    score = w * quote_similarity + (1 - w) * context_similarity
    w = max(0.5, len(exact) / (len(prefix) + len(exact) + len(suffix)))

``quote_similarity`` is difflib's ratio ``2 * matches / (len(a) + len(b))`` between the old
quote and the candidate. ``context_similarity`` is the better of the prefix and the suffix
similarities (same ratio, against the same number of code points next to the candidate). An
empty stored side means "at the paragraph boundary" and matches only another boundary; a
candidate at a boundary its quote was not at gives no evidence on that side, and when neither
side gives any (the candidate is the whole text) the score is ``quote_similarity`` alone. One
intact side is enough because the common edits next to a quote (rewriting or deleting the
neighbouring sentence, splitting the paragraph there) destroy one side only. ``w`` gives the
quote at least half the weight and more when it is long: a long quote is evidence by itself,
while a short one ("coca") means little without its context.
"""

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from itertools import accumulate

CONTEXT_LENGTH = 32

# The matching work one re-anchoring may do, in steps of difflib's inner loop (one candidate
# position looked at): 12,000 to 23,000 of them take a millisecond on the development container,
# so the budget is at most about a quarter of a second, leaving room for the writes within the
# second that bench/worst_input.py asks of the worst edit. An edit in one place costs next to
# nothing; rewriting the whole of the seed story's 2,752-character body, which orphans its notes
# anyway, would cost 3.4 million.
MAX_WORK = 3_000_000
# What setting up one matcher costs, in the same steps, beyond one per element it indexes.
MATCHER_COST = 100
# str.find scans 20,000 characters of prose in 30 µs (1.5 ns a character) and of the worst
# periodic text ("aaa…" for "a…ab") in 280 µs (14 ns), against 45 to 85 ns a step above: a step
# pays for four characters of scanning even at the worst.
FIND_CHARACTERS_PER_UNIT = 4

# With intact context (context_similarity == 1) a short quote needs quote_similarity >= 0.7:
# a one-letter fix in a word of four letters or more passes ("Columbia" -> "Colombia" scores
# 0.94, "illicit" -> "elicit" 0.88), and so does a comma or a word inserted into a phrase, but a
# quote that lost more than ~46% of its characters does not. An exact repeat of a short quote
# (similarity 1) needs one side of its context at least 70% similar; 32-character windows of
# unrelated prose score about 0.25 and rarely above 0.5, so look-alikes are rejected.
MATCH_THRESHOLD = 0.85

# Word characters, whitespace runs and single punctuation marks: every character of the text
# belongs to exactly one token, so token boundaries map back to code point offsets.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")

# Character diffs cost up to O(len(a) * len(b)); beyond this a rewritten run is left whole, so a
# boundary inside it takes the whole run and the score (diluted by the extra text) decides.
_REFINE_LIMIT = 250_000

# The opcode of a stretch the diff ran out of budget to align (see `_diff`).
UNKNOWN = "unknown"


class WorkLimitExceeded(Exception):
    """The re-anchoring's work budget is spent."""


class WorkBudget:
    """How much matching work is left to one re-anchoring (one edit, however many anchors)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = MAX_WORK if limit is None else limit
        self.spent = 0

    def spend(self, units: int) -> None:
        self.spent += units
        if self.spent > self.limit:
            raise WorkLimitExceeded(f"spent {self.spent} of {self.limit} units")


class _CountedMatcher(SequenceMatcher):
    """A SequenceMatcher that charges `budget` for its work before doing it.

    The work of `find_longest_match` over a[alo:ahi] is one step per position of b holding
    each element of that stretch of a (difflib walks each element's whole position list), so
    a prefix sum of those list lengths prices every call exactly, in constant time.
    """

    def __init__(self, a: Sequence, b: Sequence, *, budget: WorkBudget) -> None:
        budget.spend(MATCHER_COST + len(a) + len(b))
        super().__init__(None, a, b, autojunk=False)
        self.budget = budget
        positions = {element: len(where) for element, where in self.b2j.items()}
        self.cost_before = list(accumulate((positions.get(x, 0) for x in a), initial=0))

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        self.budget.spend(1 + (ahi - alo) + self.cost_before[ahi] - self.cost_before[alo])
        return super().find_longest_match(alo, ahi, blo, bhi)


@dataclass(frozen=True, slots=True)
class Anchor:
    exact: str
    prefix: str
    suffix: str
    start: int  # code point offset, inclusive
    end: int  # code point offset, exclusive


class AnchorMethod(StrEnum):
    UNCHANGED = "unchanged"  # quote and context identical; the offsets may have shifted
    MAPPED = "mapped"  # quote identical, context changed
    FUZZY = "fuzzy"  # quote itself edited, accepted by score
    MOVED = "moved"  # quote and both sides of its context found at one other place
    ORPHANED = "orphaned"


@dataclass(frozen=True, slots=True)
class Reanchored:
    anchor: Anchor | None  # None when orphaned; otherwise recomputed from the new text
    method: AnchorMethod
    # 1.0 when reanchor() found the quote verbatim where the diff put it; otherwise the
    # candidate's score (for orphans: the best rejected candidate, 0.0 when there was none).
    score: float


def quote_is_at(*, text: str, start: int, end: int, exact: str) -> bool:
    """Whether ``[start, end)`` is a span of ``text`` that reads exactly ``exact``."""
    return 0 <= start < end <= len(text) and text[start:end] == exact


def make_anchor(*, text: str, start: int, end: int, context: int = CONTEXT_LENGTH) -> Anchor:
    """Anchor ``text[start:end]`` with up to ``context`` code points of context on each side."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"invalid span [{start}, {end}) for a text of length {len(text)}")
    if context < 0:
        raise ValueError(f"context must not be negative, got {context}")
    return Anchor(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
        start=start,
        end=end,
    )


def reanchor(
    *,
    old_text: str,
    new_text: str,
    anchors: Sequence[Anchor],
    budget: WorkBudget | None = None,
) -> list[Reanchored]:
    """Move ``anchors`` from ``old_text`` to ``new_text``; one result per anchor, same order.

    The work is bounded by ``budget`` (a fresh ``MAX_WORK`` one by default): what it cannot pay
    for is orphaned (see the module's docstring).
    """
    budget = WorkBudget() if budget is None else budget
    offsets = _OffsetMap(old_text=old_text, new_text=new_text, budget=budget)
    return [
        _reanchor_one(
            old_text=old_text, new_text=new_text, anchor=anchor, offsets=offsets, budget=budget
        )
        for anchor in anchors
    ]


def locate(*, text: str, anchor: Anchor, budget: WorkBudget | None = None) -> Reanchored:
    """Find the anchor's exact quote in ``text``, which need not be the text it was made on.

    Every occurrence is scored by how well its context matches; ties go to the occurrence
    nearest ``anchor.start``. The best one is accepted only if it reaches ``MATCH_THRESHOLD``.
    A quote with more occurrences than ``budget`` can score is not found (orphaned).
    """
    budget = WorkBudget() if budget is None else budget
    try:
        return _locate(text=text, anchor=anchor, budget=budget)
    except WorkLimitExceeded:
        return _orphan(0.0)


def _locate(*, text: str, anchor: Anchor, budget: WorkBudget) -> Reanchored:
    best_key: tuple[float, int] | None = None
    best_start = 0
    for start in _occurrences(text, anchor.exact):
        budget.spend(len(anchor.exact))  # finding and slicing it
        score = _score(
            old=anchor, text=text, start=start, end=start + len(anchor.exact), budget=budget
        )
        key = (score, -abs(start - anchor.start))
        if best_key is None or key > best_key:
            best_key, best_start = key, start
    if best_key is None:
        return _orphan(0.0)
    score = best_key[0]
    if score < MATCH_THRESHOLD:
        return _orphan(score)
    found = make_anchor(text=text, start=best_start, end=best_start + len(anchor.exact))
    same_context = (found.prefix, found.suffix) == (anchor.prefix, anchor.suffix)
    method = AnchorMethod.UNCHANGED if same_context else AnchorMethod.MAPPED
    return Reanchored(anchor=found, method=method, score=score)


def utf16_to_codepoint(text: str, offset: int) -> int:
    """Convert a UTF-16 code unit offset (as reported by browsers) to a code point offset."""
    if offset < 0:
        raise ValueError(f"negative UTF-16 offset {offset}")
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        units += _utf16_width(char)
        if units > offset:
            raise ValueError(f"UTF-16 offset {offset} splits a surrogate pair")
    if units == offset:
        return len(text)
    raise ValueError(f"UTF-16 offset {offset} is beyond the end of the text ({units} units)")


def codepoint_to_utf16(text: str, offset: int) -> int:
    """Convert a code point offset to a UTF-16 code unit offset (as used by browsers)."""
    if not 0 <= offset <= len(text):
        raise ValueError(f"code point offset {offset} is out of range 0..{len(text)}")
    return sum(_utf16_width(char) for char in text[:offset])


def _utf16_width(char: str) -> int:
    # Code points beyond the Basic Multilingual Plane take a surrogate pair in UTF-16.
    return 2 if char > "\uffff" else 1


def _orphan(score: float) -> Reanchored:
    return Reanchored(anchor=None, method=AnchorMethod.ORPHANED, score=score)


def _reanchor_one(
    *, old_text: str, new_text: str, anchor: Anchor, offsets: "_OffsetMap", budget: WorkBudget
) -> Reanchored:
    span = _resolve(text=old_text, anchor=anchor, budget=budget)
    if span is None:
        return _orphan(0.0)
    # Compare against the context as it really is in old_text; stored context may be stale.
    old = make_anchor(text=old_text, start=span[0], end=span[1])
    new_start, new_end = offsets.map_span(old.start, old.end)
    if new_end > new_start:
        new = make_anchor(text=new_text, start=new_start, end=new_end)
        if new.exact == old.exact:
            same_context = (new.prefix, new.suffix) == (old.prefix, old.suffix)
            method = AnchorMethod.UNCHANGED if same_context else AnchorMethod.MAPPED
            return Reanchored(anchor=new, method=method, score=1.0)
    # Where the diff put the passage, its words are gone or changed: it may have moved whole.
    moved = find_moved(old_texts=[old_text], new_texts=[new_text], anchor=old, budget=budget)
    if moved is not None:
        return Reanchored(
            anchor=make_anchor(text=new_text, **moved[1]), method=AnchorMethod.MOVED, score=1.0
        )
    if new_end <= new_start:
        return _orphan(0.0)
    try:
        score = _score(old=old, text=new_text, start=new_start, end=new_end, budget=budget)
    except WorkLimitExceeded:
        return _orphan(0.0)
    if score < MATCH_THRESHOLD:
        return _orphan(score)
    return Reanchored(anchor=new, method=AnchorMethod.FUZZY, score=score)


@dataclass(frozen=True, slots=True)
class MoveSearch:
    """What the search for a moved passage found (see `find_moved`)."""

    place: tuple[int, dict[str, int]] | None  # (index in new_texts, {"start", "end"})
    ambiguous: bool  # the quote with its context is at two places or more of the new texts


def find_moved(
    *,
    old_texts: Sequence[str],
    new_texts: Sequence[str],
    anchor: Anchor,
    budget: WorkBudget | None = None,
) -> tuple[int, dict[str, int]] | None:
    """Where a passage moved whole: ``(index in new_texts, {"start": …, "end": …})`` or None.

    ``anchor`` is the passage as it was, with its context, in one of ``old_texts``. It moved
    when its quote, its whole prefix and its whole suffix (a side cut short: a paragraph
    boundary) read the same at exactly one place of ``new_texts``, and at exactly one place of
    ``old_texts``, its own. One matching side is not enough (that is how a look-alike looks),
    and two candidates, or a twin it already had, leave the passage to an editor. A search the
    budget cannot pay for finds nothing.
    """
    return search_moved(
        old_texts=old_texts, new_texts=new_texts, anchor=anchor, budget=budget
    ).place


def search_moved(
    *,
    old_texts: Sequence[str],
    new_texts: Sequence[str],
    anchor: Anchor,
    budget: WorkBudget | None = None,
) -> MoveSearch:
    """`find_moved`, also saying whether the new texts hold the passage more than once."""
    budget = WorkBudget() if budget is None else budget
    try:
        places = places_with_context(new_texts, anchor, budget=budget)
        if len(places) != 1:
            return MoveSearch(place=None, ambiguous=len(places) > 1)
        if len(places_with_context(old_texts, anchor, budget=budget)) != 1:
            return MoveSearch(place=None, ambiguous=False)
    except WorkLimitExceeded:
        return MoveSearch(place=None, ambiguous=False)
    index, start = places[0]
    return MoveSearch(
        place=(index, {"start": start, "end": start + len(anchor.exact)}), ambiguous=False
    )


def places_with_context(
    texts: Sequence[str], anchor: Anchor, *, budget: WorkBudget
) -> list[tuple[int, int]]:
    """Up to two places (text index, start) where the quote has exactly its stored context.

    The anchor's sides are taken as `make_anchor` takes them (``CONTEXT_LENGTH`` code points, or
    up to a paragraph boundary), so a side cut short by a boundary matches only at a boundary.
    The quote is looked for together with both sides, as one string: one scan of each text,
    however common the quote alone is. Two places are enough to know a passage is ambiguous,
    so the search stops there.
    """
    prefix, suffix = anchor.prefix, anchor.suffix
    needle = prefix + anchor.exact + suffix
    places = []
    for index, text in enumerate(texts):
        budget.spend(len(text) // FIND_CHARACTERS_PER_UNIT + len(needle))
        if len(prefix) < CONTEXT_LENGTH or len(suffix) < CONTEXT_LENGTH:
            # A side cut by a boundary: the one place it can be is at that boundary.
            found = 0 if len(prefix) < CONTEXT_LENGTH else len(text) - len(needle)
            if (
                found >= 0
                and text.startswith(needle, found)
                and (len(suffix) == CONTEXT_LENGTH or found + len(needle) == len(text))
            ):
                places.append((index, found + len(prefix)))
        else:
            # Every occurrence is a place, so at most two are looked at.
            places += [(index, found + len(prefix)) for found in _first_two(text, needle)]
        if len(places) > 1:
            return places[:2]
    return places


def _first_two(text: str, needle: str) -> list[int]:
    first = text.find(needle)
    if first == -1:
        return []
    second = text.find(needle, first + 1)
    return [first] if second == -1 else [first, second]


def _resolve(*, text: str, anchor: Anchor, budget: WorkBudget) -> tuple[int, int] | None:
    if quote_is_at(text=text, start=anchor.start, end=anchor.end, exact=anchor.exact):
        return anchor.start, anchor.end
    found = locate(text=text, anchor=anchor, budget=budget).anchor
    return None if found is None else (found.start, found.end)


def _occurrences(text: str, quote: str) -> Iterator[int]:
    if not quote:
        return
    start = text.find(quote)
    while start != -1:
        yield start
        # Step by one, not len(quote): overlapping occurrences are distinct candidates.
        start = text.find(quote, start + 1)


def _similarity(a: str, b: str, *, budget: WorkBudget) -> float:
    if a == b:
        return 1.0  # what difflib says too, without its work
    return _CountedMatcher(a, b, budget=budget).ratio()


def _score(*, old: Anchor, text: str, start: int, end: int, budget: WorkBudget) -> float:
    """How well `text[start:end]` and its sides match the quote and context `old` stored."""
    quote, prefix, suffix = old.exact, old.prefix, old.suffix
    quote_weight = max(0.5, len(quote) / (len(prefix) + len(quote) + len(suffix)))
    quote_similarity = _similarity(quote, text[start:end], budget=budget)
    before = _side_similarity(
        prefix, text[max(0, start - len(prefix)) : start], at_boundary=start == 0, budget=budget
    )
    after = _side_similarity(
        suffix, text[end : end + len(suffix)], at_boundary=end == len(text), budget=budget
    )
    sides = [similarity for similarity in (before, after) if similarity is not None]
    if not sides:
        return quote_similarity
    return quote_weight * quote_similarity + (1 - quote_weight) * max(sides)


def _side_similarity(
    expected: str, found: str, *, at_boundary: bool, budget: WorkBudget
) -> float | None:
    # An empty stored side records that the quote touched the paragraph boundary: it matches
    # another boundary, not whatever text happens to sit next to the candidate.
    if not expected:
        return float(at_boundary)
    # The candidate touches a boundary the quote did not: the text was cut there (a split
    # paragraph, a deleted sentence), which says nothing either way about this candidate.
    if at_boundary:
        return None
    return _similarity(expected, found, budget=budget)


class _OffsetMap:
    """Maps spans of the old text onto the new text through one diff."""

    def __init__(self, *, old_text: str, new_text: str, budget: WorkBudget) -> None:
        if old_text == new_text:
            opcodes = [("equal", 0, len(old_text), 0, len(new_text))]
        else:
            opcodes = list(_diff(old_text, new_text, budget=budget))
        # A stretch the diff could not afford to align: nothing in it can be placed.
        self._unknown = [(opcode[1], opcode[2]) for opcode in opcodes if opcode[0] == UNKNOWN]
        # Pure insertions hold no old character, so no boundary character can fall in them;
        # dropping them leaves opcodes whose old ranges tile the old text, ready to bisect.
        self._opcodes = [opcode for opcode in opcodes if opcode[2] > opcode[1]]
        self._starts = [opcode[1] for opcode in self._opcodes]

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Map ``[start, end)``; an empty result means every character of it was deleted.

        The span's first and last characters are mapped rather than its boundaries, so text
        inserted right before or after the quote stays outside it while text inserted inside
        it is covered. A boundary character that was replaced takes its whole replacement with
        it, so the span still covers the edit and the score judges how much it changed. A span
        that touches a stretch the diff could not align maps to nothing.
        """
        if any(
            start < unknown_end and unknown_start < end
            for unknown_start, unknown_end in self._unknown
        ):
            return 0, 0
        tag, old_start, _, new_start, _ = self._opcode_at(start)
        mapped_start = new_start + (start - old_start) if tag == "equal" else new_start
        last = end - 1
        tag, old_start, _, new_start, new_end = self._opcode_at(last)
        mapped_end = new_start + (last - old_start) + 1 if tag == "equal" else new_end
        return mapped_start, mapped_end

    def _opcode_at(self, index: int) -> tuple[str, int, int, int, int]:
        return self._opcodes[bisect_right(self._starts, index) - 1]


def _diff(
    old_text: str, new_text: str, *, budget: WorkBudget
) -> Iterator[tuple[str, int, int, int, int]]:
    """Opcodes in code point offsets: a token diff, refined by characters where replaced.

    difflib.SequenceMatcher is in the standard library and aligns by repeatedly taking the
    longest common block, which keeps whole unchanged sentences together instead of threading
    a minimal edit script through common letters. Diffing tokens first means a repeated word
    can only be matched as a whole word, and the character pass is confined to the runs that
    really changed. autojunk must stay off: with it, any token or character making up more
    than 1% of a text of 200+ items (spaces, "e", "the") would be ignored as junk and large
    unchanged stretches would come out as replaced.

    The work is charged to `budget`. When the token diff cannot be paid for, what lies between
    the shared ends comes out as one UNKNOWN opcode; when a character pass cannot, its run is
    left whole, as a run too long to refine is.
    """
    old_tokens = _TOKEN.findall(old_text)
    new_tokens = _TOKEN.findall(new_text)
    old_offsets = list(accumulate(map(len, old_tokens), initial=0))
    new_offsets = list(accumulate(map(len, new_tokens), initial=0))

    # Most edits touch one spot: what the two texts share at either end is equal without asking
    # SequenceMatcher, whose cost grows faster than the length of what it is given.
    head, limit = 0, min(len(old_tokens), len(new_tokens))
    while head < limit and old_tokens[head] == new_tokens[head]:
        head += 1
    tail = 0
    while tail < limit - head and old_tokens[-1 - tail] == new_tokens[-1 - tail]:
        tail += 1
    old_mid_end, new_mid_end = len(old_tokens) - tail, len(new_tokens) - tail
    if head:
        yield "equal", 0, old_offsets[head], 0, new_offsets[head]
    try:
        opcodes = _CountedMatcher(
            old_tokens[head:old_mid_end], new_tokens[head:new_mid_end], budget=budget
        ).get_opcodes()
    except WorkLimitExceeded:
        opcodes = [(UNKNOWN, 0, old_mid_end - head, 0, new_mid_end - head)]
    for tag, i1, i2, j1, j2 in opcodes:
        i1, i2, j1, j2 = i1 + head, i2 + head, j1 + head, j2 + head
        old_start, old_end = old_offsets[i1], old_offsets[i2]
        new_start, new_end = new_offsets[j1], new_offsets[j2]
        refined = None
        if tag == "replace" and (old_end - old_start) * (new_end - new_start) <= _REFINE_LIMIT:
            with suppress(WorkLimitExceeded):
                refined = _CountedMatcher(
                    old_text[old_start:old_end], new_text[new_start:new_end], budget=budget
                ).get_opcodes()
        if refined is None:
            yield tag, old_start, old_end, new_start, new_end
            continue
        for sub_tag, a1, a2, b1, b2 in refined:
            yield sub_tag, old_start + a1, old_start + a2, new_start + b1, new_start + b2
    if tail:
        yield (
            "equal",
            old_offsets[old_mid_end],
            old_offsets[-1],
            new_offsets[new_mid_end],
            new_offsets[-1],
        )
