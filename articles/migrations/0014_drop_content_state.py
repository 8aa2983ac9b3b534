"""The content generation is gone: pages are purged by surrogate key (`articles.caching`)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_story_versions"),
    ]

    operations = [
        migrations.DeleteModel(name="ContentState"),
    ]
