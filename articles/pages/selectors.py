"""Querysets that feed reader pages, each stating exactly what it loads."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, Min, OuterRef, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from articles.caching import keys, store
from articles.caching.conditional import digest
from articles.models import (
    Author,
    Byline,
    LeadImageRendition,
    Section,
    Story,
    Tag,
    TaggedStory,
    TagRedirect,
)
from articles.pages.images import current_renditions

CARD_FIELDS = (
    "id",
    "headline",
    "slug",
    "dek",
    "published_at",
    "updated_at",
    "corrected_at",
    "lead_image",
    "lead_image_url",
    "lead_image_copy",
    "lead_image_copied_from",
    "image_alt",
    "section__id",
    "section__name",
    "section__slug",
)


def bylines_prefetch() -> Prefetch:
    return Prefetch(
        "bylines",
        queryset=Byline.objects.select_related("author").order_by("position", "id"),
    )


# What a card shows of its authors: their names, linking to their pages.
CARD_BYLINE_FIELDS = ("id", "story_id", "position", "author__id", "author__name", "author__slug")


def card_stories() -> QuerySet[Story]:
    """Published stories as the rows of cards, newest first, with their sections: 1 query.
    `prefetch_cards` loads what the cards to render also show."""
    return Story.objects.published().newest_first().select_related("section").only(*CARD_FIELDS)


def card_prefetches() -> list[Prefetch]:
    """A card's bylines and image renditions, as plain lists on each story (`card_bylines`,
    `card_renditions`): reading them through the related managers (`story.bylines.all()`)
    built a queryset per card per use, 40 on a page of twenty cards, 0.9 ms of the front
    page's 9.5 ms (bench database, in-process, best of five rounds of 30)."""
    return [
        Prefetch(
            "bylines",
            queryset=Byline.objects.select_related("author")
            .only(*CARD_BYLINE_FIELDS)
            .order_by("position", "id"),
            to_attr="card_bylines",
        ),
        Prefetch(
            "image_renditions",
            queryset=LeadImageRendition.objects.order_by("width"),
            to_attr="card_renditions",
        ),
    ]


def story_cards() -> QuerySet[Story]:
    """Published stories as cards, newest first: 1 query for the page, 1 for all bylines and
    1 for the image renditions of all the cards."""
    return card_stories().prefetch_related(*card_prefetches())


def prefetch_cards(stories: list[Story]) -> None:
    """The bylines and renditions of these cards' stories (`card_stories`): 2 queries, none
    for no stories."""
    if stories:
        prefetch_related_objects(stories, *card_prefetches())


def public_tags() -> QuerySet[Tag]:
    """Tags of at least one published story. A tag only unpublished stories carry is as secret
    as they are: readers get no page or feed for it."""
    public = TaggedStory.objects.filter(
        tag=OuterRef("pk"), content_object__in=Story.objects.published()
    )
    return Tag.objects.filter(Exists(public))


def redirected_tag(slug: str) -> Tag | None:
    """The public tag that an old tag address (a merged tag's, an old slug) now leads to."""
    redirect = TagRedirect.objects.filter(slug=slug).values("tag").first()
    if redirect is None:
        return None
    return public_tags().filter(pk=redirect["tag"]).only("pk", "slug").first()


def public_authors() -> QuerySet[Author]:
    """Authors with a byline on at least one published story. An author only drafts or
    scheduled stories carry is as secret as they are: readers get no page, feed or search
    filter for them, and their name and bio stay unseen."""
    public = Byline.objects.filter(author=OuterRef("pk"), story__in=Story.objects.published())
    return Author.objects.filter(Exists(public))


def story_for_page(queryset: QuerySet[Story]) -> QuerySet[Story]:
    """The story row and its section, in one query; `prefetch_story_page` loads the rest."""
    return queryset.select_related("section")


TAG_FIELDS = ("id", "name", "slug")
BYLINE_FIELDS = (
    "id",
    "story_id",
    "position",
    "author__id",
    "author__name",
    "author__slug",
    "author__x_handle",
)


def prefetch_story_page(story: Story) -> None:
    """The story page's shell around its body and related list (`parts`, kept between
    purges): 1 bylines with authors, 1 tags, and the lead image's renditions, however long the
    story. The view loads the story row first.

    The lists are plain attributes of the story (`page_bylines`, `page_tags`,
    `lead_renditions`): the page reads them, never `story.bylines.all()`. Plain queries cost
    less than `prefetch_related_objects` (taggit's prefetch of tags alone: 0.65 ms against
    0.34 ms; seed story, bench database, best of five rounds of 200).
    """
    story.page_bylines = list(
        Byline.objects.filter(story=story)
        .select_related("author")
        .only(*BYLINE_FIELDS)
        .order_by("position", "id")
    )
    story.page_tags = sorted(
        Tag.objects.filter(tagged_stories__content_object=story).only(*TAG_FIELDS),
        key=lambda tag: tag.name.lower(),
    )
    story.lead_renditions = current_renditions(story)


def story_page_keys(story: Story) -> set[str]:
    """What a story page's shell shows (after `prefetch_story_page`): the story, its section,
    authors and tags, the section menu, and the policy pages its structured data links. Its
    body and related list add their own (`parts`)."""
    found = {
        keys.story(story.pk),
        keys.story_page(story.pk),
        keys.section(story.section_id),
        keys.SECTION_MENU,
        keys.POLICIES,
    }
    found |= {keys.author(byline.author_id) for byline in story.page_bylines}
    found |= {keys.tag(tag.pk) for tag in story.page_tags}
    return found


def card_keys(stories: Iterable[Story]) -> set[str]:
    """What story cards show (from `story_cards`): each story, its section and its authors."""
    found = set()
    for story in stories:
        found |= {keys.story(story.pk), keys.section(story.section_id)}
        found |= {keys.author(byline.author_id) for byline in story.card_bylines}
    return found


def next_scheduled(filters: dict, *, key: str) -> datetime | None:
    """When the next scheduled story of a list (`filters` of published stories) comes due:
    the moment the list changes with no write.

    Kept under the list's `key` until that moment: scheduling a story, or moving its time,
    purges the lists it will join (`invalidation.story_keys(scheduled=True)`), so between
    those writes the answer only changes when the moment passes. A list page then asks no
    query for it (one query, 0.7 ms of a front page's 8 ms, when it is not kept).
    """
    now = timezone.now()
    identity = tuple(sorted((name, getattr(value, "pk", value)) for name, value in filters.items()))
    cache_key = "due:v1:" + digest(identity)
    kept = store.get(cache_key)
    if kept is not None and (kept[0] is None or kept[0] > now):
        return kept[0]
    started = store.now()
    scheduled = Story.objects.filter(status=Story.Status.PUBLISHED, published_at__gt=now, **filters)
    due = scheduled.aggregate(due=Min("published_at"))["due"]
    timeout = store.ttl()
    if due is not None:
        timeout = max(1, min(timeout, int((due - now).total_seconds()) + 1))
    # In a tuple: None ("nothing scheduled") is an answer to keep, not a missing entry.
    store.keep(cache_key, (due,), keys={key}, started=started, timeout=timeout)
    return due


def list_count(queryset: QuerySet, *, identity: tuple, key: str, until: datetime | None) -> int:
    """How many stories a list holds, kept until the list changes.

    The count changes only when a story joins or leaves the list, which purges the list's key
    (or a story's, for a story unpublished), or when a scheduled story comes due, so it is kept
    until then: a 42,000-story tag is counted once per change, not on every page rendered.
    """
    timeout = store.ttl()
    if until is not None:
        timeout = max(1, min(timeout, int((until - timezone.now()).total_seconds()) + 1))
    return store.remember(
        "count:v2:" + digest(identity), queryset.count, keys={key}, timeout=timeout
    )


@dataclass(frozen=True)
class NavSection:
    name: str
    slug: str
    url: str


def nav_sections(request) -> list[NavSection]:
    """The sections in the header of every reader page, in the newsroom's order.

    Kept until a change to the sections purges `keys.SECTION_MENU`, with their URLs already
    reversed: the menu is on every page, and its query and a dozen `reverse()` calls were a
    tenth of a story page's time.
    """

    def menu():
        sections = Section.objects.only("name", "slug")
        return [NavSection(s.name, s.slug, s.get_absolute_url()) for s in sections]

    if request is None:
        return menu()
    return store.remember("nav:v2", menu, keys={keys.SECTION_MENU})
