"""Every text staff can submit is bounded, with the same limit in the admin forms, the annotate
screen's API and the importer (issue 11, item 9)."""

import json
import re

import pytest
from django.core.exceptions import ValidationError

from articles.data.plaintext import ImportFormatError, import_story_file, parse_story
from articles.models import Author, Note, NoteReply
from articles.notes.loading import NoteFileError, load_note_file
from tests.factories import (
    AuthorFactory,
    FactCheckNoteFactory,
    NoteFactory,
    ParagraphFactory,
    StoryFactory,
)
from tests.test_admin import change_url, form_data
from tests.test_annotate_admin import new_note, note_url, notes_url, post_json
from tests.test_reanchor_on_edit import field

pytestmark = pytest.mark.django_db

STORY_HEAD = "News by VICE\n\nHeadline\n\n{dek}by Kayla Ruble\nJun 20 2014, 7:41pm\n\n"


def too_long(limit: int) -> str:
    return "x" * (limit + 1)


def form_errors(response) -> dict:
    assert response.status_code == 200, "the form was accepted"
    return response.context["adminform"].form.errors


# The annotate screen's API.


@pytest.mark.parametrize(
    ("field_name", "limit", "note"),
    [
        ("body", 20_000, {}),
        ("claim", 5_000, {"kind": "factcheck", "verdict": "true"}),
        ("correction_wrong", 500, {"kind": "correction", "correction_right": "b"}),
        ("source_title", 300, {"kind": "source", "source_url": "https://example.org/"}),
    ],
)
def test_the_annotate_api_refuses_note_text_over_its_limit(editor_client, field_name, limit, note):
    paragraph = ParagraphFactory()
    data = new_note(paragraph, "coca", **note, **{field_name: too_long(limit)})

    response = post_json(editor_client, notes_url(paragraph.story), data)

    assert response.status_code == 400
    assert response.json()["errors"][field_name] == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]
    assert not Note.objects.exists()


def test_the_annotate_api_refuses_a_reply_over_its_limit(editor_client):
    note = NoteFactory()

    response = post_json(editor_client, note_url(note, "replies"), {"body": too_long(20_000)})

    assert response.status_code == 400
    assert response.json()["errors"]["body"] == [
        "Ensure this value has at most 20000 characters (it has 20001)."
    ]
    assert not NoteReply.objects.exists()


def test_the_annotate_api_accepts_a_body_at_its_limit(editor_client):
    paragraph = ParagraphFactory()
    data = new_note(paragraph, "coca", body="[" * 20_000)

    response = post_json(editor_client, notes_url(paragraph.story), data)

    assert response.status_code == 201
    assert Note.objects.get().body_html == "<p>" + "[" * 20_000 + "</p>"


# The admin forms.


@pytest.mark.parametrize(("field_name", "limit"), [("body", 20_000), ("claim", 5_000)])
def test_the_note_admin_refuses_note_text_over_its_limit(editor_client, field_name, limit):
    note = FactCheckNoteFactory()
    data = form_data(editor_client.get(change_url(note)), "note_form")
    data[field_name] = too_long(limit)

    response = editor_client.post(change_url(note), data)

    assert form_errors(response)[field_name] == [
        f"Ensure this value has at most {limit} characters (it has {limit + 1})."
    ]


def test_the_note_admin_refuses_a_reply_over_its_limit(editor_client):
    note = NoteFactory()
    data = form_data(editor_client.get(change_url(note)), "note_form")
    data["replies-TOTAL_FORMS"] = ["1"]
    data["replies-0-body"] = [too_long(20_000)]

    response = editor_client.post(change_url(note), data)

    assert response.status_code == 200
    replies = response.context["inline_admin_formsets"][0].formset
    assert replies.errors[0]["body"] == [
        "Ensure this value has at most 20000 characters (it has 20001)."
    ]
    assert not NoteReply.objects.exists()


def test_the_story_admin_refuses_a_dek_and_a_paragraph_over_their_limits(admin_client):
    paragraph = ParagraphFactory()
    story = paragraph.story
    data = form_data(admin_client.get(change_url(story)), "story_form")
    data["dek"] = [too_long(1_000)]
    data[field(data, paragraph, "text")] = [too_long(20_000)]

    response = admin_client.post(change_url(story), data)

    assert form_errors(response)["dek"] == [
        "Ensure this value has at most 1000 characters (it has 1001)."
    ]
    blocks = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "blocks"
    )
    assert ["Ensure this value has at most 20000 characters (it has 20001)."] in [
        errors.get("text") for errors in blocks.errors
    ]
    story.refresh_from_db()
    assert story.dek == "A standfirst that says what happened."


def test_the_author_admin_refuses_a_bio_over_its_limit(admin_client):
    author = AuthorFactory()
    data = form_data(admin_client.get(change_url(author)), "author_form")
    data["bio"] = [too_long(5_000)]

    response = admin_client.post(change_url(author), data)

    assert form_errors(response)["bio"] == [
        "Ensure this value has at most 5000 characters (it has 5001)."
    ]
    assert Author.objects.get(pk=author.pk).bio == author.bio


# The models (what the importer and the note loader validate with).


def test_model_validation_refuses_text_over_its_limit():
    story = StoryFactory.build(dek=too_long(1_000))

    with pytest.raises(ValidationError) as refused:
        story.full_clean(exclude=["section"])

    assert refused.value.message_dict["dek"] == [
        "Ensure this value has at most 1000 characters (it has 1001)."
    ]


# The importer.


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            STORY_HEAD.format(dek=too_long(1_000) + "\n") + "Body.\n",
            5,
            "the dek is longer than 1000",
        ),
        (
            STORY_HEAD.format(dek="") + too_long(20_000) + "\n",
            8,
            "a paragraph is longer than 20000",
        ),
    ],
)
def test_the_importer_refuses_text_over_the_models_limits(text, line, message):
    with pytest.raises(ImportFormatError) as refused:
        parse_story(text, source="long.txt")

    assert refused.value.line == line
    assert message in refused.value.message


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            lambda note: note.update(body="x" * 20_001),
            "note 1: body: Ensure this value has at most 20000 characters (it has 20001).",
        ),
        (
            lambda note: note.update(replies=[{"body": "y" * 20_001}]),
            "note 1: reply: body: Ensure this value has at most 20000 characters",
        ),
        (lambda note: note.update(body=["a list"]), "note 1: expected an object of texts"),
        (lambda note: note.update(replies=["text"]), "replies must be objects with a text body"),
    ],
)
def test_the_note_loader_reports_an_overlong_or_mistyped_note_in_one_line(
    tmp_path, seed_dir, change, error
):
    import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt")
    data = json.loads(
        (seed_dir / "notes" / "vice-2014-06-20-peruvian-soldier-killed.json").read_text()
    )
    change(data["notes"][0])
    path = tmp_path / "notes.json"
    path.write_text(json.dumps(data))

    with pytest.raises(NoteFileError, match=re.escape(error)):
        load_note_file(path)
    assert not Note.objects.exists()
