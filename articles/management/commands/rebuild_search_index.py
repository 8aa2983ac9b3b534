"""`manage.py rebuild_search_index`: re-index every story, in batches."""

from django.core.management.base import BaseCommand, CommandError

from articles.search.index import rebuild_search_index


class Command(BaseCommand):
    help = "Rebuild the search index of every story (drafts too), a batch per transaction."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Stories per transaction (default 500)."
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        count = rebuild_search_index(batch_size=batch_size)
        stories = "story" if count == 1 else "stories"
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} {stories}."))
