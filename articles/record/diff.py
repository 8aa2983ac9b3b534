"""What changed between two versions of a story's text, paragraph by paragraph, word by word.

Paragraphs are matched by their permanent key (the same key the `#p-<key>` permalinks and the
notes hold on to), so a paragraph that moved is not reported as removed and added again. Within
a paragraph the words, punctuation and spaces are compared as separate tokens with `difflib`,
so a sentence added after a full stop shows as added words, not as a changed last word.
"""

import difflib
import re
from dataclasses import dataclass, field

TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


@dataclass(frozen=True)
class Piece:
    """A run of words: `op` is "same", "added" or "removed"."""

    op: str
    text: str


@dataclass
class ChangedPart:
    """One part of the story that changed: the headline, the dek or one body block."""

    label: str
    fragment: str  # where the part lives on the story page ("" for the headline and dek)
    status: str  # "changed", "added" or "removed"
    pieces: list[Piece] = field(default_factory=list)

    @property
    def words_added(self) -> int:
        return sum(len(p.text.split()) for p in self.pieces if p.op == "added")

    @property
    def words_removed(self) -> int:
        return sum(len(p.text.split()) for p in self.pieces if p.op == "removed")


def word_diff(old: str, new: str) -> list[Piece]:
    """`old` turned into `new` as runs of unchanged, removed and added words."""
    before, after = TOKEN.findall(old), TOKEN.findall(new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(before[a1:a2])))
            continue
        if a2 > a1:
            runs.append(("removed", "".join(before[a1:a2])))
        if b2 > b1:
            runs.append(("added", "".join(after[b1:b2])))
    pieces: list[Piece] = []
    for op, text in runs:
        if pieces and pieces[-1].op == op:
            pieces[-1] = Piece(op, pieces[-1].text + text)
        else:
            pieces.append(Piece(op, text))
    return pieces


def block_text(block: dict) -> str:
    """What readers read of a stored block: a paragraph's text, an aside's teaser and label."""
    if block.get("kind") == "aside":
        return " ".join(part for part in (block.get("teaser", ""), block.get("label", "")) if part)
    return block.get("text", "")


def _part(label: str, fragment: str, old: str | None, new: str | None) -> ChangedPart | None:
    if old == new:
        return None
    if old is None:
        return ChangedPart(label, fragment, "added", [Piece("added", new or "")])
    if new is None:
        return ChangedPart(label, fragment, "removed", [Piece("removed", old)])
    return ChangedPart(label, fragment, "changed", word_diff(old, new))


def version_diff(old, new) -> list[ChangedPart]:
    """The parts that differ between two `StoryVersion`s (or anything with `headline`, `dek`
    and `blocks`), in the new version's reading order, removed blocks where they stood."""
    parts = [
        _part("Headline", "", old.headline, new.headline),
        _part("Standfirst", "", old.dek, new.dek),
    ]
    old_blocks = {block["key"]: block for block in old.blocks}
    new_keys = {block["key"] for block in new.blocks}
    # Removed blocks are listed before the first surviving block that followed them.
    removed_before: dict[str | None, list[dict]] = {}
    pending: list[dict] = []
    for block in old.blocks:
        if block["key"] in new_keys:
            if pending:
                removed_before[block["key"]] = pending
                pending = []
        else:
            pending.append(block)
    removed_at_end = pending

    def removed(blocks):
        return [_part(_label(b), "", block_text(b), None) for b in blocks]

    paragraph_number = 0
    for block in new.blocks:
        parts += removed(removed_before.get(block["key"], []))
        if block.get("kind") != "aside":
            paragraph_number += 1
        label = _label(block, paragraph_number)
        before = old_blocks.get(block["key"])
        parts.append(
            _part(
                label,
                f"p-{block['key']}",
                block_text(before) if before is not None else None,
                block_text(block),
            )
        )
    parts += removed(removed_at_end)
    return [part for part in parts if part is not None]


def _label(block: dict, number: int | None = None) -> str:
    if block.get("kind") == "aside":
        return "“Read more” aside"
    return f"Paragraph {number}" if number else "Paragraph"
