"""`manage.py restore_newsroom PATH`: load a backup into an empty migrated database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.data.backup import BackupError, restore_newsroom


class Command(BaseCommand):
    help = (
        "Load a file written by backup_newsroom into this migrated database, which must hold no "
        "content yet. People are matched by username: existing logins are left as they are, "
        "missing ones are created inactive, without a usable password or any permission."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            result = restore_newsroom(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path}: {result.stories} stories, {result.notes} notes; "
                f"{result.people_reused} existing logins reused, {result.people_created} people "
                "created inactive"
            )
        )
