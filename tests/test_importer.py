"""The plain-text importer: the seed story, several authors, re-imports, malformed files."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from articles.importer import ImportFormatError, import_story_file, parse_story
from articles.models import Annotation, Article, Author, Block, Byline, Section
from tests.factories import AnnotationFactory

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
    article = result.article
    assert result.created
    assert article.headline == "Peruvian Soldier Killed in Shootout With Drug Smugglers"
    assert article.dek.startswith("The battle between military forces")
    assert article.section.name == "News"
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == datetime(
        2014, 6, 20, 19, 41, tzinfo=ZoneInfo("America/New_York")
    )
    assert article.image_credit == "AP/Martin Mejia"
    assert [b.author.name for b in article.bylines.select_related("author")] == ["Kayla Ruble"]
    assert Author.objects.get(name="Kayla Ruble").x_handle == "RubleKB"

    blocks = list(article.blocks.all())
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
    first = import_story_file(seed_dir / SEED_NAME).article
    keys = list(first.blocks.values_list("key", flat=True))
    second = import_story_file(seed_dir / SEED_NAME)
    assert not second.created
    assert Article.objects.count() == 1
    assert Author.objects.count() == 1
    assert Byline.objects.count() == 1
    assert list(second.article.blocks.values_list("key", flat=True)) == keys


def test_reimport_of_edited_paragraph_keeps_its_key_and_reanchors_notes(tmp_path, seed_dir):
    path = write(tmp_path, SEED_NAME, (seed_dir / SEED_NAME).read_text(encoding="utf-8"))
    article = import_story_file(path).article
    paragraph = article.blocks.get(text__contains="would illicit a violent")
    start = paragraph.text.index("illicit")
    note = AnnotationFactory(
        paragraph=paragraph,
        kind=Annotation.Kind.CORRECTION,
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
    assert note.anchor_state == Annotation.AnchorState.ANCHORED
    assert paragraph.text[note.start : note.end] == note.quote_exact == "elicit"


def test_reimport_that_drops_a_paragraph_orphans_its_notes(tmp_path, seed_dir):
    text = (seed_dir / SEED_NAME).read_text(encoding="utf-8")
    path = write(tmp_path, SEED_NAME, text)
    article = import_story_file(path).article
    paragraph = article.blocks.get(text__startswith="Peru’s Joint Command has reportedly")
    note = AnnotationFactory(paragraph=paragraph)
    dropped = "\n".join(
        line for line in text.splitlines() if not line.startswith("Peru’s Joint Command")
    )
    path.write_text(dropped, encoding="utf-8")

    import_story_file(path)

    note.refresh_from_db()
    assert note.anchor_state == Annotation.AnchorState.ORPHANED
    assert note.paragraph_id is None


def test_two_authors_joined_with_and_keep_byline_order(tmp_path):
    article = import_story_file(write(tmp_path, "two.txt", TWO_AUTHORS)).article
    assert [b.author.name for b in article.bylines.select_related("author")] == [
        "Ana Pérez",
        "John Smith",
    ]
    assert Author.objects.get(name="John Smith").x_handle == "jsmith"
    assert Author.objects.get(name="Ana Pérez").x_handle == ""


def test_three_authors_with_commas_and_and(tmp_path):
    article = import_story_file(write(tmp_path, "three.txt", THREE_AUTHORS)).article
    names = [b.author.name for b in article.bylines.select_related("author")]
    assert names == ["Ana Pérez", "John Smith", "Li Wei"]


def test_existing_author_is_reused_not_duplicated(tmp_path, seed_dir):
    import_story_file(seed_dir / SEED_NAME)
    other = TWO_AUTHORS.replace("by Ana Pérez and John Smith", "by Kayla Ruble").replace(
        "Follow John Smith on Twitter: @jsmith", ""
    )
    import_story_file(write(tmp_path, "other.txt", other))
    assert Author.objects.filter(name="Kayla Ruble").count() == 1
    assert Author.objects.get(name="Kayla Ruble").articles.count() == 2


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
    with pytest.raises(ImportFormatError, match=r"latin1.txt:3: is not valid UTF-8"):
        import_story_file(path)


def test_command_imports_good_files_reports_bad_ones_and_fails(tmp_path, seed_dir, capsys):
    write(tmp_path, SEED_NAME, (seed_dir / SEED_NAME).read_text(encoding="utf-8"))
    write(
        tmp_path, "broken.txt", "News by VICE\n\nHeadline\n\nby Kayla Ruble\nnot a date\n\nBody.\n"
    )
    with pytest.raises(CommandError, match="1 created, 0 updated, 1 failed"):
        call_command("import_stories", str(tmp_path))
    err = capsys.readouterr().err
    assert f"{tmp_path / 'broken.txt'}:6:" in err
    assert Article.objects.count() == 1


def test_failure_while_saving_writes_nothing(tmp_path, monkeypatch):
    """A problem found half-way through saving rolls back everything that file wrote."""

    def fail(*args, **kwargs):
        raise ImportFormatError("two.txt", 9, "simulated failure after the article was saved")

    monkeypatch.setattr("articles.importer._save_blocks", fail)
    with pytest.raises(ImportFormatError):
        import_story_file(write(tmp_path, "two.txt", TWO_AUTHORS))
    assert not Article.objects.exists()
    assert not Author.objects.exists()
    assert not Section.objects.exists()


def test_command_reports_unexpected_errors_per_file_and_continues(
    tmp_path, seed_dir, monkeypatch, capsys
):
    write(tmp_path, "a-two.txt", TWO_AUTHORS)
    write(tmp_path, SEED_NAME, (seed_dir / SEED_NAME).read_text(encoding="utf-8"))
    real_save = __import__("articles.importer", fromlist=["save_story"]).save_story

    def flaky(story, *, import_key):
        if import_key == "a-two":
            raise RuntimeError("database went away")
        return real_save(story, import_key=import_key)

    monkeypatch.setattr("articles.importer.save_story", flaky)
    with pytest.raises(CommandError, match="1 created, 0 updated, 1 failed"):
        call_command("import_stories", str(tmp_path))
    assert "a-two.txt: database went away" in capsys.readouterr().err
    assert Article.objects.get().import_key == SEED_NAME.removesuffix(".txt")


def test_command_succeeds_on_the_seed_folder(seed_dir, capsys):
    call_command("import_stories", str(seed_dir))
    out = capsys.readouterr().out
    assert "1 created, 0 updated, 0 failed" in out
    assert "unresolved aside: Meet the man who thrived in Bolivia's cocaine prison." in out


def test_command_rejects_missing_path():
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_stories", "/nonexistent/stories")


def test_dateline_uses_the_configured_time_zone(settings, tmp_path):
    settings.NEWSROOM_IMPORT_TIME_ZONE = "America/Lima"
    article = import_story_file(write(tmp_path, "lima.txt", TWO_AUTHORS)).article
    assert article.published_at == datetime(2015, 3, 3, 9, 5, tzinfo=ZoneInfo("America/Lima"))


def test_reimport_keeps_an_editors_aside_target(seed_dir):
    article = import_story_file(seed_dir / SEED_NAME).article
    aside = article.blocks.asides().first()
    aside.target_url = "https://example.org/bolivia-prison"
    aside.save()
    import_story_file(seed_dir / SEED_NAME)
    aside.refresh_from_db()
    assert aside.target_url == "https://example.org/bolivia-prison"
