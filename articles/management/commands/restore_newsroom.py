"""`manage.py restore_newsroom PATH`: load a backup into a migrated database, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.backup import restore_newsroom


class Command(BaseCommand):
    help = "Load a file written by backup_newsroom into this (migrated) database."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        restore_newsroom(path=path)
        self.stdout.write(self.style.SUCCESS(f"Restored {path}"))
