"""The W3C Web Annotation export: each public note as a W3C annotation, in JSON-LD.

A note is the newsroom's noun; the W3C Web Annotation Data Model
(https://www.w3.org/TR/annotation-model/) names what it exports W3C annotations, so this module
keeps the W3C's words where it builds W3C documents: `annotation_document` (one note as a W3C
annotation, `"type": "Annotation"`), `collection_document` and `page_document` (a story's notes
as an AnnotationCollection and its AnnotationPages), `annotation_path` (the public
`/annotations/<id>/` address), `exported_annotations`, `story_annotations` and
`UnexportableAnnotation`; everything else says note and story. Which notes leave the newsroom,
loaded how, and the documents they become live here; the HTTP side (content negotiation,
validators, paging parameters) lives in `views.py`.

Only `Note.objects.public()` is ever exported, and never a note's replies: those are the
editors' internal discussion.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.encoding import iri_to_uri

from articles.models import Note, Story, StoryVersion
from articles.text.markup import safe_http_url, sanitize_html

logger = logging.getLogger(__name__)
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
# The model's fragment specification for HTML ("#namedSection"): our `#p-<key>` permalinks.
HTML_FRAGMENT_SPEC = "http://tools.ietf.org/rfc/rfc3236"

MOTIVATIONS = {
    Note.Kind.CONTEXT: "describing",
    Note.Kind.SOURCE: "linking",
    Note.Kind.FACT_CHECK: "assessing",
    Note.Kind.CORRECTION: "editing",
}


class UnexportableAnnotation(Exception):
    """A stored note whose kind the export does not know (say, restored from a file).

    A data error on the newsroom's side, not the client's: the note cannot be described
    truthfully, so it is left out of its collection's pages and its own URL says so.
    """

    def __init__(self, note: Note):
        self.note_id = note.pk
        self.kind = note.kind
        super().__init__(f"Note {note.pk} has the unknown kind {note.kind!r}.")


def motivation(note: Note) -> str:
    """The note's W3C motivation; `UnexportableAnnotation` for a kind the export lacks."""
    try:
        return MOTIVATIONS[note.kind]
    except KeyError:
        raise UnexportableAnnotation(note) from None


# What an exported note reads: no Markdown source, no paragraph text, no password hash.
EXPORT_FIELDS = (
    "id",
    "story_id",
    "kind",
    "body_html",
    "quote_exact",
    "quote_prefix",
    "quote_suffix",
    "start",
    "end",
    *Note.KIND_SPECIFIC_FIELDS,
    "created_at",
    "modified_at",
    "paragraph__id",
    "paragraph__key",
    "author__id",
    "author__username",
    "author__first_name",
    "author__last_name",
)

AbsoluteUri = Callable[[str], str]
"""Turns a path into an absolute URI: `request.build_absolute_uri`."""


def with_text_version(notes: QuerySet[Note]) -> QuerySet[Note]:
    """Annotate each note with `text_version`: the number of the version of its story's text it
    was written on, in the same query.

    Derived from the times rather than stored on the note: versions are never rewritten, so
    the version a note was written on is the latest one recorded at or before its creation, and
    a note written before the story was published was written on its first version. Deriving
    it holds for every note already written and for notes restored from a backup, with no
    column to keep in step.
    """
    versions = StoryVersion.objects.filter(story=OuterRef("story")).order_by("number")
    seen = versions.filter(created_at__lte=OuterRef("created_at")).order_by("-number")
    return notes.annotate(
        text_version=Coalesce(
            Subquery(seen.values("number")[:1]), Subquery(versions.values("number")[:1])
        )
    )


def exported_annotations() -> QuerySet[Note]:
    """Public notes with their story, block and author: one query for one note."""
    return with_text_version(
        Note.objects.public()
        .select_related("story", "paragraph", "author")
        .only(*EXPORT_FIELDS, "story__slug", "story__modified_at")
    )


def story_annotations(story: Story) -> QuerySet[Note]:
    """A story's public notes in reading order, with block and author.

    The story is the caller's, so it is not joined again; the order is total, so pages sliced
    in SQL neither skip nor repeat a note.
    """
    return with_text_version(
        Note.objects.public()
        .filter(story=story)
        .select_related("paragraph", "author")
        .only(*EXPORT_FIELDS)
        .order_by("paragraph__position", "paragraph_id", "start", "end", "id")
    )


@dataclass(frozen=True)
class CollectionStats:
    total: int
    modified: datetime


def collection_stats(story: Story) -> CollectionStats:
    """How many public notes the story has, and when its collection last changed (1 query)."""
    stats = (
        Note.objects.public()
        .filter(story=story)
        .aggregate(total=Count("id"), modified=Max("modified_at"))
    )
    changes = [story.modified_at, stats["modified"]]
    return CollectionStats(total=stats["total"], modified=max(c for c in changes if c))


def xsd_datetime(value: datetime) -> str:
    """An xsd:dateTime in UTC to the second, as the model recommends."""
    # isoformat, not strftime: "%Y" writes year 1 as "1", which is no xsd:dateTime.
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def annotation_path(note_id: int) -> str:
    return reverse("articles:annotation", kwargs={"pk": note_id})


def container_path(story: Story) -> str:
    return reverse("articles:annotation-container", kwargs={"slug": story.slug})


def page_uri(container_uri: str, page: int, *, iris: bool) -> str:
    """A page of the collection; IRIs-only pages have their own URIs, so each has one shape."""
    return f"{container_uri}?iris=1&page={page}" if iris else f"{container_uri}?page={page}"


def _language() -> str:
    # The site's primary language subtag ("en-us" → "en"): the model wants BCP 47, lower case.
    return settings.LANGUAGE_CODE.split("-")[0].lower()


def _text(value: str, *, purpose: str, media_type: str = "text/plain") -> dict:
    return {
        "type": "TextualBody",
        "value": value,
        "format": media_type,
        "language": _language(),
        "purpose": purpose,
    }


def _creator(note: Note) -> dict | None:
    user = note.author
    if user is None:
        return None
    # A name only: the export is public, so no email and no staff login name.
    name = user.get_full_name() or f"{settings.NEWSROOM_SITE_NAME} editor"
    return {"type": "Person", "name": name}


def _bodies(note: Note) -> list[dict]:
    """The note itself, plus what its kind adds: the source, the verdict, the right text."""
    bodies = []
    note_html = sanitize_html(note.body_html)
    if note_html:
        bodies.append(_text(note_html, purpose=motivation(note), media_type="text/html"))

    kind = note.kind
    if kind == Note.Kind.SOURCE:
        url = safe_http_url(note.source_url)
        if url:
            source = {"id": iri_to_uri(url), "type": "Text"}
            if note.source_title:
                source["label"] = note.source_title
            bodies.append({"type": "SpecificResource", "purpose": "linking", "source": source})
    elif kind == Note.Kind.FACT_CHECK:
        if note.verdict:
            bodies.append(_text(note.get_verdict_display(), purpose="assessing"))
        if note.claim:
            bodies.append(_text(note.claim, purpose="describing"))
    elif kind == Note.Kind.CORRECTION:
        if note.correction_right:
            right = _text(note.correction_right, purpose="editing")
            if note.corrected_at:
                right["created"] = xsd_datetime(note.corrected_at)
            bodies.append(right)
        if note.correction_wrong:
            bodies.append(_text(note.correction_wrong, purpose="describing"))
    return bodies


def _target(note: Note, *, story_uri: str, version_uri: str = "") -> dict:
    """The quoted passage of one block of the story.

    The offsets and the quote are relative to the block's text, so they refine the block's
    fragment rather than standing beside it as selectors of the whole page. The `state` names
    the text the note was written on: the time, and that version's page (`cached`), which
    keeps those words after the story is edited.
    """
    quote = {"type": "TextQuoteSelector", "exact": note.quote_exact}
    if note.quote_prefix:
        quote["prefix"] = note.quote_prefix
    if note.quote_suffix:
        quote["suffix"] = note.quote_suffix
    position = {"type": "TextPositionSelector", "start": note.start, "end": note.end}
    target = {
        "type": "SpecificResource",
        "source": story_uri,
        "selector": [
            {
                "type": "FragmentSelector",
                "conformsTo": HTML_FRAGMENT_SPEC,
                "value": note.paragraph.fragment,
                "refinedBy": [quote, position],
            }
        ],
    }
    if version_uri:
        target["state"] = {
            "type": "TimeState",
            "sourceDate": xsd_datetime(note.created_at),
            "cached": version_uri,
        }
    return target


def annotation_document(
    note: Note, *, story: Story, absolute_uri: AbsoluteUri, embedded: bool = False
) -> dict:
    """One public note as a W3C Web Annotation.

    `story` is the note's story, passed in so that a page of a story's notes does
    not load it once per note. An `embedded` document (an item of a page) inherits the
    page's @context.
    """
    document = {} if embedded else {"@context": ANNOTATION_CONTEXT}
    document.update(
        {
            "id": absolute_uri(annotation_path(note.pk)),
            "type": "Annotation",
            "motivation": motivation(note),
            "created": xsd_datetime(note.created_at),
            "modified": xsd_datetime(note.modified_at),
        }
    )
    creator = _creator(note)
    if creator:
        document["creator"] = creator
    document["generator"] = {
        "type": "Software",
        "name": settings.NEWSROOM_SITE_NAME,
        "homepage": absolute_uri(reverse("articles:front")),
    }
    bodies = _bodies(note)
    if bodies:
        document["body"] = bodies
    number = getattr(note, "text_version", None)
    version_uri = ""
    if number:
        version_uri = absolute_uri(
            reverse("articles:story-version", kwargs={"slug": story.slug, "number": number})
        )
    document["target"] = _target(
        note, story_uri=absolute_uri(story.get_absolute_url()), version_uri=version_uri
    )
    return document


def _page_items(items, *, story: Story, absolute_uri: AbsoluteUri, iris: bool) -> list:
    if iris:
        return [absolute_uri(annotation_path(pk)) for pk in items]
    documents = []
    for note in items:
        try:
            documents.append(
                annotation_document(note, story=story, absolute_uri=absolute_uri, embedded=True)
            )
        except UnexportableAnnotation as error:
            # One bad row must not take its story's whole collection down.
            logger.error("Left out of the W3C export: %s", error)
    return documents


@dataclass(frozen=True)
class Paging:
    """Where one page sits in a collection of `total` items, `size` to a page."""

    total: int
    size: int

    @property
    def last(self) -> int:
        return max(0, (self.total - 1) // self.size)

    def contains(self, page: int) -> bool:
        return self.total > 0 and 0 <= page <= self.last

    def start_index(self, page: int) -> int:
        return page * self.size


def page_items(story: Story, *, page: int, paging: Paging, iris: bool) -> list:
    """One page's notes, sliced in SQL: ids only when the client wants IRIs (1 query)."""
    notes = story_annotations(story)
    if iris:
        notes = notes.values_list("id", flat=True)
    start = paging.start_index(page)
    return list(notes[start : start + paging.size])


def page_document(
    *,
    story: Story,
    items: list,
    page: int,
    paging: Paging,
    iris: bool,
    absolute_uri: AbsoluteUri,
    partof: dict | None = None,
) -> dict:
    """An AnnotationPage. Standalone pages name their collection in an embedded `partOf`
    (with its total and modification time); a page embedded in its collection does not."""
    container_uri = absolute_uri(container_path(story))
    document = {} if partof is None else {"@context": ANNOTATION_CONTEXT}
    document.update({"id": page_uri(container_uri, page, iris=iris), "type": "AnnotationPage"})
    if partof is not None:
        document["partOf"] = partof
    document["startIndex"] = paging.start_index(page)
    if page > 0:
        document["prev"] = page_uri(container_uri, page - 1, iris=iris)
    if page < paging.last:
        document["next"] = page_uri(container_uri, page + 1, iris=iris)
    document["items"] = _page_items(items, story=story, absolute_uri=absolute_uri, iris=iris)
    return document


def collection_summary(*, story: Story, stats: CollectionStats, absolute_uri: AbsoluteUri) -> dict:
    """What a page says about the collection it is part of."""
    return {
        "id": absolute_uri(container_path(story)),
        "type": "AnnotationCollection",
        "label": collection_label(story),
        "total": stats.total,
        "modified": xsd_datetime(stats.modified),
    }


def collection_label(story: Story) -> str:
    return f"Notes on “{story.headline}”"


def collection_document(
    *,
    story: Story,
    stats: CollectionStats,
    paging: Paging,
    iris: bool,
    first_page: dict | None,
    absolute_uri: AbsoluteUri,
) -> dict:
    """The story's container: an LDP Basic Container that is an AnnotationCollection.

    `first_page` is the embedded first page, or None for a minimal container that only links its
    first and last pages. An empty collection has no pages to link.
    """
    container_uri = absolute_uri(container_path(story))
    document = {
        "@context": [ANNOTATION_CONTEXT, LDP_CONTEXT],
        "id": container_uri,
        "type": ["BasicContainer", "AnnotationCollection"],
        "label": collection_label(story),
        "total": stats.total,
        "modified": xsd_datetime(stats.modified),
    }
    if stats.total:
        document["first"] = first_page or page_uri(container_uri, 0, iris=iris)
        document["last"] = page_uri(container_uri, paging.last, iris=iris)
    return document
