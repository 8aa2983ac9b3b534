"""Assembling a story page's body: paragraphs with their highlighted notes, and asides.

Works only on rows the story page already prefetched (see `selectors.prefetch_story_page`), so it
adds no queries however many paragraphs, asides and annotations a story has.
"""

import math
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from articles.annotations.highlighting import highlight_segments
from articles.annotations.placement import is_placed
from articles.models import Annotation, Article, Block
from articles.text.markup import safe_http_url

WORDS_PER_MINUTE = 230


@dataclass
class Note:
    """A public annotation as a reader sees it.

    Its `number` is its place in reading order, shown beside the words; its anchors use the
    note's own id, which never changes when an earlier note is added (`#note-<id>`).
    """

    number: int
    annotation: Annotation
    highlighted: bool = False
    fragment: str = ""  # the `#p-<key>` of its paragraph

    @property
    def anchor_id(self) -> str:
        """The permanent anchor: the footnote (no JavaScript, print); the script opens the
        margin note for it."""
        return f"note-{self.annotation.pk}"

    @property
    def margin_id(self) -> str:
        return f"margin-note-{self.annotation.pk}"

    @property
    def ref_id(self) -> str:
        return f"note-ref-{self.annotation.pk}"

    @property
    def written_by(self) -> str:
        """Who wrote the note: the person (or desk account) by name, else the newsroom."""
        user = self.annotation.author
        name = user.get_full_name() if user is not None else ""
        return name or f"{settings.NEWSROOM_SITE_NAME} editors"

    @property
    def dated(self):
        """When readers were told: a correction's own time, else when the note was written."""
        annotation = self.annotation
        if annotation.kind == Annotation.Kind.CORRECTION and annotation.corrected_at:
            return annotation.corrected_at
        return annotation.created_at

    @cached_property
    def body_html(self) -> SafeString:
        """The note's body (with its kind's fields), rendered once for the margin and the
        footnotes, which both show it."""
        return render_to_string("includes/annotation_body.html", {"annotation": self.annotation})


@dataclass
class BodyItem:
    block: Block
    html: SafeString | None = None
    notes: list[Note] = field(default_factory=list)
    link: str = ""

    @property
    def notes_label(self) -> str:
        """A name for the block's group of margin notes, unique on the page ("Notes 2 to 3")."""
        if not self.notes:
            return ""
        first, last = self.notes[0].number, self.notes[-1].number
        return f"Note {first}" if first == last else f"Notes {first} to {last}"


def highlight_paragraph(text: str, notes: list[Note]) -> SafeString:
    """Escape `text` and wrap each note's quoted passage in <mark>, with a numbered reference.

    Overlapping passages are split into segments so the markup stays well nested. A note whose
    offsets no longer match its quote is shown without a highlight rather than on wrong words.
    """
    placed = []
    for note in notes:
        if is_placed(note.annotation, text):
            note.highlighted = True
            placed.append(note)
    parts: list[SafeString] = []
    for segment in highlight_segments(
        text, placed, span=lambda n: (n.annotation.start, n.annotation.end)
    ):
        escaped = escape(segment.text)
        if segment.covering:
            # The kind is stored text: a value restored from a file need not be one of the
            # choices, so it is escaped like any other.
            kinds = " ".join(sorted({f"mark-{n.annotation.kind}" for n in segment.covering}))
            refs = " ".join(n.anchor_id for n in segment.covering)
            margins = " ".join(n.margin_id for n in segment.covering)
            parts.append(
                format_html(
                    '<mark class="annotated {}" data-notes="{}" data-margin="{}">{}</mark>',
                    kinds,
                    refs,
                    margins,
                    escaped,
                )
            )
        else:
            parts.append(escaped)
        for note in segment.ending:
            parts.append(
                format_html(
                    '<a class="note-ref" id="{}" href="#{}" aria-describedby="{}-label">'
                    '<span class="visually-hidden">Note </span>{}</a>',
                    note.ref_id,
                    note.anchor_id,
                    note.anchor_id,
                    note.number,
                )
            )
    # Each part is already safe (escaped text or format_html), so joining escapes nothing again.
    return format_html_join("", "{}", ((part,) for part in parts))


def aside_link(block: Block) -> str:
    """Where an aside points, or "" when readers must not get a link (missing or unpublished)."""
    target = block.target_article
    if target is not None:
        return target.get_absolute_url() if target.is_public else ""
    return safe_http_url(block.target_url)


def reading_minutes(blocks: list[Block]) -> int:
    """Minutes to read the paragraphs at 230 words a minute, rounded up; at least 1."""
    words = sum(len(block.text.split()) for block in blocks if block.kind == Block.Kind.PARAGRAPH)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def build_story_body(article: Article) -> dict:
    """The story body in reading order, its numbered notes, corrections notice and reading time."""
    by_paragraph: dict[int, list[Annotation]] = {}
    for annotation in article.public_annotations:
        by_paragraph.setdefault(annotation.paragraph_id, []).append(annotation)

    body: list[BodyItem] = []
    notes: list[Note] = []
    for block in article.blocks.all():
        block_notes = []
        for annotation in by_paragraph.get(block.id, []):
            note = Note(number=len(notes) + 1, annotation=annotation, fragment=block.fragment)
            notes.append(note)
            block_notes.append(note)
        item = BodyItem(block=block, notes=block_notes)
        item.html = highlight_paragraph(block.annotatable_text, block_notes)
        if block.kind == Block.Kind.ASIDE:
            item.link = aside_link(block)
        body.append(item)

    corrections = sorted(
        (n for n in notes if n.annotation.kind == Annotation.Kind.CORRECTION),
        key=lambda n: n.annotation.corrected_at or n.annotation.created_at,
    )
    return {
        "body": body,
        "notes": notes,
        "corrections": corrections,
        "reading_minutes": reading_minutes([item.block for item in body]),
    }
