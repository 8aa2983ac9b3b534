"""Cutting a block's text into the segments its notes' highlights cover.

Notes may overlap, and HTML marks must nest, so the text is cut at every note's start and end:
each segment is covered by a fixed set of notes. The story page and the annotate screen draw
those segments differently (footnote references, colours), from this one cut.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass
class Segment(Generic[Item]):
    text: str
    covering: list[Item] = field(default_factory=list)  # the items whose spans hold the segment
    ending: list[Item] = field(default_factory=list)  # the items whose spans end with it


def highlight_segments(
    text: str, items: Sequence[Item], *, span: Callable[[Item], tuple[int, int]]
) -> list[Segment[Item]]:
    """`text` cut at the start and end of each item's `span` (code point offsets).

    The items must already be placed (their spans lie within the text); the segments, joined,
    are the whole text, in order.
    """
    spans = [(item, *span(item)) for item in items]
    boundaries = sorted({0, len(text)} | {s for _, s, _ in spans} | {e for _, _, e in spans})
    return [
        Segment(
            text=text[start:end],
            covering=[item for item, s, e in spans if s <= start and e >= end],
            ending=[item for item, _, e in spans if e == end],
        )
        for start, end in pairwise(boundaries)
    ]
