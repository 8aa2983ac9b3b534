"""Editing notes: the services the annotate screen calls, each recording its revision."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles.models import Note, NoteRevision, Story
from articles.notes.editing import (
    EditConflict,
    Selection,
    SelectionError,
    create_note,
    delete_note,
    reattach_note,
    reply_to_note,
    update_note,
)
from tests.factories import (
    AsideFactory,
    NoteFactory,
    ParagraphFactory,
    StaffFactory,
    StoryFactory,
    publish,
)

pytestmark = pytest.mark.django_db

FLAG_TEXT = "Fighting broke out near the border 🇵🇪 Guzmán said, and soldiers returned fire."
CONTEXT_NOTE = {"kind": "context", "body": "Who he is."}


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def browser_selection(text: str, quote: str) -> Selection:
    """The selection a browser reports for `quote` in `text`: offsets in UTF-16 code units."""
    start = text.index(quote)
    start16 = utf16_length(text[:start])
    return Selection(start=start16, end=start16 + utf16_length(quote), exact=quote)


@pytest.fixture
def user():
    """An editor, who may change any note (ownership has its own tests)."""
    return StaffFactory(username="marta", first_name="Marta", last_name="Ríos", groups=["Editors"])


def test_a_selection_after_an_emoji_anchors_on_the_selected_code_points(user):
    """The flag is two code points but four UTF-16 units: offsets are converted, not copied."""
    paragraph = ParagraphFactory(text=FLAG_TEXT)
    selection = browser_selection(FLAG_TEXT, "Guzmán")
    assert selection.start == FLAG_TEXT.index("Guzmán") + 2

    note = create_note(paragraph=paragraph, selection=selection, fields=CONTEXT_NOTE, user=user)

    note.refresh_from_db()
    assert FLAG_TEXT[note.start : note.end] == "Guzmán"
    assert note.start == FLAG_TEXT.index("Guzmán")
    assert note.quote_exact == "Guzmán"
    assert note.quote_prefix == FLAG_TEXT[note.start - 32 : note.start]
    assert note.quote_prefix.endswith("border 🇵🇪 ")
    assert note.quote_suffix == FLAG_TEXT[note.end : note.end + 32]
    assert note.story == paragraph.story
    assert note.author == user
    assert note.version == 1
    revision = note.revisions.get()
    assert revision.action == NoteRevision.Action.CREATED
    assert revision.user == user
    assert revision.before is None
    assert revision.after["quote_exact"] == "Guzmán"
    assert revision.after["body"] == "Who he is."


def test_an_offset_inside_a_surrogate_pair_is_refused(user):
    paragraph = ParagraphFactory(text=FLAG_TEXT)
    flag16 = utf16_length(FLAG_TEXT[: FLAG_TEXT.index("🇵🇪")])

    with pytest.raises(SelectionError, match="surrogate pair"):
        create_note(
            paragraph=paragraph,
            selection=Selection(start=flag16 + 1, end=flag16 + 6, exact="🇪 Gu"),
            fields=CONTEXT_NOTE,
            user=user,
        )

    assert not Note.objects.exists()


def test_offsets_past_the_end_of_the_paragraph_are_refused(user):
    paragraph = ParagraphFactory(text="Short.")

    with pytest.raises(SelectionError, match="beyond the end"):
        create_note(
            paragraph=paragraph,
            selection=Selection(start=2, end=40, exact="ort."),
            fields=CONTEXT_NOTE,
            user=user,
        )


def test_a_selection_whose_text_changed_under_the_editor_is_refused(user):
    paragraph = ParagraphFactory(text="The patrol was ambushed near Tocache.")
    selection = browser_selection(paragraph.text, "ambushed")
    paragraph.text = "Earlier, the patrol was ambushed near Tocache."
    paragraph.save()

    with pytest.raises(SelectionError, match="Reload the page"):
        create_note(paragraph=paragraph, selection=selection, fields=CONTEXT_NOTE, user=user)

    assert not Note.objects.exists()


def test_an_aside_teaser_can_be_annotated(user):
    aside = AsideFactory(teaser="Meet the man who thrived in Bolivia's cocaine prison.")

    note = create_note(
        paragraph=aside,
        selection=browser_selection(aside.teaser, "cocaine prison"),
        fields=CONTEXT_NOTE,
        user=user,
    )

    assert note.quote_exact == "cocaine prison"


def test_an_internal_note_is_a_draft_that_never_goes_to_review(user):
    paragraph = ParagraphFactory()

    note = create_note(
        paragraph=paragraph,
        selection=browser_selection(paragraph.text, "coca plants"),
        fields={"kind": "internal", "body": "Check this."},
        user=user,
    )

    assert note.state == Note.State.DRAFT
    with pytest.raises(PermissionDenied):
        publish(note, user=user)
    assert not Note.objects.public().exists()


def test_updating_bumps_the_version_and_records_the_note_before_and_after(user):
    note = NoteFactory(body="First draft.", state="draft")

    updated = update_note(
        note=note,
        version=1,
        fields={"body": "Second draft.", "kind": "source"},
        user=user,
    )

    note.refresh_from_db()
    assert note.version == updated.version == 2
    assert (note.body, note.kind, note.state) == (
        "Second draft.",
        "source",
        "draft",
    )
    assert note.body_html == "<p>Second draft.</p>"
    revision = note.revisions.get()
    assert revision.action == NoteRevision.Action.UPDATED
    assert revision.user == user
    assert (revision.before["body"], revision.after["body"]) == ("First draft.", "Second draft.")
    assert (revision.before["kind"], revision.after["kind"]) == ("context", "source")
    assert revision.before["state"] == revision.after["state"] == "draft"


def test_updating_a_version_someone_else_replaced_raises_a_conflict_and_changes_nothing(user):
    note = NoteFactory(body="Mine.")
    other_editor = StaffFactory(username="other", groups=["Editors"])
    update_note(note=note, version=1, fields={"body": "Theirs."}, user=other_editor)

    with pytest.raises(EditConflict) as raised:
        update_note(note=note, version=1, fields={"body": "Mine, again."}, user=user)

    assert raised.value.current.body == "Theirs."
    assert raised.value.current.version == 2
    note.refresh_from_db()
    assert note.body == "Theirs."
    assert note.revisions.count() == 1


def test_saving_a_note_unchanged_neither_bumps_its_version_nor_records_a_revision(user):
    note = NoteFactory(body="Same.")

    update_note(note=note, version=1, fields={"body": "Same."}, user=user)

    note.refresh_from_db()
    assert note.version == 1
    assert not note.revisions.exists()


def test_a_note_keeps_the_fields_of_its_own_kind_when_edited(user):
    note = NoteFactory(kind="factcheck", claim="Coca is legal.", verdict="false")

    update_note(note=note, version=1, fields={"body": "Checked."}, user=user)

    note.refresh_from_db()
    assert (note.claim, note.verdict, note.body) == (
        "Coca is legal.",
        "false",
        "Checked.",
    )


def test_changing_the_kind_clears_the_fields_of_the_old_kind(user):
    note = NoteFactory(
        kind="source", source_url="https://example.org/report", source_title="The report"
    )

    update_note(note=note, version=1, fields={"kind": "context", "body": "Plain."}, user=user)

    note.refresh_from_db()
    assert (note.source_url, note.source_title) == ("", "")
    before = note.revisions.get().before
    assert before["source_url"] == "https://example.org/report"


def test_a_reply_joins_the_thread_and_is_recorded(user):
    note = NoteFactory()

    reply = reply_to_note(note=note, body="Agreed, *publish*.", user=user)

    assert list(note.replies.all()) == [reply]
    assert reply.author == user
    assert reply.body_html == "<p>Agreed, <em>publish</em>.</p>"
    revision = note.revisions.get()
    assert revision.action == NoteRevision.Action.REPLIED
    assert revision.user == user


def test_deleting_keeps_a_deleted_revision_with_the_last_state(user):
    note = NoteFactory(body="Going away.")
    reply_to_note(note=note, body="Why?", user=user)
    note_id = note.pk

    delete_note(note=note, version=1, user=user)

    assert not Note.objects.filter(pk=note_id).exists()
    deleted = NoteRevision.objects.get(note_ref=note_id, action=NoteRevision.Action.DELETED)
    assert deleted.user == user
    assert deleted.before["body"] == "Going away."
    assert deleted.after is None
    # The earlier history survives the note.
    assert NoteRevision.objects.filter(note_ref=note_id).count() == 2


def test_deleting_a_note_someone_else_just_changed_is_a_conflict(user):
    note = NoteFactory()
    update_note(note=note, version=1, fields={"body": "Edited."}, user=user)

    with pytest.raises(EditConflict):
        delete_note(note=note, version=1, user=user)

    assert Note.objects.filter(pk=note.pk).exists()


def test_reattaching_an_orphan_anchors_it_on_the_new_passage(user):
    note = NoteFactory(anchor_state=Note.AnchorState.ORPHANED)
    other = ParagraphFactory(story=note.story, text="Coca leaves 🌿 are dried in the sun.")

    reattach_note(
        note=note,
        paragraph=other,
        selection=browser_selection(other.text, "dried in the sun"),
        version=1,
        user=user,
    )

    note.refresh_from_db()
    assert note.anchor_state == Note.AnchorState.ANCHORED
    assert note.paragraph == other
    assert other.text[note.start : note.end] == "dried in the sun"
    assert note.quote_exact == "dried in the sun"
    assert note.version == 2
    revision = note.revisions.get()
    assert revision.action == NoteRevision.Action.REATTACHED
    assert revision.before["anchor_state"] == "orphaned"
    assert revision.after["anchor_state"] == "anchored"
    assert Note.objects.public().filter(pk=note.pk).exists()


def test_a_note_cannot_be_reattached_to_another_storys_paragraph(user):
    note = NoteFactory(anchor_state=Note.AnchorState.ORPHANED)
    elsewhere = ParagraphFactory(story=StoryFactory())

    with pytest.raises(SelectionError):
        reattach_note(
            note=note,
            paragraph=elsewhere,
            selection=browser_selection(elsewhere.text, "coca"),
            version=1,
            user=user,
        )


def test_a_public_correction_makes_its_story_updated(user):
    story = StoryFactory(published_at=timezone.now() - timedelta(days=3))
    paragraph = ParagraphFactory(story=story)
    corrected_at = timezone.now() - timedelta(hours=1)

    create_note(
        paragraph=paragraph,
        selection=browser_selection(paragraph.text, "coca plants"),
        fields={
            "kind": "correction",
            "body": "We named the wrong plant.",
            "correction_wrong": "poppies",
            "correction_right": "coca plants",
            "corrected_at": corrected_at,
        },
        user=user,
    )
    publish(Note.objects.get(story=story))

    story.refresh_from_db()
    assert story.corrected_at == corrected_at
    assert story.last_updated_at == corrected_at
    assert story.was_updated


def test_an_internal_correction_leaves_the_story_alone_until_it_is_published(user):
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story)
    note = create_note(
        paragraph=paragraph,
        selection=browser_selection(paragraph.text, "coca plants"),
        fields={"kind": "correction", "correction_wrong": "a", "correction_right": "b"},
        user=user,
    )
    assert note.corrected_at is not None  # "now", when none is given
    assert Story.objects.get(pk=story.pk).last_updated_at is None

    publish(note)

    assert Story.objects.get(pk=story.pk).last_updated_at == note.corrected_at
