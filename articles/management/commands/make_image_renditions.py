"""Make the WebP renditions of stories' lead image files (all, or the slugs given).

An upload in the admin, or a copy the worker keeps of an image by address, has the task worker
make them; this back-fills older files.
"""

from django.core.management.base import BaseCommand

from articles.models import Story
from articles.pages.images import make_lead_image_renditions


class Command(BaseCommand):
    help = "Make the WebP renditions of stories' lead image files (uploads and kept copies)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these stories (default: every one).")

    def handle(self, *args, slugs, **options):
        stories = Story.objects.exclude(lead_image="", lead_image_copy="")
        if slugs:
            stories = stories.filter(slug__in=slugs)
        for story in stories.iterator():
            made = make_lead_image_renditions(story=story)
            self.stdout.write(f"{story.slug}: {len(made)} renditions")
