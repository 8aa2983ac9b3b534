"""The Editors and Annotators groups (migration 0002) and the `create_editor` command."""

import importlib
import io
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.factories import UserFactory

groups_migration = importlib.import_module("articles.migrations.0002_groups")
reply_edits_migration = importlib.import_module("articles.migrations.0009_reply_edits")
note_review_migration = importlib.import_module("articles.migrations.0015_note_review")
tag_management_migration = importlib.import_module("articles.migrations.0018_tag_management")
aside_proxy_migration = importlib.import_module("articles.migrations.0019_read_more_aside_proxy")
record_pages_migration = importlib.import_module("articles.migrations.0021_record_pages")
story_and_note_migration = importlib.import_module("articles.migrations.0023_story_and_note")

STORIES = "/admin/articles/story/"


def codenames(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return set(group.permissions.values_list("codename", flat=True))


def test_editors_may_run_the_story_desk_and_publish(db):
    granted = codenames("Editors")

    for model in ("story", "block", "byline", "author", "socialprofile", "section", "tag"):
        assert {f"add_{model}", f"change_{model}", f"delete_{model}", f"view_{model}"} <= granted
    assert {"publish_story", "delete_oldslug", "change_taggedstory"} <= granted
    assert {"add_note", "delete_notereply", "view_noterevision"} <= granted
    assert "change_noterevision" not in granted


def test_annotators_may_annotate_but_not_change_or_publish_stories(db):
    granted = codenames("Annotators")

    assert {"view_story", "view_block", "view_author", "view_section", "view_tag"} <= granted
    assert {"add_note", "change_note", "delete_note"} <= granted
    assert {"add_notereply", "view_noterevision"} <= granted
    assert not granted & {"change_story", "add_story", "publish_story", "change_block"}


def test_group_migration_reverses_and_applies_again(db):
    """Run on the migration's own (historical) models, as `migrate` would."""
    apps = MigrationLoader(connection).project_state(("articles", "0002_groups")).apps
    schema_editor = SimpleNamespace(connection=connection)
    editors_before = codenames("Editors")

    groups_migration.delete_groups(apps, schema_editor)
    assert not Group.objects.filter(name__in=["Editors", "Annotators"]).exists()

    groups_migration.create_groups(apps, schema_editor)
    # Later migrations give Editors more permissions: with them, they are as they were.
    later = MigrationLoader(connection).project_state(("articles", "0009_reply_edits")).apps
    reply_edits_migration.grant_change_any_to_editors(later, schema_editor)
    latest = MigrationLoader(connection).project_state(("articles", "0015_note_review")).apps
    note_review_migration.grant_publish_to_editors(latest, schema_editor)
    # And two more give them tag management and the read-more asides' own permissions.
    tags = MigrationLoader(connection).project_state(("articles", "0019_read_more_aside_proxy"))
    tag_management_migration.grant_to_editors(tags.apps, schema_editor)
    aside_proxy_migration.grant_where_blocks_were(tags.apps, schema_editor)
    record = MigrationLoader(connection).project_state(("articles", "0021_record_pages")).apps
    record_pages_migration.grant_record_to_editors(record, schema_editor)
    # Those name the permissions as they were; 0023 gives them today's names.
    renamed = MigrationLoader(connection).project_state(("articles", "0023_story_and_note")).apps
    story_and_note_migration.rename_permissions(renamed, schema_editor)
    assert codenames("Editors") == editors_before
    assert "publish_story" not in codenames("Annotators")


def test_read_more_aside_permissions_are_held_where_body_block_ones_were(db):
    editors, annotators = codenames("Editors"), codenames("Annotators")

    assert {f"{action}_readmoreaside" for action in ("add", "change", "delete", "view")} <= editors
    assert "view_readmoreaside" in annotators
    assert "change_readmoreaside" not in annotators


def test_editors_manage_tags_and_read_their_history(db):
    editors = codenames("Editors")

    assert {"change_tag", "delete_tag", "add_tagsynonym", "delete_tagsynonym"} <= editors
    assert {"view_tagchange", "view_tagredirect"} <= editors
    assert "change_tagchange" not in editors


def test_editors_may_change_anyones_notes_and_annotators_only_their_own(db):
    assert "change_any_note" in codenames("Editors")
    assert "change_any_note" not in codenames("Annotators")


def test_editors_publish_notes_and_annotators_do_not(db):
    assert "publish_note" in codenames("Editors")
    assert "publish_note" not in codenames("Annotators")


def test_editors_classify_changes_and_write_policy_pages(db):
    assert {"change_storyversion", "change_policypage"} <= codenames("Editors")
    assert "change_storyversion" not in codenames("Annotators")


def test_change_any_note_migration_reverses_and_applies_again(db):
    apps = MigrationLoader(connection).project_state(("articles", "0009_reply_edits")).apps
    renamed = MigrationLoader(connection).project_state(("articles", "0023_story_and_note")).apps
    schema_editor = SimpleNamespace(connection=connection)
    story_and_note_migration.rename_permissions_back(renamed, schema_editor)

    reply_edits_migration.revoke_change_any(apps, schema_editor)
    assert "change_any_annotation" not in codenames("Editors")  # the codename as it was at 0009

    reply_edits_migration.grant_change_any_to_editors(apps, schema_editor)
    story_and_note_migration.rename_permissions(renamed, schema_editor)
    assert "change_any_note" in codenames("Editors")
    assert "change_any_note" not in codenames("Annotators")


# create_editor


def test_create_editor_makes_a_staff_login_that_can_use_the_story_desk(client, db):
    call_command(
        "create_editor", "maria", email="maria@example.org", password="a long enough passphrase"
    )

    user = get_user_model().objects.get(username="maria")
    assert user.is_staff and not user.is_superuser
    assert user.email == "maria@example.org"
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "maria", "password": "a long enough passphrase", "next": "/admin/"},
    )
    assert response.status_code == 302, "the admin login form refused the new editor"
    assert client.get(STORIES).status_code == 200


def test_create_editor_again_updates_the_user_and_can_make_them_an_annotator(db, capsys):
    call_command("create_editor", "maria", password="a long enough passphrase")
    call_command("create_editor", "maria", "--annotator")

    user = get_user_model().objects.get(username="maria")
    assert list(user.groups.values_list("name", flat=True)) == ["Annotators"]
    assert user.check_password("a long enough passphrase")
    assert get_user_model().objects.filter(username="maria").count() == 1
    out = capsys.readouterr().out
    assert "Created staff user maria in the Editors group." in out
    assert "Updated staff user maria in the Annotators group (password unchanged)." in out


def test_create_editor_prompts_twice_for_the_password_on_a_terminal(db, monkeypatch):
    answers = iter(["a long enough passphrase", "a long enough passphrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    call_command("create_editor", "maria", stdin=SimpleNamespace(isatty=lambda: True))

    assert get_user_model().objects.get(username="maria").check_password("a long enough passphrase")


def test_create_editor_asks_again_after_mismatched_or_weak_passwords(db, monkeypatch):
    answers = iter(
        [
            *("a long enough passphrase", "a different passphrase"),  # differ
            *("password", "password"),  # too common
            *("a long enough passphrase", "a long enough passphrase"),
        ]
    )
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    errors = io.StringIO()

    call_command(
        "create_editor", "maria", stdin=SimpleNamespace(isatty=lambda: True), stderr=errors
    )

    assert errors.getvalue().splitlines() == [
        "The two passwords differ. Try again.",
        "This password is too common. Try another.",
    ]
    assert get_user_model().objects.get(username="maria").check_password("a long enough passphrase")


def test_create_editor_gives_up_after_five_unusable_passwords(db, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt: "password")

    with pytest.raises(CommandError, match="No usable password after 5 tries"):
        call_command(
            "create_editor",
            "maria",
            stdin=SimpleNamespace(isatty=lambda: True),
            stderr=io.StringIO(),
        )
    assert not get_user_model().objects.filter(username="maria").exists()


def test_create_editor_reads_a_piped_password(db):
    call_command("create_editor", "maria", stdin=io.StringIO("a long enough passphrase\nrest\n"))

    assert get_user_model().objects.get(username="maria").check_password("a long enough passphrase")


def test_create_editor_password_stdin_sets_an_existing_users_password(db):
    call_command("create_editor", "maria", password="a long enough passphrase")
    call_command(
        "create_editor", "maria", "--password-stdin", stdin=io.StringIO("another long passphrase\n")
    )

    assert get_user_model().objects.get(username="maria").check_password("another long passphrase")


def test_create_editor_refuses_a_weak_piped_password_it_cannot_ask_again_for(db):
    with pytest.raises(CommandError, match="too common"):
        call_command("create_editor", "maria", stdin=io.StringIO("password\n"))
    assert not get_user_model().objects.filter(username="maria").exists()


def test_create_editor_with_nothing_piped_and_no_terminal_fails_clearly(db):
    with pytest.raises(CommandError, match="No password on standard input"):
        call_command("create_editor", "maria", stdin=io.StringIO(""))
    assert not get_user_model().objects.filter(username="maria").exists()


def test_create_editor_applies_the_password_validators(db):
    with pytest.raises(CommandError, match="too common"):
        call_command("create_editor", "maria", password="password")
    assert not get_user_model().objects.filter(username="maria").exists()


def test_create_editor_leaves_superusers_alone(db):
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)

    with pytest.raises(CommandError, match="superuser"):
        call_command("create_editor", "boss", password="a long enough passphrase")
    boss.refresh_from_db()
    assert boss.is_superuser and not boss.groups.exists()
