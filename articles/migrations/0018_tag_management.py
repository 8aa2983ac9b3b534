"""Tag management: synonyms, old tag addresses (merged tags answer 301) and the tags' history.

Editors manage synonyms and read the history; the old addresses are written by merges and slug
changes only.
"""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from articles.migrations._permissions import grant

EDITORS = {
    "tagsynonym": ("add", "change", "delete", "view"),
    "tagredirect": ("view",),
    "tagchange": ("view",),
}


def grant_to_editors(apps, schema_editor):
    codenames = [f"{action}_{model}" for model, actions in EDITORS.items() for action in actions]
    grant(apps, schema_editor, group="Editors", codenames=codenames)


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0017_annotation_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='TagChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('tag_name', models.CharField(help_text="The tag's name at the time.", max_length=100)),
                ('action', models.CharField(choices=[('created', 'Created'), ('renamed', 'Renamed'), ('edited', 'Edited'), ('merged', 'Merged into another tag'), ('merged-in', 'Took in a merged tag'), ('synonym-added', 'Synonym added'), ('synonym-removed', 'Synonym removed'), ('deleted', 'Deleted')], max_length=20)),
                ('detail', models.CharField(blank=True, max_length=500)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('tag', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='changes', to='articles.tag')),
                ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'tag history entry',
                'verbose_name_plural': 'tag history',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='TagRedirect',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.CharField(max_length=100, unique=True)),
                ('old_name', models.CharField(max_length=100)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='redirects', to='articles.tag')),
            ],
            options={
                'verbose_name': 'old tag address',
                'verbose_name_plural': 'old tag addresses',
                'ordering': ['slug'],
            },
        ),
        migrations.CreateModel(
            name='TagSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('tag', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='synonyms', to='articles.tag')),
            ],
            options={
                'ordering': ['name'],
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='tag_synonym_name_unique')],
            },
        ),
        migrations.RunPython(grant_to_editors, migrations.RunPython.noop),
    ]
