"""The one shape every format reads a story into, and the errors an import reports.

An `IngestedStory` holds text, links and an image address only: nothing from a page is kept as
HTML. Each error is one line that says why a document or an entry was not imported, and never
quotes the document (it may be anything).
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from articles.ingest.blocks import ParsedBlock
from articles.models import Block, Story

# Below this, a "story" is a 404 page, a paywall stub or a teaser, not a story.
MIN_BODY_WORDS = 60


class IngestError(Exception):
    """A document, or one entry of it, that cannot be imported; `str()` is the one-line reason."""


class NotAnStory(IngestError):
    pass


class UnknownFormat(IngestError):
    pass


class Undecodable(IngestError):
    pass


class TooLarge(IngestError):
    pass


class IdentityConflict(IngestError):
    """The story is already in the archive under another identity (same headline and time)."""


@dataclass
class IngestedStory:
    """A story as a source gives it, before it meets the archive.

    `identity` is the canonical URL, feed GUID or ninjs `uri`: the story is found by it again.
    `draft` keeps a draft a draft (WordPress exports). Empty strings and None mean "not given".
    """

    identity: str
    headline: str
    blocks: list[ParsedBlock]
    format: str
    source_url: str = ""
    dek: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None
    section: str = ""
    tags: list[str] = field(default_factory=list)
    publisher: str = ""
    image_url: str = ""
    image_caption: str = ""
    image_credit: str = ""
    image_alt: str = ""
    draft: bool = False
    # The plain-text layout's own parse, which its importer saves (`articles.data.plaintext`).
    original: object = field(default=None, repr=False, compare=False)

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == Block.Kind.PARAGRAPH]

    @property
    def asides(self) -> list[ParsedBlock]:
        return [b for b in self.blocks if b.kind == Block.Kind.ASIDE]

    @property
    def body_text(self) -> str:
        """Paragraphs and aside teasers in reading order, one a line (what the benchmark scores)."""
        return "\n".join(b.annotatable_text for b in self.blocks)


@dataclass
class EntryResult:
    """One entry of a document: a story read from it, or why it could not be."""

    label: str
    story: IngestedStory | None = None
    error: str = ""


_SPACE = re.compile(r"\s+")


def clean_text(value: str | None) -> str:
    """Whitespace collapsed, control characters gone: text as a field stores it."""
    if not value:
        return ""
    value = "".join(ch for ch in value if ch in "\t\n" or (ord(ch) >= 32 and ord(ch) != 127))
    return _SPACE.sub(" ", value).strip()


def clip(value: str, model_field: str, *, model=Story) -> str:
    """Cut a descriptive text (caption, credit, dek) to its field's limit, at a word."""
    limit = model._meta.get_field(model_field).max_length
    if len(value) <= limit:
        return value
    cut = value[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def check_story(story: IngestedStory, *, what: str) -> IngestedStory:
    """Refuse what is not a story: no headline, or too little body text to be one."""
    if not story.headline:
        raise NotAnStory(f"not a story ({what} has no headline)")
    words = sum(len(text.split()) for text in story.paragraphs)
    if words < MIN_BODY_WORDS:
        raise NotAnStory(
            f"not a story ({what} has {words} words of body text; "
            f"a story has at least {MIN_BODY_WORDS})"
        )
    headline_limit = Story._meta.get_field("headline").max_length
    if len(story.headline) > headline_limit:
        raise IngestError(f"the headline is longer than {headline_limit} characters")
    text_limit = Block._meta.get_field("text").max_length
    if any(len(text) > text_limit for text in story.paragraphs):
        raise IngestError(f"a paragraph is longer than {text_limit} characters")
    return story
