"""Keeping the search index current.

Nothing updates the index behind your back: whatever changes a story's searchable text (its
headline, dek, tags, paragraphs or asides) calls `articles.editing.refresh`, which queues
`index_stories` for the task worker once the change commits: the importer, the admin after a
story and its body blocks are saved, after bulk tag changes, for every story of a renamed,
deleted or merged tag. A restore calls `refresh_search_index_on_commit`, which re-indexes
in-process. Section and author names are not indexed. Search starts from
`Story.objects.published()`; on SQLite the index also holds public stories only, because
bm25's statistics span the table (see `sqlite`), so publishing, unpublishing and rescheduling
re-index a story too, and `index_stories_come_due` adds scheduled stories as they come due.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from articles.caching import keys
from articles.caching.invalidation import content_changed
from articles.models import Story
from articles.search import backends

# Until when every public story is known to be in a public-only index (a moment, in the cache).
DUE_HORIZON_KEY = "search:due-horizon:v1"


def index_stories(*, story_ids: Iterable[int]) -> None:
    """Recompute the index entries of these stories, in one transaction."""
    ids = sorted(set(story_ids))
    if not ids:
        return
    with transaction.atomic():
        backends.current().index_stories(ids)
        # Search results may change with a public story's entry (a draft's is never found).
        if Story.objects.published().filter(pk__in=ids).exists():
            content_changed([keys.EVERY_STORY])


def index_story(*, story_id: int) -> None:
    """Recompute one story's index entry."""
    index_stories(story_ids=[story_id])


def refresh_search_index_on_commit(*, story_ids: Iterable[int]) -> None:
    """Re-index these stories once the current transaction commits (now, outside one).

    The index is computed in the database from committed rows, so it must run after the
    paragraphs, tags and story are all saved; a rolled-back change leaves the index alone.
    """
    ids = list(story_ids)  # Evaluated now: a queryset's rows could change before commit.
    # Robust: the change that asked is committed and stands should indexing fail (it is
    # logged); `rebuild_search_index` repairs the index.
    transaction.on_commit(lambda: index_stories(story_ids=ids), robust=True)


def _batches(batch_size: int) -> Iterator[list[int]]:
    ids = list(Story.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        yield ids[start : start + batch_size]


def rebuild_search_index(*, batch_size: int = 500) -> int:
    """Re-index every story, a batch per transaction, and drop entries of deleted stories.

    Readers keep finding stories throughout: entries are replaced, never emptied first.
    Returns how many stories were indexed.
    """
    with transaction.atomic():
        backends.current().prune_index()
    count = 0
    for batch in _batches(batch_size):
        index_stories(story_ids=batch)
        count += len(batch)
    return count


def index_stories_come_due(*, latest_due: datetime | None) -> int:
    """Add to a public-only index the scheduled stories that have come due since last asked.

    A scheduled story becomes public by time passing, with no write to re-index it. `latest_due`
    is the content state's publication time of the latest story to have come due (read for
    every reader page anyway): when it is no later than the moment of the last check, nothing
    came due since, and this costs no query. Otherwise the stories due since then (all public
    stories, when the cache has forgotten that moment) that are missing from the index are
    indexed. Returns how many.
    """
    engine = backends.current()
    if not engine.PUBLIC_ONLY:
        return 0
    horizon = cache.get(DUE_HORIZON_KEY)
    if horizon is not None and (latest_due is None or latest_due <= horizon):
        return 0
    # Taken before the query, whose own "now" is later: nothing due by then is missed.
    now = timezone.now()
    due = Story.objects.published()
    if horizon is not None:
        due = due.filter(published_at__gt=horizon)
    missing = list(engine.unindexed(due).values_list("pk", flat=True))
    index_stories(story_ids=missing)
    cache.set(DUE_HORIZON_KEY, now, None)
    return len(missing)
