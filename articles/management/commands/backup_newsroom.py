"""`manage.py backup_newsroom PATH`: dump stories, authors, tags, asides and notes."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.data.backup import dump_newsroom


class Command(BaseCommand):
    help = (
        "Write the newsroom's content to a JSON file (.json, .json.gz, .json.bz2, .json.xz), "
        "readable by its owner only. People appear by username and name only."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        try:
            dump_newsroom(path=path)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or type(error).__name__}") from None
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}"))
