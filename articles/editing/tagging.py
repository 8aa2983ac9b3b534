"""Tags as editors change them: tagging stories in bulk, and managing the tags themselves.

Tagging: tags go on and off through taggit's manager (`story.tags.add/remove`) so that its
signals fire, but are resolved once, and only the stories whose tags actually change are touched.
Each call is one transaction: the tags, a new version and an admin log entry for each story
changed, and, once committed, their search index entries and related lists queued for the task
worker. A name that is a tag's synonym (`TagSynonym`) stands for that tag.

Managing: renaming, merging one tag into another, synonyms and deleting, each recorded in the
tags' history (`TagChange`) with who and when. A merged tag's address, and a tag's old slug,
answer with a permanent redirect (`TagRedirect`).
"""

from collections import defaultdict
from functools import reduce
from operator import or_

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from articles.caching import keys
from articles.caching.invalidation import content_changed, story_keys
from articles.editing.refresh import reindex_on_commit, stories_changed_on_commit
from articles.editing.versions import bump_versions
from articles.models import Story, Tag, TagChange, TaggedStory, TagRedirect, TagSynonym


def find_tags(names: list[str]) -> dict[str, Tag]:
    """The existing tags with these names, keyed by lower-cased name (tags are case-insensitive)."""
    if not names:
        return {}
    matches = Tag.objects.filter(reduce(or_, (Q(name__iexact=name) for name in names)))
    found = {}
    for tag in matches.order_by("pk"):
        # Should two tags differ only in case, taggit uses the older one; so do we.
        found.setdefault(tag.name.lower(), tag)
    return found


def canonical_names(names: list[str]) -> list[str]:
    """The names with each synonym replaced by its tag's name, each once (whatever its case)."""
    lowered = [name.lower() for name in names]
    existing = {name.lower() for name in find_tags(names)}
    synonyms = dict(
        TagSynonym.objects.annotate(lowered=Lower("name"))
        .filter(lowered__in=[name for name in lowered if name not in existing])
        .values_list("lowered", "tag__name")
    )
    result: dict[str, str] = {}
    for name in names:
        canonical = synonyms.get(name.lower(), name)
        result.setdefault(canonical.lower(), canonical)
    return list(result.values())


def create_tags(*, names: list[str], user) -> list[Tag]:
    """New tags called `names`, recorded in the tags' history as created by `user`."""
    tags = [Tag.objects.create(name=name) for name in names]
    TagChange.objects.bulk_create(
        TagChange(tag=tag, tag_name=tag.name, action=TagChange.Action.CREATED, user=user)
        for tag in tags
    )
    return tags


def record_created_tags(*, names: list[str], user) -> None:
    """Record as created by `user` the tags called `names` that taggit has just made."""
    tags = Tag.objects.annotate(lowered=Lower("name")).filter(
        lowered__in=[name.lower() for name in names]
    )
    TagChange.objects.bulk_create(
        TagChange(tag=tag, tag_name=tag.name, action=TagChange.Action.CREATED, user=user)
        for tag in tags
    )


def add_tags(*, story_ids: list[int], names: list[str], user) -> list[Story]:
    """Tag the stories with `names`, creating missing tags; returns the stories that changed."""
    with transaction.atomic():
        names = canonical_names(names)
        existing = find_tags(names)
        missing_names = [name for name in names if name.lower() not in existing]
        created = {tag.name.lower(): tag for tag in create_tags(names=missing_names, user=user)}
        tags = [existing.get(name.lower()) or created[name.lower()] for name in names]
        has = set(
            TaggedStory.objects.filter(content_object__in=story_ids, tag__in=tags).values_list(
                "content_object_id", "tag_id"
            )
        )
        changed = []
        for story in Story.objects.filter(pk__in=story_ids).only("pk", "headline"):
            missing = [tag for tag in tags if (story.pk, tag.pk) not in has]
            if missing:
                story.tags.add(*missing)
                changed.append(story)
        _stories_retagged(
            changed, tags=tags, user=user, message=f"Added tags {quoted_names(names)}."
        )
        content_changed(story_keys([story.pk for story in changed]))
        return changed


def remove_tags(*, story_ids: list[int], names: list[str], user) -> list[Story]:
    """Take the tags `names` off the stories; returns the stories that changed."""
    with transaction.atomic():
        tags = find_tags(canonical_names(names)).values()
        held = defaultdict(list)
        for story_id, name in TaggedStory.objects.filter(
            content_object__in=story_ids, tag__in=tags
        ).values_list("content_object_id", "tag__name"):
            held[story_id].append(name)
        changed = list(Story.objects.filter(pk__in=held).only("pk", "headline"))
        shown = story_keys(held)  # the tags' lists too, before the stories leave them
        for story in changed:
            # taggit removes by exact name, so pass the names as stored.
            story.tags.remove(*held[story.pk])
        _stories_retagged(
            changed, tags=tags, user=user, message=f"Removed tags {quoted_names(names)}."
        )
        content_changed(shown)
        return changed


def save_tag(*, tag: Tag, user, old_name: str | None = None, old_slug: str | None = None) -> Tag:
    """Store a tag created or edited by hand, and record the change.

    A new name (`old_name` is the one it had) reaches its stories' search text; a new slug
    (`old_slug`) leaves the old address answering with a redirect to the new one.
    """
    with transaction.atomic():
        created = tag.pk is None
        tag.save()
        renamed = old_name is not None and old_name != tag.name
        moved = old_slug is not None and old_slug != tag.slug
        if created:
            _record(tag, TagChange.Action.CREATED, user=user)
        elif renamed:
            _record(tag, TagChange.Action.RENAMED, f"Renamed from “{old_name}”.", user=user)
        else:
            _record(tag, TagChange.Action.EDITED, user=user)
        if moved:
            # The slug is free again for the tag that had it, should it come back.
            TagRedirect.objects.filter(slug=tag.slug).delete()
            TagRedirect.objects.update_or_create(
                slug=old_slug, defaults={"tag": tag, "old_name": old_name or tag.name}
            )
        story_ids = _tagged_story_ids([tag]) if renamed or moved else []
        if renamed:
            stories_changed_on_commit(story_ids=story_ids)
        # Its name and description show on its pages and its stories' pages (a new tag is on
        # none: its key names no page yet).
        content_changed([keys.tag(tag.pk)])
        return tag


def delete_tags(*, tags: QuerySet[Tag], user=None) -> None:
    """Delete the tags; the stories that had them lose them from their search text."""
    with transaction.atomic():
        story_ids = _tagged_story_ids(tags)
        deleted = list(tags)
        TagChange.objects.bulk_create(
            TagChange(
                tag_name=tag.name,
                action=TagChange.Action.DELETED,
                detail=f"Deleted (slug “{tag.slug}”).",
                user=user,
            )
            for tag in deleted
        )
        tags.delete()
        stories_changed_on_commit(story_ids=story_ids)
        content_changed([keys.tag(tag.pk) for tag in deleted])


def merge_tags(*, sources: list[Tag], target: Tag, user) -> int:
    """Merge the `sources` into `target`: their stories are tagged `target` instead, their names
    become its synonyms and their addresses redirect to its own. Returns how many stories moved.

    Set-based, whatever the number of stories: per source, one DELETE of the taggings its
    stories also have with the target and one UPDATE moving the rest. Once committed, the
    moved stories' search entries (tag names are search text) are re-indexed by the task
    queue's worker, a task per 200 stories: about 2 ms a story (bench/tag_merge.py), so 42,000
    stories would hold the editor's request for a minute or two. Tag pages, feeds and the
    search's tag filter follow the merge at once; only free-text matches on the tags' names
    wait for the worker. Their related lists are left to `recompute_related`: the stories keep
    the same subject, and a recompute costs about 80 ms a story.
    """
    sources = [source for source in sources if source.pk != target.pk]
    moved_ids: list[int] = []
    with transaction.atomic():
        # Two merges of the same tags at once: the second waits, then finds its tags gone.
        locked = Tag.objects.select_for_update().filter(pk__in=[t.pk for t in (*sources, target)])
        present = set(locked.values_list("pk", flat=True))
        if target.pk not in present:
            raise Tag.DoesNotExist("The tag to merge into no longer exists.")
        for source in sources:
            if source.pk not in present:
                continue
            taggings = TaggedStory.objects.filter(tag=source)
            story_ids = list(taggings.values_list("content_object_id", flat=True))
            # The stories' versions are left alone: a story form opened before the merge still
            # shows the merged tag's name, which is now the kept tag's synonym, so saving it
            # tags the story with the kept tag. Bumping them was 13 of the 14 seconds a merge
            # of 42,000 stories took (bench/tag_merge.py): every row rewritten, search index too.
            taggings.filter(
                content_object__in=TaggedStory.objects.filter(tag=target).values("content_object")
            ).delete()
            taggings.update(tag=target)
            TagSynonym.objects.filter(tag=source).update(tag=target)
            TagRedirect.objects.filter(tag=source).update(tag=target)
            TagRedirect.objects.update_or_create(
                slug=source.slug, defaults={"tag": target, "old_name": source.name}
            )
            if source.name.lower() != target.name.lower():
                TagSynonym.objects.get_or_create(name=source.name, defaults={"tag": target})
            count = len(story_ids)
            detail = f"“{source.name}” ({count} stor{'y' if count == 1 else 'ies'}) merged in."
            _record(target, TagChange.Action.MERGED_IN, detail, user=user)
            TagChange.objects.filter(tag=source).update(tag=target)
            TagChange.objects.create(
                tag=target,
                tag_name=source.name,
                action=TagChange.Action.MERGED,
                detail=f"Merged into “{target.name}”; its address redirects there.",
                user=user,
            )
            source.delete()
            moved_ids.extend(story_ids)
        reindex_on_commit(story_ids=moved_ids)
        # The pages that name a merged tag (its stories' pages and cards carry its key) and
        # the kept tag's lists, which gain its stories: never a key per story moved.
        content_changed(
            [
                *(
                    key
                    for tag in (target, *sources)
                    for key in (keys.tag(tag.pk), keys.tag_list(tag.pk))
                )
            ]
        )
    return len(set(moved_ids))


def add_synonym(*, tag: Tag, name: str, user) -> TagSynonym:
    """Make `name` another name for `tag`: entering it tags a story with `tag`."""
    with transaction.atomic():
        synonym = TagSynonym.objects.create(tag=tag, name=name)
        _record(tag, TagChange.Action.SYNONYM_ADDED, f"“{name}”", user=user)
        return synonym


def remove_synonym(*, synonym: TagSynonym, user) -> None:
    with transaction.atomic():
        synonym.delete()
        _record(synonym.tag, TagChange.Action.SYNONYM_REMOVED, f"“{synonym.name}”", user=user)


def _record(tag: Tag, action: str, detail: str = "", *, user) -> TagChange:
    return TagChange.objects.create(
        tag=tag, tag_name=tag.name, action=action, detail=detail, user=user
    )


def _tagged_story_ids(tags) -> list[int]:
    return list(
        TaggedStory.objects.filter(tag__in=tags)
        .values_list("content_object_id", flat=True)
        .distinct()
    )


def _stories_retagged(stories: list[Story], *, tags, user, message: str) -> None:
    # Retagged stories get a new version: a change form opened before cannot drop the tags.
    bump_versions(Story, pks=[story.pk for story in stories])
    if stories:
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=stories, action_flag=CHANGE, change_message=message
        )
    # Tag names are part of the stories' search text.
    stories_changed_on_commit(story_ids=[story.pk for story in stories])
    if stories:
        content_changed(
            [*(keys.story(story.pk) for story in stories), *(keys.tag(t.pk) for t in tags)]
        )


def quoted_names(names: list[str]) -> str:
    """The tag names as the log and the admin's messages quote them."""
    return ", ".join(f"“{name}”" for name in names)
