"""Saving a story's own fields, and what must follow every save: the one path the admin's change
form and other callers (the editing benchmark, scripts) take.

`story_saved` is what follows writing a story's row (and its bylines and body): a new version of
its text, the history of tags the save created, its search entry and related list queued for the
task worker, the pages that show it purged once committed, and its authors told when it was
published. `edit_story` changes fields of a story the way the change form does, claiming the
version the caller started from (`VersionConflict` otherwise).
"""

from django.db import transaction

from articles.caching.invalidation import content_changed, own_page_keys, story_keys
from articles.editing.history import record_version
from articles.editing.refresh import lead_image_changed_on_commit, stories_changed_on_commit
from articles.editing.slug_history import record_slug_change
from articles.editing.tagging import record_created_tags
from articles.editing.versions import claim_version
from articles.ingest.images import lead_image_copy_on_commit
from articles.models import Story
from articles.notifications import events

# The story fields its card on list pages (front, section, tag, author, archives, feeds)
# shows or that decide which lists it is on: a change to one purges those lists too.
LIST_FIELDS = frozenset(
    {
        "headline",
        "slug",
        "dek",
        "section",
        "status",
        "published_at",
        "updated_at",
        "lead_image",
        "lead_image_url",
        "image_alt",
        "tags",
    }
)
# Fields whose change may move the story on or off lists at a later time.
SCHEDULE_FIELDS = frozenset({"status", "published_at"})


def shown_before_save(*, story_id: int, changed_fields) -> set[str]:
    """What readers saw of the story before a save changing `changed_fields` (read before it)."""
    return story_keys([story_id], scheduled=bool(SCHEDULE_FIELDS & set(changed_fields)))


def story_saved(
    *,
    story: Story,
    user,
    changed_fields,
    shown_before: set[str],
    bylines_changed: bool = False,
    created_tag_names=(),
) -> None:
    """Everything that follows a save of the story (inside its transaction; purges on commit)."""
    changed_fields = set(changed_fields)
    record_version(story=story, user=user)
    record_created_tags(names=list(created_tag_names), user=user)
    # Text, tags, status or pins may have changed: re-index and recompute in the worker.
    stories_changed_on_commit(story_ids=[story.pk])
    if "lead_image" in changed_fields:
        # A new upload (or none): the worker makes its renditions and purges the pages.
        lead_image_changed_on_commit(story_id=story.pk)
    if {"lead_image", "lead_image_url"} & changed_fields:
        # An image by address with no upload before it: the worker keeps a copy of it.
        lead_image_copy_on_commit(story=story)
    # Purge what readers saw of it and see now (nothing for a draft): its page and, when its card
    # or lists changed, the lists it left or joined (a new publication time reaches the lists it
    # will join).
    if bylines_changed or changed_fields & LIST_FIELDS:
        after = story_keys([story.pk], scheduled=bool(SCHEDULE_FIELDS & changed_fields))
        content_changed(shown_before | after)
    else:
        content_changed(own_page_keys([story.pk]))
    if "status" in changed_fields and story.status == Story.Status.PUBLISHED:
        events.story_published(story=story, by=user)


def edit_story(*, story: Story, version: int, user, **values) -> Story:
    """Set the story's fields to `values` (model field names) and save, as the change form does.

    For the story's own fields; its body's blocks, with their notes' re-anchoring, go through the
    change form's formset. Raises `VersionConflict` when the story moved on from `version`.
    """
    changed = {name for name, value in values.items() if getattr(story, name) != value}
    old_slug = story.slug
    with transaction.atomic():
        shown_before = shown_before_save(story_id=story.pk, changed_fields=changed)
        claim_version(story, expected=version)
        for name in changed:
            setattr(story, name, values[name])
        story.save()
        if "slug" in changed:
            record_slug_change(story=story, old_slug=old_slug)
        story_saved(story=story, user=user, changed_fields=changed, shown_before=shown_before)
    return story
