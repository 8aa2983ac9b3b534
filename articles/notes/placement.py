"""Where a note row stands in its block's text: its anchor, and whether it is still placed.

`anchoring` works on plain `Anchor` values; this module is the one bridge between those and the
note's columns, so that "is this note still on its passage?" has one answer for the story
page, the annotate screen, re-anchoring and the backup checker.
"""

from articles.models import Note
from articles.notes.anchoring import Anchor, quote_is_at


def anchor_of(note: Note) -> Anchor:
    """The anchor the note's columns store."""
    return Anchor(
        exact=note.quote_exact,
        prefix=note.quote_prefix,
        suffix=note.quote_suffix,
        start=note.start,
        end=note.end,
    )


# The note's columns that store an anchor, and whether it is still placed.
ANCHOR_COLUMNS = ("quote_exact", "quote_prefix", "quote_suffix", "start", "end")
PLACEMENT_COLUMNS = (*ANCHOR_COLUMNS, "anchor_state")


def anchor_columns(anchor: Anchor) -> dict[str, str | int]:
    """The note's columns that store `anchor`, by name (for a new row's keyword arguments)."""
    return {
        "quote_exact": anchor.exact,
        "quote_prefix": anchor.prefix,
        "quote_suffix": anchor.suffix,
        "start": anchor.start,
        "end": anchor.end,
    }


def set_anchor(note: Note, anchor: Anchor) -> None:
    """Store `anchor` in the note's columns (the caller saves)."""
    for name, value in anchor_columns(anchor).items():
        setattr(note, name, value)


def is_placed(note: Note, text: str | None) -> bool:
    """Whether the note is anchored and its offsets still point at its quote in `text`.

    `text` is its block's annotatable text, None when it has no block.
    """
    if text is None or note.anchor_state != Note.AnchorState.ANCHORED:
        return False
    return quote_is_at(text=text, start=note.start, end=note.end, exact=note.quote_exact)
