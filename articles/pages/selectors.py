"""Querysets that feed reader pages, each stating exactly what it loads."""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects

from articles.caching.conditional import digest
from articles.caching.generation import current_state
from articles.models import (
    Annotation,
    Article,
    Author,
    Block,
    Byline,
    LeadImageRendition,
    Section,
    Tag,
    TaggedArticle,
)
from articles.pages.images import current_renditions
from articles.related.selectors import related_stories_for_page

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


def story_cards() -> QuerySet[Article]:
    """Published stories as cards, newest first: 1 query for the page, 1 for all bylines and
    1 for the image renditions of all the cards."""
    return (
        Article.objects.published()
        .newest_first()
        .select_related("section")
        .only(*CARD_FIELDS)
        .prefetch_related(
            bylines_prefetch(),
            Prefetch(
                "image_renditions",
                queryset=LeadImageRendition.objects.order_by("width"),
            ),
        )
    )


def public_tags() -> QuerySet[Tag]:
    """Tags of at least one published story. A tag only unpublished stories carry is as secret
    as they are: readers get no page or feed for it."""
    public = TaggedArticle.objects.filter(
        tag=OuterRef("pk"), content_object__in=Article.objects.published()
    )
    return Tag.objects.filter(Exists(public))


def public_authors() -> QuerySet[Author]:
    """Authors with a byline on at least one published story. An author only drafts or
    scheduled stories carry is as secret as they are: readers get no page, feed or search
    filter for them, and their name and bio stay unseen."""
    public = Byline.objects.filter(author=OuterRef("pk"), article__in=Article.objects.published())
    return Author.objects.filter(Exists(public))


def story_for_page(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """The story row and its section, in one query; `prefetch_story_page` loads the rest."""
    return queryset.select_related("section")


BLOCK_FIELDS = (
    "id",
    "article_id",
    "position",
    "kind",
    "key",
    "text",
    "teaser",
    "label",
    "target_url",
    # What an aside's link needs of its target: its address, and whether it is public.
    "target_article__id",
    "target_article__slug",
    "target_article__status",
    "target_article__published_at",
)
BYLINE_FIELDS = (
    "id",
    "article_id",
    "position",
    "author__id",
    "author__name",
    "author__slug",
    "author__x_handle",
)


def prefetch_story_page(article: Article) -> None:
    """Everything else a story page shows, in a fixed number of queries.

    1 bylines with authors, 1 tags, 1 body blocks with their aside targets, 1 notes, 1 related
    stories with their sections: five queries however long the story. The view loads the story
    row first, so that a reader whose copy is current gets a 304 without them.

    Django's `prefetch_related_objects` costs more than running the three lists' queries by
    hand and planting the results in the ORM's private prefetch cache, as this once did: about
    0.7 ms of a story page's 10.5 ms (best of five rounds, SQLite, test data; most of it in
    taggit's tag prefetch). Kept: the public API is worth that, and it is one place to change.

    A public story shows `Annotation.objects.public()`, the one definition readers get; only a
    staff preview of a story that is not public yet shows the notes it will have once it is.
    """
    prefetch_related_objects(
        [article],
        Prefetch(
            "bylines",
            queryset=Byline.objects.select_related("author")
            .only(*BYLINE_FIELDS)
            .order_by("position", "id"),
        ),
        "tags",
        Prefetch(
            "blocks",
            queryset=Block.objects.select_related("target_article")
            .only(*BLOCK_FIELDS)
            .order_by("position", "id"),
        ),
    )
    if article.is_public:
        notes = Annotation.objects.public()
    else:
        notes = Annotation.objects.published_on_any_story()
    # Each note names who wrote it: the author joins the same query.
    article.public_annotations = list(
        notes.filter(article=article).select_related("author").order_by("start", "id")
    )
    article.related_stories = related_stories_for_page(article)
    article.lead_renditions = current_renditions(article)


@dataclass(frozen=True)
class NavSection:
    name: str
    slug: str
    url: str


def nav_sections(request) -> list[NavSection]:
    """The sections in the header of every reader page, in the newsroom's order.

    Read once per content state and kept in the default cache (a renamed or added section
    moves the state on, so the menu is never stale), with their URLs already reversed: the
    menu is on every page, and its query and a dozen `reverse()` calls were a tenth of a
    story page's time.
    """
    sections = Section.objects.only("name", "slug")
    if request is None:
        return [NavSection(s.name, s.slug, s.get_absolute_url()) for s in sections]
    key = "nav:v1:" + digest(current_state(request).token)
    menu = cache.get(key)
    if menu is None:
        menu = [NavSection(s.name, s.slug, s.get_absolute_url()) for s in sections]
        cache.set(key, menu, 300)
    return menu
