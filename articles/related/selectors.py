"""The query behind a story page's "Related stories": one prefetch, whatever the list holds."""

from django.db.models import Prefetch

from ..models import RelatedStory
from .compute import related_count

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


def related_stories_prefetch() -> Prefetch:
    """`article.related_stories`: at most N entries, pinned first, public stories only.

    Read from the related stories' own rows at request time, so a changed headline shows at once
    and a story unpublished later drops out without a recompute.
    """
    entries = (
        RelatedStory.objects.for_readers().select_related("related__section").only(*ENTRY_FIELDS)
    )
    return Prefetch(
        "related_entries", queryset=entries[: related_count()], to_attr="related_stories"
    )
