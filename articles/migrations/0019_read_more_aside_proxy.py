"""Read-more asides get a model of their own in the admin (a proxy of Block), with permissions
of their own, granted to every group and person that held the same permission on body blocks.

The body-block permissions stay: the story form's body inline still asks for them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def grant_where_blocks_were(apps, schema_editor):
    db = schema_editor.connection.alias
    # Permissions are made after `migrate`, too late for this migration: make ours now.
    app_config = apps.get_app_config("articles")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True  # create_permissions skips apps without a models module.
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=db)
    finally:
        app_config.models_module = models_module
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("auth", "User")
    for action in ACTIONS:
        old = Permission.objects.using(db).get(
            content_type__app_label="articles", codename=f"{action}_block"
        )
        new = Permission.objects.using(db).get(
            content_type__app_label="articles", codename=f"{action}_readmoreaside"
        )
        for group in Group.objects.using(db).filter(permissions=old):
            group.permissions.add(new)
        for user in User.objects.using(db).filter(user_permissions=old):
            user.user_permissions.add(new)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_tag_management"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReadMoreAside",
            fields=[],
            options={"verbose_name": "read-more aside", "proxy": True, "indexes": [], "constraints": []},
            bases=("articles.block",),
        ),
        migrations.RunPython(grant_where_blocks_were, migrations.RunPython.noop),
    ]
