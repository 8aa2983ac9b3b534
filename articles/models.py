"""The newsroom's data: sections, authors, stories, their body blocks, tags and notes.

Models hold data. Operations that touch several models (importing, publishing, re-anchoring
notes) live in their own modules and are called explicitly.

Glossary: the code uses the newsroom's own nouns; "note" is kept only where the W3C Web
Note standard is meant (`articles.notes.w3c`, which exports each public note as a W3C
note).

    Story               a story ("stories")
    Block               body block: a paragraph (Kind.PARAGRAPH) or a Read-more aside
                        (Kind.ASIDE); a `Note.paragraph` is the block a note is on
    Note                a context note, source, fact-check, correction or internal note
    NoteReply           reply (in a note's discussion)
    NoteRevision        note history entry
    ReadMoreAside       read-more aside, as the admin lists them (a proxy of Block)
    TaggedStory         tag on a story
    TagSynonym, TagRedirect, TagChange
                        another name for a tag, an old tag address, tag history entry
    RelatedStory        related story (an entry of a story's "Related stories")
    OldSlug             old address (it redirects to the story)
"""

import secrets
import string
from functools import cached_property, lru_cache

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from articles.search.schema import PostgresGinIndex
from articles.text.markup import render_markdown, safe_http_url
from articles.text.slugs import tag_slug

BLOCK_KEY_ALPHABET = string.ascii_lowercase + "234567"

# Every text staff can write is bounded, so that no save, render or re-anchoring has unbounded
# work to do (bench/worst_input.py times the worst allowed input of each kind). The limits are on
# the fields, so the admin forms, the annotate screen's API and the importer all share them.
# A note or reply: about 3,000 words, far beyond any real note.
NOTE_BODY_MAX_LENGTH = 20_000
# A fact-check's claim: a quoted statement, a paragraph or two.
CLAIM_MAX_LENGTH = 5_000
# A paragraph of a story (and so any quote in it): about 3,000 words; news paragraphs are well
# under 1,000 characters, and the longest the importer has seen is the seed story's 2,752.
BLOCK_TEXT_MAX_LENGTH = 20_000
# A story's dek (standfirst): a sentence or two.
DEK_MAX_LENGTH = 1_000
# An author's short biography.
BIO_MAX_LENGTH = 5_000
# A section's or a tag's description on its page.
DESCRIPTION_MAX_LENGTH = 2_000


@lru_cache(maxsize=8192)
def _reversed(urlconf, prefix: str, name: str, slug: str) -> str:
    return reverse(name, urlconf=urlconf, kwargs={"slug": slug})


def slug_url(name: str, slug: str) -> str:
    """`reverse(name, kwargs={"slug": slug})`, remembered: a list page links the same sections,
    authors and stories on every view. The result depends only on the URLconf, the script
    prefix and the slug, which are the key.

    Measured before keeping it: a call costs about 5 µs remembered against 18 µs through
    `reverse()`, and the front page (20 cards) renders in 7.3 ms with it against 8.8 ms without
    (best of six rounds of 60 renders, SQLite, test data): about 17% of the page.
    """
    return _reversed(get_urlconf(), get_script_prefix(), name, slug)


class BoundedTextField(models.TextField):
    """A TextField whose `max_length` model validation enforces too, as a CharField's is.

    Django passes a TextField's `max_length` to its form field only; with the validator here
    `full_clean()` (the importer, the note loader) refuses the same text the forms do.
    """

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(self.max_length)]


class WebURLField(models.URLField):
    """A URL field whose forms read a bare "example.org" as https, as Django 6 will."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


def new_block_key() -> str:
    """A short random permanent id for a body block, used in `#p-<key>` permalinks."""
    return "".join(secrets.choice(BLOCK_KEY_ALPHABET) for _ in range(10))


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("articles:section", self.slug)


class Author(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    bio = BoundedTextField(
        blank=True, max_length=BIO_MAX_LENGTH, help_text="A short plain-text biography."
    )
    x_handle = models.CharField(
        "X/Twitter handle", max_length=50, blank=True, help_text="Without the @."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The staff login of this author, if they have one.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return slug_url("articles:author", self.slug)

    @property
    def x_url(self) -> str:
        return f"https://x.com/{self.x_handle}" if self.x_handle else ""


class SocialNetwork(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    INSTAGRAM = "instagram", "Instagram"
    LINKEDIN = "linkedin", "LinkedIn"
    THREADS = "threads", "Threads"
    WEBSITE = "website", "Website"


class SocialProfile(models.Model):
    """An author's profile on a network other than X (which lives on the author row)."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="social_profiles")
    network = models.CharField(max_length=20, choices=SocialNetwork.choices)
    url = WebURLField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "network"], name="one_profile_per_network")
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.get_network_display()}"


class Tag(TagBase):
    """A taggit tag with a description shown on its tag page."""

    description = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Every page linking a tag needs its URL, and an empty slug has none.
            models.CheckConstraint(condition=~Q(slug=""), name="tag_slug_not_empty")
        ]

    def get_absolute_url(self) -> str:
        return slug_url("articles:tag", self.slug)

    def slugify(self, tag: str, i: int | None = None) -> str:
        """taggit's hook for a new tag's slug (and its `i`th alternative when taken): usable
        whatever the name, see `slugs.tag_slug`."""
        return tag_slug(tag, number=i, max_length=self._meta.get_field("slug").max_length)


class TaggedStory(ItemBase):
    """Taggit's through model with a real foreign key to the story (fast joins, integrity)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_stories")
    content_object = models.ForeignKey(
        "Story", on_delete=models.CASCADE, related_name="tagged_items", verbose_name="story"
    )

    class Meta:
        verbose_name = "tag on a story"
        verbose_name_plural = "tags on stories"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tag_once_per_story")
        ]


class TagSynonym(models.Model):
    """Another name for a tag: a story given this name is given the tag (`editing.tagging`)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="synonyms")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="tag_synonym_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TagRedirect(models.Model):
    """An address a tag used to have: a tag merged into this one, or this tag's old slug.

    Its tag page and feeds answer with a permanent redirect to the tag's own.
    """

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="redirects")
    slug = models.CharField(max_length=100, unique=True)
    old_name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug"]
        verbose_name = "old tag address"
        verbose_name_plural = "old tag addresses"

    def __str__(self) -> str:
        return self.slug


class TagChange(models.Model):
    """Who changed a tag, when, and how: the tags' history (kept after a tag is gone)."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        RENAMED = "renamed", "Renamed"
        EDITED = "edited", "Edited"
        MERGED = "merged", "Merged into another tag"
        MERGED_IN = "merged-in", "Took in a merged tag"
        SYNONYM_ADDED = "synonym-added", "Synonym added"
        SYNONYM_REMOVED = "synonym-removed", "Synonym removed"
        DELETED = "deleted", "Deleted"

    tag = models.ForeignKey(
        Tag, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    tag_name = models.CharField(max_length=100, help_text="The tag's name at the time.")
    action = models.CharField(max_length=20, choices=Action.choices)
    detail = models.CharField(max_length=500, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "tag history entry"
        verbose_name_plural = "tag history"

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.tag_name}"


def published_stories(via: str = "") -> Q:
    """The one definition of "public" as a filter: published, and its publication time has come.

    `via` reaches the story through a relation ("story__", "related__"), for rows that
    belong to a public story. Filtering on the joined story rather than on `story__in=<the
    published stories>` spares the ORM a subquery to compile: 0.2 ms of CPU time for each of
    the story page's notes and related-stories queries (1.45 ms against 1.25 ms, and 1.40 ms
    against 1.18 ms, bench database, best of five rounds of 200).
    """
    return Q(**{f"{via}status": Story.Status.PUBLISHED, f"{via}published_at__lte": timezone.now()})


class StoryQuerySet(models.QuerySet):
    def published(self):
        """The one definition of "public" (`published_stories`) as a queryset."""
        return self.filter(published_stories())

    def newest_first(self):
        return self.order_by("-published_at", "-id")


class StoryManager(models.Manager.from_queryset(StoryQuerySet)):
    def get_queryset(self):
        # The search vector is large and only the database reads it; loading it would slow
        # every page, and saving an instance loaded with it could write back a stale vector.
        return super().get_queryset().defer("search_vector")


class Story(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    headline = models.CharField(max_length=300)
    slug = models.SlugField(max_length=255, unique=True)
    dek = BoundedTextField(
        "dek",
        blank=True,
        max_length=DEK_MAX_LENGTH,
        help_text="The standfirst under the headline.",
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="stories")
    authors = models.ManyToManyField(Author, through="Byline", related_name="stories")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Readers see the story from this time on."
    )
    updated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text='Shown to readers as "Updated" when later than the publication time '
        "(and than the latest public correction).",
    )
    # Derived, never set by hand: `articles.notes.corrections.refresh_story_corrected`
    # recomputes it whenever a correction is created, changed, hidden or deleted.
    corrected_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="The time of the story's latest public correction.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    lead_image = models.ImageField(upload_to="lead-images/%Y/%m/", blank=True)
    lead_image_url = WebURLField(
        blank=True,
        max_length=500,
        help_text="Used when no image file is uploaded: the task worker keeps a copy of it.",
    )
    # The newsroom's own copy of the image at `lead_image_url`, fetched by the task worker
    # (`articles.ingest.images`): pages show it, not the publisher's file, while the address is
    # the one it was copied from. An upload (`lead_image`) always comes first.
    lead_image_copy = models.ImageField(
        upload_to="lead-images/copies/%Y/%m/", blank=True, editable=False
    )
    lead_image_copied_from = models.URLField(max_length=500, blank=True, editable=False)
    lead_image_copy_error = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="Why the image at the address could not be copied, when it could not.",
    )
    image_credit = models.CharField(max_length=200, blank=True, help_text='e.g. "AP/Martin Mejia"')
    image_caption = models.CharField(max_length=500, blank=True)
    image_alt = models.CharField("image alt text", max_length=300, blank=True)

    source_url = WebURLField(blank=True, max_length=500, help_text="Where it was imported from.")
    import_key = models.CharField(
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The story's identity in imported files (the file's name without .txt), "
        "so that re-imports update in place.",
    )
    import_source = models.CharField(
        max_length=1024,
        blank=True,
        default="",
        editable=False,
        help_text="The file the story was imported from; another file of the same name is "
        "refused unless the import is asked to replace the story.",
    )
    canonical_url = models.CharField(
        "canonical address",
        max_length=500,
        blank=True,
        default="",
        editable=False,
        help_text="The story's identity on the web: its canonical URL, or the feed's GUID or the "
        "agency's ninjs uri, so that re-imports of the page, feed or export update it in place.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    tags = TaggableManager(through=TaggedStory, blank=True)
    # Kept current by articles.search.index (PostgreSQL; SQLite searches its FTS5 tables).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = StoryManager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="story_public_idx"),
            PostgresGinIndex(fields=["search_vector"], name="story_search_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["canonical_url"],
                condition=~Q(canonical_url=""),
                name="story_canonical_url_unique",
            )
        ]
        permissions = [("publish_story", "Can publish stories")]
        verbose_name = "story"
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.headline

    def get_absolute_url(self) -> str:
        return slug_url("articles:story", self.slug)

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def lead_image_file(self):
        """The image file pages show: the upload, else the copy of the image at the address
        (while the address is the one it was copied from), else None."""
        if self.lead_image:
            return self.lead_image
        if (
            self.lead_image_copy
            and self.lead_image_url
            and self.lead_image_copied_from == self.lead_image_url
        ):
            return self.lead_image_copy
        return None

    @property
    def needs_lead_image_copy(self) -> bool:
        """Whether the worker should fetch the image at the address: there is one, no upload
        comes before it, and it is not the address of the copy kept."""
        return bool(
            self.lead_image_url
            and not self.lead_image
            and self.lead_image_copied_from != self.lead_image_url
        )

    @property
    def image_src(self) -> str:
        shown = self.lead_image_file
        if shown:
            return shown.url
        # Only an http(s) address ever reaches an `src`, whatever was stored.
        return safe_http_url(self.lead_image_url)

    @property
    def last_updated_at(self):
        """When readers are told the story changed: the editor's "Updated" time or its latest
        public correction, whichever is later (None when it has neither)."""
        return max((t for t in (self.updated_at, self.corrected_at) if t), default=None)

    @property
    def was_updated(self) -> bool:
        updated = self.last_updated_at
        return bool(updated and self.published_at and updated > self.published_at)


class Byline(models.Model):
    """An author's place in a story's byline; bylines are ordered."""

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="bylines", verbose_name="story"
    )
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["story", "author"], name="author_once_per_byline")
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.story}"


class OldSlug(models.Model):
    """A slug a story used to have; its URL answers with a permanent redirect."""

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="old_slugs", verbose_name="story"
    )
    slug = models.SlugField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.slug


class RelatedSource(models.TextChoices):
    """Where a related-story entry comes from (`RelatedStory.Source`)."""

    PINNED = "pinned", "Pinned by an editor"
    COMPUTED = "computed", "Computed"
    EXCLUDED = "excluded", "Excluded by an editor"


# The order of a story's related entries by source, stated rather than left to the alphabet:
# pinned first, then computed, then exclusions (editors see those last; readers never do).
RELATED_SOURCE_RANK = models.Case(
    models.When(source=RelatedSource.PINNED, then=models.Value(0)),
    models.When(source=RelatedSource.COMPUTED, then=models.Value(1)),
    default=models.Value(2),
)


class RelatedStoryQuerySet(models.QuerySet):
    def for_readers(self):
        """Entries a reader may see: pinned or computed, pointing at a public story.

        Filtered when read, so a related story that is unpublished later vanishes at once.
        """
        return self.exclude(source=RelatedStory.Source.EXCLUDED).filter(
            published_stories(via="related__")
        )


class RelatedStory(models.Model):
    """One entry of a story's "Related stories" list.

    Computed entries are rewritten by `articles.related.compute`, which stores the score and the
    reason shown to editors. An editor's entries survive every recompute: pinned ones come first,
    in the editor's order; excluded ones are never suggested for this story nor shown.
    """

    Source = RelatedSource

    # Indexed by the unique constraint below, which leads with the story.
    story = models.ForeignKey(
        Story,
        on_delete=models.CASCADE,
        related_name="related_entries",
        db_index=False,
        verbose_name="story",
    )
    related = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="+", verbose_name="related story"
    )
    # An entry an editor adds by hand is a pin; the computation writes its own as "computed".
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PINNED)
    position = models.PositiveSmallIntegerField(default=0)
    score = models.FloatField(default=0.0, editable=False)
    reason = models.CharField(max_length=300, blank=True, editable=False)

    objects = RelatedStoryQuerySet.as_manager()

    class Meta:
        # Pinned first, then computed (best first), then exclusions.
        ordering = [RELATED_SOURCE_RANK, "position", "id"]
        verbose_name_plural = "related stories"
        constraints = [
            models.UniqueConstraint(fields=["story", "related"], name="related_once_per_story"),
            models.CheckConstraint(
                condition=~Q(related=models.F("story")), name="related_is_another_story"
            ),
        ]

    def __str__(self) -> str:
        return str(self.related)


class BlockQuerySet(models.QuerySet):
    def paragraphs(self):
        return self.filter(kind=Block.Kind.PARAGRAPH)

    def asides(self):
        return self.filter(kind=Block.Kind.ASIDE)

    def unresolved_asides(self):
        return self.asides().filter(target_story__isnull=True, target_url="")


class Block(models.Model):
    """One block of a story's body: a paragraph, or a "Read more here." aside.

    `key` is the block's permanent identity: notes and `#p-<key>` permalinks hold on to it
    while the block moves or its text changes.
    """

    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", "Paragraph"
        ASIDE = "aside", "Read-more aside"

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="blocks", verbose_name="story"
    )
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PARAGRAPH)
    key = models.CharField(max_length=16, default=new_block_key, editable=False)
    text = BoundedTextField(
        blank=True, max_length=BLOCK_TEXT_MAX_LENGTH, help_text="The paragraph's text."
    )
    teaser = models.CharField(
        max_length=300, blank=True, help_text="Aside: the line that invites the reader."
    )
    label = models.CharField(
        max_length=100, blank=True, default="Read more here.", help_text="Aside: the link text."
    )
    target_story = models.ForeignKey(
        Story,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_asides",
        verbose_name="target story",
        help_text="Aside: the story it links to.",
    )
    target_url = WebURLField(
        blank=True, max_length=500, help_text="Aside: an external link, when not one of ours."
    )

    objects = BlockQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["story", "key"], name="block_key_unique_in_story"),
            models.CheckConstraint(
                condition=Q(kind="paragraph") | Q(text=""), name="only_paragraphs_have_text"
            ),
        ]
        indexes = [models.Index(fields=["story", "position"], name="block_order_idx")]
        verbose_name = "body block"

    def __str__(self) -> str:
        body = self.text if self.kind == self.Kind.PARAGRAPH else self.teaser
        # Editors count from 1; the stored position counts from 0.
        return f"{self.get_kind_display()} {self.position + 1}: {body[:60]}"

    @property
    def fragment(self) -> str:
        return f"p-{self.key}"

    @property
    def is_paragraph(self) -> bool:
        return self.kind == self.Kind.PARAGRAPH

    @property
    def annotatable_text(self) -> str:
        """The text notes anchor in: a paragraph's text, or an aside's teaser."""
        return self.text if self.kind == self.Kind.PARAGRAPH else self.teaser

    @property
    def is_resolved(self) -> bool:
        return bool(self.target_story_id or self.target_url)


class ReadMoreAside(Block):
    """The read-more asides, as the admin lists them: blocks of `Kind.ASIDE`, with permissions
    of their own (an aside's link is fixed by people who may not edit the story's body)."""

    class Meta:
        proxy = True
        verbose_name = "read-more aside"


class NoteQuerySet(models.QuerySet):
    def published_on_any_story(self):
        """Published notes whatever their story's state, drafts included: not for readers.

        What a note needs of itself to be shown (published, anchored, not internal), without the
        story's half. A staff preview of a draft shows these, and a story's `corrected_at` is
        stamped from them so that it is right the moment the story is published; every reader
        surface uses `public()`.
        """
        return self.filter(
            state=Note.State.PUBLISHED,
            anchor_state=Note.AnchorState.ANCHORED,
            paragraph__isnull=False,
        ).exclude(kind=Note.Kind.INTERNAL)

    def public(self):
        """The one definition of a reader-visible note: a published note on a public story.

        Drafts, notes submitted for review and withdrawn notes are never public, nor is an
        internal note (which never leaves the draft state: a database constraint).
        """
        return self.published_on_any_story().filter(published_stories(via="story__"))

    def awaiting_review(self):
        """Notes submitted for review and not yet published or sent back."""
        return self.filter(state=Note.State.SUBMITTED)

    def orphaned(self):
        return self.filter(anchor_state=Note.AnchorState.ORPHANED)


class Note(models.Model):
    """A note an editor attaches to a passage of one block (a paragraph, or an aside's teaser).

    The field is called `paragraph` because that is what editors annotate nearly always; the
    anchor's offsets count Unicode code points in `paragraph.annotatable_text`.
    """

    class Kind(models.TextChoices):
        CONTEXT = "context", "Context note"
        SOURCE = "source", "Source"
        FACT_CHECK = "factcheck", "Fact-check"
        CORRECTION = "correction", "Correction"
        INTERNAL = "internal", "Internal note"

        @property
        def own_fields(self) -> tuple[str, ...]:
            """The fields only this kind of note uses; every other kind keeps them empty.

            The one statement of which kind has which fields: the annotate screen (its form,
            its API and, through the page's JSON state, its script), the admin's fieldsets,
            the loader and the W3C export all read it.
            """
            return {
                "source": ("source_url", "source_title"),
                "factcheck": ("claim", "verdict"),
                "correction": ("correction_wrong", "correction_right", "corrected_at"),
            }.get(self.value, ())

    class State(models.TextChoices):
        """Where a note is in review: readers see published notes only (`public()`).

        Annotators write drafts and submit them; editors publish, send back and withdraw
        (`notes.review`, which holds the transitions). Internal notes stay drafts.
        """

        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class AnchorState(models.TextChoices):
        ANCHORED = "anchored", "Anchored"
        ORPHANED = "orphaned", "Orphaned"

    class Verdict(models.TextChoices):
        TRUE = "true", "True"
        MOSTLY_TRUE = "mostly-true", "Mostly true"
        HALF_TRUE = "half-true", "Half true"
        MOSTLY_FALSE = "mostly-false", "Mostly false"
        FALSE = "false", "False"
        UNVERIFIABLE = "unverifiable", "Unverifiable"

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="notes", verbose_name="story"
    )
    paragraph = models.ForeignKey(
        Block,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
        help_text="The block whose text is annotated: a paragraph, or an aside's teaser.",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CONTEXT)
    body = BoundedTextField(
        blank=True,
        max_length=NOTE_BODY_MAX_LENGTH,
        help_text="Markdown: *emphasis*, **strong**, [links](…).",
    )
    body_html = models.TextField(blank=True, editable=False)

    # The anchor: the quoted passage with its context, and code-point offsets in the paragraph.
    quote_exact = BoundedTextField(max_length=BLOCK_TEXT_MAX_LENGTH)
    quote_prefix = models.CharField(max_length=64, blank=True)
    quote_suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    anchor_state = models.CharField(
        max_length=10, choices=AnchorState.choices, default=AnchorState.ANCHORED
    )

    # Kind-specific fields (which kind has which: `Kind.own_fields`).
    source_url = WebURLField("source link", blank=True, max_length=500)
    source_title = models.CharField(max_length=300, blank=True)
    claim = BoundedTextField(
        blank=True, max_length=CLAIM_MAX_LENGTH, help_text="Fact-check: the claim being checked."
    )
    verdict = models.CharField(max_length=15, choices=Verdict.choices, blank=True)
    correction_wrong = models.CharField("what was wrong", max_length=500, blank=True)
    correction_right = models.CharField("what is right", max_length=500, blank=True)
    corrected_at = models.DateTimeField(null=True, blank=True)

    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # Who last submitted it for review: that person may not also publish it where a second
    # person is required (`settings.NEWSROOM_NOTES_SECOND_PERSON`).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = NoteQuerySet.as_manager()

    # Every field that only some kinds use (sources, fact-checks and corrections), in order.
    KIND_SPECIFIC_FIELDS = tuple(name for kind in Kind for name in kind.own_fields)

    class Meta:
        ordering = ["paragraph_id", "start", "id"]
        indexes = [
            models.Index(fields=["story", "state"], name="note_story_state_idx"),
            models.Index(fields=["state"], name="note_state_idx"),
            models.Index(fields=["anchor_state"], name="note_anchor_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="quote_not_empty"),
            # Internal notes are for editors: never submitted, published or withdrawn.
            models.CheckConstraint(
                condition=~Q(kind="internal") | Q(state="draft"), name="internal_notes_stay_drafts"
            ),
        ]
        permissions = [
            # Annotators change their own notes only (`notes.permissions`); this lifts that.
            ("change_any_note", "Can change and delete anyone's notes"),
            ("publish_note", "Can publish, send back and withdraw notes"),
        ]
        verbose_name = "note"
        verbose_name_plural = "notes"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on “{self.quote_exact[:40]}”"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    @property
    def is_public(self) -> bool:
        """Whether this note, on a public story, is shown to readers."""
        return (
            self.state == self.State.PUBLISHED
            and self.kind != self.Kind.INTERNAL
            and self.anchor_state == self.AnchorState.ANCHORED
        )


class NoteReply(models.Model):
    """A message in a note's internal discussion thread."""

    note = models.ForeignKey(
        Note, on_delete=models.CASCADE, related_name="replies", verbose_name="note"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = BoundedTextField(max_length=NOTE_BODY_MAX_LENGTH)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(
        "edited",
        null=True,
        blank=True,
        editable=False,
        help_text="When its author last changed it.",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "reply"
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"Reply by {self.author} on note {self.note_id}"

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class NoteRevision(models.Model):
    """Who changed a note, when, and what it looked like before and after."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        REPLIED = "replied", "Replied"
        REPLY_EDITED = "reply-edited", "Reply edited"
        REPLY_DELETED = "reply-deleted", "Reply deleted"
        REANCHORED = "reanchored", "Re-anchored"
        MOVED = "moved", "Moved with its words"
        ORPHANED = "orphaned", "Orphaned"
        REATTACHED = "reattached", "Re-attached"
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent-back", "Sent back to draft"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DELETED = "deleted", "Deleted"

    note = models.ForeignKey(
        Note,
        null=True,
        on_delete=models.SET_NULL,
        related_name="revisions",
        verbose_name="note",
    )
    note_ref = models.PositiveBigIntegerField(
        "note id", help_text="The note's id, kept after the note is deleted."
    )
    story = models.ForeignKey(
        Story,
        null=True,
        on_delete=models.SET_NULL,
        related_name="note_revisions",
        verbose_name="story",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "note history entry"
        verbose_name_plural = "note history"

    def __str__(self) -> str:
        return f"{self.get_action_display()} note {self.note_ref}"


class StoryVersion(models.Model):
    """One published state of a story's text: headline, dek and body blocks, as readers saw it.

    A new version is recorded whenever a published story's text changes (admin save, publishing,
    re-import; `articles.editing.history.record_version`). Editors classify a change: a typo fix
    is listed on the story's Changes page but not announced; a correction or an update is.
    """

    class Kind(models.TextChoices):
        FIRST = "first", "First published"
        EDIT = "edit", "Edit"
        TYPO = "typo", "Typo fix"
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    class Origin(models.TextChoices):
        ADMIN = "admin", "Admin"
        IMPORT = "import", "Import"
        RESTORE = "restore", "Restore"

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="text_versions", verbose_name="story"
    )
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EDIT)
    summary = models.CharField(
        max_length=500, blank=True, help_text="What changed, for readers (corrections, updates)."
    )
    headline = models.CharField(max_length=300)
    dek = models.TextField(blank=True)
    # [{"key", "kind", "text", "teaser", "label", "target"}] in reading order.
    blocks = models.JSONField(default=list)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADMIN)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["story", "number"]
        constraints = [
            models.UniqueConstraint(fields=["story", "number"], name="story_version_number_unique")
        ]
        verbose_name = "text version"

    def __str__(self) -> str:
        return f"{self.story_id} v{self.number}"


class PolicyPage(models.Model):
    """A page in which the newsroom states how it works: its publishing principles and its
    corrections policy. Each story's structured data links them (`publishingPrinciples`,
    `correctionsPolicy`); editors write them in the admin."""

    class Kind(models.TextChoices):
        PUBLISHING_PRINCIPLES = "publishing-principles", "Publishing principles"
        CORRECTIONS_POLICY = "corrections-policy", "Corrections policy"

    kind = models.CharField(max_length=30, choices=Kind.choices, unique=True)
    title = models.CharField(max_length=200)
    body = BoundedTextField(
        max_length=NOTE_BODY_MAX_LENGTH, help_text="Markdown: *emphasis*, **strong**, [links](…)."
    )
    body_html = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind"]
        verbose_name = "newsroom policy page"

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:policy", kwargs={"kind": self.kind})


class LeadImageRendition(models.Model):
    """A smaller WebP copy of a story's uploaded lead image, for the page's `srcset`
    (made by `articles.pages.images.make_lead_image_renditions`)."""

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="image_renditions", verbose_name="story"
    )
    # The upload it was made from: a new upload makes the old renditions stale.
    source_name = models.CharField(max_length=255)
    image = models.ImageField(upload_to="renditions/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()

    class Meta:
        ordering = ["story", "width"]
        verbose_name = "lead image rendition"

    def __str__(self) -> str:
        return f"{self.source_name} at {self.width}px"


# Import jobs and notifications keep their models beside the code that writes them
# (`articles.ingest`, `articles.notifications`).
from articles.ingest.models import FollowedSource, ImportJob, ImportUpload  # noqa: E402, F401
from articles.notifications.models import Notification, WebhookDelivery  # noqa: E402, F401
