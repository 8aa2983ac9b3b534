"""Replies remember being edited, their edits and deletions go in the note's history, and
Editors get `change_any_annotation` (Annotators change only their own notes)."""

from django.db import migrations, models

from articles.migrations._permissions import delete_permissions, grant

EDITORS = "Editors"
CODENAME = "change_any_annotation"


def grant_change_any_to_editors(apps, schema_editor):
    grant(apps, schema_editor, group=EDITORS, codenames=[CODENAME])


def revoke_change_any(apps, schema_editor):
    delete_permissions(apps, schema_editor, [CODENAME])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_bounded_note_text"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="annotation",
            options={
                "ordering": ["paragraph_id", "start", "id"],
                "permissions": [
                    ("change_any_annotation", "Can change and delete anyone's annotations")
                ],
            },
        ),
        migrations.AddField(
            model_name="annotationreply",
            name="edited_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When its author last changed it.",
                null=True,
                verbose_name="edited",
            ),
        ),
        migrations.AlterField(
            model_name="annotationrevision",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Created"),
                    ("updated", "Updated"),
                    ("replied", "Replied"),
                    ("reply-edited", "Reply edited"),
                    ("reply-deleted", "Reply deleted"),
                    ("reanchored", "Re-anchored"),
                    ("orphaned", "Orphaned"),
                    ("reattached", "Re-attached"),
                    ("deleted", "Deleted"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(grant_change_any_to_editors, revoke_change_any),
    ]
