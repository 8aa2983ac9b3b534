"""The models take the newsroom's nouns: Article is Story, Annotation is Note.

Article -> Story, TaggedArticle -> TaggedStory, Annotation -> Note, AnnotationReply -> NoteReply,
AnnotationRevision -> NoteRevision; every `article` foreign key is `story` (`target_article` is
`target_story`), every `annotation` one is `note` (`annotation_ref` is `note_ref`), and the
related names follow (`section.stories`, `story.notes`, `tag.tagged_stories`, ...). Tables and
columns are renamed in place: no row is copied.

- Content types are renamed by Django itself (`contenttypes` injects a RenameContentType after
  each RenameModel when `migrate` runs), so their ids, and what points at them (admin log
  entries, permissions), stay. `rename_content_types` does it here too for a run that skipped
  that (a migration executor driven without `migrate`'s signals); it finds nothing to do
  otherwise.
- Permissions are not renamed by Django: `rename_permissions` renames the codenames (and names)
  of every renamed model's permissions and of the custom ones (`publish_article`,
  `change_any_annotation`, `publish_annotation`), in place, so that groups and users keep them
  and `post_migrate` finds them instead of creating new ones beside the old.
- Indexes and constraints over a renamed column are removed before the rename and added back
  after it, under names with the new nouns: SQLite rebuilds a table when one of its foreign
  keys is renamed, with the indexes and constraints the state then names, which must not name
  the old field. Indexes over untouched columns are renamed (RenameIndex).
- SQLite's search tables follow (`articles_fts_article` -> `articles_fts_story`, the block
  table's `article_id` -> `story_id`; FTS5 cannot rename a column, so that table is rebuilt
  from the old one's rows). PostgreSQL's search columns belong to renamed tables already.
- Import jobs' stored outcomes name their story `story_id` instead of `article_id`.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

RENAMED_MODELS = [
    ("article", "story"),
    ("taggedarticle", "taggedstory"),
    ("annotation", "note"),
    ("annotationreply", "notereply"),
    ("annotationrevision", "noterevision"),
]
# Custom permissions (Meta.permissions): old codename -> new codename, and their names today.
RENAMED_PERMISSIONS = {
    "publish_article": "publish_story",
    "change_any_annotation": "change_any_note",
    "publish_annotation": "publish_note",
}
CUSTOM_NAMES = {
    "publish_story": "Can publish stories",
    "change_any_note": "Can change and delete anyone's notes",
    "publish_note": "Can publish, send back and withdraw notes",
}
DEFAULT_ACTIONS = ("add", "change", "delete", "view")

SQLITE_FTS_FORWARD = [
    "ALTER TABLE articles_fts_article RENAME TO articles_fts_story",
    "ALTER TABLE articles_fts_block RENAME TO articles_fts_block_old",
    "CREATE VIRTUAL TABLE articles_fts_block USING fts5(text, story_id UNINDEXED, key UNINDEXED, "
    "tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO articles_fts_block (rowid, text, story_id, key) "
    "SELECT rowid, text, article_id, key FROM articles_fts_block_old",
    "DROP TABLE articles_fts_block_old",
]
SQLITE_FTS_BACKWARD = [
    "ALTER TABLE articles_fts_story RENAME TO articles_fts_article",
    "ALTER TABLE articles_fts_block RENAME TO articles_fts_block_old",
    "CREATE VIRTUAL TABLE articles_fts_block USING fts5(text, article_id UNINDEXED, "
    "key UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')",
    "INSERT INTO articles_fts_block (rowid, text, article_id, key) "
    "SELECT rowid, text, story_id, key FROM articles_fts_block_old",
    "DROP TABLE articles_fts_block_old",
]


def codename_pairs() -> list[tuple[str, str]]:
    pairs = [
        (f"{action}_{old}", f"{action}_{new}")
        for old, new in RENAMED_MODELS
        for action in DEFAULT_ACTIONS
    ]
    return pairs + list(RENAMED_PERMISSIONS.items())


def _rename_content_types(apps, schema_editor, pairs) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    for old, new in pairs:
        if not content_types.filter(app_label="articles", model=new).exists():
            content_types.filter(app_label="articles", model=old).update(model=new)


def rename_content_types(apps, schema_editor):
    _rename_content_types(apps, schema_editor, RENAMED_MODELS)


def rename_content_types_back(apps, schema_editor):
    _rename_content_types(apps, schema_editor, [(new, old) for old, new in RENAMED_MODELS])


def _rename_permissions(apps, schema_editor, pairs) -> None:
    """Give each permission its new codename; where the new one exists already (made by a
    `post_migrate` in between), move the old one's holders to it and delete the old."""
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="articles"
    )
    for old_codename, new_codename in pairs:
        for old in permissions.filter(codename=old_codename):
            new = permissions.filter(content_type=old.content_type, codename=new_codename).first()
            if new is None:
                old.codename = new_codename
                old.name = _name(apps, old, new_codename)
                old.save(update_fields=["codename", "name"])
                continue
            new.group_set.add(*old.group_set.all())
            new.user_set.add(*old.user_set.all())
            old.delete()


def _name(apps, permission, codename: str) -> str:
    """Django's name for a default permission ("Can add story"), a custom one's from its Meta."""
    if codename in CUSTOM_NAMES:
        return CUSTOM_NAMES[codename]
    action, _, model_name = codename.partition("_")
    if action not in DEFAULT_ACTIONS:
        return permission.name
    try:
        model = apps.get_model("articles", model_name)
    except LookupError:
        return permission.name
    return f"Can {action} {model._meta.verbose_name}"


def rename_permissions(apps, schema_editor):
    _rename_permissions(apps, schema_editor, codename_pairs())


def rename_permissions_back(apps, schema_editor):
    _rename_permissions(apps, schema_editor, [(new, old) for old, new in codename_pairs()])


def rename_search_tables(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FTS_FORWARD:
            schema_editor.execute(statement)


def rename_search_tables_back(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FTS_BACKWARD:
            schema_editor.execute(statement)


def _rename_outcome_key(apps, schema_editor, old: str, new: str) -> None:
    ImportJob = apps.get_model("articles", "ImportJob")
    jobs = ImportJob.objects.using(schema_editor.connection.alias).exclude(outcomes=[])
    for job in jobs.only("outcomes").iterator():
        outcomes = [
            {(new if key == old else key): value for key, value in outcome.items()}
            if isinstance(outcome, dict)
            else outcome
            for outcome in job.outcomes
        ]
        if outcomes != job.outcomes:
            job.outcomes = outcomes
            job.save(update_fields=["outcomes"])


def rename_outcome_keys(apps, schema_editor):
    _rename_outcome_key(apps, schema_editor, "article_id", "story_id")


def rename_outcome_keys_back(apps, schema_editor):
    _rename_outcome_key(apps, schema_editor, "story_id", "article_id")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0022_import_jobs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # Indexes and constraints over columns about to be renamed.
        migrations.RemoveConstraint(model_name="block", name="block_key_unique_in_article"),
        migrations.RemoveIndex(model_name="block", name="block_order_idx"),
        migrations.RemoveConstraint(model_name="byline", name="author_once_per_byline"),
        migrations.RemoveConstraint(model_name="relatedstory", name="related_once_per_article"),
        migrations.RemoveConstraint(model_name="relatedstory", name="related_is_another_story"),
        migrations.RemoveConstraint(model_name="storyversion", name="story_version_number_unique"),
        migrations.RemoveIndex(model_name="annotation", name="annotation_article_state_idx"),
        # The models.
        migrations.RenameModel(old_name="Article", new_name="Story"),
        migrations.RenameModel(old_name="TaggedArticle", new_name="TaggedStory"),
        migrations.RenameModel(old_name="Annotation", new_name="Note"),
        migrations.RenameModel(old_name="AnnotationReply", new_name="NoteReply"),
        migrations.RenameModel(old_name="AnnotationRevision", new_name="NoteRevision"),
        # Their foreign keys.
        migrations.RenameField(model_name="block", old_name="article", new_name="story"),
        migrations.RenameField(
            model_name="block", old_name="target_article", new_name="target_story"
        ),
        migrations.RenameField(model_name="byline", old_name="article", new_name="story"),
        migrations.RenameField(model_name="oldslug", old_name="article", new_name="story"),
        migrations.RenameField(model_name="relatedstory", old_name="article", new_name="story"),
        migrations.RenameField(model_name="storyversion", old_name="article", new_name="story"),
        migrations.RenameField(
            model_name="leadimagerendition", old_name="article", new_name="story"
        ),
        migrations.RenameField(model_name="note", old_name="article", new_name="story"),
        migrations.RenameField(model_name="notereply", old_name="annotation", new_name="note"),
        migrations.RenameField(model_name="noterevision", old_name="annotation", new_name="note"),
        migrations.RenameField(
            model_name="noterevision", old_name="annotation_ref", new_name="note_ref"
        ),
        migrations.RenameField(model_name="noterevision", old_name="article", new_name="story"),
        migrations.RenameField(model_name="notification", old_name="article", new_name="story"),
        migrations.RenameField(
            model_name="notification", old_name="annotation", new_name="note"
        ),
        # Related names.
        migrations.AlterField(
            model_name="story",
            name="section",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT, related_name="stories", to="articles.section"
            ),
        ),
        migrations.AlterField(
            model_name="story",
            name="authors",
            field=models.ManyToManyField(
                related_name="stories", through="articles.Byline", to="articles.author"
            ),
        ),
        migrations.AlterField(
            model_name="taggedstory",
            name="tag",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="tagged_stories",
                to="articles.tag",
            ),
        ),
        migrations.AlterField(
            model_name="note",
            name="story",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="notes",
                to="articles.story",
                verbose_name="story",
            ),
        ),
        migrations.AlterField(
            model_name="note",
            name="paragraph",
            field=models.ForeignKey(
                blank=True,
                help_text="The block whose text is annotated: a paragraph, or an aside's teaser.",
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="notes",
                to="articles.block",
            ),
        ),
        migrations.AlterField(
            model_name="note",
            name="author",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="notes",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="noterevision",
            name="story",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="note_revisions",
                to="articles.story",
                verbose_name="story",
            ),
        ),
        # Indexes and constraints: renamed, or added back over the renamed columns.
        migrations.RenameIndex(
            model_name="story", new_name="story_public_idx", old_name="article_public_idx"
        ),
        migrations.RenameIndex(
            model_name="story", new_name="story_search_idx", old_name="article_search_idx"
        ),
        migrations.RenameIndex(
            model_name="note", new_name="note_state_idx", old_name="annotation_state_idx"
        ),
        migrations.RenameIndex(
            model_name="note",
            new_name="note_anchor_state_idx",
            old_name="annotation_anchor_state_idx",
        ),
        migrations.RemoveConstraint(model_name="story", name="article_canonical_url_unique"),
        migrations.AddConstraint(
            model_name="story",
            constraint=models.UniqueConstraint(
                condition=~Q(canonical_url=""),
                fields=("canonical_url",),
                name="story_canonical_url_unique",
            ),
        ),
        migrations.RemoveConstraint(model_name="taggedstory", name="tag_once_per_article"),
        migrations.AddConstraint(
            model_name="taggedstory",
            constraint=models.UniqueConstraint(
                fields=("content_object", "tag"), name="tag_once_per_story"
            ),
        ),
        migrations.AddConstraint(
            model_name="block",
            constraint=models.UniqueConstraint(
                fields=("story", "key"), name="block_key_unique_in_story"
            ),
        ),
        migrations.AddIndex(
            model_name="block",
            index=models.Index(fields=["story", "position"], name="block_order_idx"),
        ),
        migrations.AddConstraint(
            model_name="byline",
            constraint=models.UniqueConstraint(
                fields=("story", "author"), name="author_once_per_byline"
            ),
        ),
        migrations.AddConstraint(
            model_name="relatedstory",
            constraint=models.UniqueConstraint(
                fields=("story", "related"), name="related_once_per_story"
            ),
        ),
        migrations.AddConstraint(
            model_name="relatedstory",
            constraint=models.CheckConstraint(
                condition=~Q(related=models.F("story")), name="related_is_another_story"
            ),
        ),
        migrations.AddConstraint(
            model_name="storyversion",
            constraint=models.UniqueConstraint(
                fields=("story", "number"), name="story_version_number_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="note",
            index=models.Index(fields=["story", "state"], name="note_story_state_idx"),
        ),
        # Options naming the old nouns.
        migrations.AlterModelOptions(
            name="story",
            options={
                "ordering": ["-published_at", "-id"],
                "permissions": [("publish_story", "Can publish stories")],
                "verbose_name": "story",
                "verbose_name_plural": "stories",
            },
        ),
        migrations.AlterModelOptions(
            name="note",
            options={
                "ordering": ["paragraph_id", "start", "id"],
                "permissions": [
                    ("change_any_note", "Can change and delete anyone's notes"),
                    ("publish_note", "Can publish, send back and withdraw notes"),
                ],
                "verbose_name": "note",
                "verbose_name_plural": "notes",
            },
        ),
        migrations.AlterModelOptions(
            name="storyversion",
            options={"ordering": ["story", "number"], "verbose_name": "text version"},
        ),
        migrations.AlterModelOptions(
            name="leadimagerendition",
            options={"ordering": ["story", "width"], "verbose_name": "lead image rendition"},
        ),
        # Rows that name the old nouns.
        migrations.RunPython(rename_content_types, rename_content_types_back, elidable=False),
        migrations.RunPython(rename_permissions, rename_permissions_back, elidable=False),
        migrations.RunPython(rename_search_tables, rename_search_tables_back, elidable=False),
        migrations.RunPython(rename_outcome_keys, rename_outcome_keys_back, elidable=False),
    ]

