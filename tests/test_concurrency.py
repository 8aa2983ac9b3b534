"""No lost updates: of two editors who start from one version, the second is told, not saved."""

import threading

import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from articles.admin.stories import StoryAdmin
from articles.editing.versions import VersionConflict, claim_version
from articles.models import Note, Story, Tag
from articles.notes.editing import EditConflict
from tests.factories import (
    AuthorFactory,
    NoteFactory,
    ParagraphFactory,
    StaffFactory,
    StoryFactory,
    note_on,
)
from tests.test_admin import change_url, form_data
from tests.test_annotate_admin import note_url, post_json
from tests.test_reanchor_on_edit import PASTE, body_form, field, save

pytestmark = pytest.mark.django_db

STORIES = reverse("admin:articles_story_changelist")
CONFLICT = "Your changes below have not been saved."


@pytest.fixture
def ana(db):
    """The other editor, who gets there first."""
    return StaffFactory(username="ana", first_name="Ana", last_name="Ruiz", groups=["Editors"])


@pytest.fixture
def ana_client(ana):
    client = Client()
    client.force_login(ana)
    return client


def note_form(client, note: Note) -> dict[str, list[str]]:
    return form_data(client.get(change_url(note)), "note_form")


def refused(client, obj, data):
    """Post a change form that must come back with a conflict, and return the page."""
    response = client.post(change_url(obj), data)
    assert response.status_code == 200
    assertContains(response, CONFLICT)
    return response


def assert_change_listed(response, label: str, before: str, after: str) -> None:
    assertContains(response, f"<li>{label}: “{before}” → “{after}”</li>", html=True)


# Stories


def refused_standfirst_after_a_retitle(editor_client, ana_client):
    """Ana retitles a story the editor has open; the editor's new standfirst is then refused.

    Returns the story and the refused response.
    """
    story = StoryFactory(headline="Soldier killed in valley", dek="The old standfirst.")
    mine = body_form(editor_client, story)
    theirs = body_form(ana_client, story)
    theirs["headline"] = ["Soldier killed in ambush"]
    save(ana_client, story, theirs)
    mine["dek"] = ["My new standfirst."]
    return story, refused(editor_client, story, mine)


def assert_retitle_and_standfirst_both_kept(story) -> None:
    story.refresh_from_db()
    assert (story.headline, story.dek, story.version) == (
        "Soldier killed in ambush",
        "My new standfirst.",
        3,
    )


def test_a_save_from_a_stale_story_form_is_refused_with_who_changed_what(editor_client, ana_client):
    story, response = refused_standfirst_after_a_retitle(editor_client, ana_client)

    assertContains(response, "Someone else saved this story after you opened it: Ana Ruiz (")
    assertContains(response, ": Changed Headline)")
    assert_change_listed(
        response, "Headline", "Soldier killed in valley", "Soldier killed in ambush"
    )
    assertContains(response, "My new standfirst.</textarea>")  # my input, kept to merge
    story.refresh_from_db()
    assert story.headline == "Soldier killed in ambush"
    assert story.dek == "The old standfirst."
    assert story.version == 2

    fresh = body_form(editor_client, story)
    fresh["dek"] = ["My new standfirst."]
    save(editor_client, story, fresh)
    assert_retitle_and_standfirst_both_kept(story)


def test_saving_the_refused_form_again_after_merging_keeps_both_changes(editor_client, ana_client):
    """The form comes back based on the stored version: saving it again is a choice, not a loop."""
    story, response = refused_standfirst_after_a_retitle(editor_client, ana_client)
    merged = form_data(response, "story_form")

    merged["headline"] = ["Soldier killed in ambush"]
    save(editor_client, story, merged)

    assert_retitle_and_standfirst_both_kept(story)


def test_a_stale_story_form_writes_none_of_its_body_tags_or_bylines(editor_client, ana_client):
    story = StoryFactory()
    first = ParagraphFactory(story=story, position=0, text="Four men were detained.")
    second = ParagraphFactory(story=story, position=1, text="The army seized paste.")
    mine = body_form(editor_client, story)
    theirs = body_form(ana_client, story)
    theirs[field(theirs, first, "text")] = ["Five men were detained."]
    save(ana_client, story, theirs)

    mine[field(mine, second, "text")] = ["The army seized 31 backpacks of paste."]
    mine["tags"] = ["coca"]
    mine["bylines-TOTAL_FORMS"] = ["1"]
    mine["bylines-0-author"] = [str(AuthorFactory().pk)]
    mine["bylines-0-position"] = ["0"]
    response = refused(editor_client, story, mine)

    assert_change_listed(
        response, "Paragraph 1", "Four men were detained.", "Five men were detained."
    )
    second.refresh_from_db()
    assert second.text == "The army seized paste."
    assert not story.tags.exists() and not story.bylines.exists()
    assert Story.objects.get(pk=story.pk).version == 2

    fresh = body_form(editor_client, story)
    fresh[field(fresh, second, "text")] = ["The army seized 31 backpacks of paste."]
    save(editor_client, story, fresh)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.text == "Five men were detained."
    assert second.text == "The army seized 31 backpacks of paste."


def test_a_bulk_publish_makes_a_form_opened_before_it_conflict(editor_client, ana_client):
    """Otherwise the stale form would quietly turn the story back into a draft."""
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None, dek="Old dek.")
    mine = body_form(editor_client, story)
    ana_client.post(
        STORIES, {"action": "publish_stories", "_selected_action": [story.pk], "index": 0}
    )

    mine["dek"] = ["New dek."]
    response = refused(editor_client, story, mine)

    assertContains(response, "Ana Ruiz (")
    assertContains(response, ": Published)")
    assert_change_listed(response, "Status", "Draft", "Published")
    story.refresh_from_db()
    assert story.status == Story.Status.PUBLISHED
    assert story.dek == "Old dek."
    assert story.version == 2


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("publish_stories", {}),
        ("unpublish_stories", {}),
        ("add_tags_to_stories", {"apply": "1", "tags": "quechua"}),
        ("remove_tags_from_stories", {"apply": "1", "tags": "vraem"}),
    ],
)
def test_each_bulk_action_gives_the_stories_it_changes_one_new_version(
    editor_client, action, extra
):
    story = StoryFactory(
        status=Story.Status.DRAFT if action == "publish_stories" else Story.Status.PUBLISHED,
        tags=["vraem"],
    )
    untouched = StoryFactory(tags=["vraem"])

    editor_client.post(
        STORIES, {"action": action, "_selected_action": [story.pk], "index": 0, **extra}
    )

    assert Story.objects.get(pk=story.pk).version == 2
    assert Story.objects.get(pk=untouched.pk).version == 1


def test_a_bulk_tag_makes_a_form_opened_before_it_conflict(editor_client, ana_client):
    story = StoryFactory()
    mine = body_form(editor_client, story)
    ana_client.post(
        STORIES,
        {
            "action": "add_tags_to_stories",
            "_selected_action": [story.pk],
            "apply": "1",
            "tags": "quechua",
        },
    )

    mine["dek"] = ["New dek."]
    response = refused(editor_client, story, mine)

    assertContains(response, "<li>Tags: <em>(empty)</em> → “quechua”</li>", html=True)
    assert list(Story.objects.get(pk=story.pk).tags.names()) == ["quechua"]


def test_one_editor_saving_twice_in_a_row_never_conflicts(editor_client):
    story = StoryFactory(dek="First.")
    for dek in ("Second.", "Third."):
        data = body_form(editor_client, story)
        data["dek"] = [dek]
        save(editor_client, story, data)
    story.refresh_from_db()
    assert (story.dek, story.version) == ("Third.", 3)


def test_a_save_that_loses_the_race_after_validating_is_refused_too(
    editor_client, ana_client, monkeypatch
):
    """Validation passed on a row read just before the other save committed: the claim decides.

    The first read of the row this save makes returns it as it was before Ana's save, as when
    Ana commits between this save's read and its write.
    """
    story = StoryFactory(headline="Soldier killed in valley", dek="The old standfirst.")
    mine = body_form(editor_client, story)
    before_theirs = StoryAdmin(Story, admin.site).get_queryset(None).get(pk=story.pk)
    theirs = body_form(ana_client, story)
    theirs["headline"] = ["Soldier killed in ambush"]
    save(ana_client, story, theirs)
    reads = []
    get_object = StoryAdmin.get_object

    def read_before_theirs_once(self, request, object_id, from_field=None):
        reads.append(object_id)
        if len(reads) == 1:
            return before_theirs
        return get_object(self, request, object_id, from_field)

    monkeypatch.setattr(StoryAdmin, "get_object", read_before_theirs_once)
    mine["dek"] = ["My new standfirst."]
    response = refused(editor_client, story, mine)

    assert len(reads) == 2  # validated, lost the claim, validated again
    assert_change_listed(
        response, "Headline", "Soldier killed in valley", "Soldier killed in ambush"
    )
    story.refresh_from_db()
    assert (story.dek, story.version) == ("The old standfirst.", 2)


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_claim_waits_for_the_other_save_and_then_fails():
    """Two real transactions: the second claim blocks on the first's row lock, then finds no row."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time: there is nothing to wait for")
    story = StoryFactory(headline="Soldier killed in valley", dek="The old standfirst.")
    client = Client()
    client.force_login(StaffFactory(username="bruno", is_superuser=True))
    mine = body_form(client, story)
    holding, finish = threading.Event(), threading.Event()

    def ana_saves():
        try:
            with transaction.atomic():
                claim_version(Story.objects.get(pk=story.pk), expected=1)
                Story.objects.filter(pk=story.pk).update(headline="Soldier killed in ambush")
                holding.set()
                finish.wait(10)
        finally:
            connection.close()

    ana = threading.Thread(target=ana_saves)
    ana.start()
    assert holding.wait(10)
    save_form = StoryAdmin.save_form
    validated = []

    def validated_then_let_ana_commit(self, request, form, change):
        validated.append(form.cleaned_data["edit_version"])
        finish.set()  # this save has validated against version 1; Ana commits version 2
        return save_form(self, request, form, change)

    try:
        StoryAdmin.save_form = validated_then_let_ana_commit
        mine["dek"] = ["My new standfirst."]
        response = refused(client, story, mine)
    finally:
        StoryAdmin.save_form = save_form
        finish.set()
        ana.join(10)

    assert validated == [1]  # the first run passed validation: its claim was refused
    assert_change_listed(
        response, "Headline", "Soldier killed in valley", "Soldier killed in ambush"
    )
    story.refresh_from_db()
    assert (story.headline, story.dek, story.version) == (
        "Soldier killed in ambush",
        "The old standfirst.",
        2,
    )


def test_claiming_a_version_is_a_compare_and_set():
    story = StoryFactory()
    claim_version(story, expected=1)
    assert story.version == Story.objects.get(pk=story.pk).version == 2
    with pytest.raises(VersionConflict) as raised:
        claim_version(Story.objects.get(pk=story.pk), expected=1)
    assert isinstance(raised.value, EditConflict)  # what the annotate screen catches
    assert raised.value.current.version == 2


# Notes


def test_a_save_from_a_stale_note_form_is_refused_with_who_changed_what(editor_client, ana_client):
    note = NoteFactory(body="First thoughts.")
    mine = note_form(editor_client, note)
    theirs = note_form(ana_client, note)
    theirs["body"] = ["Second thoughts."]
    assert ana_client.post(change_url(note), theirs).status_code == 302

    mine["kind"] = [Note.Kind.SOURCE]
    mine["source_url"] = ["https://example.org/"]
    mine["replies-TOTAL_FORMS"] = ["1"]
    mine["replies-0-body"] = ["Resolving."]
    response = refused(editor_client, note, mine)

    assertContains(response, "Someone else saved this note after you opened it: Ana Ruiz (")
    assert_change_listed(response, "Body", "First thoughts.", "Second thoughts.")
    note.refresh_from_db()
    assert note.body == "Second thoughts."
    assert note.kind == Note.Kind.CONTEXT
    assert note.version == 2
    assert not note.replies.exists()

    fresh = note_form(editor_client, note)
    fresh["kind"] = [Note.Kind.SOURCE]
    fresh["source_url"] = ["https://example.org/"]
    assert editor_client.post(change_url(note), fresh).status_code == 302
    note.refresh_from_db()
    assert (note.body, note.kind, note.version) == (
        "Second thoughts.",
        Note.Kind.SOURCE,
        3,
    )


def test_an_edit_on_the_annotate_screen_makes_an_admin_form_opened_before_it_conflict(
    editor_client, ana_client
):
    note = NoteFactory(body="First thoughts.")
    mine = note_form(editor_client, note)
    post_json(ana_client, note_url(note), {"version": 1, "body": "Second thoughts."})

    mine["body"] = ["My thoughts."]
    response = refused(editor_client, note, mine)

    assertContains(response, "Ana Ruiz (")
    assertContains(response, ": Updated)")
    assert_change_listed(response, "Body", "First thoughts.", "Second thoughts.")
    assert Note.objects.get(pk=note.pk).body == "Second thoughts."


def test_an_admin_save_makes_an_annotate_screen_opened_before_it_get_a_409(
    editor_client, ana_client
):
    note = NoteFactory(body="First thoughts.")
    theirs = note_form(ana_client, note)
    theirs["body"] = ["Second thoughts."]
    ana_client.post(change_url(note), theirs)

    response = post_json(editor_client, note_url(note), {"version": 1, "body": "Mine."})

    assert response.status_code == 409
    assert response.json()["note"]["body"] == "Second thoughts."


def test_adding_only_a_reply_leaves_the_notes_version_alone(editor_client):
    """As on the annotate screen: an open screen on the note need not reload for a reply."""
    note = NoteFactory()
    data = note_form(editor_client, note)
    data["replies-TOTAL_FORMS"] = ["1"]
    data["replies-0-body"] = ["Agreed."]

    assert editor_client.post(change_url(note), data).status_code == 302

    note.refresh_from_db()
    assert note.version == 1
    assert note.replies.get().body == "Agreed."


def test_re_anchoring_gives_the_note_a_new_version_and_a_stale_form_shows_the_new_anchor(
    editor_client, ana_client
):
    """The passage moved under the editor: they look again, and the old anchor is never written."""
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=PASTE)
    note = note_on(paragraph, "coca plants", body="Coca is grown legally in Peru.")
    mine = note_form(editor_client, note)
    theirs = body_form(ana_client, story)
    theirs[field(theirs, paragraph, "text")] = ["Officials say that " + PASTE]
    save(ana_client, story, theirs)

    mine["body"] = ["Coca is grown legally in Peru and Bolivia."]
    response = refused(editor_client, note, mine)

    assertContains(response, ": Re-anchored)")
    assert_change_listed(response, "Place in its paragraph", "characters 24–34", "characters 43–53")
    note.refresh_from_db()
    assert (note.body, note.start, note.version) == ("Coca is grown legally in Peru.", 42, 2)

    fresh = note_form(editor_client, note)
    fresh["body"] = ["Coca is grown legally in Peru and Bolivia."]
    assert editor_client.post(change_url(note), fresh).status_code == 302
    note.refresh_from_db()
    assert (note.body, note.start, note.version) == (
        "Coca is grown legally in Peru and Bolivia.",
        42,
        3,
    )


def test_a_paragraph_edit_that_leaves_a_note_in_place_keeps_its_version(editor_client):
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=PASTE)
    note = note_on(paragraph, "The paste")
    data = body_form(editor_client, story)
    data[field(data, paragraph, "text")] = [PASTE + " Officials say so."]

    save(editor_client, story, data)

    assert Note.objects.get(pk=note.pk).version == 1


def test_a_change_made_outside_the_admin_is_reported_by_the_time_it_was_made(editor_client):
    """No log entry names who made it (an import, a script); the form still refuses, and
    creates none of the tags it was given."""
    story = StoryFactory()
    mine = body_form(editor_client, story)
    Story.objects.filter(pk=story.pk).update(headline="Imported headline", version=2)
    mine["tags"] = ["brand-new-tag"]

    response = refused(editor_client, story, mine)

    assertContains(response, "This story was changed at ")
    assert not Tag.objects.filter(name="brand-new-tag").exists()
