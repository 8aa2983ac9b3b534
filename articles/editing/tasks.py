"""The background work that follows editors' changes, run by the task queue's worker
(`manage.py db_worker`); queued by `articles.editing.refresh` once the change commits.

Tasks take ids, not objects: they run later, in another process, on committed rows. Each
purges the pages it changes, after its own commit.
"""

from django_tasks import task

from articles.editing.refresh import refresh_stories_now
from articles.models import Story
from articles.pages.images import make_lead_image_renditions
from articles.search.index import index_stories


@task()
def refresh_stories(*, story_ids: list[int]) -> int:
    """Re-index these stories, then recompute their related lists (which match through the
    index); returns how many stories."""
    refresh_stories_now(story_ids=story_ids)
    return len(story_ids)


@task()
def reindex_stories(*, story_ids: list[int]) -> int:
    """Recompute these stories' search index entries; returns how many stories."""
    index_stories(story_ids=story_ids)
    return len(story_ids)


@task()
def make_renditions(*, story_id: int) -> int:
    """Make the WebP renditions of the story's current lead image (and purge its pages, which
    then offer them); returns how many, 0 for a story deleted since."""
    story = Story.objects.filter(pk=story_id).first()
    if story is None:
        return 0
    return len(make_lead_image_renditions(story=story))
