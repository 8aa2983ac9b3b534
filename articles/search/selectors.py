"""The queries behind the search page: ranked results, and each hit's best matching paragraph.

A results page costs the same number of queries however many stories it shows: the count, the
page of cards (from `Story.objects.published()`, via `story_cards`), their bylines, and one
query for the best paragraph of every story on the page.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from articles.models import Author, Section, Story, Tag
from articles.pages.selectors import story_cards
from articles.search import backends
from articles.search.query import SearchTerms
from articles.search.snippets import Sentinels

# Far enough apart for any archive, near enough that time-zone arithmetic never overflows.
EARLIEST_DATE = date(1800, 1, 1)
LATEST_DATE = date(2999, 12, 31)


@dataclass(frozen=True)
class SearchFilters:
    """What to narrow the results to; None for no narrowing."""

    section: Section | None = None
    tag: Tag | None = None
    author: Author | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class SearchHit:
    """A story in the results, linking to its best matching paragraph when there is one."""

    story: Story
    url: str
    snippet: SafeString | None = None


def _start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def filter_stories(stories: QuerySet[Story], filters: SearchFilters) -> QuerySet[Story]:
    """Narrow stories to a section, tag, author and days (inclusive, in the site's time zone)."""
    if filters.section:
        stories = stories.filter(section=filters.section)
    if filters.tag:
        stories = stories.filter(tagged_items__tag=filters.tag)
    if filters.author:
        stories = stories.filter(bylines__author=filters.author)
    if filters.since:
        stories = stories.filter(published_at__gte=_start_of(filters.since))
    if filters.until and filters.until < LATEST_DATE:
        stories = stories.filter(published_at__lt=_start_of(filters.until + timedelta(days=1)))
    return stories


def search_stories(*, terms: SearchTerms, filters: SearchFilters) -> QuerySet[Story]:
    """Published stories matching `terms` as cards, most relevant first (newest among equals)."""
    return backends.current().rank_matches(filter_stories(story_cards(), filters), terms)


def search_hits(stories: Iterable[Story], *, terms: SearchTerms) -> list[SearchHit]:
    """The stories of one results page, each with its best paragraph's link and extract.

    A story that matched only in its headline, dek or tags links to the story itself.
    """
    stories = list(stories)
    if not stories:
        return []
    sentinels = Sentinels.fresh()
    best = backends.current().best_blocks(
        [story.pk for story in stories], terms, start=sentinels.start, stop=sentinels.stop
    )
    hits = []
    for story in stories:
        url = story.get_absolute_url()
        match = best.get(story.pk)
        if match is None:
            hits.append(SearchHit(story=story, url=url))
        else:
            hits.append(
                SearchHit(
                    story=story, url=f"{url}#p-{match.key}", snippet=sentinels.to_html(match.raw)
                )
            )
    return hits
