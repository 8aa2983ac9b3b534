"""A documented dump and restore round-trips the whole newsroom, anchors included."""

import json
import os
import stat
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import CommandError, call_command

from articles.annotations.loading import load_annotation_file
from articles.data.backup import BACKUP_LABELS
from articles.data.plaintext import import_story_file
from articles.models import (
    Annotation,
    AnnotationReply,
    AnnotationRevision,
    Article,
    Author,
    Block,
    OldSlug,
    RelatedStory,
    Section,
    Tag,
)
from articles.search.index import index_articles
from tests.factories import ArticleFactory, AsideFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONTENT_MODELS = [
    Section,
    Author,
    Tag,
    Article,
    Block,
    OldSlug,
    RelatedStory,
    Annotation,
    AnnotationReply,
    AnnotationRevision,
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
        (article.slug, tag.name) for article in Article.objects.all() for tag in article.tags.all()
    )
    state["bylines"] = [
        (b.article.slug, b.author.name, b.position)
        for article in Article.objects.all()
        for b in article.bylines.select_related("article", "author")
    ]
    return state


@pytest.fixture
def sample_newsroom(seed_dir):
    article = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").article
    load_annotation_file(seed_dir / "annotations" / "vice-2014-06-20-peruvian-soldier-killed.json")
    article.tags.add("Peru", "coca", "Shining Path")
    other = ArticleFactory(headline="Inside Bolivia's cocaine prison", tags=["Bolivia"])
    aside = article.blocks.asides().first()
    aside.target_article = other
    aside.save()
    AsideFactory(article=other, target_url="https://example.org/elsewhere")
    OldSlug.objects.create(article=article, slug="old-peru-slug")
    # The tags and the factory's story went in behind the index's back; a restore re-indexes.
    index_articles(article_ids=Article.objects.values_list("pk", flat=True))
    return article


@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_backup_and_restore_round_trip_everything(sample_newsroom, tmp_path, suffix):
    before = snapshot()
    assert len(before["Annotation"]) == 7 and len(before["Block"]) == 15
    path = tmp_path / f"newsroom{suffix}"

    call_command("backup_newsroom", str(path))
    call_command("flush", "--noinput")
    assert not Article.objects.exists() and not Annotation.objects.exists()
    call_command("migrate", verbosity=0)  # groups and permissions, as on a fresh database
    call_command("restore_newsroom", str(path))

    assert snapshot() == before
    annotation = Annotation.objects.get(quote_exact="Shining Path rebels")
    assert annotation.paragraph.text[annotation.start : annotation.end] == "Shining Path rebels"


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
    for model in [AnnotationRevision, AnnotationReply, Annotation, Block, OldSlug, RelatedStory]:
        model.objects.all().delete()
    for model in [Article, Tag, Author, Section]:
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
    number, note = row_of(rows, "articles.annotation", **NOTE)
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
    assert Annotation.objects.get(**NOTE).author == mallory
    assert Annotation.objects.exclude(**NOTE).first().author.username == "standards-desk"


def test_an_older_backup_restores_its_public_notes_as_published_and_the_rest_as_drafts(
    sample_newsroom, tmp_path
):
    """Backups written before notes went through review say `visibility` and `status`."""
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    for row in rows:
        if row["model"] == "articles.annotation":
            fields = row["fields"]
            published = fields.pop("state") == "published"
            fields.update(visibility="public" if published else "internal", status="resolved")
    _, correction = row_of(rows, "articles.annotation", **NOTE)
    correction["fields"]["visibility"] = "internal"
    _, internal = row_of(rows, "articles.annotation", kind="internal")
    internal["fields"]["visibility"] = "public"  # never shown to readers, whatever it says

    restore_rows(tmp_path, rows)

    states = dict(Annotation.objects.values_list("kind", "state").filter(kind="internal"))
    assert states == {"internal": "draft"}
    assert Annotation.objects.get(**NOTE).state == "draft"
    assert Annotation.objects.filter(state="published").count() == 5


def test_restore_renders_note_html_from_the_note_never_from_the_file(sample_newsroom, tmp_path):
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    _, note = row_of(rows, "articles.annotation", **NOTE)
    note["fields"]["body_html"] = "<script>alert(1)</script>"
    restore_rows(tmp_path, rows)
    body_html = Annotation.objects.get(**NOTE).body_html
    assert body_html.startswith("<p>The country is spelled <strong>Colombia</strong>.")
    assert "script" not in body_html


def spoil(field, value):
    def change(row):
        row["fields"][field] = value

    return change


@pytest.mark.parametrize(
    ("model", "match", "change", "message"),
    [
        ("articles.annotation", NOTE, spoil("kind", "<b>x</b>"), "kind: Value"),
        (
            "articles.article",
            {"import_key": "vice-2014-06-20-peruvian-soldier-killed"},
            spoil("headline", "H" * 301),
            "headline: Ensure this value has at most 300 characters",
        ),
        ("articles.article", {}, spoil("headline", 5), "headline: expected text, got 5"),
        ("articles.article", {}, spoil("status", "live"), "status: Value 'live' is not a valid"),
        ("articles.article", {}, spoil("version", True), "version: expected a whole number"),
        ("articles.article", {}, spoil("version", -1), "version: Ensure this value is greater"),
        ("articles.article", {}, spoil("published_at", "2014-06-20T23:41:00"), "without a time"),
        ("articles.article", {}, spoil("published_at", "yesterday"), "published_at:"),
        ("articles.article", {}, spoil("lead_image", "../../etc/passwd"), "not a file name"),
        ("articles.article", {}, spoil("lead_image_url", "javascript:alert(1)"), "valid URL"),
        ("articles.article", {}, spoil("is_superuser", True), "has no field 'is_superuser'"),
        ("articles.article", {}, spoil("dek", "a\x00b"), "NUL"),
        ("articles.article", {}, spoil("section", 12345), "which is not in the file"),
        ("articles.block", {}, spoil("kind", "script"), "kind: Value 'script'"),
        ("articles.annotation", NOTE, spoil("end", 10**6), "anchor"),
        ("articles.annotation", NOTE, spoil("start", "abc"), "whole number"),
        ("articles.annotation", NOTE, spoil("quote_exact", "Bolivia"), "anchor"),
        ("articles.annotation", NOTE, spoil("end", 0), "quote_not_empty"),
        ("articles.annotation", NOTE, spoil("paragraph", 10**6), "not in"),
        ("articles.annotation", NOTE, spoil("author", ["nobody"]), "nobody"),
        ("articles.annotation", NOTE, spoil("author", 1), "[username]"),
        (
            "articles.annotation",
            NOTE,
            spoil("corrected_at", "0001-01-01T00:00:00Z"),
            "A correction cannot be dated before the story was published",
        ),
        (
            "articles.annotation",
            NOTE,
            spoil("corrected_at", "9999-12-31T23:59:59Z"),
            "A correction cannot be dated in the future.",
        ),
        ("articles.annotationrevision", {}, spoil("before", {"a\x00": 1}), "NUL"),
        ("articles.taggedarticle", {}, spoil("tag", ["No such tag"]), "not in the file"),
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
    other_story = sample_newsroom.blocks.asides().first().target_article_id
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    number, note = row_of(rows, "articles.annotation", **NOTE)
    _, block = row_of(rows, "articles.block", article=other_story)
    note["fields"]["paragraph"] = block["pk"]
    with pytest.raises(CommandError, match=f"row {number}: .*paragraph is in another story"):
        restore_rows(tmp_path, rows)


def test_restore_refuses_two_rows_with_the_same_slug(sample_newsroom, tmp_path):
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    articles = [n for n, row in enumerate(rows, start=1) if row["model"] == "articles.article"]
    rows[articles[1] - 1]["fields"]["slug"] = rows[articles[0] - 1]["fields"]["slug"]
    with pytest.raises(CommandError, match=f"row {articles[1]}: .*same slug as row {articles[0]}"):
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
    expected = Article.objects.get(pk=sample_newsroom.pk).corrected_at
    assert expected is not None  # the seed's notes include a public correction
    rows = backup_rows(tmp_path)
    empty_the_newsroom()
    _, story = row_of(rows, "articles.article", slug=sample_newsroom.slug)
    story["fields"]["corrected_at"] = "9999-12-31T23:59:59Z"

    restore_rows(tmp_path, rows)

    assert Article.objects.get(slug=sample_newsroom.slug).corrected_at == expected
