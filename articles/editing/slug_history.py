"""A story's slug history: old slugs keep answering, with a permanent redirect to the new one."""

from django.db import transaction

from articles.models import OldSlug, Story


def record_slug_change(*, story: Story, old_slug: str) -> None:
    """Remember `old_slug` as a former address of `story`, whose new slug is already saved.

    Idempotent. Any old-slug row equal to the new slug is dropped: the live slug answers first
    anyway, and dropping it lets a story move back to an address it once had.
    """
    with transaction.atomic():
        OldSlug.objects.filter(slug=story.slug).delete()
        if old_slug and old_slug != story.slug:
            # The old address now belongs to this story, whichever story held it before.
            OldSlug.objects.update_or_create(slug=old_slug, defaults={"story": story})
