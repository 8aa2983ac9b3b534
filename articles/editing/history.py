"""The history of a story's published text: one `StoryVersion` per change readers could see.

Every path that changes a story's text or publishes it (the admin's story form, publishing,
the importer, restores) calls `record_version` inside its transaction, after the blocks are
saved. A call that finds the text as the latest version has it records nothing, so saving a
story without touching its words, or importing a page the publisher has not changed, adds no
version. Drafts have no history: a story's first version is its text when first published.
"""

from django.db import transaction

from articles.models import Block, Story, StoryVersion


def snapshot(story: Story) -> dict:
    """The story's text as readers see it: headline, dek and blocks in reading order."""
    blocks = Block.objects.filter(story=story).order_by("position", "id")
    return {
        "headline": story.headline,
        "dek": story.dek,
        "blocks": [
            {
                "key": block.key,
                "kind": block.kind,
                "text": block.text,
                "teaser": block.teaser,
                "label": block.label,
                "target": block.target_story_id,
            }
            for block in blocks.only(
                "key", "kind", "text", "teaser", "label", "target_story_id", "position"
            )
        ],
    }


def _same_text(version: StoryVersion, state: dict) -> bool:
    return (
        version.headline == state["headline"]
        and version.dek == state["dek"]
        and version.blocks == state["blocks"]
    )


def record_version(
    *, story: Story, user=None, origin: str = StoryVersion.Origin.ADMIN
) -> StoryVersion | None:
    """Record the story's current text as a new version if it is published and its text changed.

    Returns the new version, or None when nothing was recorded (a draft, or the same text).
    """
    if story.status != Story.Status.PUBLISHED:
        return None
    with transaction.atomic():
        # The story row serialises concurrent recorders, so numbers never collide.
        Story.objects.select_for_update().filter(pk=story.pk).exists()
        latest = StoryVersion.objects.filter(story=story).order_by("-number").first()
        state = snapshot(story)
        if latest is not None and _same_text(latest, state):
            return None
        number = (latest.number + 1) if latest is not None else 1
        return StoryVersion.objects.create(
            story=story,
            number=number,
            kind=StoryVersion.Kind.FIRST if latest is None else StoryVersion.Kind.EDIT,
            user=user if getattr(user, "pk", None) else None,
            origin=origin,
            **state,
        )


def record_versions(*, story_ids, user=None, origin: str = StoryVersion.Origin.ADMIN) -> None:
    """`record_version` for several stories (publishing in bulk)."""
    for story in Story.objects.filter(pk__in=list(story_ids)):
        record_version(story=story, user=user, origin=origin)
