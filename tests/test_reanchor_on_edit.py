"""Notes follow their words when editors edit a story's body, in the admin or by re-import."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from articles.data.plaintext import import_story_file
from articles.models import Block, Note, NoteRevision, Story
from articles.notes.services import (
    TextChange,
    orphan_paragraph_notes,
    reanchor_paragraph,
    reanchor_story_edit,
)
from tests.factories import (
    AsideFactory,
    ParagraphFactory,
    StoryFactory,
    note_on,
)
from tests.test_admin import change_url, form_data, messages_of

pytestmark = pytest.mark.django_db

SEED_NAME = "vice-2014-06-20-peruvian-soldier-killed.txt"

PASTE = "The paste is made from coca plants and is eventually turned into cocaine."
RAID = (
    "Four men were detained after the raid in the valley on Wednesday. "
    "The soldiers seized 31 backpacks of coca paste, the army said."
)
MEDELLIN = "Columbia's 'deadliest city' is fighting back against gang extortion."


# Posting the story's change form as an editor would


def body_form(client, story: Story) -> dict[str, list[str]]:
    """The story's change form as the browser would post it back, body inline included."""
    return form_data(client.get(change_url(story)), "story_form")


def field(data: dict, block: Block, name: str) -> str:
    """The name of `block`'s `name` field in the body inline."""
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("blocks-") and key.endswith("-id") and value == [str(block.pk)]
    )
    return f"blocks-{index}-{name}"


def add_block(data: dict, **values: str) -> None:
    """Add a new body block to the posted form, the way "Add another body block" does."""
    index = int(data["blocks-TOTAL_FORMS"][0])
    for key, value in list(data.items()):
        if key.startswith("blocks-__prefix__-"):
            data[key.replace("__prefix__", str(index))] = value
    for name, value in values.items():
        data[f"blocks-{index}-{name}"] = [value]
    data["blocks-TOTAL_FORMS"] = [str(index + 1)]


def save(client, story: Story, data: dict):
    response = client.post(change_url(story), data)
    assert response.status_code == 302, response.context["errors"]
    return response


def reader_page(story: Story) -> str:
    """The story page as an anonymous reader gets it."""
    return Client().get(story.get_absolute_url()).content.decode()


def revisions_of(note: Note) -> list[NoteRevision]:
    return list(note.revisions.select_related("user").order_by("id"))


# In the admin


def test_inserting_words_before_a_note_keeps_it_on_the_same_words(editor_client, editor):
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=PASTE)
    note = note_on(paragraph, "coca plants", body="Coca is grown legally in Peru.")
    data = body_form(editor_client, story)
    data[field(data, paragraph, "text")] = ["Officials say that " + PASTE]

    save(editor_client, story, data)

    note.refresh_from_db()
    assert note.paragraph_id == paragraph.id
    assert note.anchor_state == Note.AnchorState.ANCHORED
    assert note.quote_exact == "coca plants"
    assert (note.start, note.end) == (42, 53)
    (revision,) = revisions_of(note)
    assert revision.action == NoteRevision.Action.REANCHORED
    assert revision.user == editor
    assert (revision.before["start"], revision.after["start"]) == (23, 42)
    content = reader_page(story)
    assert (
        f'data-notes="note-{note.pk}" data-margin="margin-note-{note.pk}">coca plants</mark>'
        in (content)
    )


def test_correcting_columbia_in_an_aside_teaser_keeps_the_correction_on_colombia(
    editor_client, editor
):
    story = StoryFactory()
    ParagraphFactory(story=story, position=0, text=PASTE)
    aside = AsideFactory(story=story, position=1, teaser=MEDELLIN)
    correction = note_on(
        aside,
        "Columbia",
        kind=Note.Kind.CORRECTION,
        correction_wrong="Columbia",
        correction_right="Colombia",
        body="The country is spelt Colombia.",
    )
    data = body_form(editor_client, story)
    data[field(data, aside, "teaser")] = [MEDELLIN.replace("Columbia", "Colombia")]

    save(editor_client, story, data)

    correction.refresh_from_db()
    assert correction.paragraph_id == aside.id
    assert correction.anchor_state == Note.AnchorState.ANCHORED
    assert (correction.quote_exact, correction.start, correction.end) == ("Colombia", 0, 8)
    (revision,) = revisions_of(correction)
    assert revision.action == NoteRevision.Action.REANCHORED
    assert revision.user == editor
    assert revision.before["quote_exact"] == "Columbia"
    assert revision.after["quote_exact"] == "Colombia"
    mark = f'data-notes="note-{correction.pk}" data-margin="margin-note-{correction.pk}">'
    assert mark + "Colombia</mark>" in reader_page(story)


def test_deleting_the_annotated_sentence_orphans_the_note_and_hides_it(
    editor_client, editor, django_capture_on_commit_callbacks
):
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=RAID)
    note = note_on(paragraph, "31 backpacks", body="Each backpack held about 10 kg.")
    assert "Each backpack held about 10 kg." in reader_page(story)
    data = body_form(editor_client, story)
    data[field(data, paragraph, "text")] = [RAID.split(". ")[0] + "."]

    with django_capture_on_commit_callbacks(execute=True):  # the purge follows the commit
        response = save(editor_client, story, data)

    note.refresh_from_db()
    assert note.anchor_state == Note.AnchorState.ORPHANED
    assert note.paragraph_id == paragraph.id
    assert note.quote_exact == "31 backpacks"  # Kept, for an editor to re-attach.
    (revision,) = revisions_of(note)
    assert revision.action == NoteRevision.Action.ORPHANED
    assert revision.user == editor
    assert revision.before["anchor_state"] == Note.AnchorState.ANCHORED
    assert revision.after["anchor_state"] == Note.AnchorState.ORPHANED
    review = f"/admin/articles/note/?story__id__exact={story.pk}&amp;anchor_state__exact=orphaned"
    assert messages_of(response)[0] == (
        f'1 note lost its passage and is hidden from readers: <a href="{review}">review it</a>.'
    )
    content = reader_page(story)
    assert "Four men were detained" in content
    assert "Each backpack held about 10 kg." not in content
    assert "<mark" not in content


def test_deleting_a_paragraph_in_the_inline_orphans_its_notes(editor_client, editor):
    story = StoryFactory()
    kept = ParagraphFactory(story=story, position=0, text=PASTE)
    doomed = ParagraphFactory(story=story, position=1, text=RAID)
    notes = [note_on(doomed, "31 backpacks"), note_on(doomed, "the army said")]
    data = body_form(editor_client, story)
    data[field(data, doomed, "DELETE")] = ["on"]

    save(editor_client, story, data)

    assert list(story.blocks.all()) == [kept]
    for note in notes:
        note.refresh_from_db()
        assert note.anchor_state == Note.AnchorState.ORPHANED
        assert note.paragraph_id is None
        (revision,) = revisions_of(note)
        assert revision.action == NoteRevision.Action.ORPHANED
        assert revision.user == editor
        assert revision.before["paragraph_id"] == doomed.id


def test_splitting_a_paragraph_moves_the_note_on_its_second_half_to_the_new_block(
    editor_client, editor
):
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=RAID)
    first = note_on(paragraph, "in the valley")
    second = note_on(paragraph, "31 backpacks", body="Each backpack held about 10 kg.")
    first_half, second_half = RAID.split(" The soldiers")
    second_half = "The soldiers" + second_half
    data = body_form(editor_client, story)
    data[field(data, paragraph, "text")] = [first_half]
    add_block(data, position="1", kind=Block.Kind.PARAGRAPH, text=second_half)

    save(editor_client, story, data)

    new_block = story.blocks.exclude(pk=paragraph.pk).get()
    assert new_block.text == second_half
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.paragraph_id == paragraph.id
    assert second.paragraph_id == new_block.id
    assert second.anchor_state == Note.AnchorState.ANCHORED
    assert second_half[second.start : second.end] == second.quote_exact == "31 backpacks"
    (moved,) = revisions_of(second)
    assert moved.action == NoteRevision.Action.REANCHORED
    assert moved.user == editor
    assert (moved.before["paragraph_id"], moved.after["paragraph_id"]) == (
        paragraph.id,
        new_block.id,
    )
    content = reader_page(story)
    new_paragraph_html = content[
        content.index(f'id="{new_block.fragment}"') : content.index('id="notes-heading"')
    ]
    assert ">31 backpacks</mark>" in new_paragraph_html
    assert "Each backpack held about 10 kg." in new_paragraph_html  # Its margin note.


def test_a_note_whose_anchor_did_not_change_gets_no_revision(editor_client):
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=RAID)
    other = ParagraphFactory(story=story, position=1, text=PASTE)
    before_edit = note_on(paragraph, "Four men")
    after_edit = note_on(paragraph, "the army said")
    elsewhere = note_on(other, "coca plants")
    untouched = {note.pk: note.modified_at for note in (before_edit, elsewhere)}
    data = body_form(editor_client, story)
    data[field(data, paragraph, "text")] = [RAID.replace("31 backpacks", "thirty-one backpacks")]
    data[field(data, other, "position")] = ["2"]

    save(editor_client, story, data)

    assert not before_edit.revisions.exists()
    assert not elsewhere.revisions.exists()
    for note in (before_edit, elsewhere):
        note.refresh_from_db()
        assert note.modified_at == untouched[note.pk]
    # The note after the edit moved along, and that is recorded.
    assert [r.action for r in revisions_of(after_edit)] == [NoteRevision.Action.REANCHORED]


# On re-import


def test_reimport_of_a_split_paragraph_moves_the_note_on_its_second_half(tmp_path, seed_dir):
    path = tmp_path / SEED_NAME
    text = (seed_dir / SEED_NAME).read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    story = import_story_file(path).story
    paragraph = story.blocks.get(text__contains="four men. The paste is made")
    first = note_on(paragraph, "31 backpacks")
    second = note_on(paragraph, "powdered cocaine")
    path.write_text(text.replace("four men. The paste", "four men.\n\nThe paste"), encoding="utf-8")

    import_story_file(path)

    paragraph.refresh_from_db()
    assert paragraph.text.endswith("the detainment of four men.")
    new_block = story.blocks.get(text__startswith="The paste is made")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.paragraph_id, first.anchor_state) == (
        paragraph.id,
        Note.AnchorState.ANCHORED,
    )
    assert (second.paragraph_id, second.anchor_state) == (
        new_block.id,
        Note.AnchorState.ANCHORED,
    )
    assert new_block.text[second.start : second.end] == "powdered cocaine"
    (moved,) = revisions_of(second)
    # Its words and both sides of their context went whole into the new paragraph.
    assert moved.action == NoteRevision.Action.MOVED
    assert moved.user is None


# The service itself


def test_service_moves_notes_of_a_deleted_paragraph_into_the_one_it_was_merged_into(editor):
    story = StoryFactory()
    kept = ParagraphFactory(story=story, position=0, text=PASTE)
    merged = ParagraphFactory(story=story, position=1, text=RAID)
    note = note_on(merged, "31 backpacks")
    old_text = kept.text
    kept.text = f"{PASTE} {RAID}"
    kept.save()

    result = reanchor_story_edit(
        story=story,
        changes=[TextChange(block=kept, old_text=old_text)],
        deleted_blocks=[merged],
        user=editor,
    )
    merged.delete()

    note.refresh_from_db()
    assert result.moved == [note]
    assert result.reanchored == result.orphaned == []
    assert note.paragraph_id == kept.id
    assert kept.text[note.start : note.end] == "31 backpacks"
    assert note.revisions.get().user == editor


def test_service_never_moves_a_note_to_a_look_alike_in_an_untouched_paragraph():
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=RAID)
    ParagraphFactory(story=story, position=1, text=RAID)  # Same words, not edited.
    note = note_on(paragraph, "31 backpacks")
    paragraph.text = RAID.split(". ")[0] + "."
    paragraph.save()

    result = reanchor_story_edit(
        story=story, changes=[TextChange(block=paragraph, old_text=RAID)], user=AnonymousUser()
    )

    note.refresh_from_db()
    assert result.orphaned == [note]
    assert (note.paragraph_id, note.anchor_state) == (
        paragraph.id,
        Note.AnchorState.ORPHANED,
    )
    assert note.revisions.get().user is None


def test_service_does_not_move_a_note_to_a_passage_an_edited_paragraph_already_had():
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=RAID)
    recap = "Later, the soldiers seized 31 backpacks of coca paste, the army said again."
    other = ParagraphFactory(story=story, position=1, text=recap)
    note = note_on(paragraph, "31 backpacks")
    paragraph.text = RAID.split(". ")[0] + "."
    paragraph.save()
    other.text = recap.replace("Later,", "On Friday,")
    other.save()

    result = reanchor_story_edit(
        story=story,
        changes=[
            TextChange(block=paragraph, old_text=RAID),
            TextChange(block=other, old_text=recap),
        ],
    )

    assert result.orphaned == [note]
    note.refresh_from_db()
    assert note.paragraph_id == paragraph.id


def test_service_rejects_a_look_alike_below_the_match_threshold():
    """A created block holding the quote in other words around it does not take the note."""
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=RAID)
    note = note_on(paragraph, "the army")
    paragraph.text = RAID.split(". ")[0] + "."
    paragraph.save()
    unrelated = ParagraphFactory(
        story=story, position=1, text="Critics of the army, in Lima, want an inquiry."
    )

    result = reanchor_story_edit(
        story=story,
        changes=[TextChange(block=paragraph, old_text=RAID)],
        created_blocks=[unrelated],
    )

    assert result.orphaned == [note]
    note.refresh_from_db()
    assert note.paragraph_id == paragraph.id


def test_service_writes_every_note_of_a_heavily_annotated_paragraph(editor):
    """More notes than one write batch holds: each one moves, each one gets its revision."""
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, position=0, text=RAID)
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", RAID)]
    Note.objects.bulk_create(
        Note(
            story=story,
            paragraph=paragraph,
            quote_exact=RAID[start:end],
            quote_prefix=RAID[max(0, start - 32) : start],
            quote_suffix=RAID[end : end + 32],
            start=start,
            end=end,
        )
        for start, end in words * 30
    )
    paragraph.text = "Officials said: " + RAID
    paragraph.save()

    result = reanchor_story_edit(
        story=story, changes=[TextChange(block=paragraph, old_text=RAID)], user=editor
    )

    assert len(result.reanchored) == len(words) * 30 > 500
    for note in paragraph.notes.all():
        assert note.anchor_state == Note.AnchorState.ANCHORED
        assert paragraph.text[note.start : note.end] == note.quote_exact
        assert note.quote_prefix == paragraph.text[max(0, note.start - 32) : note.start]
    assert NoteRevision.objects.filter(user=editor).count() == len(words) * 30


def test_service_refuses_blocks_already_deleted_or_of_another_story():
    story = StoryFactory()
    gone = ParagraphFactory(story=story)
    gone.delete()
    with pytest.raises(ValueError, match="delete it only afterwards"):
        reanchor_story_edit(story=story, changes=[], deleted_blocks=[gone])
    foreign = ParagraphFactory()
    with pytest.raises(ValueError, match="is not a block of"):
        reanchor_story_edit(story=story, changes=[], created_blocks=[foreign])


def test_reanchor_paragraph_reads_an_asides_new_teaser_by_default():
    aside = AsideFactory(teaser=MEDELLIN)
    note = note_on(aside, "gang extortion")
    aside.teaser = "In Medellín, " + MEDELLIN
    aside.save()

    updated, orphaned = reanchor_paragraph(paragraph=aside, old_text=MEDELLIN)

    assert (updated, orphaned) == ([note], [])
    note.refresh_from_db()
    assert aside.teaser[note.start : note.end] == "gang extortion"


def test_orphaning_a_block_alone_orphans_only_its_anchored_notes(editor):
    aside = AsideFactory(teaser=MEDELLIN)
    notes = [note_on(aside, "Columbia"), note_on(aside, "gang extortion")]
    already = note_on(aside, "city", anchor_state=Note.AnchorState.ORPHANED)

    assert orphan_paragraph_notes(paragraph=aside, user=editor) == 2

    for note in notes:
        note.refresh_from_db()
        assert note.anchor_state == Note.AnchorState.ORPHANED
        assert note.revisions.get().user == editor
    assert not already.revisions.exists()


# Moved text

SEIZED = (
    "Soldiers seized 31 backpacks of coca paste near the river crossing at dawn, officials said."
)
FLED = "Police said the smugglers fled on foot into the jungle before the helicopters could arrive."
SENT = (
    "The army sent two helicopters and a patrol boat, and a second unit closed the mountain road."
)


def edit(block: Block, text: str) -> TextChange:
    change = TextChange(block=block, old_text=block.text)
    block.text = text
    block.save()
    return change


def test_a_sentence_moved_within_its_paragraph_keeps_its_note_with_a_history_entry(editor):
    story = StoryFactory()
    paragraph = ParagraphFactory(story=story, text=f"{SEIZED} {FLED} {SENT}")
    note = note_on(paragraph, "coca paste")
    before = (note.start, note.end)

    updated, orphaned = reanchor_paragraph(
        paragraph=paragraph,
        old_text=paragraph.text,
        new_text=f"{FLED} {SENT} {SEIZED}",
        user=editor,
    )

    note.refresh_from_db()
    assert (updated, orphaned) == ([note], [])
    assert note.anchor_state == Note.AnchorState.ANCHORED
    assert f"{FLED} {SENT} {SEIZED}"[note.start : note.end] == "coca paste"
    (entry,) = revisions_of(note)
    assert entry.action == NoteRevision.Action.MOVED
    assert entry.get_action_display() == "Moved with its words"
    assert (entry.before["paragraph_id"], entry.before["start"], entry.before["end"]) == (
        paragraph.id,
        *before,
    )
    assert (entry.after["paragraph_id"], entry.after["start"]) == (paragraph.id, note.start)
    assert entry.user == editor


def test_a_sentence_moved_to_another_paragraph_takes_its_note_there(editor):
    story = StoryFactory()
    first = ParagraphFactory(story=story, position=0, text=f"{SEIZED} {FLED}")
    second = ParagraphFactory(story=story, position=1, text=f"{SENT} Residents fled.")
    note = note_on(first, "coca paste")
    old_start = note.start

    result = reanchor_story_edit(
        story=story,
        changes=[edit(first, FLED), edit(second, f"{SENT} {SEIZED} Residents fled.")],
        user=editor,
    )

    note.refresh_from_db()
    assert result.moved == [note]
    assert note.paragraph_id == second.id
    assert second.text[note.start : note.end] == "coca paste"
    (entry,) = revisions_of(note)
    assert entry.action == NoteRevision.Action.MOVED
    assert (entry.before["paragraph_id"], entry.before["start"]) == (first.id, old_start)
    assert (entry.after["paragraph_id"], entry.after["start"]) == (second.id, note.start)


def test_a_look_alike_with_only_one_side_of_its_context_stays_orphaned():
    story = StoryFactory()
    first = ParagraphFactory(story=story, position=0, text=f"{SEIZED} {FLED}")
    second = ParagraphFactory(story=story, position=1, text=SENT)
    note = note_on(first, "coca paste")
    # The same words with the same prefix, but what follows them is new.
    look_alike = (
        "Soldiers seized 31 backpacks of coca paste and burned every one of them in the square."
    )

    result = reanchor_story_edit(
        story=story,
        changes=[edit(first, FLED), edit(second, f"{SENT} {look_alike}")],
    )

    note.refresh_from_db()
    assert result.moved == []
    assert result.orphaned == [note]
    assert note.anchor_state == Note.AnchorState.ORPHANED


def test_a_passage_found_whole_in_two_paragraphs_stays_orphaned():
    story = StoryFactory()
    first = ParagraphFactory(story=story, position=0, text=f"{SEIZED} {FLED}")
    second = ParagraphFactory(story=story, position=1, text=SENT)
    third = ParagraphFactory(story=story, position=2, text="Residents fled.")
    note = note_on(first, "coca paste")

    result = reanchor_story_edit(
        story=story,
        changes=[
            edit(first, FLED),
            edit(second, f"{SENT} {SEIZED}"),
            edit(third, f"Residents fled. {SEIZED}"),
        ],
    )

    note.refresh_from_db()
    assert result.orphaned == [note]
    assert note.paragraph_id == first.id
