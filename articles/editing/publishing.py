"""Publishing and unpublishing stories: the one path the admin's actions (and tests) take.

Each call is one transaction: the status change, a new version for every story it changes (so a
change form opened before cannot write the old status back), an admin log entry per story, and,
once committed, the search index and related lists of those stories queued for the task worker
(`articles.editing.refresh`); publishing notifies the stories' authors and the webhooks
(`articles.notifications.events`).
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.caching.invalidation import content_changed, story_keys
from articles.editing.history import record_versions
from articles.editing.refresh import stories_changed_on_commit
from articles.models import Story
from articles.notifications import events


def publish_stories(*, story_ids, user) -> list[Story]:
    """Publish the stories; one without a publication time is published as of now.

    Returns the stories that changed (those already published with a time are left alone).
    """
    with transaction.atomic():
        to_publish = list(
            Story.objects.filter(pk__in=story_ids)
            .exclude(status=Story.Status.PUBLISHED, published_at__isnull=False)
            .only("pk", "headline")
        )
        now = timezone.now()
        Story.objects.filter(pk__in=[story.pk for story in to_publish]).update(
            status=Story.Status.PUBLISHED,
            published_at=Coalesce("published_at", Value(now)),
            modified_at=now,
            version=F("version") + 1,
        )
        record_versions(story_ids=[story.pk for story in to_publish], user=user)
        _stories_changed(to_publish, user=user, message="Published.")
        content_changed(story_keys([story.pk for story in to_publish], scheduled=True))
        for story in Story.objects.filter(pk__in=[story.pk for story in to_publish]):
            events.story_published(story=story, by=user)
        return to_publish


def unpublish_stories(*, story_ids, user) -> list[Story]:
    """Return the published stories among `story_ids` to drafts; returns those that changed.

    Publication times stay, for when they come back.
    """
    with transaction.atomic():
        to_unpublish = list(
            Story.objects.filter(pk__in=story_ids, status=Story.Status.PUBLISHED).only(
                "pk", "headline"
            )
        )
        # The lists they leave, named before they leave them.
        shown = story_keys([story.pk for story in to_unpublish], scheduled=True)
        Story.objects.filter(pk__in=[story.pk for story in to_unpublish]).update(
            status=Story.Status.DRAFT, modified_at=timezone.now(), version=F("version") + 1
        )
        # On SQLite the search index holds public stories only (bm25's statistics span it).
        _stories_changed(to_unpublish, user=user, message="Unpublished.")
        content_changed(shown)
        return to_unpublish


def _stories_changed(stories: list[Story], *, user, message: str) -> None:
    if stories:
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=stories, action_flag=CHANGE, change_message=message
        )
    stories_changed_on_commit(story_ids=[story.pk for story in stories])
