"""`edit_story`: a story's fields changed as the change form changes them, with everything that
follows a save (version, queued refresh, purges) and the same edit-conflict rule."""

import pytest
from django.test import Client

from articles.editing.stories import edit_story
from articles.editing.versions import VersionConflict
from articles.models import Story, StoryVersion
from tests.factories import StaffFactory
from tests.tasks import queued
from tests.test_invalidation import newsroom, purged_pages, warm  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return StaffFactory(username="desk", is_superuser=True)


def test_a_new_dek_purges_the_story_and_the_lists_showing_it(
    newsroom,  # noqa: F811 - the fixture
    editor,
    django_capture_on_commit_callbacks,
):
    reader = Client()
    warm(reader)
    story = Story.objects.get(pk=newsroom["a"].pk)

    with django_capture_on_commit_callbacks(execute=True):
        edit_story(story=story, version=story.version, user=editor, dek="A new standfirst.")

    assert purged_pages(reader) == {
        "story-a",
        "front",
        "section-world",
        "tag-peru",
        "author-kayla",
        "feed-world",
    }
    assert "A new standfirst." in reader.get("/stories/coca-raid/").content.decode()
    assert StoryVersion.objects.filter(story=story).count() == 1
    assert queued() == [("refresh_stories", {"story_ids": [story.pk]})]


def test_a_field_no_card_shows_purges_the_story_page_only(
    newsroom,  # noqa: F811 - the fixture
    editor,
    django_capture_on_commit_callbacks,
):
    reader = Client()
    warm(reader)
    story = Story.objects.get(pk=newsroom["a"].pk)

    with django_capture_on_commit_callbacks(execute=True):
        edit_story(story=story, version=story.version, user=editor, image_credit="AP/Lima")

    assert purged_pages(reader) == {"story-a"}


def test_a_stale_version_writes_nothing(newsroom, editor):  # noqa: F811 - the fixture
    story = Story.objects.get(pk=newsroom["a"].pk)
    stale = story.version
    Story.objects.filter(pk=story.pk).update(version=stale + 1)

    with pytest.raises(VersionConflict):
        edit_story(story=story, version=stale, user=editor, dek="Written over.")

    assert Story.objects.get(pk=story.pk).dek != "Written over."
    assert not StoryVersion.objects.filter(story=story).exists()
