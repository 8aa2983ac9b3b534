"""The newsroom's two staff groups: Editors (run the story desk, publish) and Annotators."""

from django.db import migrations

from articles.migrations._permissions import app_permissions

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
    Group = apps.get_model("auth", "Group")
    for name, (model_actions, extra) in GROUPS.items():
        codenames = {
            f"{action}_{model}" for model, actions in model_actions.items() for action in actions
        } | set(extra)
        permissions = app_permissions(apps, schema_editor, codenames)
        group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)
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
