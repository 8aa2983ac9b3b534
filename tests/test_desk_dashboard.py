"""The desk dashboard on the admin's index, the admin's wording, and the editors' time zone."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.ingest.models import FollowedSource
from articles.models import Block, Note, Story
from tests.factories import (
    AsideFactory,
    FactCheckNoteFactory,
    NoteFactory,
    ParagraphFactory,
    StoryFactory,
    TagFactory,
)

INDEX = reverse("admin:index")


def dashboard_counts(response) -> dict[str, tuple[int, str]]:
    """The dashboard's rows as an editor reads them: label -> (count, link)."""
    rows = re.findall(
        r'<li><a href="([^"]+)"><span class="desk-count">(\d+)</span> '
        r'<span class="desk-label">([^<]+)</span></a></li>',
        response.content.decode(),
    )
    return {label: (int(count), url.replace("&amp;", "&")) for url, count, label in rows}


@pytest.fixture
def desk(db):
    """Some of everything the desk must look at, in known numbers."""
    tagged = StoryFactory(tags=[TagFactory(name="Peru")])
    StoryFactory.create_batch(3)  # published, untagged
    StoryFactory(status=Story.Status.DRAFT)  # a draft without tags is no one's worry yet
    NoteFactory.create_batch(
        2, paragraph=ParagraphFactory(story=tagged), state=Note.State.SUBMITTED
    )
    NoteFactory(kind=Note.Kind.INTERNAL)
    NoteFactory()  # published: reviewed already
    NoteFactory(anchor_state=Note.AnchorState.ORPHANED, kind=Note.Kind.INTERNAL)
    FactCheckNoteFactory(
        body="See [the report](https://example.org/report).", state=Note.State.SUBMITTED
    )
    FactCheckNoteFactory(body="Checked by phone.", state=Note.State.DRAFT)
    AsideFactory.create_batch(2)
    AsideFactory(target_url="https://example.org/")
    # Imported stories: one waiting as a draft, one an editor published.
    StoryFactory(status=Story.Status.DRAFT, canonical_url="https://a.example/story-1/")
    StoryFactory(canonical_url="https://a.example/story-2/", tags=["Peru"])
    # Followed sources: one whose last check failed; a paused one, and one that read well.
    FollowedSource.objects.create(url="https://a.example/feed/", last_error="a: 404 Not Found")
    FollowedSource.objects.create(url="https://b.example/feed/", last_error="b: 503", active=False)
    FollowedSource.objects.create(url="https://c.example/feed/", last_summary="2 created")
    # Changed after its notes were last looked at.
    changed = NoteFactory(kind=Note.Kind.INTERNAL).story
    Note.objects.filter(story=changed).update(
        modified_at=timezone.now() - timezone.timedelta(days=2)
    )
    return changed


def test_dashboard_counts_what_needs_an_editor_and_links_each_list(editor_client, desk):
    counts = dashboard_counts(editor_client.get(INDEX))

    assert {label: count for label, (count, _) in counts.items()} == {
        "Notes awaiting review": 3,  # two context notes and the sourced fact-check
        "Orphaned notes": 1,
        "Unresolved read-more asides": 2,
        # The three, and the nine stories the notes' and asides' factories made.
        "Published stories without tags": 3 + 9,
        "Fact-checks without a source": 1,
        "Stories changed since their notes were reviewed": 1,
        "Imported stories waiting as drafts": 1,
        "Followed sources with problems": 1,
    }
    # Each count's list shows exactly the rows counted.
    for label, (count, url) in counts.items():
        response = editor_client.get(url)
        assert response.status_code == 200, label
        assert response.context["cl"].result_count == count, label


def test_dashboard_is_a_fixed_number_of_queries(editor_client, desk, django_assert_num_queries):
    AsideFactory.create_batch(20)
    # Session, user, permissions (2), eight counts, the recent actions, the inbox's unread count.
    with django_assert_num_queries(14):
        response = editor_client.get(INDEX)
    assert dashboard_counts(response)["Unresolved read-more asides"][0] == 22


def test_annotator_sees_only_the_counts_of_lists_they_may_open(annotator_client, desk):
    counts = dashboard_counts(annotator_client.get(INDEX))
    assert "Published stories without tags" not in counts
    assert "Followed sources with problems" not in counts
    assert "Notes awaiting review" in counts


def test_index_links_the_annotate_screen(editor_client):
    response = editor_client.get(INDEX)
    assertContains(
        response,
        f'<a href="{reverse("admin:articles_story_annotate_index")}" class="button">'
        "Annotate a story</a>",
        html=True,
    )


def test_story_list_links_each_story_to_its_annotate_screen(editor_client):
    story = StoryFactory(headline="Soldier killed")
    response = editor_client.get(reverse("admin:articles_story_changelist"))
    url = reverse("admin:articles_story_annotate", args=[story.pk])
    assertContains(
        response,
        f'<a href="{url}">Annotate<span class="visually-hidden"> “Soldier killed”</span></a>',
        html=True,
    )


def test_admin_uses_the_newsrooms_words(editor_client):
    response = editor_client.get(INDEX)
    assertContains(response, ">Stories</a>")
    assertContains(response, ">Read-more asides</a>")
    assertNotContains(response, "Body blocks")
    assertNotContains(response, ">Storys</a>")


def test_blocks_are_counted_from_one():
    assert str(Block(kind=Block.Kind.PARAGRAPH, position=0, text="First.")) == "Paragraph 1: First."


@pytest.mark.parametrize(
    "cookie, zone",
    [
        ("Europe/Paris", "Europe/Paris"),
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("../../etc/passwd", "America/New_York"),  # not a zone: the newsroom's own
        ("Nowhere/Atlantis", "America/New_York"),
    ],
)
def test_admin_pages_are_in_the_editors_own_time_zone(editor_client, cookie, zone):
    """The admin script compares this offset with the browser's: equal, it warns of nothing."""
    offset = int(datetime.now(ZoneInfo(zone)).utcoffset().total_seconds())
    editor_client.cookies["newsroom_tz"] = cookie
    response = editor_client.get(reverse("admin:articles_story_add"))
    assertContains(response, f'data-admin-utc-offset="{offset}"')


def test_reader_pages_keep_the_newsrooms_time_zone(client, db):
    story = StoryFactory(published_at=timezone.now().replace(hour=12, minute=0, second=0))
    client.cookies["newsroom_tz"] = "Asia/Tokyo"
    paris = client.get(story.get_absolute_url())
    client.cookies.pop("newsroom_tz")
    assert paris.content == client.get(story.get_absolute_url()).content
