"""The publishing services the admin's publish and unpublish actions call."""

from datetime import UTC, datetime

import pytest
from django.contrib.admin.models import LogEntry

from articles.editing.publishing import publish_stories, unpublish_stories
from articles.models import Story
from tests.factories import ParagraphFactory, StoryFactory
from tests.test_search import headlines, index_everything, search

pytestmark = pytest.mark.django_db
DATED = datetime(2014, 6, 20, 23, 41, tzinfo=UTC)


def test_publishing_keeps_a_set_time_stamps_a_missing_one_and_bumps_versions(editor):
    dated = StoryFactory(status=Story.Status.DRAFT, published_at=DATED)
    undated = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    already = StoryFactory()

    changed = publish_stories(story_ids=[dated.pk, undated.pk, already.pk], user=editor)

    assert sorted(story.pk for story in changed) == sorted([dated.pk, undated.pk])
    dated.refresh_from_db()
    undated.refresh_from_db()
    assert (dated.status, dated.published_at, dated.version) == ("published", DATED, 2)
    assert undated.status == "published" and undated.published_at is not None
    assert undated.version == 2
    already.refresh_from_db()
    assert already.version == 1
    messages = LogEntry.objects.filter(user=editor).values_list("object_id", "change_message")
    assert sorted(messages) == sorted(
        [(str(dated.pk), "Published."), (str(undated.pk), "Published.")]
    )


def test_unpublishing_returns_stories_to_drafts_and_takes_them_out_of_search(
    client, editor, django_capture_on_commit_callbacks
):
    story = ParagraphFactory(text="Gallium is scarce.").story
    draft = StoryFactory(status=Story.Status.DRAFT)
    index_everything()
    assert headlines(search(client, q="gallium")) == [story.headline]

    with django_capture_on_commit_callbacks(execute=True):
        changed = unpublish_stories(story_ids=[story.pk, draft.pk], user=editor)

    assert [story.pk for story in changed] == [story.pk]
    story.refresh_from_db()
    assert (story.status, story.version) == ("draft", 2)
    assert headlines(search(client, q="gallium")) == []
    assert list(LogEntry.objects.values_list("change_message", flat=True)) == ["Unpublished."]
