"""Querysets that feed reader pages, each stating exactly what it loads."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects

from .models import Annotation, Article, Block, Byline, Tag, TaggedArticle
from .related.selectors import related_stories_for_page

CARD_FIELDS = (
    "id",
    "headline",
    "slug",
    "dek",
    "published_at",
    "updated_at",
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
    """Published stories as cards, newest first: 1 query for the page + 1 for all bylines."""
    return (
        Article.objects.published()
        .newest_first()
        .select_related("section")
        .only(*CARD_FIELDS)
        .prefetch_related(bylines_prefetch())
    )


def public_tags() -> QuerySet[Tag]:
    """Tags of at least one published story. A tag only unpublished stories carry is as secret
    as they are: readers get no page or feed for it."""
    public = TaggedArticle.objects.filter(
        tag=OuterRef("pk"), content_object__in=Article.objects.published()
    )
    return Tag.objects.filter(Exists(public))


def story_for_page(queryset: QuerySet[Article]) -> QuerySet[Article]:
    """The story row and its section, in one query; `prefetch_story_page` loads the rest."""
    return queryset.select_related("section")


def prefetch_story_page(article: Article) -> None:
    """Everything else a story page shows, in a fixed number of queries.

    1 bylines with authors, 1 tags, 1 body blocks with their aside targets, 1 public
    annotations, 1 related stories with their sections: five queries however long the story.
    The view loads the story row first, so that a reader whose copy is current gets a 304
    without them.
    """
    blocks = Block.objects.select_related("target_article").order_by("position", "id")
    annotations = Annotation.objects.published_notes().order_by("start", "id")
    prefetch_related_objects(
        [article],
        bylines_prefetch(),
        "tags",
        Prefetch("blocks", queryset=blocks),
        Prefetch("annotations", queryset=annotations, to_attr="public_annotations"),
    )
    article.related_stories = related_stories_for_page(article)
