"""A published story's text history: one version per change readers could see."""

import pytest

from articles.data.plaintext import import_story_file
from articles.editing.history import record_version
from articles.editing.publishing import publish_stories
from articles.models import Story, StoryVersion
from tests.factories import ParagraphFactory, StoryFactory
from tests.test_reanchor_on_edit import SEED_NAME, body_form, field, save

pytestmark = pytest.mark.django_db


def versions(story: Story) -> list[tuple[int, str, list[str]]]:
    return [
        (
            version.number,
            version.kind,
            [block["text"] or block["teaser"] for block in version.blocks],
        )
        for version in StoryVersion.objects.filter(story=story).order_by("number")
    ]


def test_publishing_a_draft_records_its_first_version(editor):
    story = StoryFactory(status=Story.Status.DRAFT, headline="Gallium runs short")
    ParagraphFactory(story=story, text="Gallium is scarce.")

    assert record_version(story=story, user=editor) is None
    publish_stories(story_ids=[story.pk], user=editor)

    assert versions(story) == [(1, "first", ["Gallium is scarce."])]
    first = StoryVersion.objects.get(story=story)
    assert (first.headline, first.user, first.origin) == ("Gallium runs short", editor, "admin")


def test_an_admin_edit_of_the_words_adds_a_version_and_a_save_without_one_adds_none(
    editor_client, editor
):
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, text="Gallium is scarce.")
    record_version(story=story, user=editor)

    save(editor_client, story, body_form(editor_client, story))
    assert versions(story) == [(1, "first", ["Gallium is scarce."])]

    data = body_form(editor_client, story)
    data[field(data, paragraph, "text")] = ["Gallium is very scarce."]
    save(editor_client, story, data)

    assert versions(story) == [
        (1, "first", ["Gallium is scarce."]),
        (2, "edit", ["Gallium is very scarce."]),
    ]
    assert StoryVersion.objects.get(story=story, number=2).user == editor


def test_draft_edits_record_nothing(editor_client):
    story = StoryFactory(status=Story.Status.DRAFT)
    paragraph = ParagraphFactory(story=story, text="Not yet.")

    data = body_form(editor_client, story)
    data[field(data, paragraph, "text")] = ["Still not yet."]
    save(editor_client, story, data)

    assert versions(story) == []


def test_reimporting_an_unchanged_file_adds_no_version_and_an_edited_one_adds_one(
    seed_dir, tmp_path
):
    path = tmp_path / SEED_NAME
    path.write_text((seed_dir / SEED_NAME).read_text())
    story = import_story_file(path).story
    assert [number for number, _, _ in versions(story)] == [1]
    assert StoryVersion.objects.get(story=story).origin == "import"

    import_story_file(path)
    assert [number for number, _, _ in versions(story)] == [1]

    path.write_text(path.read_text().replace("Columbia", "Colombia"))
    import_story_file(path)
    numbers = versions(story)
    assert [number for number, _, _ in numbers] == [1, 2]
    assert any("Colombia" in text for text in numbers[1][2])
    assert not any("Colombia" in text for text in numbers[0][2])
