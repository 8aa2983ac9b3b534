"""Notes go through review: `state` (draft, submitted for review, published, withdrawn)
replaces `visibility` (internal/public) and `status` (open/resolved); Editors may publish.

How the old rows map, so that readers see exactly what they saw before and nothing more:

- a public note of a reader kind (context, source, fact-check, correction) -> published,
  whether it was open or resolved ("resolved" never changed what readers saw);
- an internal-visibility note of a reader kind -> draft: readers never saw it, and it goes to
  readers now only through review (submit, publish), not by flipping a field;
- an internal note (kind "internal") -> draft, the only state internal notes have.

Nothing is lost with the two old columns: every earlier change is in the note's history, whose
entries keep "visibility" and "status" in their snapshots. Reversing maps published back to
public and resolved, withdrawn to internal and resolved, drafts and submissions to internal
and open.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from articles.migrations._permissions import delete_permissions, grant

EDITORS = "Editors"
PUBLISH = "publish_annotation"
READER_KINDS = ("context", "source", "factcheck", "correction")


def states_from_visibility(apps, schema_editor):
    Annotation = apps.get_model("articles", "Annotation")
    notes = Annotation.objects.using(schema_editor.connection.alias)
    notes.filter(visibility="public", kind__in=READER_KINDS).update(state="published")
    notes.exclude(visibility="public", kind__in=READER_KINDS).update(state="draft")


def visibility_from_states(apps, schema_editor):
    Annotation = apps.get_model("articles", "Annotation")
    notes = Annotation.objects.using(schema_editor.connection.alias)
    notes.filter(state="published").update(visibility="public", status="resolved")
    notes.filter(state="withdrawn").update(visibility="internal", status="resolved")
    notes.filter(state__in=["draft", "submitted"]).update(visibility="internal", status="open")


def grant_publish_to_editors(apps, schema_editor):
    grant(apps, schema_editor, group=EDITORS, codenames=[PUBLISH])


def revoke_publish(apps, schema_editor):
    delete_permissions(apps, schema_editor, [PUBLISH])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_drop_content_state"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="annotation",
            options={
                "ordering": ["paragraph_id", "start", "id"],
                "permissions": [
                    ("change_any_annotation", "Can change and delete anyone's notes"),
                    ("publish_annotation", "Can publish, send back and withdraw notes"),
                ],
                "verbose_name": "note",
                "verbose_name_plural": "notes",
            },
        ),
        migrations.AddField(
            model_name="annotation",
            name="state",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted for review"),
                    ("published", "Published"),
                    ("withdrawn", "Withdrawn"),
                ],
                default="draft",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="annotation",
            name="submitted_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="annotation",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
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
                    ("submitted", "Submitted for review"),
                    ("sent-back", "Sent back to draft"),
                    ("published", "Published"),
                    ("withdrawn", "Withdrawn"),
                    ("deleted", "Deleted"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(states_from_visibility, visibility_from_states),
        migrations.RemoveIndex(
            model_name="annotation",
            name="annotation_article_idx",
        ),
        migrations.RemoveField(
            model_name="annotation",
            name="status",
        ),
        migrations.RemoveField(
            model_name="annotation",
            name="visibility",
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(fields=["article", "state"], name="annotation_article_state_idx"),
        ),
        migrations.AddIndex(
            model_name="annotation",
            index=models.Index(fields=["state"], name="annotation_state_idx"),
        ),
        migrations.AddConstraint(
            model_name="annotation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "internal"), _negated=True),
                    ("state", "draft"),
                    _connector="OR",
                ),
                name="internal_notes_stay_drafts",
            ),
        ),
        migrations.RunPython(grant_publish_to_editors, revoke_publish),
    ]
