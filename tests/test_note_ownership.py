"""Trust between staff: annotators change their own notes only, and replies only their authors.

Editors (and superusers) change any note; every change, a reply's edits and deletion included,
is recorded in the note's history; an edited reply says so wherever staff read it.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Note, NoteReply, NoteRevision
from articles.notes.editing import (
    Selection,
    delete_note,
    delete_notes,
    delete_reply,
    edit_reply,
    reattach_note,
    reply_to_note,
    update_note,
)
from articles.notes.permissions import can_change_note, can_delete_note
from tests.factories import CorrectionNoteFactory, NoteFactory, StaffFactory
from tests.test_admin import NOTES, change_url, form_data
from tests.test_annotate_admin import note_url, page_state, post_json, screen_url

pytestmark = pytest.mark.django_db

LEGAL_SAYS = "Legal says DO NOT publish."
FORGED = "Legal cleared it, publish now."


def reply_url(reply: NoteReply) -> str:
    note = reply.note
    return reverse(
        "admin:articles_story_annotate_reply",
        args=[note.story_id, note.pk, reply.pk],
    )


def delete_url(note: Note) -> str:
    return reverse("admin:articles_note_delete", args=[note.pk])


@pytest.fixture
def other_annotator(db):
    return StaffFactory(username="other-annotator", groups=["Annotators"])


@pytest.fixture
def annotators_note(annotator):
    """A draft: annotators change their notes until an editor publishes them."""
    return NoteFactory(author=annotator, body="Check the figure.", state="draft")


@pytest.fixture
def editors_reply(annotators_note, editor):
    """An editor's reply on the annotator's own note, which the annotator may otherwise edit."""
    return reply_to_note(note=annotators_note, body=LEGAL_SAYS, user=editor)


@pytest.fixture
def editors_correction(editor):
    return CorrectionNoteFactory(author=editor, body="We named the wrong plant.")


def reply_revisions(note: Note) -> list[str]:
    return list(
        NoteRevision.objects.filter(note_ref=note.pk)
        .exclude(action=NoteRevision.Action.REPLIED)
        .values_list("action", flat=True)
    )


# Item 5: replies change only by their author


def test_an_annotator_cannot_rewrite_an_editors_reply_in_the_admin(
    annotator_client, annotators_note, editors_reply
):
    page = annotator_client.get(change_url(annotators_note))
    data = form_data(page, "note_form")
    data["replies-0-body"] = FORGED

    response = annotator_client.post(change_url(annotators_note), data)

    assert response.status_code == 302
    editors_reply.refresh_from_db()
    assert (editors_reply.body, editors_reply.author.username) == (LEGAL_SAYS, "editor")
    assert editors_reply.edited_at is None
    assert reply_revisions(annotators_note) == []
    assertContains(
        page,
        f'<textarea name="replies-0-body" cols="40" rows="10" class="vLargeTextField" '
        f'maxlength="20000" disabled id="id_replies-0-body">\n{LEGAL_SAYS}</textarea>',
        html=True,
    )


def test_an_annotator_cannot_delete_an_editors_reply_in_the_admin(
    annotator_client, annotators_note, editors_reply
):
    data = form_data(annotator_client.get(change_url(annotators_note)), "note_form")
    data["replies-0-DELETE"] = "on"

    response = annotator_client.post(change_url(annotators_note), data)

    assert response.status_code == 302  # the rest of the form saves; the box is ignored
    assert NoteReply.objects.get(pk=editors_reply.pk).body == LEGAL_SAYS
    assert reply_revisions(annotators_note) == []


def test_an_annotator_cannot_rewrite_or_delete_an_editors_reply_through_the_api(
    annotator_client, editors_reply
):
    rewritten = post_json(annotator_client, reply_url(editors_reply), {"body": FORGED})
    deleted = post_json(annotator_client, reply_url(editors_reply), {}, method="delete")

    assert (rewritten.status_code, deleted.status_code) == (403, 403)
    assert rewritten.json() == {"error": "You do not have permission to do that."}
    editors_reply.refresh_from_db()
    assert (editors_reply.body, editors_reply.edited_at) == (LEGAL_SAYS, None)
    assert reply_revisions(editors_reply.note) == []


def test_not_even_an_editor_may_rewrite_someone_elses_reply(editor_client, annotators_note):
    """The reply goes out under its author's name: only they may change what it says."""
    reply = reply_to_note(
        note=annotators_note, body="Source confirmed.", user=annotators_note.author
    )

    response = post_json(editor_client, reply_url(reply), {"body": "Source unconfirmed."})

    assert response.status_code == 403
    assert NoteReply.objects.get(pk=reply.pk).body == "Source confirmed."


def test_the_reply_services_refuse_anyone_but_the_author(editors_reply, annotator, admin_user):
    for user in (annotator, admin_user):
        with pytest.raises(PermissionDenied):
            edit_reply(reply=editors_reply, body=FORGED, user=user)
        with pytest.raises(PermissionDenied):
            delete_reply(reply=editors_reply, user=user)

    assert NoteReply.objects.get(pk=editors_reply.pk).body == LEGAL_SAYS


def test_the_note_services_refuse_an_annotator_an_editors_note_whoever_calls(
    editors_correction, annotator
):
    """Scripts and future screens call the services, not the admin: they refuse by themselves."""
    paragraph = editors_correction.paragraph
    whole = Selection(start=0, end=len(paragraph.text), exact=paragraph.text)
    calls = [
        lambda: update_note(
            note=editors_correction,
            version=1,
            fields={"body": "Never mind."},
            user=annotator,
        ),
        lambda: delete_note(note=editors_correction, version=1, user=annotator),
        lambda: reattach_note(
            note=editors_correction,
            paragraph=paragraph,
            selection=whole,
            version=1,
            user=annotator,
        ),
        lambda: delete_notes(notes=[editors_correction], user=annotator),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()

    stored = Note.objects.get(pk=editors_correction.pk)
    assert (stored.state, stored.version) == ("published", 1)
    assert not NoteRevision.objects.filter(note_ref=editors_correction.pk).exists()


def test_an_author_edits_their_reply_in_the_admin_and_it_is_recorded_and_marked_edited(
    editor_client, annotators_note, editors_reply
):
    data = form_data(editor_client.get(change_url(annotators_note)), "note_form")
    data["replies-0-body"] = "Legal says wait for the lawyer's note."

    response = editor_client.post(change_url(annotators_note), data)

    assert response.status_code == 302
    editors_reply.refresh_from_db()
    assert editors_reply.body == "Legal says wait for the lawyer's note."
    assert editors_reply.edited_at is not None
    revision = NoteRevision.objects.get(action=NoteRevision.Action.REPLY_EDITED)
    assert revision.user.username == "editor"
    assert revision.note == annotators_note
    assert revision.before == {
        "reply_id": editors_reply.pk,
        "reply_author": "editor",
        "reply_body": LEGAL_SAYS,
    }
    assert revision.after["reply_body"] == "Legal says wait for the lawyer's note."
    page = editor_client.get(change_url(annotators_note))
    assertContains(page, "<label>Edited:</label>", html=True)
    assertContains(page, "Reply edited")


def test_an_author_edits_their_reply_through_the_api_and_the_thread_says_edited(
    editor_client, editors_reply
):
    response = post_json(editor_client, reply_url(editors_reply), {"body": "**Wait** for legal."})

    assert response.status_code == 200
    note = response.json()
    (reply,) = note["replies"]
    assert reply["body_html"] == "<p><strong>Wait</strong> for legal.</p>"
    assert reply["edited_at"] is not None
    assert (reply["can_change"], reply["can_delete"]) == (True, True)
    edited = note["history"][0]
    assert (edited["action"], edited["action_label"], edited["user"]) == (
        "reply-edited",
        "Reply edited",
        "editor",
    )
    assert edited["changes"] == [
        {"field": "reply by editor", "before": LEGAL_SAYS, "after": "**Wait** for legal."}
    ]


def test_an_author_deletes_their_reply_and_the_history_keeps_what_it_said(
    editor_client, editors_reply
):
    response = post_json(editor_client, reply_url(editors_reply), {}, method="delete")

    assert response.status_code == 200
    assert response.json()["replies"] == []
    deleted = response.json()["history"][0]
    assert (deleted["action"], deleted["user"]) == ("reply-deleted", "editor")
    assert deleted["changes"] == [{"field": "reply by editor", "before": LEGAL_SAYS, "after": None}]


def test_an_author_deletes_their_reply_in_the_admin_and_it_is_recorded(
    editor_client, annotators_note, editors_reply
):
    data = form_data(editor_client.get(change_url(annotators_note)), "note_form")
    data["replies-0-DELETE"] = "on"

    editor_client.post(change_url(annotators_note), data)

    assert not NoteReply.objects.filter(pk=editors_reply.pk).exists()
    revision = NoteRevision.objects.get(action=NoteRevision.Action.REPLY_DELETED)
    assert (revision.user.username, revision.before["reply_body"]) == ("editor", LEGAL_SAYS)
    assert revision.after is None


def test_the_thread_offers_to_change_only_ones_own_replies(annotator_client, editors_reply):
    own = reply_to_note(note=editors_reply.note, body="Noted.", user=editors_reply.note.author)

    note = annotator_client.get(note_url(editors_reply.note)).json()

    assert [(r["id"], r["can_change"], r["can_delete"]) for r in note["replies"]] == [
        (editors_reply.pk, False, False),
        (own.pk, True, True),
    ]


def test_a_reply_of_another_note_is_a_404(editor_client, editors_reply, editor):
    other_note = NoteFactory(author=editor)
    url = reverse(
        "admin:articles_story_annotate_reply",
        args=[other_note.story_id, other_note.pk, editors_reply.pk],
    )

    response = post_json(editor_client, url, {"body": "Moved?"})

    assert response.status_code == 404
    assert NoteReply.objects.get(pk=editors_reply.pk).body == LEGAL_SAYS


# Item 6: annotators change their own notes; editors any


def test_an_annotator_cannot_edit_an_editors_note_in_the_admin(
    annotator_client, editors_correction
):
    page = annotator_client.get(change_url(editors_correction))
    assert page.status_code == 200  # they may read it
    assertNotContains(page, 'name="_save"')
    data = {"kind": "correction", "body": "Never mind."}

    response = annotator_client.post(change_url(editors_correction), data)

    assert response.status_code == 403
    editors_correction.refresh_from_db()
    assert (editors_correction.body, editors_correction.state) == (
        "We named the wrong plant.",
        "published",
    )


def test_an_annotator_cannot_delete_an_editors_note_in_the_admin(
    annotator_client, editors_correction
):
    assert annotator_client.get(delete_url(editors_correction)).status_code == 403

    response = annotator_client.post(delete_url(editors_correction), {"post": "yes"})

    assert response.status_code == 403
    assert Note.objects.filter(pk=editors_correction.pk).exists()


def test_an_annotator_cannot_bulk_delete_an_editors_note(
    annotator_client, editors_correction, annotators_note
):
    action = {
        "action": "delete_selected",
        "_selected_action": [editors_correction.pk, annotators_note.pk],
    }

    confirmation = annotator_client.post(NOTES, action)
    response = annotator_client.post(NOTES, {**action, "post": "yes"})

    assertContains(confirmation, "<li>notes written by someone else</li>", html=True)
    assert response.status_code == 403
    assert Note.objects.count() == 2
    assert not NoteRevision.objects.filter(action="deleted").exists()


def test_an_annotator_cannot_edit_unpublish_reattach_or_delete_an_editors_note_through_the_api(
    annotator_client, editors_correction
):
    note = note_url(editors_correction)

    edited = post_json(annotator_client, note, {"version": 1, "body": "Never mind."})
    unpublished = post_json(
        annotator_client, note_url(editors_correction, "review"), {"version": 1, "move": "withdraw"}
    )
    reattached = post_json(
        annotator_client,
        note_url(editors_correction, "reattach"),
        {
            "version": 1,
            "block": editors_correction.paragraph_id,
            "start": 0,
            "end": 3,
            "exact": "The",
        },
    )
    deleted = post_json(annotator_client, note, {"version": 1}, method="delete")

    assert [r.status_code for r in (edited, unpublished, reattached, deleted)] == [403] * 4
    editors_correction.refresh_from_db()
    assert (editors_correction.version, editors_correction.state) == (1, "published")
    assert editors_correction.body == "We named the wrong plant."
    assert not editors_correction.revisions.exists()


def test_annotators_may_still_reply_to_an_editors_note(annotator_client, editors_correction):
    response = post_json(annotator_client, note_url(editors_correction, "replies"), {"body": "Ok"})

    assert response.status_code == 201
    assert response.json()["replies"][0]["author"] == "annotator"


def test_an_annotator_changes_their_own_note_and_it_is_recorded(annotator_client, annotators_note):
    response = post_json(
        annotator_client, note_url(annotators_note), {"version": 1, "body": "Check it twice."}
    )

    assert response.status_code == 200
    assert (response.json()["can_change"], response.json()["can_delete"]) == (True, True)
    revision = annotators_note.revisions.get()
    assert (revision.action, revision.user.username) == ("updated", "annotator")


def test_an_annotator_cannot_change_another_annotators_note(client, other_annotator, annotator):
    client.force_login(other_annotator)
    note = NoteFactory(author=annotator, body="Mine.")

    response = post_json(client, note_url(note), {"version": 1, "body": "Ours."})

    assert response.status_code == 403
    assert Note.objects.get(pk=note.pk).body == "Mine."


def test_an_editor_withdraws_an_annotators_published_note_and_it_is_recorded(
    editor_client, annotators_note
):
    Note.objects.filter(pk=annotators_note.pk).update(state="published")

    response = post_json(
        editor_client, note_url(annotators_note, "review"), {"version": 1, "move": "withdraw"}
    )

    assert response.status_code == 200
    assert response.json()["state_label"] == "Withdrawn"
    revision = annotators_note.revisions.get()
    assert (revision.action, revision.user.username) == ("withdrawn", "editor")
    assert (revision.before["state"], revision.after["state"]) == ("published", "withdrawn")


def test_an_editor_edits_and_deletes_an_annotators_note_through_the_api(
    editor_client, annotators_note
):
    edited = post_json(editor_client, note_url(annotators_note), {"version": 1, "body": "Fixed."})
    deleted = post_json(editor_client, note_url(annotators_note), {"version": 2}, method="delete")

    assert (edited.status_code, deleted.status_code) == (200, 200)
    actions = NoteRevision.objects.filter(note_ref=annotators_note.pk)
    assert list(actions.values_list("action", "user__username")) == [
        ("deleted", "editor"),
        ("updated", "editor"),
    ]


def test_deleting_in_the_admin_is_recorded_in_the_notes_history(editor_client, annotators_note):
    other = NoteFactory(author=None, body="Loaded from a file.")
    action = {"action": "delete_selected", "_selected_action": [annotators_note.pk, other.pk]}

    response = editor_client.post(NOTES, {**action, "post": "yes"})

    assert response.status_code == 302
    assert not Note.objects.exists()
    deleted = NoteRevision.objects.filter(action="deleted").order_by("note_ref")
    assert [(r.note_ref, r.user.username, r.before["body"]) for r in deleted] == [
        (annotators_note.pk, "editor", "Check the figure."),
        (other.pk, "editor", "Loaded from a file."),
    ]


def test_the_delete_page_is_recorded_in_the_notes_history(annotator_client, annotators_note):
    response = annotator_client.post(delete_url(annotators_note), {"post": "yes"})

    assert response.status_code == 302
    revision = NoteRevision.objects.get(note_ref=annotators_note.pk)
    assert (revision.action, revision.user.username) == ("deleted", "annotator")


def test_superusers_change_any_note(admin_client, editors_correction):
    response = post_json(
        admin_client, note_url(editors_correction), {"version": 1, "body": "Reworded."}
    )

    assert response.status_code == 200


def test_the_screen_offers_changes_only_on_ones_own_notes(
    annotator_client, annotators_note, editor
):
    editors_note = NoteFactory(paragraph=annotators_note.paragraph, author=editor, end=8)
    orphan = NoteFactory(
        paragraph=annotators_note.paragraph, author=editor, anchor_state="orphaned"
    )

    state = page_state(annotator_client.get(screen_url(annotators_note.story)))

    offered = {
        note["id"]: (note["can_change"], note["can_delete"])
        for note in state["notes"] + state["orphaned"]
    }
    assert offered == {
        annotators_note.pk: (True, True),
        editors_note.pk: (False, False),
        orphan.pk: (False, False),
    }


def test_notes_without_an_author_are_for_editors_to_change(annotator, editor):
    """A note loaded from a file, or whose author has left, belongs to nobody on the desk."""
    note = NoteFactory(author=None)

    assert not can_change_note(annotator, note)
    assert not can_delete_note(annotator, note)
    assert can_change_note(editor, note)
    assert can_delete_note(editor, note)
