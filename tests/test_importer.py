"""The plain-text importer: the seed story, several authors, re-imports, malformed files."""

import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from articles.data.plaintext import ImportFormatError, import_story_file, parse_story
from articles.data.renames import OLD_NOTE_FILE_KEY
from articles.models import Author, Block, Byline, Note, RelatedStory, Section, Story
from tests.factories import NoteFactory
from tests.tasks import queued, run_worker
from tests.test_refresh_wiring import search
from tests.test_related import COCA_TEXT, everyday_stories, index_everything, related_on_page, story

pytestmark = pytest.mark.django_db

SEED_NAME = "vice-2014-06-20-peruvian-soldier-killed.txt"

TWO_AUTHORS = """News by VICE

A headline about two reporters

A dek.

by Ana Pérez and John Smith
Mar 3 2015, 9:05am

First paragraph.

Second paragraph.

Follow John Smith on Twitter: @jsmith
"""

THREE_AUTHORS = TWO_AUTHORS.replace(
    "by Ana Pérez and John Smith", "by Ana Pérez, John Smith, and Li Wei"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_story_imports_every_part(seed_dir):
    result = import_story_file(seed_dir / SEED_NAME)
    story = result.story
    assert result.created
    assert story.headline == "Peruvian Soldier Killed in Shootout With Drug Smugglers"
    assert story.dek.startswith("The battle between military forces")
    assert story.section.name == "News"
    assert story.status == Story.Status.PUBLISHED
    assert story.published_at == datetime(2014, 6, 20, 19, 41, tzinfo=ZoneInfo("America/New_York"))
    assert story.image_credit == "AP/Martin Mejia"
    assert [b.author.name for b in story.bylines.select_related("author")] == ["Kayla Ruble"]
    assert Author.objects.get(name="Kayla Ruble").x_handle == "RubleKB"

    blocks = list(story.blocks.all())
    kinds = [b.kind for b in blocks]
    assert kinds.count(Block.Kind.PARAGRAPH) == 11
    assert kinds.count(Block.Kind.ASIDE) == 3
    assert blocks[0].text.startswith("Amid a ramped-up government campaign")
    assert blocks[-1].text.startswith("“It isn’t about just eradicating coca crops.")
    asides = [b for b in blocks if b.kind == Block.Kind.ASIDE]
    assert [a.teaser for a in asides] == [
        "Meet the man who thrived in Bolivia's cocaine prison.",
        "Columbia's 'deadliest city' is fighting back against gang extortion.",
        "Venezuela's drug running generals may be who finally ousts Maduro.",
    ]
    assert all(a.label == "Read more here." for a in asides)
    # The asides sit where they were: after the 3rd, 6th and 9th paragraphs.
    assert [blocks.index(a) for a in asides] == [3, 7, 11]
    # The age banner and the footer are not body text.
    assert not any("years old" in b.text or "Follow" in b.text for b in blocks)
    assert len(result.unresolved_asides) == 3


def test_reimport_updates_in_place_and_keeps_block_keys(seed_dir):
    first = import_story_file(seed_dir / SEED_NAME).story
    keys = list(first.blocks.values_list("key", flat=True))
    second = import_story_file(seed_dir / SEED_NAME)
    assert not second.created
    assert Story.objects.count() == 1
    assert Author.objects.count() == 1
    assert Byline.objects.count() == 1
    assert list(second.story.blocks.values_list("key", flat=True)) == keys


def test_reimport_of_edited_paragraph_keeps_its_key_and_reanchors_notes(tmp_path, seed_dir):
    path = write(tmp_path, SEED_NAME, (seed_dir / SEED_NAME).read_text(encoding="utf-8"))
    story = import_story_file(path).story
    paragraph = story.blocks.get(text__contains="would illicit a violent")
    start = paragraph.text.index("illicit")
    note = NoteFactory(
        paragraph=paragraph,
        kind=Note.Kind.CORRECTION,
        start=start,
        end=start + len("illicit"),
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace("would illicit", "would elicit"), encoding="utf-8"
    )

    import_story_file(path)

    paragraph.refresh_from_db()
    note.refresh_from_db()
    assert "would elicit a violent" in paragraph.text
    assert note.paragraph_id == paragraph.id
    assert note.anchor_state == Note.AnchorState.ANCHORED
    assert paragraph.text[note.start : note.end] == note.quote_exact == "elicit"


def test_reimport_that_drops_a_paragraph_orphans_its_notes(tmp_path, seed_dir):
    text = (seed_dir / SEED_NAME).read_text(encoding="utf-8")
    path = write(tmp_path, SEED_NAME, text)
    story = import_story_file(path).story
    paragraph = story.blocks.get(text__startswith="Peru’s Joint Command has reportedly")
    note = NoteFactory(paragraph=paragraph)
    dropped = "\n".join(
        line for line in text.splitlines() if not line.startswith("Peru’s Joint Command")
    )
    path.write_text(dropped, encoding="utf-8")

    import_story_file(path)

    note.refresh_from_db()
    assert note.anchor_state == Note.AnchorState.ORPHANED
    assert note.paragraph_id is None


def test_two_authors_joined_with_and_keep_byline_order(tmp_path):
    story = import_story_file(write(tmp_path, "two.txt", TWO_AUTHORS)).story
    assert [b.author.name for b in story.bylines.select_related("author")] == [
        "Ana Pérez",
        "John Smith",
    ]
    assert Author.objects.get(name="John Smith").x_handle == "jsmith"
    assert Author.objects.get(name="Ana Pérez").x_handle == ""


def test_three_authors_with_commas_and_and(tmp_path):
    story = import_story_file(write(tmp_path, "three.txt", THREE_AUTHORS)).story
    names = [b.author.name for b in story.bylines.select_related("author")]
    assert names == ["Ana Pérez", "John Smith", "Li Wei"]


def test_existing_author_is_reused_not_duplicated(tmp_path, seed_dir):
    import_story_file(seed_dir / SEED_NAME)
    other = TWO_AUTHORS.replace("by Ana Pérez and John Smith", "by Kayla Ruble").replace(
        "Follow John Smith on Twitter: @jsmith", ""
    )
    import_story_file(write(tmp_path, "other.txt", other))
    assert Author.objects.filter(name="Kayla Ruble").count() == 1
    assert Author.objects.get(name="Kayla Ruble").stories.count() == 2


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "empty"),
        ("Peruvian Soldier Killed\n", 1, "section line"),
        ("News by VICE\n\nHeadline\n\nA dek\n\nJun 20 2014, 7:41pm\n\nBody.\n", 7, "byline"),
        ("News by VICE\n\nHeadline\n\nby Kayla Ruble\nyesterday at noon\n\nBody.\n", 6, "dateline"),
        (
            "News by VICE\n\nHeadline\n\nby Kayla Ruble\nFeb 30 2014, 7:41pm\n\nBody.\n",
            6,
            "not a real date",
        ),
        ("News by VICE\n\nHeadline\n\nby Kayla Ruble\nJun 20 2014, 7:41pm\n", 6, "no paragraphs"),
        ("News by VICE\n\nHeadline\n\nby Kayla Ruble\n", 5, "ends before"),
        (
            "News by VICE\n\nHeadline\n\nby Kayla Ruble\nJun 20 2014, 7:41pm\n\nBody.\n\n"
            "Follow Somebody Else on Twitter: @else\n",
            10,
            "not in the byline",
        ),
        (
            "News by VICE\n\nHeadline\n\nby Kayla Ruble\nJun 20 2014, 7:41pm\n\n"
            "Follow Kayla Ruble on Twitter: @RubleKB\n\nMore text.\n",
            10,
            "after the",
        ),
        ("News by VICE\n\nHeadline\x00\n", 3, "NUL"),
        ("News by VICE\n\n" + "H" * 301 + "\n", 3, "longer than 300"),
    ],
)
def test_malformed_text_names_the_line(text, line, message):
    with pytest.raises(ImportFormatError) as caught:
        parse_story(text, source="bad.txt")
    assert caught.value.source == "bad.txt"
    assert caught.value.line == line
    assert message in caught.value.message


def test_non_utf8_file_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("News by VICE\n\nCaf\xe9 headline\n".encode("latin-1"))
    with pytest.raises(
        ImportFormatError, match=r"latin1.txt: not a story file \(not valid UTF-8 text, line 3\)"
    ):
        import_story_file(path)


def test_command_imports_good_files_reports_bad_ones_and_fails(tmp_path, seed_dir, capsys):
    write(tmp_path, SEED_NAME, (seed_dir / SEED_NAME).read_text(encoding="utf-8"))
    write(
        tmp_path, "broken.txt", "News by VICE\n\nHeadline\n\nby Kayla Ruble\nnot a date\n\nBody.\n"
    )
    with pytest.raises(CommandError, match="1 created, 0 updated, 0 unchanged, 1 failed"):
        call_command("import_stories", str(tmp_path))
    err = capsys.readouterr().err
    assert f"{tmp_path / 'broken.txt'}:6:" in err
    assert Story.objects.count() == 1


def test_failure_while_saving_writes_nothing(tmp_path, monkeypatch):
    """A problem found half-way through saving rolls back everything that file wrote."""

    def fail(*args, **kwargs):
        raise ImportFormatError("two.txt", 9, "simulated failure after the story was saved")

    monkeypatch.setattr("articles.data.plaintext.save_blocks", fail)
    with pytest.raises(ImportFormatError):
        import_story_file(write(tmp_path, "two.txt", TWO_AUTHORS))
    assert not Story.objects.exists()
    assert not Author.objects.exists()
    assert not Section.objects.exists()


def test_command_reports_unexpected_errors_per_file_and_continues(
    tmp_path, seed_dir, monkeypatch, capsys
):
    write(tmp_path, "a-two.txt", TWO_AUTHORS)
    write(tmp_path, SEED_NAME, (seed_dir / SEED_NAME).read_text(encoding="utf-8"))
    real_save = __import__("articles.data.plaintext", fromlist=["save_story"]).save_story

    def flaky(story, *, import_key, **options):
        if import_key == "a-two":
            raise RuntimeError("database went away")
        return real_save(story, import_key=import_key, **options)

    monkeypatch.setattr("articles.data.plaintext.save_story", flaky)
    with pytest.raises(CommandError, match="1 created, 0 updated, 0 unchanged, 1 failed"):
        call_command("import_stories", str(tmp_path))
    assert "a-two.txt: database went away" in capsys.readouterr().err
    assert Story.objects.get().import_key == SEED_NAME.removesuffix(".txt")


def test_command_succeeds_on_the_seed_folder(seed_dir, capsys):
    call_command("import_stories", str(seed_dir))
    out = capsys.readouterr().out
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in out
    assert "unresolved aside: Meet the man who thrived in Bolivia's cocaine prison." in out


def test_command_rejects_missing_path():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_stories", "/nonexistent/stories")


def test_dateline_uses_the_configured_time_zone(settings, tmp_path):
    settings.NEWSROOM_IMPORT_TIME_ZONE = "America/Lima"
    story = import_story_file(write(tmp_path, "lima.txt", TWO_AUTHORS)).story
    assert story.published_at == datetime(2015, 3, 3, 9, 5, tzinfo=ZoneInfo("America/Lima"))


def test_reimport_keeps_an_editors_aside_target(seed_dir):
    story = import_story_file(seed_dir / SEED_NAME).story
    aside = story.blocks.asides().first()
    aside.target_url = "https://example.org/bolivia-prison"
    aside.save()
    import_story_file(seed_dir / SEED_NAME)
    aside.refresh_from_db()
    assert aside.target_url == "https://example.org/bolivia-prison"


def copy_seed(seed_dir: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write(folder, SEED_NAME, (seed_dir / SEED_NAME).read_text(encoding="utf-8"))


def test_a_file_of_the_same_name_from_another_folder_is_refused(tmp_path, seed_dir, capsys):
    """The attack: `other-folder/<seed name>` replaced the live story and orphaned its notes."""
    live = copy_seed(seed_dir, tmp_path / "stories")
    story = import_story_file(live).story
    paragraph = story.blocks.get(text__contains="would illicit a violent")
    note = NoteFactory(paragraph=paragraph, start=6, end=12)
    (tmp_path / "other-folder").mkdir()
    impostor = write(tmp_path / "other-folder", SEED_NAME, TWO_AUTHORS)

    with pytest.raises(CommandError, match="0 created, 0 updated, 0 unchanged, 1 failed"):
        call_command("import_stories", str(tmp_path / "other-folder"))

    err = capsys.readouterr().err
    assert (
        f"error: {impostor.resolve()}: story 'vice-2014-06-20-peruvian-soldier-killed' "
        f"was imported from {live.resolve()}; nothing written (use --replace to replace it "
        "from this file)"
    ) in err
    story.refresh_from_db()
    note.refresh_from_db()
    assert story.headline == "Peruvian Soldier Killed in Shootout With Drug Smugglers"
    assert story.import_source == live.resolve().as_posix()
    assert note.anchor_state == Note.AnchorState.ANCHORED
    assert note.paragraph_id == paragraph.id
    assert Story.objects.count() == 1
    assert not Author.objects.filter(name="Ana Pérez").exists()


def test_the_same_story_under_another_file_name_is_refused(tmp_path, seed_dir, capsys):
    """A renamed copy of a live story would have become a second, duplicate story."""
    live = copy_seed(seed_dir, tmp_path / "stories")
    story = import_story_file(live).story
    copy = write(tmp_path, "renamed.txt", live.read_text(encoding="utf-8"))

    with pytest.raises(CommandError, match="0 created, 0 updated, 0 unchanged, 1 failed"):
        call_command("import_stories", str(copy))

    assert (
        f"error: {copy.resolve()}: this story is already in the archive "
        f"({live.resolve()}, /{story.slug}/); nothing written (use --replace to replace it "
        "from this file)"
    ) in capsys.readouterr().err
    assert list(Story.objects.values_list("pk", flat=True)) == [story.pk]

    call_command("import_stories", str(copy), "--replace")

    story.refresh_from_db()
    assert list(Story.objects.values_list("pk", flat=True)) == [story.pk]
    assert (story.import_key, story.import_source) == ("renamed", copy.resolve().as_posix())


def test_another_story_with_the_same_headline_is_its_own_story(tmp_path, seed_dir):
    live = copy_seed(seed_dir, tmp_path / "stories")
    import_story_file(live)
    later = live.read_text(encoding="utf-8").replace("Jun 20 2014, 7:41pm", "Jun 21 2014, 9:00am")
    import_story_file(write(tmp_path, "next-day.txt", later))

    assert Story.objects.count() == 2


def test_replace_lets_another_file_update_the_story_in_place(tmp_path, seed_dir):
    live = copy_seed(seed_dir, tmp_path / "stories")
    story = import_story_file(live).story
    keys = list(story.blocks.values_list("key", flat=True))
    moved = copy_seed(seed_dir, tmp_path / "archive")

    call_command("import_stories", "--replace", str(moved))

    story.refresh_from_db()
    assert story.import_source == moved.resolve().as_posix()
    assert list(story.blocks.values_list("key", flat=True)) == keys
    assert Story.objects.count() == 1


def test_reimporting_from_the_same_place_by_another_spelling_updates_in_place(
    tmp_path, seed_dir, monkeypatch
):
    path = copy_seed(seed_dir, tmp_path / "stories")
    import_story_file(path)
    monkeypatch.chdir(tmp_path)
    result = import_story_file(Path("stories") / ".." / "stories" / SEED_NAME)
    assert not result.created
    assert Story.objects.count() == 1


def test_seed_stories_record_their_source_relative_to_the_project(seed_dir):
    story = import_story_file(seed_dir / SEED_NAME).story
    assert story.import_source == f"seeds/{SEED_NAME}"


def test_a_story_imported_before_sources_were_recorded_is_claimed_by_its_next_import(seed_dir):
    """Databases from before the import source existed keep working: the first import of
    that name records where the story comes from."""
    story = import_story_file(seed_dir / SEED_NAME).story
    Story.objects.filter(pk=story.pk).update(import_source="")
    result = import_story_file(seed_dir / SEED_NAME)
    assert not result.created
    result.story.refresh_from_db()
    assert result.story.import_source == f"seeds/{SEED_NAME}"


def test_the_seed_folder_imports_again_quietly(seed_dir, capsys):
    call_command("import_stories", str(seed_dir))
    capsys.readouterr()
    call_command("import_stories", str(seed_dir))
    out, err = capsys.readouterr()
    assert err == ""
    # Nothing changed: no "updated" line and no unresolved-aside lines, the summary alone.
    assert out == "0 created, 0 updated, 1 unchanged, 0 failed\n"
    assert Story.objects.count() == 1


def test_a_changed_file_is_reported_as_updated_with_its_unresolved_asides(
    seed_dir, tmp_path, capsys
):
    call_command("import_stories", str(seed_dir))
    edited = tmp_path / SEED_NAME
    text = (seed_dir / SEED_NAME).read_text(encoding="utf-8")
    edited.write_text(
        text.replace("Peruvian soldier", "Peruvian army soldier", 1), encoding="utf-8"
    )
    capsys.readouterr()

    call_command("import_stories", str(edited), "--replace")

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("updated: ")
    assert sum(line.startswith("  unresolved aside: ") for line in out) == 3
    assert out[-1] == "0 created, 1 updated, 0 unchanged, 0 failed"


def test_notes_loaded_again_say_nothing(seed_dir, capsys):
    call_command("import_stories", str(seed_dir))
    call_command("load_notes", str(seed_dir / "notes"))
    capsys.readouterr()

    call_command("load_notes", str(seed_dir / "notes"))

    assert capsys.readouterr().out == ""


def test_a_note_file_written_before_the_rename_still_loads(seed_dir, tmp_path):
    """Such a file lists its notes under the old noun (`articles.data.renames`)."""
    call_command("import_stories", str(seed_dir))
    (seed,) = (seed_dir / "notes").glob("*.json")
    data = json.loads(seed.read_text(encoding="utf-8"))
    data[OLD_NOTE_FILE_KEY] = data.pop("notes")
    (tmp_path / seed.name).write_text(json.dumps(data), encoding="utf-8")

    call_command("load_notes", str(tmp_path))

    assert Note.objects.count() == len(data[OLD_NOTE_FILE_KEY]) > 0


SECRET = "root:x:0:0:SECRET-LINE:/root:/bin/bash"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{SECRET}\nmore\n", "not a story file (line 1 is not a section line"),
        (f"\n\n{SECRET}\n", "not a story file (line 3 is not a section line"),
        (f"News by VICE\n\nHeadline\n\n{SECRET}\n\n{SECRET}\n", ":7: expected the byline"),
        (f"News by VICE\n\nHeadline\n\nby Kayla Ruble\n{SECRET}\n", ":6: expected a dateline"),
        (
            "News by VICE\n\nHeadline\n\nby Kayla Ruble\nFeb 30 2014, 7:41pm\n\nBody.\n",
            ":6: the dateline is not a real date",
        ),
        (
            "News by VICE\n\nHeadline\n\nby Kayla Ruble\nJun 20 2014, 7:41pm\n\nBody.\n\n"
            "Follow SECRET-LINE on Twitter: @secret\n",
            ':10: the "Follow … on Twitter" line names someone not in the byline',
        ),
    ],
)
def test_errors_never_quote_the_file(tmp_path, text, expected):
    path = write(tmp_path, "passwd.txt", text)
    with pytest.raises(ImportFormatError) as caught:
        import_story_file(path)
    assert expected in str(caught.value)
    assert "SECRET" not in str(caught.value)
    assert "Feb 30" not in str(caught.value)


def test_a_binary_file_is_not_a_story_file_and_is_not_quoted(tmp_path, capsys):
    (tmp_path / "photo.txt").write_bytes(b"News by VICE\n\xff\xd8\xffSECRET\x00\n")
    with pytest.raises(CommandError, match="0 created, 0 updated, 0 unchanged, 1 failed"):
        call_command("import_stories", str(tmp_path))
    err = capsys.readouterr().err
    assert f"{tmp_path / 'photo.txt'}: not a story file (not valid UTF-8 text, line 2)" in err
    assert "SECRET" not in err


def test_a_link_out_of_the_folder_is_skipped_unread(tmp_path, seed_dir, capsys):
    outside = write(tmp_path, "passwd", f"{SECRET}\n")
    folder = tmp_path / "stories"
    copy_seed(seed_dir, folder)
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "elsewhere").symlink_to(tmp_path, target_is_directory=True)

    call_command("import_stories", str(folder))

    out, err = capsys.readouterr()
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in out
    assert f"{folder / 'elsewhere'}: skipped, a symbolic link that leads out of {folder}" in err
    assert f"{folder / 'passwd.txt'}: skipped, a symbolic link that leads out of {folder}" in err
    assert "SECRET" not in out + err


def test_a_link_within_the_folder_imports_its_file_once_under_that_files_name(
    tmp_path, seed_dir, capsys
):
    folder = tmp_path / "stories"
    real = copy_seed(seed_dir, folder / "2014")
    (folder / "0-alias.txt").symlink_to(real)  # met before the file itself
    (folder / "loop").symlink_to(folder, target_is_directory=True)

    call_command("import_stories", str(folder))

    assert "1 created, 0 updated, 0 unchanged, 0 failed" in capsys.readouterr().out
    assert Story.objects.get().import_key == SEED_NAME.removesuffix(".txt")


def test_a_file_that_is_not_regular_is_not_read(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(
        ImportFormatError, match=r"pipe.txt: not a story file \(not a regular file\)"
    ):
        import_story_file(fifo)


def test_an_import_queues_its_stories_refresh_for_the_worker(
    client, seed_dir, tmp_path, capsys, django_capture_on_commit_callbacks
):
    """The command saves the stories; their search entries and related lists are the worker's."""
    everyday_stories()
    earlier = story(
        "Peruvian troops seize coca paste from drug traffickers in the VRAEM",
        body=[COCA_TEXT, "The Shining Path rebels are linked to the coca trade in the region."],
        published_at=datetime(2014, 6, 18, 12, tzinfo=ZoneInfo("UTC")),
    )
    index_everything()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_stories", str(seed_dir / SEED_NAME))

    imported = Story.objects.get(import_key=Path(SEED_NAME).stem)
    out = capsys.readouterr().out.splitlines()
    assert out[-2] == (
        "1 story’s search entries and related lists queued for the task worker "
        "(`manage.py db_worker`; `make run` starts it)."
    )
    assert queued() == [("refresh_stories", {"story_ids": [imported.pk]})]
    assert not RelatedStory.objects.filter(story=imported).exists()  # not computed here

    assert run_worker(django_capture_on_commit_callbacks) == 1

    assert earlier.headline in related_on_page(client, imported)
    assert imported.headline in search("smugglers")
