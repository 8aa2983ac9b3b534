"""Correction dates: the range they may lie in, the story "Updated" time they give, and pages
that stay up whatever time is stored (issue 11, item 1)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.data.plaintext import import_story_file
from articles.models import Note, Story
from articles.notes.editing import delete_note, update_note
from articles.notes.loading import NoteFileError, load_note_file
from articles.notes.review import withdraw_note
from articles.notes.services import reanchor_paragraph
from articles.templatetags.newsroom import dateline, iso_datetime, local_date
from tests.factories import CorrectionNoteFactory, ParagraphFactory, StoryFactory
from tests.test_admin import change_url, form_data
from tests.test_annotate_admin import new_note, note_url, notes_url, post_json

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2024, 6, 20, 23, 41, tzinfo=UTC)
YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)
YEAR_9999 = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)


@pytest.fixture
def story():
    return StoryFactory(published_at=PUBLISHED)


@pytest.fixture
def paragraph(story):
    return ParagraphFactory(story=story)


def correction_note(paragraph, corrected_at) -> dict:
    return new_note(
        paragraph,
        "coca plants",
        kind="correction",
        correction_wrong="poppies",
        correction_right="coca plants",
        corrected_at=corrected_at,
    )


def correction(paragraph, corrected_at, **kwargs) -> Note:
    return CorrectionNoteFactory(paragraph=paragraph, corrected_at=corrected_at, **kwargs)


def story_updated(story) -> datetime | None:
    story = Story.objects.get(pk=story.pk)
    return story.last_updated_at if story.was_updated else None


# The range a correction's time may lie in.


@pytest.mark.parametrize(
    ("corrected_at", "message"),
    [
        ("0001-01-01T00:00:00Z", "A correction cannot be dated before the story was published"),
        ("2024-06-20T23:40:00Z", "A correction cannot be dated before the story was published"),
        ("9999-12-31T23:59:59Z", "A correction cannot be dated in the future."),
        ("0001-01-01T00:00:00+14:00", "A correction cannot be dated before the story"),
        ("9999-12-31T23:59:59-12:00", "A correction cannot be dated in the future."),
    ],
)
def test_the_annotate_api_refuses_a_correction_time_out_of_range(
    editor_client, paragraph, corrected_at, message
):
    response = post_json(
        editor_client, notes_url(paragraph.story), correction_note(paragraph, corrected_at)
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"]["corrected_at"][0].startswith(message)
    assert not Note.objects.exists()
    assert story_updated(paragraph.story) is None


def test_a_correction_time_a_few_seconds_ahead_of_the_server_is_accepted(editor_client, paragraph):
    """An editor's clock may run a little fast."""
    ahead = (timezone.now() + timedelta(seconds=20)).isoformat()

    response = post_json(
        editor_client, notes_url(paragraph.story), correction_note(paragraph, ahead)
    )

    assert response.status_code == 201
    assert Note.objects.get().corrected_at == datetime.fromisoformat(ahead)


def test_changing_a_correction_to_before_publication_is_refused_by_the_service(paragraph, editor):
    note = correction(paragraph, PUBLISHED + timedelta(hours=1))

    with pytest.raises(ValidationError) as refused:
        update_note(
            note=note,
            version=note.version,
            fields={"corrected_at": PUBLISHED - timedelta(days=1)},
            user=editor,
        )

    assert "corrected_at" in refused.value.message_dict
    assert Note.objects.get(pk=note.pk).corrected_at == PUBLISHED + timedelta(hours=1)


def errors_dating_in_the_future(client, obj, *, form: str, field: str) -> list[str]:
    """Post `obj`'s admin change form (`form`) with `field` set to the last minute of 9999.

    The form must come back unsaved; returns its errors for `field`.
    """
    data = form_data(client.get(change_url(obj)), form)
    data[f"{field}_0"] = ["9999-12-31"]
    data[f"{field}_1"] = ["23:59:00"]
    response = client.post(change_url(obj), data)
    assert response.status_code == 200
    return response.context["adminform"].form.errors[field]


def test_the_note_admin_form_refuses_a_correction_time_in_the_future(editor_client, paragraph):
    note = correction(paragraph, PUBLISHED + timedelta(hours=1))

    errors = errors_dating_in_the_future(
        editor_client, note, form="note_form", field="corrected_at"
    )

    assert errors == ["A correction cannot be dated in the future."]
    assert Note.objects.get(pk=note.pk).corrected_at == PUBLISHED + timedelta(hours=1)


def test_the_story_form_refuses_an_updated_time_in_the_future(admin_client, story):
    errors = errors_dating_in_the_future(admin_client, story, form="story_form", field="updated_at")

    assert errors == ["A story cannot be updated in the future."]


@pytest.mark.parametrize(
    ("field", "date", "error"),
    [
        ("published_at", "0001-01-01", "A story cannot be published before 1800."),
        ("published_at", "9999-12-31", "A story can be scheduled at most five years ahead."),
        ("updated_at", "2000-01-01", "A story cannot be updated before it was published."),
    ],
)
def test_the_story_form_keeps_a_storys_times_inside_a_sane_calendar(
    admin_client, story, field, date, error
):
    """Year 1 or 9999 would overflow the admin's date arithmetic and every page's dates."""
    data = form_data(admin_client.get(change_url(story)), "story_form")
    data[f"{field}_0"] = [date]
    data[f"{field}_1"] = ["12:00:00"]

    response = admin_client.post(change_url(story), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [error]


def test_the_loader_refuses_a_correction_dated_before_its_story(tmp_path, seed_dir):
    import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt")
    data = json.loads(
        (seed_dir / "notes" / "vice-2014-06-20-peruvian-soldier-killed.json").read_text()
    )
    data["notes"][0]["corrected_at"] = "0001-01-01T00:00:00+00:00"
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(data))

    with pytest.raises(NoteFileError, match="cannot be dated before the story"):
        load_note_file(path)
    assert not Note.objects.exists()


# "Updated" follows the story's current public corrections.


def test_deleting_the_latest_correction_gives_the_story_its_previous_updated_time(
    paragraph, editor
):
    first = correction(paragraph, PUBLISHED + timedelta(hours=1))
    update_note(note=first, version=first.version, fields={"body": "Fixed."}, user=editor)
    latest = correction(paragraph, PUBLISHED + timedelta(days=2))
    update_note(note=latest, version=latest.version, fields={"body": "Ok."}, user=editor)
    assert story_updated(paragraph.story) == PUBLISHED + timedelta(days=2)

    delete_note(note=latest, version=latest.version + 1, user=editor)

    assert story_updated(paragraph.story) == PUBLISHED + timedelta(hours=1)


def test_deleting_the_year_9999_correction_restores_the_story(editor_client, story, paragraph):
    """A correction stored around the checks (a restored file) never dates the story, and
    deleting it leaves nothing behind."""
    note = correction(paragraph, PUBLISHED + timedelta(hours=1))
    Note.objects.filter(pk=note.pk).update(corrected_at=YEAR_9999)
    response = post_json(editor_client, note_url(note), {"version": note.version}, method="delete")
    assert response.status_code == 200

    assert story_updated(story) is None
    page = editor_client.get(story.get_absolute_url()).content.decode()
    assert "9999" not in page


def test_withdrawing_a_correction_takes_its_time_off_the_story(paragraph, editor):
    note = correction(paragraph, PUBLISHED + timedelta(hours=3))
    update_note(note=note, version=note.version, fields={"body": "Fixed."}, user=editor)
    assert story_updated(paragraph.story) == PUBLISHED + timedelta(hours=3)

    withdraw_note(note=note, version=note.version + 1, user=editor)

    assert story_updated(paragraph.story) is None


def test_an_orphaned_correction_no_longer_dates_the_story(paragraph, editor):
    note = correction(paragraph, PUBLISHED + timedelta(hours=3))
    update_note(note=note, version=note.version, fields={"body": "Fixed."}, user=editor)
    assert story_updated(paragraph.story) == PUBLISHED + timedelta(hours=3)
    old_text = paragraph.text
    paragraph.text = "An entirely different paragraph now."
    paragraph.save()

    reanchor_paragraph(paragraph=paragraph, old_text=old_text, user=editor)

    assert Note.objects.get(pk=note.pk).anchor_state == Note.AnchorState.ORPHANED
    assert story_updated(paragraph.story) is None


def test_the_editors_updated_time_stands_beside_the_corrections(paragraph, editor):
    story = paragraph.story
    Story.objects.filter(pk=story.pk).update(updated_at=PUBLISHED + timedelta(days=1))
    note = correction(paragraph, PUBLISHED + timedelta(days=2))
    update_note(note=note, version=note.version, fields={"body": "Fixed."}, user=editor)
    assert story_updated(story) == PUBLISHED + timedelta(days=2)

    delete_note(note=note, version=note.version + 1, user=editor)

    assert story_updated(story) == PUBLISHED + timedelta(days=1)


def test_deleting_a_correction_in_the_note_admin_refreshes_the_story(
    admin_client, paragraph, editor
):
    note = correction(paragraph, PUBLISHED + timedelta(hours=3))
    update_note(note=note, version=note.version, fields={"body": "Fixed."}, user=editor)
    assert story_updated(paragraph.story) == PUBLISHED + timedelta(hours=3)
    delete = reverse("admin:articles_note_delete", args=[note.pk])

    response = admin_client.post(delete, {"post": "yes"})

    assert response.status_code == 302
    assert story_updated(paragraph.story) is None


# Pages stay up whatever time is stored.


# A time near an end of the calendar leaves it once shifted into a zone on the far side of UTC.
AT_THE_ENDS = [(YEAR_ONE, "America/New_York"), (YEAR_9999, "Asia/Tokyo")]


@pytest.mark.parametrize(("stored", "zone"), AT_THE_ENDS)
def test_a_stored_time_at_the_ends_of_the_calendar_does_not_take_pages_down(
    client, settings, story, paragraph, stored, zone
):
    settings.TIME_ZONE = zone
    note = correction(paragraph, PUBLISHED + timedelta(hours=1))
    Note.objects.filter(pk=note.pk).update(corrected_at=stored)
    Story.objects.filter(pk=story.pk).update(updated_at=stored)

    for url in (
        story.get_absolute_url(),
        reverse("articles:front"),
        reverse("articles:feed-rss"),
        reverse("articles:feed-atom"),
        reverse("articles:annotation-container", args=[story.slug]),
        reverse("articles:annotation", args=[note.pk]),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(("stored", "zone"), AT_THE_ENDS)
def test_time_filters_show_nothing_for_a_time_with_no_place_in_the_site_zone(stored, zone):
    with timezone.override(zone):
        assert iso_datetime(stored) == ""
        assert dateline(stored) == ""
        assert local_date(stored, "F j, Y") == ""


def test_time_filters_show_an_ordinary_time_in_the_site_zone():
    assert iso_datetime(PUBLISHED) == "2024-06-20T19:41:00-04:00"
    assert dateline(PUBLISHED) == "Jun 20 2024, 7:41pm"
    assert local_date(PUBLISHED, "F j, Y") == "June 20, 2024"
