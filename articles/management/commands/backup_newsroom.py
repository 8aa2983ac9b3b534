"""`manage.py backup_newsroom PATH`: dump stories, authors, tags, asides and annotations."""

from pathlib import Path

from django.core.management.base import BaseCommand

from articles.backup import dump_newsroom


class Command(BaseCommand):
    help = "Write the newsroom's content to a JSON file (.json, .json.gz, .json.bz2, .json.xz)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path, **options):
        dump_newsroom(path=path)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}"))
