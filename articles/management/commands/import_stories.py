"""`manage.py import_stories PATH...`: import stories in the plain-text layout."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.data.plaintext import (
    ImportConflictError,
    ImportFormatError,
    import_story_file,
    story_files,
)


class Command(BaseCommand):
    help = (
        "Import stories from plain-text files or folders of them; re-importing a file updates "
        "its story in place. A file named like a story imported from elsewhere is refused "
        "unless --replace is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders of .txt files")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Let a file replace the story of the same name imported from another file.",
        )

    def handle(self, *args, paths, replace, **options):
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        found = story_files(paths)
        for message in found.skipped:
            self.stderr.write(self.style.WARNING(message))
        if not found.files:
            raise CommandError("No .txt story files found.")
        created = updated = unchanged = 0
        failed: list[str] = []
        for path in found.files:
            try:
                result = import_story_file(path, replace=replace)
            except (ImportFormatError, ImportConflictError) as error:
                failed.append(str(error))
                self.stderr.write(self.style.ERROR(f"error: {error}"))
                continue
            except OSError as error:
                # The reason only ("Permission denied"): never the file's text.
                message = f"{path}: {error.strerror or type(error).__name__}"
                failed.append(message)
                self.stderr.write(self.style.ERROR(f"error: {message}"))
                continue
            except Exception as error:  # noqa: BLE001 - one bad file must not stop the others
                message = f"{path}: {error}"
                failed.append(message)
                self.stderr.write(self.style.ERROR(f"error: {message}"))
                continue
            created += result.created
            updated += result.changed and not result.created
            unchanged += not result.changed
            # A re-run that changes nothing says so in its summary alone (more with -v 2).
            if not result.changed and options["verbosity"] < 2:
                continue
            verb = "created" if result.created else "updated" if result.changed else "unchanged"
            self.stdout.write(f"{verb}: {result.article.headline} ({path})")
            for aside in result.unresolved_asides:
                self.stdout.write(f"  unresolved aside: {aside.teaser}")
        summary = f"{created} created, {updated} updated, {unchanged} unchanged"
        summary += f", {len(failed)} failed"

        if failed:
            raise CommandError(f"{summary}:\n  " + "\n  ".join(failed))
        self.stdout.write(self.style.SUCCESS(summary))
