"""The newsroom's two staff groups: Editors (run the story desk, publish) and Annotators."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EVERYTHING = ("add", "change", "delete", "view")

EDITORS = {
    **{
        model: EVERYTHING
        for model in (
            "article",
            "block",
            "byline",
            "author",
            "socialprofile",
            "section",
            "tag",
            "taggedarticle",
            "oldslug",
            "annotation",
            "annotationreply",
        )
    },
    "annotationrevision": ("view",),
}
EDITORS_EXTRA = ("publish_article",)

ANNOTATORS = {
    **{model: ("view",) for model in ("article", "block", "author", "section", "tag")},
    "annotation": EVERYTHING,
    "annotationreply": EVERYTHING,
    "annotationrevision": ("view",),
}

GROUPS = {
    "Editors": (EDITORS, EDITORS_EXTRA),
    "Annotators": (ANNOTATORS, ()),
}


def create_groups(apps, schema_editor):
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
    for name, (model_actions, extra) in GROUPS.items():
        codenames = {
            f"{action}_{model}" for model, actions in model_actions.items() for action in actions
        } | set(extra)
        permissions = list(
            Permission.objects.using(db).filter(
                content_type__app_label="articles", codename__in=codenames
            )
        )
        missing = codenames - {permission.codename for permission in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for the {name} group: {sorted(missing)}")
        group, _ = Group.objects.using(db).get_or_create(name=name)
        group.permissions.set(permissions)


def delete_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
