"""`manage.py import_stories PATH...`: import stories in the plain-text layout."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.importer import ImportFormatError, import_story_file, story_files


class Command(BaseCommand):
    help = "Import stories from plain-text files or folders of them; re-imports update in place."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders of .txt files")

    def handle(self, *args, paths, **options):
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        files = story_files(paths)
        if not files:
            raise CommandError("No .txt story files found.")
        created = updated = 0
        failed: list[str] = []
        for path in files:
            try:
                result = import_story_file(path)
            except ImportFormatError as error:
                failed.append(str(error))
                self.stderr.write(self.style.ERROR(f"error: {error}"))
                continue
            except Exception as error:  # noqa: BLE001 - one bad file must not stop the others
                message = f"{path}: {getattr(error, 'strerror', None) or error}"
                failed.append(message)
                self.stderr.write(self.style.ERROR(f"error: {message}"))
                continue
            created += result.created
            updated += not result.created
            verb = "created" if result.created else "updated"
            self.stdout.write(f"{verb}: {result.article.headline} ({path})")
            for aside in result.unresolved_asides:
                self.stdout.write(f"  unresolved aside: {aside.teaser}")
        summary = f"{created} created, {updated} updated, {len(failed)} failed"
        if failed:
            raise CommandError(f"{summary}:\n  " + "\n  ".join(failed))
        self.stdout.write(self.style.SUCCESS(summary))
