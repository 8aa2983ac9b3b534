"""Replies remember being edited, their edits and deletions go in the note's history, and
Editors get `change_any_annotation` (Annotators change only their own notes)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

EDITORS = "Editors"
CODENAME = "change_any_annotation"


def grant_change_any_to_editors(apps, schema_editor):
    # Permissions are made after `migrate`, too late for this migration: make ours now.
    app_config = apps.get_app_config("articles")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True  # create_permissions skips apps without a models module.
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    finally:
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    permission = Permission.objects.using(db).get(
        content_type__app_label="articles", codename=CODENAME
    )
    for group in Group.objects.using(db).filter(name=EDITORS):
        group.permissions.add(permission)


def revoke_change_any(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="articles", codename=CODENAME
    ).delete()


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
