"""The query behind a story page's "Related stories": one prefetch, whatever the list holds."""

from articles.models import Article, RelatedStory
from articles.related.compute import related_count

# What the list shows of each related story: headline link, section, date.
ENTRY_FIELDS = (
    "id",
    "article_id",
    "source",
    "position",
    "related__id",
    "related__headline",
    "related__slug",
    "related__published_at",
    "related__section__id",
    "related__section__name",
    "related__section__slug",
)


def related_stories_for_page(article: Article) -> list[RelatedStory]:
    """A story page's "Related stories": at most N entries, pinned first, public stories only.

    One query, read from the related stories' own rows at request time, so a changed headline
    shows at once and a story unpublished later drops out without a recompute. A reader sees
    only pinned and computed entries, and "pinned" sorts after "computed", so a descending
    `source` puts an editor's pins first (the model's own CASE ordering, which also places
    exclusions, costs the ORM several milliseconds to compile on every page).
    """
    entries = (
        RelatedStory.objects.for_readers()
        .filter(article=article)
        .select_related("related__section")
        .only(*ENTRY_FIELDS)
        .order_by("-source", "position", "id")
    )
    return list(entries[: related_count()])
