"""Delete the admin's import jobs that have not moved on for a while (30 days by default).

A job keeps what the worker read (text and links of every source) and what it saved, for the
editor who asked; once that editor is done with it, it is only weight. Run it daily, beside
django-tasks' own `prune_db_task_results` for the queue's finished tasks.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from articles.ingest.jobs import prune_import_jobs


class Command(BaseCommand):
    help = "Delete import jobs (and their uploads) that have not moved on for --days days."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=30, help="How long a job is kept (default 30)."
        )

    def handle(self, *args, days: int, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = prune_import_jobs(older_than=timedelta(days=days))
        self.stdout.write(f"Deleted {deleted} import job{'' if deleted == 1 else 's'}.")
