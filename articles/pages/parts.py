"""Reader pages' costly parts, kept between purges apart from the pages: a story page's body
and related list, and each story's card in the lists.

A story page is its shell (the story row, bylines, tags, versions, lead image) around two
parts that cost most of its rendering: the **body** (blocks, asides and public notes, written
out with their margin notes, footnotes and corrections notice) and the **related list**. Each
part is kept in the page cache's store under the surrogate keys of what it shows, like the
section menu, and purged by the same writes (`invalidation.content_changed`):

- the body under its story (`story:<pk>`, `story-page:<pk>`: every save of the story, its
  blocks, asides and notes) and the stories its asides link (a target's new address, or its
  unpublishing, changes the link);
- the related list under its story's page (a recompute or an editor's pins purge it) and the
  stories and sections it names.

So a page purged for something else it shows (a related story's new headline, a tag or author
renamed, the section menu) is rendered again around the kept body, and a purge of the story's
own page renders both parts again. A part's keys join the page's (`Surrogate-Key`): a CDN purges
the page for the same writes.

A list page (front, section, tag, author, archives) is its rows around its cards: each card is
kept under its story, section and authors (`selectors.card_keys`), so a list purged because a
story joined it renders that story's card and reads the rest (the lead card, larger, is kept
apart from the plain one).

A part holds no model instances: HTML already escaped, and the few facts the page's structured
data needs of the notes. Its cache key carries a digest of its fields, so a deploy that changes
them never reads a part the old code kept. Staff previews of stories readers cannot see yet
compute their parts without keeping them.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString

from articles.caching import keys, store
from articles.caching.conditional import digest
from articles.models import Block, Note, PolicyPage, Story
from articles.pages.selectors import card_keys, prefetch_cards
from articles.pages.seo import opening, policy_url
from articles.pages.story import build_story_body, join_html
from articles.related.selectors import related_stories_for_page
from articles.templatetags.newsroom import related_stories, story_card

BLOCK_FIELDS = (
    "id",
    "story_id",
    "position",
    "kind",
    "key",
    "text",
    "teaser",
    "label",
    "target_url",
    # What an aside's link needs of its target: its address, and whether it is public.
    "target_story__id",
    "target_story__slug",
    "target_story__status",
    "target_story__published_at",
)


@dataclass(frozen=True)
class NoteFacts:
    """What a page's structured data says of a public note (ClaimReview, CorrectionComment)."""

    kind: str
    anchor_id: str
    fragment: str
    dated: datetime | None
    created_at: datetime | None
    text: str
    claim: str = ""
    verdict: str = ""
    correction_wrong: str = ""
    correction_right: str = ""


@dataclass(frozen=True)
class StoryBody:
    """A story's body as its page shows it, and what it depends on."""

    body_html: SafeString
    corrections_html: SafeString
    notes_html: SafeString
    note_count: int
    reading_minutes: int
    # The start of the first paragraph: the page's description when the story has no dek.
    opening: str
    notes: tuple[NoteFacts, ...]
    shows: frozenset[str]
    # An aside to a scheduled story becomes a link when that story comes due.
    next_aside_target: datetime | None


@dataclass(frozen=True)
class RelatedList:
    """A story's "Related stories" section, and the stories and sections it names."""

    html: SafeString
    shows: frozenset[str]


@dataclass(frozen=True)
class Card:
    """A story's card in a list (front, section, tag, author, archives), and what it shows:
    the story, its section and its authors."""

    html: SafeString
    shows: frozenset[str]


def cards_for(stories: list[Story], *, lead_first: bool = False) -> list[Card]:
    """The cards of a list's page of stories (rows from `selectors.card_stories`), the first
    as the lead card when `lead_first`: each kept between purges of what it shows, all read in
    one round trip to the store. Only the cards not kept load their bylines and renditions
    (2 queries) and are rendered; a page purged because one story joined the list renders one.
    """
    wanted = {
        _key("story-card-lead" if lead_first and n == 0 else "story-card", Card, story): (
            story,
            lead_first and n == 0,
        )
        for n, story in enumerate(stories)
    }
    found = store.get_many(wanted) if store.in_use() else {}
    missing = {cache_key: entry for cache_key, entry in wanted.items() if cache_key not in found}
    if missing:
        started = store.now() if store.in_use() else 0.0
        prefetch_cards([story for story, _ in missing.values()])
        built = {
            cache_key: Card(
                html=SafeString(story_card(story, lead=lead)),
                shows=frozenset(card_keys([story])),
            )
            for cache_key, (story, lead) in missing.items()
        }
        store.keep_many(
            {cache_key: (card, card.shows) for cache_key, card in built.items()},
            started=started,
            timeout=store.ttl(),
        )
        found.update(built)
    return [found[cache_key] for cache_key in wanted]


def _key(name: str, part: type, story: Story) -> str:
    fields = tuple(field.name for field in dataclasses.fields(part))
    return f"{name}:{digest(fields)}:{story.pk}"


def _timeout_until(moment: datetime | None) -> int:
    """The store's TTL, or less: a part is not kept past the moment it stops being true."""
    timeout = store.ttl()
    if moment is not None:
        timeout = max(1, min(timeout, int((moment - timezone.now()).total_seconds()) + 1))
    return timeout


def story_parts(story: Story) -> tuple[StoryBody, RelatedList]:
    """The story's body and related list, kept between purges for a public story: both read
    in one round trip to the store; a part not kept costs its queries (the body 2: blocks with
    their aside targets, notes with their authors; the related list 1) and is kept."""
    builds = {
        _key("story-body", StoryBody, story): lambda: _build_body(story),
        _key("story-related", RelatedList, story): lambda: _build_related(story),
    }
    if not story.is_public or not store.in_use():
        return tuple(build() for build in builds.values())
    found = store.get_many(builds)
    # Stamped before the first part is read from the rows: a purge since then keeps none.
    started = None
    built = {}
    result = []
    for cache_key, build in builds.items():
        part = found.get(cache_key)
        if part is None or _expired(part):
            started = store.now() if started is None else started
            part = built[cache_key] = build()
        result.append(part)
    if built:
        # Both no later than the body's next aside target comes due (rarely set; the related
        # list is then merely read again a little early).
        until = result[0].next_aside_target
        store.keep_many(
            {cache_key: (part, part.shows) for cache_key, part in built.items()},
            started=started,
            timeout=_timeout_until(until),
        )
    return tuple(result)


def _expired(part: StoryBody | RelatedList) -> bool:
    """Whether an aside's scheduled target has come due since the part was kept: the store's
    expiry runs on its own clock, the page on the site's."""
    until = getattr(part, "next_aside_target", None)
    return until is not None and until <= timezone.now()


def _build_body(story: Story) -> StoryBody:
    story.page_blocks = list(
        Block.objects.filter(story=story)
        .select_related("target_story")
        .only(*BLOCK_FIELDS)
        .order_by("position", "id")
    )
    # A public story shows `Note.objects.public()`, the one definition readers get; only a
    # staff preview of a story that is not public yet shows the notes it will have once it is.
    notes = Note.objects.public() if story.is_public else Note.objects.published_on_any_story()
    # Each note names who wrote it: the author joins the same query.
    story.public_notes = list(
        notes.filter(story=story).select_related("author").order_by("start", "id")
    )
    built = build_story_body(story)
    numbered = built["notes"]
    corrections_html = ""
    if built["corrections"]:
        corrections_html = render_to_string(
            "includes/story_corrections.html",
            {
                "corrections": built["corrections"],
                "corrections_policy_url": policy_url(PolicyPage.Kind.CORRECTIONS_POLICY),
            },
        )
    notes_html = ""
    if numbered:
        notes_html = render_to_string("includes/story_notes.html", {"notes": numbered})
    now = timezone.now()
    targets = [block.target_story for block in story.page_blocks if block.target_story_id]
    return StoryBody(
        body_html=join_html("\n", (item.as_html() for item in built["body"])),
        corrections_html=SafeString(corrections_html),
        notes_html=SafeString(notes_html),
        note_count=len(numbered),
        reading_minutes=built["reading_minutes"],
        # A dek is the description, and a new dek is a save of the story, which purges this.
        opening="" if story.dek else opening(story.page_blocks),
        notes=tuple(_facts(entry) for entry in numbered),
        shows=frozenset(
            {keys.story(story.pk), keys.story_page(story.pk)}
            | {keys.story(target.pk) for target in targets}
        ),
        next_aside_target=min(
            (
                target.published_at
                for target in targets
                if target.status == Story.Status.PUBLISHED
                and target.published_at is not None
                and target.published_at > now
            ),
            default=None,
        ),
    )


def _facts(numbered) -> NoteFacts:
    note = numbered.note
    return NoteFacts(
        kind=note.kind,
        anchor_id=numbered.anchor_id,
        fragment=numbered.fragment,
        dated=numbered.dated,
        created_at=note.created_at,
        # What a correction without its wrong and right words says (`seo.corrections_json_ld`).
        text=strip_tags(note.body_html or "").strip() if note.kind == Note.Kind.CORRECTION else "",
        claim=note.claim or "",
        verdict=note.verdict or "",
        correction_wrong=note.correction_wrong or "",
        correction_right=note.correction_right or "",
    )


def _build_related(story: Story) -> RelatedList:
    entries = related_stories_for_page(story)
    shows = {keys.story_page(story.pk)}
    for entry in entries:
        shows |= {keys.story(entry.related_id), keys.section(entry.related.section_id)}
    return RelatedList(html=SafeString(related_stories(entries)), shows=frozenset(shows))
