"""Where an annotation row stands in its block's text: its anchor, and whether it is still placed.

`anchoring` works on plain `Anchor` values; this module is the one bridge between those and the
annotation's columns, so that "is this note still on its passage?" has one answer for the story
page, the annotate screen, re-anchoring and the backup checker.
"""

from articles.annotations.anchoring import Anchor, quote_is_at
from articles.models import Annotation


def anchor_of(annotation: Annotation) -> Anchor:
    """The anchor the annotation's columns store."""
    return Anchor(
        exact=annotation.quote_exact,
        prefix=annotation.quote_prefix,
        suffix=annotation.quote_suffix,
        start=annotation.start,
        end=annotation.end,
    )


# The annotation's columns that store an anchor, and whether it is still placed.
ANCHOR_COLUMNS = ("quote_exact", "quote_prefix", "quote_suffix", "start", "end")
PLACEMENT_COLUMNS = (*ANCHOR_COLUMNS, "anchor_state")


def anchor_columns(anchor: Anchor) -> dict[str, str | int]:
    """The annotation's columns that store `anchor`, by name (for a new row's keyword arguments)."""
    return {
        "quote_exact": anchor.exact,
        "quote_prefix": anchor.prefix,
        "quote_suffix": anchor.suffix,
        "start": anchor.start,
        "end": anchor.end,
    }


def set_anchor(annotation: Annotation, anchor: Anchor) -> None:
    """Store `anchor` in the annotation's columns (the caller saves)."""
    for name, value in anchor_columns(anchor).items():
        setattr(annotation, name, value)


def is_placed(annotation: Annotation, text: str | None) -> bool:
    """Whether the note is anchored and its offsets still point at its quote in `text`.

    `text` is its block's annotatable text, None when it has no block.
    """
    if text is None or annotation.anchor_state != Annotation.AnchorState.ANCHORED:
        return False
    return quote_is_at(
        text=text, start=annotation.start, end=annotation.end, exact=annotation.quote_exact
    )
