"""A story's body as an importer reads it, and how it is saved over the story's blocks.

Every format (the plain-text layout, story pages, feeds, exports, wire JSON) reduces a body to
`ParsedBlock`s; `save_blocks` brings a story's rows in line with them, keeping each block's
permanent key where its text survives and re-anchoring notes exactly as an admin edit does.
"""

import difflib
from dataclasses import dataclass

from articles.models import Block, Story
from articles.notes.services import TextChange, reanchor_story_edit

ASIDE_LABEL = "Read more here."


@dataclass
class ParsedBlock:
    """A paragraph (`text`) or a read-more aside (`teaser`, `label`, and where it points).

    An aside's `target_url` is only written when the source states one, so that a target an
    editor chose for an aside of the plain-text layout (which carries none) survives re-imports.
    """

    kind: str
    text: str = ""
    teaser: str = ""
    line: int = 0
    label: str = ASIDE_LABEL
    target_url: str = ""

    @property
    def annotatable_text(self) -> str:
        return self.text if self.kind == Block.Kind.PARAGRAPH else self.teaser


def match_blocks(old: list[Block], new: list[ParsedBlock]) -> dict[int, Block]:
    """Pair each new block (by index) with the old block it continues, to keep its key.

    Identical blocks pair through a sequence diff; within a replaced run, blocks of the same
    kind pair up when their text is similar enough to be an edit of the same paragraph.
    """

    def signature(kind: str, text: str, teaser: str) -> tuple[str, str]:
        return (kind, text if kind == Block.Kind.PARAGRAPH else teaser)

    old_sigs = [signature(b.kind, b.text, b.teaser) for b in old]
    new_sigs = [signature(b.kind, b.text, b.teaser) for b in new]
    pairs: dict[int, Block] = {}
    matcher = difflib.SequenceMatcher(a=old_sigs, b=new_sigs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                pairs[j1 + offset] = old[i1 + offset]
        elif tag == "replace":
            candidates = list(range(i1, i2))
            for j in range(j1, j2):
                best, best_ratio = None, 0.6
                for i in candidates:
                    if old_sigs[i][0] != new_sigs[j][0]:
                        continue
                    ratio = difflib.SequenceMatcher(
                        a=old_sigs[i][1], b=new_sigs[j][1], autojunk=False
                    ).ratio()
                    if ratio > best_ratio:
                        best, best_ratio = i, ratio
                if best is not None:
                    pairs[j] = old[best]
                    candidates = [i for i in candidates if i > best]
    return pairs


def blocks_differ(old: list[Block], new: list[ParsedBlock], targets: dict[str, int | None]) -> bool:
    """Whether saving `new` over `old` would change anything (a re-import of the same page
    must write nothing). `targets` maps an aside's address to the archive story it resolves to."""
    if len(old) != len(new):
        return True
    for block, item in zip(old, new, strict=True):
        if block.kind != item.kind or block.annotatable_text != item.annotatable_text:
            return True
        if item.kind == Block.Kind.ASIDE:
            if block.label != item.label:
                return True
            if item.target_url and (
                block.target_url != item.target_url
                or block.target_story_id != targets.get(item.target_url)
            ):
                return True
    return False


def save_blocks(
    story: Story, parsed: list[ParsedBlock], *, targets: dict[str, int | None] | None = None
) -> list[Block]:
    """Bring the story's blocks in line with the source, re-anchoring notes on the way.

    Blocks paired with an old one keep their row and key; the rest are created, and old blocks
    left unpaired are deleted once `reanchor_story_edit` has given their notes a chance
    in the new and edited blocks (a paragraph split in two, say) or orphaned them. `targets`
    maps aside addresses to the archive stories they resolve to.
    """
    targets = targets or {}
    old_blocks = list(story.blocks.order_by("position", "id"))
    pairs = match_blocks(old_blocks, parsed)
    kept_ids = {block.id for block in pairs.values()}

    saved, changes, created = [], [], []
    for position, item in enumerate(parsed):
        block = pairs.get(position)
        if block is None:
            block = Block(story=story, kind=item.kind)
        old_text = None if block.pk is None else block.annotatable_text
        block.position = position
        if item.kind == Block.Kind.PARAGRAPH:
            block.text = item.text
        else:
            block.teaser = item.teaser
            block.label = item.label
            if item.target_url:
                block.target_url = item.target_url
                block.target_story_id = targets.get(item.target_url)
        block.save()
        if old_text is None:
            created.append(block)
        elif old_text != block.annotatable_text:
            changes.append(TextChange(block=block, old_text=old_text))
        saved.append(block)

    removed = [block for block in old_blocks if block.id not in kept_ids]
    reanchor_story_edit(
        story=story, changes=changes, created_blocks=created, deleted_blocks=removed
    )
    for block in removed:
        block.delete()
    return saved
