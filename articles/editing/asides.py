"""Changing read-more asides from their own admin screen: a new teaser, a link, a deletion.

Each is one transaction that also gives the story a new version (a change form opened before
cannot write the old aside back); an edit or deletion, once committed, also queues the refresh
of the story's search entry and related list for the task worker. A teaser is annotatable text,
so its notes follow an edit and are orphaned by a deletion.
"""

from django.db import transaction

from articles.caching.invalidation import content_changed, own_page_keys
from articles.editing.refresh import stories_changed_on_commit
from articles.editing.versions import bump_versions
from articles.models import Block, Note, Story
from articles.notes.services import (
    TextChange,
    orphan_paragraph_notes,
    reanchor_story_edit,
)
from articles.related.suggest import accept_suggestion


@transaction.atomic
def save_aside(*, aside: Block, old_teaser: str | None, user) -> None:
    """Save the aside; `old_teaser` is the teaser before the edit, None when it did not change."""
    aside.save()
    if old_teaser is not None:
        reanchor_story_edit(
            story=aside.story,
            changes=[TextChange(block=aside, old_text=old_teaser)],
            created_blocks=[],
            deleted_blocks=[],
            user=user,
        )
    _stories_changed([aside.story_id])


@transaction.atomic
def link_aside(*, aside: Block, target: Story) -> None:
    """Point the aside at `target` (a suggested story); ValueError when it may not."""
    accept_suggestion(aside=aside, target=target)
    bump_versions(Story, pks=[aside.story_id])
    content_changed(own_page_keys([aside.story_id]))


@transaction.atomic
def delete_asides(*, asides: list[Block], user) -> None:
    """Delete the asides, orphaning their notes (and detaching those orphaned already)."""
    bump_versions(
        Note,
        pks=Note.objects.filter(paragraph__in=asides).values_list("pk", flat=True),
    )
    for aside in asides:
        orphan_paragraph_notes(paragraph=aside, user=user)
    Block.objects.filter(pk__in=[aside.pk for aside in asides]).delete()
    _stories_changed([aside.story_id for aside in asides])


def _stories_changed(story_ids: list[int]) -> None:
    bump_versions(Story, pks=story_ids)
    stories_changed_on_commit(story_ids=story_ids)
    # An aside shows on its own story's page only.
    content_changed(own_page_keys(story_ids))
