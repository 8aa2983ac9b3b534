"""The content generation is gone: pages are purged by surrogate key (`articles.caching`)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_human_facing_names"),
    ]

    operations = [
        migrations.DeleteModel(name="ContentState"),
    ]
