"""The annotate screen's JSON endpoints answer every malformed request with a JSON 400 that says
what is wrong, never a server error (issue 11, item 1)."""

import pytest

from articles.models import Note, NoteReply
from tests.factories import NoteFactory, ParagraphFactory
from tests.test_annotate_admin import new_note, note_url, notes_url, post_json

pytestmark = pytest.mark.django_db

# Every JSON type but the one expected, with what the error calls it.
NOT_TEXT = [
    (7, "Expected text, not a number."),
    (1.5, "Expected text, not a number."),
    (True, "Expected text, not true or false."),
    (None, "Expected text, not null."),
    (["x"], "Expected text, not a list."),
    ({"x": 1}, "Expected text, not an object."),
]
NOT_WHOLE_NUMBER = [
    ("3", "Expected a whole number, not text."),
    (1.5, "Expected a whole number, not a number."),
    (True, "Expected a whole number, not true or false."),
    (None, "Expected a whole number, not null."),
    ([3], "Expected a whole number, not a list."),
    ({"x": 1}, "Expected a whole number, not an object."),
]
NOTE_TEXT_FIELDS = [
    "kind",
    "body",
    "source_url",
    "source_title",
    "claim",
    "verdict",
    "correction_wrong",
    "correction_right",
    "corrected_at",
]
BAD_BODIES = [
    (b'{"kind": ', "The request is not valid JSON."),
    (b"\xff\xfe", "The request is not valid JSON."),
    (b"[]", "Send a JSON object."),
    (b'"a note"', "Send a JSON object."),
    (b"42", "Send a JSON object."),
    (b"null", "Send a JSON object."),
    (b"true", "Send a JSON object."),
]


@pytest.fixture
def paragraph(db):
    return ParagraphFactory()


@pytest.fixture
def note(paragraph, editor):
    return NoteFactory(paragraph=paragraph, author=editor)


def assert_field_error(response, field: str, message: str) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][field] == [message]


@pytest.mark.parametrize(("value", "message"), NOT_TEXT)
@pytest.mark.parametrize("field", [*NOTE_TEXT_FIELDS, "exact"])
def test_creating_a_note_refuses_a_value_that_is_not_text(
    editor_client, paragraph, field, value, message
):
    data = {**new_note(paragraph, "coca", kind="correction"), field: value}

    response = post_json(editor_client, notes_url(paragraph.story), data)

    assert_field_error(response, field, message)
    assert not Note.objects.exists()


@pytest.mark.parametrize(("value", "message"), NOT_WHOLE_NUMBER)
@pytest.mark.parametrize("field", ["block", "start", "end"])
def test_creating_a_note_refuses_a_value_that_is_not_a_whole_number(
    editor_client, paragraph, field, value, message
):
    data = {**new_note(paragraph, "coca"), field: value}

    response = post_json(editor_client, notes_url(paragraph.story), data)

    assert_field_error(response, field, message)
    assert not Note.objects.exists()


@pytest.mark.parametrize(("value", "message"), NOT_TEXT)
@pytest.mark.parametrize("field", NOTE_TEXT_FIELDS)
def test_changing_a_note_refuses_a_value_that_is_not_text(
    editor_client, note, field, value, message
):
    response = post_json(editor_client, note_url(note), {"version": note.version, field: value})

    assert_field_error(response, field, message)
    assert Note.objects.get(pk=note.pk).version == note.version


@pytest.mark.parametrize(("value", "message"), NOT_WHOLE_NUMBER)
def test_changing_or_deleting_a_note_refuses_a_version_that_is_not_a_whole_number(
    editor_client, note, value, message
):
    changed = post_json(editor_client, note_url(note), {"version": value, "body": "New."})
    deleted = post_json(editor_client, note_url(note), {"version": value}, method="delete")

    assert_field_error(changed, "version", message)
    assert_field_error(deleted, "version", message)
    assert Note.objects.get(pk=note.pk).body == note.body


@pytest.mark.parametrize(("value", "message"), NOT_TEXT)
def test_replying_refuses_a_body_that_is_not_text(editor_client, note, value, message):
    response = post_json(editor_client, note_url(note, "replies"), {"body": value})

    assert_field_error(response, "body", message)
    assert not NoteReply.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        *(("block", value, message) for value, message in NOT_WHOLE_NUMBER),
        *(("start", value, message) for value, message in NOT_WHOLE_NUMBER),
        *(("version", value, message) for value, message in NOT_WHOLE_NUMBER),
        *(("exact", value, message) for value, message in NOT_TEXT),
    ],
)
def test_reattaching_refuses_values_of_the_wrong_type(editor_client, note, field, value, message):
    data = {**new_note(note.paragraph, "coca"), "version": note.version, field: value}

    response = post_json(editor_client, note_url(note, "reattach"), data)

    assert_field_error(response, field, message)


@pytest.mark.parametrize(("body", "message"), BAD_BODIES)
@pytest.mark.parametrize(
    ("endpoint", "method"),
    [
        ("create", "post"),
        ("change", "post"),
        ("delete", "delete"),
        ("reply", "post"),
        ("reattach", "post"),
    ],
)
def test_every_endpoint_answers_a_body_that_is_no_json_object_with_a_json_400(
    editor_client, note, endpoint, method, body, message
):
    url = {
        "create": notes_url(note.story),
        "change": note_url(note),
        "delete": note_url(note),
        "reply": note_url(note, "replies"),
        "reattach": note_url(note, "reattach"),
    }[endpoint]

    response = post_json(editor_client, url, body, method=method)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": message}
