"""Migration 0023 (Article -> Story, Annotation -> Note) on a database that holds content,
staff groups and people with permissions, run by `migrate` as a release runs it."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.ingest.models import ImportJob
from articles.models import Block, Note, NoteReply, NoteRevision, Story, TaggedStory

BEFORE = ("articles", "0022_import_jobs")
OLD_MODELS = ["article", "taggedarticle", "annotation", "annotationreply", "annotationrevision"]
NEW_MODELS = ["story", "taggedstory", "note", "notereply", "noterevision"]
DESK_CODENAMES = [
    "add_article",
    "change_article",
    "publish_article",
    "change_any_annotation",
    "publish_annotation",
    "view_annotationrevision",
    "change_taggedarticle",
    "view_section",
]
RENAMED = {
    "add_article": "add_story",
    "change_article": "change_story",
    "publish_article": "publish_story",
    "change_any_annotation": "change_any_note",
    "publish_annotation": "publish_note",
    "view_annotationrevision": "view_noterevision",
    "change_taggedarticle": "change_taggedstory",
    "view_section": "view_section",
}


def articles_permissions() -> list[tuple[str, str]]:
    return sorted(
        Permission.objects.filter(content_type__app_label="articles").values_list(
            "content_type__model", "codename"
        )
    )


@pytest.fixture
def before_0023(transactional_db):
    """The database migrated back to 0022; migrated forward again afterwards, whatever happens."""
    call_command("migrate", "articles", BEFORE[1], verbosity=0)
    yield
    call_command("migrate", verbosity=0)


def test_migrating_a_newsroom_keeps_its_content_groups_and_permissions(before_0023):
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    section = old.get_model("articles", "Section").objects.create(name="News", slug="news")
    story = old.get_model("articles", "Article").objects.create(
        headline="Old", slug="old", section=section, status="published"
    )
    tag = old.get_model("articles", "Tag").objects.create(name="Peru", slug="peru")
    old.get_model("articles", "TaggedArticle").objects.create(content_object=story, tag=tag)
    block = old.get_model("articles", "Block").objects.create(
        article=story,
        text="Old words.",
        key="k1",  # field names as they were at 0022
    )
    note = old.get_model("articles", "Annotation").objects.create(
        article=story,
        paragraph=block,
        quote_exact="Old",
        start=0,
        end=3,  # as it was at 0022
    )
    old.get_model("articles", "AnnotationReply").objects.create(
        annotation=note,
        body="Agreed.",  # as it was at 0022
    )
    old.get_model("articles", "AnnotationRevision").objects.create(
        annotation=note,
        annotation_ref=note.pk,
        article=story,
        action="created",  # as it was
    )
    old.get_model("articles", "ImportJob").objects.create(
        requested_by_id=User.objects.create(username="importer").pk,
        outcomes=[{"label": "a.html", "status": "created", "article_id": story.pk}],
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # The search tables are not the ORM's: earlier tests may have left a row there.
            cursor.execute("DELETE FROM articles_fts_block WHERE rowid = %s", [block.pk])
            cursor.execute(
                "INSERT INTO articles_fts_block (rowid, text, article_id, key) "
                "VALUES (%s, 'Old words.', %s, 'k1')",
                [block.pk, story.pk],
            )
            cursor.execute("DELETE FROM articles_fts_article WHERE rowid = %s", [story.pk])
            cursor.execute(
                "INSERT INTO articles_fts_article (rowid, headline, dek, tags, body) "
                "VALUES (%s, 'Old', '', 'Peru', 'Old words.')",
                [story.pk],
            )
    content_type_ids = {
        model: ContentType.objects.get(app_label="articles", model=model).pk for model in OLD_MODELS
    }
    desk = Group.objects.create(name="Desk")
    desk.permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename__in=DESK_CODENAMES)
    )
    permission_ids = dict(desk.permissions.values_list("codename", "pk"))
    assert set(permission_ids) == set(DESK_CODENAMES)
    reviewer = User.objects.create(username="reviewer")
    reviewer.user_permissions.add(Permission.objects.get(codename="publish_annotation"))
    permissions_before = len(articles_permissions())

    call_command("migrate", verbosity=0)  # forward, with post_migrate as a release runs it

    # Content types renamed in place: same ids, no old ones left, no new ones made.
    for old_model, new_model in zip(OLD_MODELS, NEW_MODELS, strict=True):
        assert (
            ContentType.objects.get(app_label="articles", model=new_model).pk
            == (content_type_ids[old_model])
        )
    assert not ContentType.objects.filter(app_label="articles", model__in=OLD_MODELS).exists()
    # Permissions renamed in place: the group and the user hold the same rows, nothing doubled.
    held = dict(Group.objects.get(name="Desk").permissions.values_list("codename", "pk"))
    assert held == {RENAMED[old]: pk for old, pk in permission_ids.items()}
    reviewer = User.objects.get(username="reviewer")
    assert reviewer.has_perm("articles.publish_note")
    codenames = [codename for _, codename in articles_permissions()]
    assert len(codenames) == len(set(codenames)) == permissions_before
    assert not [c for c in codenames if "article" in c or "annotation" in c]
    assert Permission.objects.get(codename="add_story").name == "Can add story"
    assert Permission.objects.get(codename="publish_story").name == "Can publish stories"
    # The content, under its new names.
    story = Story.objects.get(slug="old")
    assert list(TaggedStory.objects.values_list("content_object", "tag__name")) == [
        (story.pk, "Peru")
    ]
    assert Block.objects.get().story == story
    note = Note.objects.get()
    assert (note.story, note.paragraph) == (story, Block.objects.get())
    assert NoteReply.objects.get().note == note
    revision = NoteRevision.objects.get()
    assert (revision.note, revision.note_ref, revision.story) == (note, note.pk, story)
    assert ImportJob.objects.get().outcomes[0]["story_id"] == story.pk
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT story_id, key FROM articles_fts_block WHERE rowid = %s",
                [Block.objects.get().pk],
            )
            assert cursor.fetchall() == [(story.pk, "k1")]
            cursor.execute("SELECT tags FROM articles_fts_story WHERE rowid = %s", [story.pk])
            assert cursor.fetchall() == [("Peru",)]


def test_the_migration_reverses_and_applies_again(before_0023):
    assert ContentType.objects.filter(app_label="articles", model="article").exists()
    assert Permission.objects.filter(codename="publish_annotation").exists()
    assert not Permission.objects.filter(codename="publish_note").exists()

    call_command("migrate", verbosity=0)
    assert not Permission.objects.filter(codename="publish_annotation").exists()
    assert Permission.objects.filter(codename="publish_note").exists()
