"""What must follow a change to stories: their search index entries and related lists, and
the renditions of a new lead image.

Both are computed from committed rows by the task queue's worker (`manage.py db_worker`,
`articles.editing.tasks`), never in the editor's request: a related list costs 30–100 ms, so a
bulk action over 500 stories would hold the request for a minute. Every path that changes a
story's text, tags or status calls `stories_changed_on_commit`: the admin, its bulk actions,
tagging, publishing, asides, the importer. Once the change commits, one task per
`CHUNK_SIZE` stories is queued; it re-indexes them, then recomputes their related lists (which
match text through the index), purging the pages that change as it commits.

`refresh_stories_now` does the same work at once, for commands that must leave the stories
ready when they finish.
"""

from collections.abc import Iterable, Iterator
from functools import partial

from django.db import transaction

from articles.related.compute import recompute_related_bulk
from articles.search.index import index_stories

# Stories per queued task: a task holds one worker for about 200 × 30–100 ms at most.
CHUNK_SIZE = 200


def unique_story_ids(story_ids: Iterable[int]) -> list[int]:
    """Each id once, in order, without the Nones of unsaved stories."""
    return sorted({story_id for story_id in story_ids if story_id is not None})


def chunks(ids: list[int]) -> Iterator[list[int]]:
    """The ids, `CHUNK_SIZE` at a time: one task's worth each."""
    for start in range(0, len(ids), CHUNK_SIZE):
        yield ids[start : start + CHUNK_SIZE]


def refresh_stories_now(*, story_ids: Iterable[int]) -> None:
    """Re-index these stories, then recompute their related lists, here and now."""
    ids = unique_story_ids(story_ids)
    index_stories(story_ids=ids)
    recompute_related_bulk(story_ids=ids)


def enqueue_refresh(*, story_ids: Iterable[int]) -> int:
    """Queue the refresh of these stories, `CHUNK_SIZE` a task; returns how many stories."""
    # Imported here: the task module imports this one for the work itself.
    from articles.editing.tasks import refresh_stories

    ids = unique_story_ids(story_ids)
    for chunk in chunks(ids):
        refresh_stories.enqueue(story_ids=chunk)
    return len(ids)


def enqueue_reindex(*, story_ids: Iterable[int]) -> int:
    """Queue the re-indexing alone of these stories, `CHUNK_SIZE` a task; returns how many."""
    from articles.editing.tasks import reindex_stories

    ids = unique_story_ids(story_ids)
    for chunk in chunks(ids):
        reindex_stories.enqueue(story_ids=chunk)
    return len(ids)


def stories_changed_on_commit(*, story_ids: Iterable[int]) -> None:
    """Queue the refresh of these stories once the current transaction commits (at once,
    outside one); a rolled-back change queues nothing."""
    ids = unique_story_ids(
        story_ids
    )  # Evaluated now: a queryset's rows could change before commit.
    if ids:
        # Robust: the change that asked is committed and stands should queueing fail (it is
        # logged); `rebuild_search_index` and `recompute_related` repair what it missed.
        transaction.on_commit(partial(enqueue_refresh, story_ids=ids), robust=True)


def reindex_on_commit(*, story_ids: Iterable[int]) -> None:
    """Queue the re-indexing of these stories once the current transaction commits."""
    ids = unique_story_ids(story_ids)
    if ids:
        transaction.on_commit(partial(enqueue_reindex, story_ids=ids), robust=True)


def lead_image_changed_on_commit(*, story_id: int) -> None:
    """Queue the making of the story's lead image renditions once the change commits (the
    worker removes those of an image taken away)."""
    from articles.editing.tasks import make_renditions

    transaction.on_commit(partial(make_renditions.enqueue, story_id=story_id), robust=True)
