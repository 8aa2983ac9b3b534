"""`manage.py load_notes PATH...`: load notes from JSON files (idempotent)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.notes.loading import NoteFileError, load_note_file


class Command(BaseCommand):
    help = "Load notes from JSON files or folders of them; notes already there are left alone."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)

    def handle(self, *args, paths, **options):
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files.extend(sorted(path.glob("*.json")))
            elif path.exists():
                files.append(path)
            else:
                raise CommandError(f"No such file or folder: {path}")
        failed = []
        for path in files:
            try:
                result = load_note_file(path)
            except NoteFileError as error:
                failed.append(str(error))
                self.stderr.write(self.style.ERROR(f"error: {error}"))
                continue
            headline, added, existing = result.story.headline, result.created, result.existing
            # A re-run that adds nothing stays quiet (more with -v 2).
            if added or options["verbosity"] >= 2:
                self.stdout.write(f"{headline}: {added} notes added, {existing} already there")
        if failed:
            raise CommandError(f"{len(failed)} file(s) failed")
