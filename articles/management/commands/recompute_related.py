"""`manage.py recompute_related --all | --since DAYS`: recompute stories' related lists in bulk."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.related.compute import recompute_related_bulk


class Command(BaseCommand):
    help = (
        "Recompute the related stories of every published story (--all) or of those published "
        "in the last DAYS days (--since DAYS), a batch per transaction. Editors' pins and "
        "exclusions stay. Run --since regularly so that new stories join older stories' lists."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every published story.")
        which.add_argument(
            "--since", type=int, metavar="DAYS", help="Stories published in the last DAYS days."
        )
        parser.add_argument(
            "--batch-size", type=int, default=200, help="Stories per transaction (default 200)."
        )

    def handle(self, *args, since, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if since is not None and since < 0:
            raise CommandError("--since takes a number of days, 0 or more.")
        start = None if since is None else timezone.now() - timedelta(days=since)
        count = recompute_related_bulk(since=start, batch_size=batch_size)
        stories = "story" if count == 1 else "stories"
        self.stdout.write(self.style.SUCCESS(f"Recomputed related stories of {count} {stories}."))
