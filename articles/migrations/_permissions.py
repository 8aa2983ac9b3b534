"""What the migrations that hand permissions to the staff groups share.

The migration loader skips this module (its name starts with "_"). Like a migration, it is
frozen: its functions take the historical `apps`, and change only in ways every migration that
calls them still means.
"""

from django.contrib.auth.management import create_permissions


def make_permissions(apps, schema_editor) -> None:
    """Create the app's permissions now: Django makes them after `migrate`, too late for the
    migration that grants them."""
    app_config = apps.get_app_config("articles")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True  # create_permissions skips apps without a models module.
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    finally:
        app_config.models_module = models_module


def app_permissions(apps, schema_editor, codenames) -> list:
    """The app's permissions with these codenames, all of them (a missing one is an error)."""
    make_permissions(apps, schema_editor)
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.using(schema_editor.connection.alias).filter(
            content_type__app_label="articles", codename__in=set(codenames)
        )
    )
    missing = set(codenames) - {permission.codename for permission in permissions}
    if missing:
        raise RuntimeError(f"Permissions missing: {sorted(missing)}")
    return permissions


def grant(apps, schema_editor, *, group: str, codenames) -> None:
    """Add these permissions to the group, if it exists (an operator may have deleted it)."""
    permissions = app_permissions(apps, schema_editor, codenames)
    Group = apps.get_model("auth", "Group")
    for found in Group.objects.using(schema_editor.connection.alias).filter(name=group):
        found.permissions.add(*permissions)


def delete_permissions(apps, schema_editor, codenames) -> None:
    """Undo a grant of new permissions: delete them (and with them every group's hold)."""
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="articles", codename__in=set(codenames)
    ).delete()
