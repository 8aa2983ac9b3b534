"""A documented dump and restore round-trips the whole newsroom, anchors included."""

import json
import os
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.data.backup import BACKUP_LABELS
from articles.data.plaintext import import_story_file
from articles.ingest.models import FollowedSource
from articles.models import (
    Author,
    Block,
    Note,
    NoteReply,
    NoteRevision,
    OldSlug,
    RelatedStory,
    Section,
    Story,
    Tag,
)
from articles.notes.loading import load_note_file
from articles.search.index import index_stories
from tests.factories import AsideFactory, StaffFactory, StoryFactory, UserFactory
from tests.tasks import queued

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT_MODELS = [
    Section,
    Author,
    Tag,
    Story,
    Block,
    OldSlug,
    RelatedStory,
    Note,
    NoteReply,
    NoteRevision,
    FollowedSource,
]


def to_milliseconds(value):
    # Django's JSON serializer keeps times to the millisecond, so that is the backup's precision.
    if isinstance(value, datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def snapshot() -> dict[str, list]:
    """Every row of every content model, as plain values (ids included; people by username,
    since a restore matches people by username and their ids may differ)."""
    usernames = dict(get_user_model().objects.values_list("pk", "username"))
    state = {}
    for model in CONTENT_MODELS:
        people = {
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is get_user_model()
        }
        rows = serializers.serialize("python", model.objects.order_by("pk"))
        state[model.__name__] = [
            (
                row["pk"],
                {
                    name: usernames.get(value) if name in people else to_milliseconds(value)
                    for name, value in row["fields"].items()
                },
            )
            for row in rows
        ]
    state["tags"] = sorted(
        (story.slug, tag.name) for story in Story.objects.all() for tag in story.tags.all()
    )
    state["bylines"] = [
        (b.story.slug, b.author.name, b.position)
        for story in Story.objects.all()
        for b in story.bylines.select_related("story", "author")
    ]
    return state


@pytest.fixture
def sample_newsroom(seed_dir):
    story = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").story
    load_note_file(seed_dir / "notes" / "vice-2014-06-20-peruvian-soldier-killed.json")
    story.tags.add("Peru", "coca", "Shining Path")
    other = StoryFactory(headline="Inside Bolivia's cocaine prison", tags=["Bolivia"])
    aside = story.blocks.asides().first()
    aside.target_story = other
    aside.save()
    AsideFactory(story=other, target_url="https://example.org/elsewhere")
    OldSlug.objects.create(story=story, slug="old-peru-slug")
    # The tags and the factory's story went in behind the index's back; a restore re-indexes.
    index_stories(story_ids=Story.objects.values_list("pk", flat=True))
    return story


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_backup_and_restore_round_trip_everything(sample_newsroom, tmp_path, suffix):
    before = snapshot()
    assert len(before["Note"]) == 7 and len(before["Block"]) == 15
    path = tmp_path / f"newsroom{suffix}"

    call_command("backup_newsroom", str(path))
    call_command("flush", "--noinput")
    assert not Story.objects.exists() and not Note.objects.exists()
    call_command("migrate", verbosity=0)  # groups and permissions, as on a fresh database
    call_command("restore_newsroom", str(path))

    assert snapshot() == before
    note = Note.objects.get(quote_exact="Shining Path rebels")
    assert note.paragraph.text[note.start : note.end] == "Shining Path rebels"


def test_followed_sources_are_restored_and_checked_again(
    sample_newsroom, tmp_path, django_capture_on_commit_callbacks
):
    editor = StaffFactory(username="desk-editor")
    checked = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    FollowedSource.objects.create(
        url="https://wire.example/feed/",
        every=FollowedSource.Every.QUARTER_HOUR,
        added_by=editor,
        last_checked_at=checked,
        last_summary="3 created",
        checks=4,
        next_check_at=checked + timedelta(minutes=15),
    )
    FollowedSource.objects.create(url="https://paused.example/", active=False)
    path = tmp_path / "newsroom.json"
    call_command("backup_newsroom", str(path))
    call_command("flush", "--noinput")
    call_command("migrate", verbosity=0)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("restore_newsroom", str(path))

    source = FollowedSource.objects.get(url="https://wire.example/feed/")
    assert source.added_by.username == "desk-editor" and not source.added_by.is_active
    assert (source.every, source.last_summary, source.checks) == (15, "3 created", 4)
    assert source.last_checked_at == checked
    assert timezone.now() - source.next_check_at < timedelta(minutes=1)  # due again now
    waiting = [kwargs for name, kwargs in queued() if name == "check_followed_source"]
    assert waiting == [{"source_id": source.pk, "due": source.next_check_at.isoformat()}]
    assert FollowedSource.objects.get(url="https://paused.example/").next_check_at is None


def test_backup_names_every_content_model():
    labelled = {label.split(".")[1] for label in BACKUP_LABELS}
    for model in [*CONTENT_MODELS]:
        assert model._meta.model_name in labelled


def test_restoring_a_corrupt_file_changes_nothing(sample_newsroom, tmp_path):
    before = snapshot()
    path = tmp_path / "broken.json"
    path.write_text('[{"model": "articles.section", "pk": 999, "fields": {"name": "X"', "utf-8")
    with pytest.raises(CommandError, match="broken.json: not a backup"):
        call_command("restore_newsroom", str(path))
    assert snapshot() == before


def empty_the_newsroom():
    """Delete every content row (people stay), as a database about to be restored into."""
    for model in [NoteRevision, NoteReply, Note, Block, OldSlug, RelatedStory]:
        model.objects.all().delete()
    for model in [Story, Tag, Author, Section]:
        model.objects.all().delete()


def backup_rows(tmp_path) -> list[dict]:
    path = tmp_path / "source.json"
    call_command("backup_newsroom", str(path))
    return json.loads(path.read_text("utf-8"))


def restore_rows(tmp_path, rows) -> None:
    path = tmp_path / "crafted.json"
    path.write_text(json.dumps(rows), "utf-8")
    call_command("restore_newsroom", str(path))


NOTE = {"kind": "correction", "quote_exact": "Columbia"}


def row_of(rows, model, **fields) -> tuple[int, dict]:
    """The 1-based number and the row of the first `model` row with these field values."""
    for number, row in enumerate(rows, start=1):
        if row["model"] == model and all(row["fields"].get(k) == v for k, v in fields.items()):
            return number, row
    raise LookupError(model)


def test_backup_holds_only_the_people_the_content_names_without_secrets(sample_newsroom, tmp_path):
    get_user_model().objects.create_superuser("root", "root@example.org", "hunter2 hunter2")
    UserFactory(username="reader", email="reader@example.org")
    Author.objects.filter(name="Kayla Ruble").update(
        user=StaffFactory(username="kayla", email="kayla@example.org", first_name="Kayla")
    )
    path = tmp_path / "newsroom.json"

    call_command("backup_newsroom", str(path))

    text = path.read_text("utf-8")
    people = [row for row in json.loads(text) if row["model"] == "auth.user"]
    assert people == [
        {
            "model": "auth.user",
            "fields": {"username": "kayla", "first_name": "Kayla", "last_name": ""},
        },
        {
            "model": "auth.user",
            "fields": {
                "username": "standards-desk",
                "first_name": "Standards",
                "last_name": "Desk",
            },
        },
    ]
    for secret in ["pbkdf2", 'example.org"', "is_superuser", "is_staff", "user_permissions"]:
        assert secret not in text
    assert '"root"' not in text and '"reader"' not in text
    assert not any(row["model"] == "auth.group" for row in json.loads(text))


@pytest.mark.parametrize("existing", [False, True])
def test_backup_file_is_readable_by_its_owner_only(sample_newsroom, tmp_path, existing):
    path = tmp_path / "newsroom.json.gz"
    if existing:
        path.write_bytes(b"an older, world-readable backup")
        path.chmod(0o644)
    old_umask = os.umask(0)
    try:
        call_command("backup_newsroom", str(path))
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["newsroom.json.gz"]  # no temporary left


def test_restore_never_creates_or_changes_superusers_passwords_or_permissions(
    sample_newsroom, tmp_path
):
    """The attack: a crafted file made an annotator a superuser, reset the superuser's password
    and created a new superuser."""
    annotator = StaffFactory(username="annotator")
    # Created by a migration, which an earlier test's flush may have emptied.
    annotator.groups.add(Group.objects.get_or_create(name="Annotators")[0])
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "boss passphrase")
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    forged = {
        "password": "pbkdf2_sha256$870000$forged$forged=",
        "is_superuser": True,
        "is_staff": True,
        "is_active": True,
        "email": "mallory@example.org",
        "groups": [["Editors"]],
        "user_permissions": [["add_user", "auth", "user"]],
    }
    rows[:0] = [
        {"model": "auth.group", "pk": 99, "fields": {"name": "Owners", "permissions": []}},
        {"model": "auth.user", "pk": annotator.pk, "fields": {"username": "annotator", **forged}},
        {"model": "auth.user", "pk": boss.pk, "fields": {"username": "boss", **forged}},
        {"model": "auth.user", "pk": 999, "fields": {"username": "mallory", **forged}},
    ]
    number, note = row_of(rows, "articles.note", **NOTE)
    note["fields"]["author"] = ["mallory"]

    restore_rows(tmp_path, rows)

    annotator.refresh_from_db()
    boss.refresh_from_db()
    assert (annotator.is_superuser, annotator.is_staff, annotator.email) == (
        False,
        True,
        "annotator@example.org",
    )
    assert list(annotator.groups.values_list("name", flat=True)) == ["Annotators"]
    assert annotator.check_password("correct horse battery staple")
    assert boss.check_password("boss passphrase") and boss.email == "boss@example.org"
    mallory = get_user_model().objects.get(username="mallory")
    assert (mallory.is_superuser, mallory.is_staff, mallory.is_active, mallory.email) == (
        False,
        False,
        False,
        "",
    )
    assert not mallory.has_usable_password()
    assert not mallory.groups.exists() and not mallory.user_permissions.exists()
    assert get_user_model().objects.filter(is_superuser=True).get() == boss
    assert not Group.objects.filter(name="Owners").exists()
    assert Note.objects.get(**NOTE).author == mallory
    assert Note.objects.exclude(**NOTE).first().author.username == "standards-desk"


def test_an_older_backup_restores_its_public_notes_as_published_and_the_rest_as_drafts(
    sample_newsroom, tmp_path
):
    """Backups written before notes went through review say `visibility` and `status`."""
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    for row in rows:
        if row["model"] == "articles.note":
            fields = row["fields"]
            published = fields.pop("state") == "published"
            fields.update(visibility="public" if published else "internal", status="resolved")
    _, correction = row_of(rows, "articles.note", **NOTE)
    correction["fields"]["visibility"] = "internal"
    _, internal = row_of(rows, "articles.note", kind="internal")
    internal["fields"]["visibility"] = "public"  # never shown to readers, whatever it says

    restore_rows(tmp_path, rows)

    states = dict(Note.objects.values_list("kind", "state").filter(kind="internal"))
    assert states == {"internal": "draft"}
    assert Note.objects.get(**NOTE).state == "draft"
    assert Note.objects.filter(state="published").count() == 5


def test_restore_renders_note_html_from_the_note_never_from_the_file(sample_newsroom, tmp_path):
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    _, note = row_of(rows, "articles.note", **NOTE)
    note["fields"]["body_html"] = "<script>alert(1)</script>"
    restore_rows(tmp_path, rows)
    body_html = Note.objects.get(**NOTE).body_html
    assert body_html.startswith("<p>The country is spelled <strong>Colombia</strong>.")
    assert "script" not in body_html


def spoil(field, value):
    def change(row):
        row["fields"][field] = value

    return change


@pytest.mark.parametrize(
    ("model", "match", "change", "message"),
    [
        ("articles.note", NOTE, spoil("kind", "<b>x</b>"), "kind: Value"),
        (
            "articles.story",
            {"import_key": "vice-2014-06-20-peruvian-soldier-killed"},
            spoil("headline", "H" * 301),
            "headline: Ensure this value has at most 300 characters",
        ),
        ("articles.story", {}, spoil("headline", 5), "headline: expected text, got 5"),
        ("articles.story", {}, spoil("status", "live"), "status: Value 'live' is not a valid"),
        ("articles.story", {}, spoil("version", True), "version: expected a whole number"),
        ("articles.story", {}, spoil("version", -1), "version: Ensure this value is greater"),
        ("articles.story", {}, spoil("published_at", "2014-06-20T23:41:00"), "without a time"),
        ("articles.story", {}, spoil("published_at", "yesterday"), "published_at:"),
        ("articles.story", {}, spoil("lead_image", "../../etc/passwd"), "not a file name"),
        ("articles.story", {}, spoil("lead_image_url", "javascript:alert(1)"), "valid URL"),
        ("articles.story", {}, spoil("is_superuser", True), "has no field 'is_superuser'"),
        ("articles.story", {}, spoil("dek", "a\x00b"), "NUL"),
        ("articles.story", {}, spoil("section", 12345), "which is not in the file"),
        ("articles.block", {}, spoil("kind", "script"), "kind: Value 'script'"),
        ("articles.note", NOTE, spoil("end", 10**6), "anchor"),
        ("articles.note", NOTE, spoil("start", "abc"), "whole number"),
        ("articles.note", NOTE, spoil("quote_exact", "Bolivia"), "anchor"),
        ("articles.note", NOTE, spoil("end", 0), "quote_not_empty"),
        ("articles.note", NOTE, spoil("paragraph", 10**6), "not in"),
        ("articles.note", NOTE, spoil("author", ["nobody"]), "nobody"),
        ("articles.note", NOTE, spoil("author", 1), "[username]"),
        (
            "articles.note",
            NOTE,
            spoil("corrected_at", "0001-01-01T00:00:00Z"),
            "A correction cannot be dated before the story was published",
        ),
        (
            "articles.note",
            NOTE,
            spoil("corrected_at", "9999-12-31T23:59:59Z"),
            "A correction cannot be dated in the future.",
        ),
        ("articles.noterevision", {}, spoil("before", {"a\x00": 1}), "NUL"),
        ("articles.taggedstory", {}, spoil("tag", ["No such tag"]), "not in the file"),
    ],
)
def test_restore_checks_every_row_before_writing_anything(
    sample_newsroom, tmp_path, model, match, change, message
):
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    people = get_user_model().objects.count()
    number, row = row_of(rows, model, **match)
    change(row)

    with pytest.raises(CommandError) as caught:
        restore_rows(tmp_path, rows)

    assert f"crafted.json: row {number}: " in str(caught.value)
    assert message in str(caught.value)
    assert not any(m.objects.exists() for m in CONTENT_MODELS)
    assert get_user_model().objects.count() == people


def test_restore_refuses_a_paragraph_from_another_story(sample_newsroom, tmp_path):
    other_story = sample_newsroom.blocks.asides().first().target_story_id
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    number, note = row_of(rows, "articles.note", **NOTE)
    _, block = row_of(rows, "articles.block", story=other_story)
    note["fields"]["paragraph"] = block["pk"]
    with pytest.raises(CommandError, match=f"row {number}: .*paragraph is in another story"):
        restore_rows(tmp_path, rows)


def test_restore_refuses_two_rows_with_the_same_slug(sample_newsroom, tmp_path):
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    stories = [n for n, row in enumerate(rows, start=1) if row["model"] == "articles.story"]
    rows[stories[1] - 1]["fields"]["slug"] = rows[stories[0] - 1]["fields"]["slug"]
    with pytest.raises(CommandError, match=f"row {stories[1]}: .*same slug as row {stories[0]}"):
        restore_rows(tmp_path, rows)


def test_restore_into_a_newsroom_with_content_is_refused(sample_newsroom, tmp_path):
    before = snapshot()
    path = tmp_path / "newsroom.json"
    call_command("backup_newsroom", str(path))
    with pytest.raises(CommandError, match="already holds sections, authors"):
        call_command("restore_newsroom", str(path))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.json", b'[{"model": "articles.section"', "not a backup (invalid JSON at line 1"),
        ("object.json", b'{"model": "articles.section"}', "not a backup (expected a list"),
        ("latin1.json", b'["caf\xe9"]', "not a backup (not UTF-8 text)"),
        ("deep.json", b"[" * 100_000, "not a backup"),
        ("fake.json.gz", b"not gzip at all", "cannot be read (BadGzipFile)"),
        ("fake.json.xz", b"not xz at all", "cannot be read (LZMAError)"),
        ("row.json", b"[1]", 'row 1: expected {"model"'),
        ("user.json", b'[{"model": "auth.permission", "fields": {}}]', "row 1: 'auth.permission'"),
    ],
)
def test_unreadable_backups_get_a_clear_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        call_command("restore_newsroom", str(path))
    assert f"{path}: " in str(caught.value)
    assert message in str(caught.value)
    assert not get_user_model().objects.exists()


def test_a_restored_story_is_updated_when_its_corrections_say_whatever_the_file_claims(
    sample_newsroom, tmp_path
):
    """ "Updated" is derived from the restored corrections: a forged year-9999 time in the file
    is not carried over."""
    expected = Story.objects.get(pk=sample_newsroom.pk).corrected_at
    assert expected is not None  # the seed's notes include a public correction
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    _, story = row_of(rows, "articles.story", slug=sample_newsroom.slug)
    story["fields"]["corrected_at"] = "9999-12-31T23:59:59Z"

    restore_rows(tmp_path, rows)

    assert Story.objects.get(slug=sample_newsroom.slug).corrected_at == expected


BEFORE_0023 = Path(__file__).parent / "fixtures" / "backup" / "written-before-0023.json"


def test_a_backup_written_before_the_models_took_their_nouns_restores(db):
    """Written by the code of migration 0022: its rows name the models and their foreign keys
    by their names then (`articles.data.renames`), which a restore reads as today's."""
    call_command("restore_newsroom", str(BEFORE_0023))

    story = Story.objects.get(slug="soldier-killed")
    other = Story.objects.get(slug="coca-growers-march")
    assert [byline.author.name for byline in story.bylines.all()] == ["Kayla Ruble"]
    assert list(story.tags.names()) == ["Peru"]
    assert list(story.old_slugs.values_list("slug", flat=True)) == ["soldier-killed-old"]
    assert list(RelatedStory.objects.values_list("story", "related")) == [(story.pk, other.pk)]
    assert story.text_versions.get().number == 1
    paragraph, aside = story.blocks.order_by("position")
    assert aside.target_story == other
    note = Note.objects.get()
    assert (note.story, note.paragraph, note.body) == (story, paragraph, "The army says he was 24.")
    assert note.quote_exact == paragraph.text[note.start : note.end]
    assert NoteReply.objects.get().note == note
    revisions = NoteRevision.objects.order_by("id")
    assert [(r.note, r.note_ref, r.story) for r in revisions] == [(note, note.pk, story)] * 2
