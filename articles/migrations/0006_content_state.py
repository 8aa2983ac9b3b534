from django.db import migrations, models
from django.utils import timezone


def create_state(apps, schema_editor):
    ContentState = apps.get_model("articles", "ContentState")
    ContentState.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"generation": 1, "changed_at": timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_web_url_fields")]

    operations = [
        migrations.CreateModel(
            name="ContentState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("generation", models.PositiveBigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(default=timezone.now)),
            ],
            options={"verbose_name": "content state"},
        ),
        migrations.RunPython(create_state, migrations.RunPython.noop),
    ]
