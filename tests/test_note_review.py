"""Notes through review: who may submit, publish, send back and withdraw, and what readers see."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from articles.caching import keys
from articles.models import Note, NoteRevision
from articles.notes.editing import (
    EditConflict,
    delete_note,
    update_note,
)
from articles.notes.review import publish_note, send_back_note, submit_note, withdraw_note
from articles.notes.selectors import notes_awaiting_review
from tests.factories import (
    CorrectionNoteFactory,
    FactCheckNoteFactory,
    NoteFactory,
    ParagraphFactory,
    StaffFactory,
    StoryFactory,
)

pytestmark = pytest.mark.django_db

State = Note.State


@pytest.fixture
def annotator():
    return StaffFactory(username="ana", groups=["Annotators"])


@pytest.fixture
def editor():
    return StaffFactory(username="eve", groups=["Editors"])


@pytest.fixture
def second_editor():
    return StaffFactory(username="sam", groups=["Editors"])


@pytest.fixture
def story():
    story = StoryFactory(published_at=timezone.now() - timedelta(days=1))
    return ParagraphFactory(story=story)


def draft(factory=NoteFactory, **fields):
    return factory(state=State.DRAFT, **fields)


def stored(note: Note) -> Note:
    return Note.objects.get(pk=note.pk)


def moves(note: Note) -> list[tuple[str, str]]:
    revisions = NoteRevision.objects.filter(note_ref=note.pk).order_by("id")
    return [(r.action, r.user.username) for r in revisions.select_related("user")]


# The state machine


def test_an_annotator_submits_and_an_editor_publishes_each_move_recorded(story, annotator, editor):
    note = draft(paragraph=story, author=annotator)

    submitted = submit_note(note=note, version=1, user=annotator)
    assert (submitted.state, submitted.submitted_by, submitted.version) == (
        State.SUBMITTED,
        annotator,
        2,
    )
    assert submitted.submitted_at is not None
    assert not Note.objects.public().exists()

    published = publish_note(note=note, version=2, user=editor)

    assert stored(note).state == State.PUBLISHED
    assert list(Note.objects.public()) == [published]
    assert moves(note) == [("submitted", "ana"), ("published", "eve")]
    revision = NoteRevision.objects.get(note_ref=note.pk, action="published")
    assert (revision.before["state"], revision.after["state"]) == ("submitted", "published")
    assert revision.created_at <= timezone.now()


def test_an_annotator_cannot_publish_even_their_own_note(story, annotator):
    note = draft(paragraph=story, author=annotator)
    submit_note(note=note, version=1, user=annotator)

    with pytest.raises(PermissionDenied, match="Only editors publish notes"):
        publish_note(note=note, version=2, user=annotator)

    assert (stored(note).state, stored(note).version) == (State.SUBMITTED, 2)
    assert moves(note) == [("submitted", "ana")]


def test_an_annotator_cannot_withdraw_nor_send_back(story, annotator):
    published = NoteFactory(paragraph=story, author=annotator)
    with pytest.raises(PermissionDenied, match="Only editors withdraw"):
        withdraw_note(note=published, version=1, user=annotator)

    other = StaffFactory(groups=["Annotators"])
    submitted = draft(paragraph=story, author=other)
    submit_note(note=submitted, version=1, user=other)
    with pytest.raises(PermissionDenied, match="Only editors, or whoever submitted it"):
        send_back_note(note=submitted, version=2, user=annotator)
    assert stored(published).state == State.PUBLISHED
    assert stored(submitted).state == State.SUBMITTED


def test_whoever_submitted_may_take_it_back_and_an_editor_may_send_it_back(
    story, annotator, editor
):
    note = draft(paragraph=story, author=annotator)
    submit_note(note=note, version=1, user=annotator)
    send_back_note(note=note, version=2, user=annotator)
    submit_note(note=note, version=3, user=annotator)
    send_back_note(note=note, version=4, user=editor)

    assert stored(note).state == State.DRAFT
    assert [action for action, _ in moves(note)] == [
        "submitted",
        "sent-back",
        "submitted",
        "sent-back",
    ]


def test_withdrawing_takes_a_note_from_readers_and_keeps_it_with_a_record(story, editor):
    note = NoteFactory(paragraph=story)
    assert Note.objects.public().count() == 1

    withdrawn = withdraw_note(note=note, version=1, user=editor)

    assert withdrawn.state == State.WITHDRAWN
    assert not Note.objects.public().exists()
    assert Note.objects.filter(pk=note.pk).exists()
    assert moves(note) == [("withdrawn", "eve")]


def test_a_withdrawn_note_may_be_reworked_and_submitted_again(story, annotator, editor):
    note = NoteFactory(paragraph=story, author=annotator)
    withdraw_note(note=note, version=1, user=editor)

    update_note(note=note, version=2, fields={"body": "Reworded."}, user=annotator)
    submit_note(note=note, version=3, user=annotator)

    assert stored(note).state == State.SUBMITTED


@pytest.mark.parametrize(
    ("state", "move", "message"),
    [
        (State.DRAFT, withdraw_note, "Only a published note can be withdrawn"),
        (State.SUBMITTED, withdraw_note, "Only a published note can be withdrawn"),
        (State.PUBLISHED, publish_note, "published already"),
        (State.PUBLISHED, submit_note, "Only a draft or a withdrawn note is submitted"),
        (State.SUBMITTED, submit_note, "Only a draft or a withdrawn note is submitted"),
        (State.DRAFT, send_back_note, "Only a submitted note can be sent back"),
        (State.WITHDRAWN, send_back_note, "Only a submitted note can be sent back"),
    ],
)
def test_moves_that_do_not_start_from_their_state_are_refused(story, editor, state, move, message):
    note = NoteFactory(paragraph=story, state=state)

    with pytest.raises(PermissionDenied, match=message):
        move(note=note, version=1, user=editor)

    assert (stored(note).state, stored(note).version) == (state, 1)
    assert not NoteRevision.objects.filter(note_ref=note.pk).exists()


def test_an_internal_note_is_never_submitted_or_published(story, editor):
    note = NoteFactory(paragraph=story, kind=Note.Kind.INTERNAL)

    for move in (submit_note, publish_note):
        with pytest.raises(PermissionDenied, match="An internal note is for editors only"):
            move(note=note, version=1, user=editor)
    assert stored(note).state == State.DRAFT


def test_a_note_in_review_or_published_cannot_become_an_internal_note(story, editor):
    note = NoteFactory(paragraph=story)

    with pytest.raises(ValidationError, match="Only a draft can become an internal note"):
        update_note(note=note, version=1, fields={"kind": "internal"}, user=editor)

    assert stored(note).kind == Note.Kind.CONTEXT


def test_an_orphaned_note_is_re_attached_before_it_is_published(story, editor):
    note = draft(paragraph=story, anchor_state=Note.AnchorState.ORPHANED)

    with pytest.raises(PermissionDenied, match="Re-attach this note"):
        publish_note(note=note, version=1, user=editor)


def test_a_move_on_a_version_someone_else_replaced_is_a_conflict(story, annotator, editor):
    note = draft(paragraph=story, author=annotator)
    update_note(note=note, version=1, fields={"body": "Changed."}, user=annotator)

    with pytest.raises(EditConflict):
        publish_note(note=note, version=1, user=editor)

    assert stored(note).state == State.DRAFT


# A second person


def test_the_submitter_cannot_publish_their_own_fact_check(story, editor, second_editor):
    note = draft(FactCheckNoteFactory, paragraph=story, author=editor)
    submit_note(note=note, version=1, user=editor)

    with pytest.raises(PermissionDenied, match="A second person publishes a fact-check"):
        publish_note(note=note, version=2, user=editor)
    assert stored(note).state == State.SUBMITTED

    publish_note(note=note, version=2, user=second_editor)
    assert moves(note) == [("submitted", "eve"), ("published", "sam")]


def test_an_editor_who_submitted_an_annotators_correction_cannot_publish_it(
    story, annotator, editor, second_editor
):
    note = draft(CorrectionNoteFactory, paragraph=story, author=annotator)
    submit_note(note=note, version=1, user=editor)

    with pytest.raises(PermissionDenied, match="A second person publishes a correction"):
        publish_note(note=note, version=2, user=editor)
    publish_note(note=note, version=2, user=second_editor)


def test_the_author_cannot_publish_their_own_draft_fact_check_directly(story, editor):
    note = draft(FactCheckNoteFactory, paragraph=story, author=editor)

    with pytest.raises(PermissionDenied, match="A second person"):
        publish_note(note=note, version=1, user=editor)


def test_a_context_note_needs_no_second_person_by_default(story, editor):
    note = draft(paragraph=story, author=editor)

    publish_note(note=note, version=1, user=editor)

    assert stored(note).state == State.PUBLISHED


def test_superusers_are_second_persons_like_everyone_else(story):
    boss = StaffFactory(is_superuser=True)
    note = draft(FactCheckNoteFactory, paragraph=story, author=boss)

    with pytest.raises(PermissionDenied, match="A second person"):
        publish_note(note=note, version=1, user=boss)


@override_settings(NEWSROOM_NOTES_SECOND_PERSON=frozenset())
def test_with_the_setting_off_an_editor_publishes_their_own_fact_check(story, editor):
    note = draft(FactCheckNoteFactory, paragraph=story, author=editor)
    submit_note(note=note, version=1, user=editor)

    publish_note(note=note, version=2, user=editor)

    assert stored(note).state == State.PUBLISHED


@override_settings(NEWSROOM_NOTES_SECOND_PERSON=frozenset({"context"}))
def test_the_setting_names_the_kinds_that_need_a_second_person(story, editor):
    context = draft(paragraph=story, author=editor)
    fact_check = draft(FactCheckNoteFactory, paragraph=story, author=editor)

    with pytest.raises(PermissionDenied, match="A second person publishes a context note"):
        publish_note(note=context, version=1, user=editor)
    publish_note(note=fact_check, version=1, user=editor)


# What a published note lets annotators do


def test_an_annotator_cannot_rewrite_or_delete_their_note_once_published(story, annotator):
    note = NoteFactory(paragraph=story, author=annotator, body="Reviewed words.")

    with pytest.raises(PermissionDenied):
        update_note(note=note, version=1, fields={"body": "Unreviewed."}, user=annotator)
    with pytest.raises(PermissionDenied):
        delete_note(note=note, version=1, user=annotator)

    assert stored(note).body == "Reviewed words."


def test_an_annotator_changes_their_draft_and_submitted_notes(story, annotator):
    note = draft(paragraph=story, author=annotator)
    update_note(note=note, version=1, fields={"body": "Better."}, user=annotator)
    submit_note(note=note, version=2, user=annotator)
    update_note(note=note, version=3, fields={"body": "Best."}, user=annotator)

    assert (stored(note).body, stored(note).state) == ("Best.", State.SUBMITTED)


# What readers' caches hear


@pytest.mark.parametrize(
    ("factory", "with_corrections"),
    [(NoteFactory, False), (CorrectionNoteFactory, True)],
)
def test_publishing_and_withdrawing_name_the_story_and_corrections(
    story, editor, second_editor, factory, with_corrections
):
    note = draft(factory, paragraph=story, author=editor)
    expected = [keys.story_page(story.story_id)] + ([keys.CORRECTIONS] if with_corrections else [])

    with mock.patch("articles.notes.review.content_changed") as changed:
        submit_note(note=note, version=1, user=editor)
        assert not changed.called  # a submission changes nothing readers see
        publish_note(note=note, version=2, user=second_editor)
        withdraw_note(note=note, version=3, user=second_editor)

    assert [call.args[0] for call in changed.call_args_list] == [expected, expected]


def test_publishing_a_correction_dates_the_story_and_withdrawing_it_undates_it(
    story, editor, second_editor
):
    note = draft(CorrectionNoteFactory, paragraph=story, author=editor)
    story = story.story

    publish_note(note=note, version=1, user=second_editor)
    story.refresh_from_db()
    assert story.corrected_at == note.corrected_at

    withdraw_note(note=note, version=2, user=second_editor)
    story.refresh_from_db()
    assert story.corrected_at is None


# The review queue


def test_notes_awaiting_review_are_the_submitted_ones_longest_waiting_first(
    story, annotator, editor, django_assert_num_queries
):
    first, second = draft(paragraph=story, author=annotator), draft(paragraph=story)
    NoteFactory(paragraph=story)  # published
    draft(paragraph=story)  # a draft
    submit_note(note=first, version=1, user=annotator)
    submit_note(note=second, version=1, user=editor)
    other_story = ParagraphFactory()
    elsewhere = draft(paragraph=other_story)
    submit_note(note=elsewhere, version=1, user=editor)

    with django_assert_num_queries(1):
        waiting = [
            (n.pk, n.story.headline, n.submitted_by.username) for n in notes_awaiting_review()
        ]
    assert [pk for pk, _, _ in waiting] == [first.pk, second.pk, elsewhere.pk]
    assert [n.pk for n in notes_awaiting_review(story=story.story)] == [first.pk, second.pk]


# The annotate screen's endpoints


def review_url(note: Note) -> str:
    return reverse("admin:articles_story_annotate_review", args=[note.story_id, note.pk])


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_the_screen_refuses_an_annotators_publish_saying_why(client, story, annotator):
    note = draft(paragraph=story, author=annotator)
    client.force_login(annotator)

    response = post_json(client, review_url(note), {"version": 1, "move": "publish"})

    assert response.status_code == 403
    assert response.json()["error"] == "Only editors publish notes: submit it for review instead."
    assert stored(note).state == State.DRAFT


def test_the_screen_says_which_moves_each_user_may_make(client, story, annotator, editor):
    note = draft(FactCheckNoteFactory, paragraph=story, author=annotator)
    client.force_login(annotator)
    submitted = post_json(client, review_url(note), {"version": 1, "move": "submit"}).json()
    client.force_login(editor)
    seen_by_editor = client.get(
        reverse("admin:articles_story_annotate_note", args=[note.story_id, note.pk])
    ).json()

    assert submitted["state_label"] == "Submitted for review"
    assert (
        submitted["review"]["publish"]
        == "Only editors publish notes: submit it for review instead."
    )
    assert submitted["review"]["send-back"] == ""  # taking one's own submission back
    assert seen_by_editor["review"] == {
        "submit": (
            "Only a draft or a withdrawn note is submitted; this one is submitted for review."
        ),
        "publish": "",
        "send-back": "",
        "withdraw": "Only a published note can be withdrawn; this one is submitted for review.",
    }


@pytest.mark.parametrize("move", ["publish", "", 3, None])
def test_the_review_endpoint_refuses_bad_input_with_a_400(client, story, editor, move):
    note = draft(paragraph=story)
    client.force_login(editor)

    response = post_json(client, review_url(note), {"version": 1, "move": move or "dance"})
    missing_version = post_json(client, review_url(note), {"move": "publish"})

    assert response.status_code == (200 if move == "publish" else 400)
    assert missing_version.status_code in (400, 409)


def test_the_preview_is_clean_html_rendered_from_markdown(client, story, annotator):
    client.force_login(annotator)
    url = reverse("admin:articles_story_annotate_preview", args=[story.story_id])

    response = post_json(
        client,
        url,
        {"body": "**Sourced** [here](javascript:alert(1)) <script>alert(1)</script>"},
    )

    html = response.json()["html"]
    assert "<strong>Sourced</strong>" in html
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert "href" not in html  # no javascript: link
    assert post_json(client, url, {"body": 5}).status_code == 400
    client.logout()
    assert post_json(client, url, {"body": "x"}).status_code == 302  # to the login page


# The migration from visibility and status


@pytest.mark.django_db(transaction=True)
def test_the_migration_publishes_exactly_what_readers_saw_and_reverses():
    executor = MigrationExecutor(connection)
    before, after = [("articles", "0014_drop_content_state")], [("articles", "0015_note_review")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    story = old.get_model("articles", "Article").objects.create(
        headline="Old",
        slug="old",
        section=old.get_model("articles", "Section").objects.create(name="News", slug="news"),
    )
    block = old.get_model("articles", "Block").objects.create(
        article=story,  # field names as they were at 0014
        text="Old words.",
    )
    Note = old.get_model("articles", "Annotation")
    rows = {
        (kind, visibility, status): Note.objects.create(
            article=story,  # as it was at 0014
            paragraph=block,
            kind=kind,
            visibility=visibility,
            status=status,
            quote_exact="Old",
            start=0,
            end=3,
        ).pk
        for kind in ("context", "factcheck", "internal")
        for visibility in ("public", "internal")
        for status in ("open", "resolved")
    }

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    states = dict(new.get_model("articles", "Annotation").objects.values_list("pk", "state"))
    for (kind, visibility, _), pk in rows.items():
        readers_saw = visibility == "public" and kind != "internal"
        assert states[pk] == ("published" if readers_saw else "draft"), (kind, visibility)

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    reversed_rows = old.get_model("articles", "Annotation").objects.values_list("pk", "visibility")
    for pk, visibility in reversed_rows:
        key = next(key for key, value in rows.items() if value == pk)
        assert visibility == (
            "public" if key[1] == "public" and key[0] != "internal" else "internal"
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
