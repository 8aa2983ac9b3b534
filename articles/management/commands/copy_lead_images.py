"""Keep the newsroom's copy of every lead image given by address that has none yet (or the
slugs given): stories imported before copies were kept, and copies that failed (the publisher's
server was down, the file was not an image). Saves queue the copy for the task worker; this
command fetches in its own process, one image at a time.
"""

from dataclasses import replace

from django.core.management.base import BaseCommand
from django.db.models import F

from articles.ingest.fetching import Fetcher
from articles.ingest.images import image_policy, keep_lead_image_copy
from articles.models import Story


class Command(BaseCommand):
    help = "Copy the lead images given by address that have no copy on this site yet."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these stories (default: every one).")
        parser.add_argument(
            "--allow-private",
            action="store_true",
            help="Fetch from private and local network addresses too (an intranet CMS).",
        )

    def handle(self, *args, slugs, allow_private, **options):
        stories = (
            Story.objects.exclude(lead_image_url="")
            .filter(lead_image="")
            .exclude(lead_image_copied_from=F("lead_image_url"))
            .order_by("pk")
        )
        if slugs:
            stories = stories.filter(slug__in=slugs)
        policy = image_policy()
        if allow_private:
            policy = replace(policy, allow_private=True)
        # One fetcher: each site's robots.txt is read once for all its images.
        fetcher = Fetcher(policy)
        counts: dict[str, int] = {}
        for story_id, slug in stories.values_list("pk", "slug"):
            outcome = keep_lead_image_copy(story_id=story_id, fetcher=fetcher)
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
            self.stdout.write(f"{slug}: {outcome}")
        summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
        self.stdout.write(f"Lead images: {summary or 'none to copy'}.")
