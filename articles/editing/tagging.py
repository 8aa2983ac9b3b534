"""Tagging stories in bulk: the one path the admin's tag actions (and tests) take.

Tags go on and off through taggit's manager (`article.tags.add/remove`) so that its signals fire,
but are resolved once, and only the stories whose tags actually change are touched. Each call is
one transaction: the tags, a new version and an admin log entry for each story changed, and, once
committed, their search index entries and related lists refreshed.
"""

from collections import defaultdict
from functools import reduce
from operator import or_

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import Q, QuerySet

from articles.caching import keys
from articles.caching.invalidation import content_changed, story_keys
from articles.editing.refresh import stories_changed_on_commit
from articles.editing.versions import bump_versions
from articles.models import Article, Tag, TaggedArticle


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


def add_tags(*, article_ids: list[int], names: list[str], user) -> list[Article]:
    """Tag the stories with `names`, creating missing tags; returns the stories that changed."""
    with transaction.atomic():
        existing = find_tags(names)
        tags = [existing.get(name.lower()) or Tag.objects.create(name=name) for name in names]
        has = set(
            TaggedArticle.objects.filter(content_object__in=article_ids, tag__in=tags).values_list(
                "content_object_id", "tag_id"
            )
        )
        changed = []
        for article in Article.objects.filter(pk__in=article_ids).only("pk", "headline"):
            missing = [tag for tag in tags if (article.pk, tag.pk) not in has]
            if missing:
                article.tags.add(*missing)
                changed.append(article)
        _stories_retagged(changed, user=user, message=f"Added tags {quoted_names(names)}.")
        content_changed(story_keys([article.pk for article in changed]))
        return changed


def remove_tags(*, article_ids: list[int], names: list[str], user) -> list[Article]:
    """Take the tags `names` off the stories; returns the stories that changed."""
    with transaction.atomic():
        tags = find_tags(names).values()
        held = defaultdict(list)
        for article_id, name in TaggedArticle.objects.filter(
            content_object__in=article_ids, tag__in=tags
        ).values_list("content_object_id", "tag__name"):
            held[article_id].append(name)
        changed = list(Article.objects.filter(pk__in=held).only("pk", "headline"))
        shown = story_keys(held)  # the tags' lists too, before the stories leave them
        for article in changed:
            # taggit removes by exact name, so pass the names as stored.
            article.tags.remove(*held[article.pk])
        _stories_retagged(changed, user=user, message=f"Removed tags {quoted_names(names)}.")
        content_changed(shown)
        return changed


def save_tag(*, tag: Tag, renamed: bool) -> Tag:
    """Store a tag edited by hand; when it was `renamed`, its stories' search text follows."""
    with transaction.atomic():
        tag.save()
        if renamed:
            stories_changed_on_commit(article_ids=_tagged_story_ids([tag]))
        # Its name and description show on its pages and its stories' pages (a new tag is on
        # none: its key names no page yet).
        content_changed([keys.tag(tag.pk)])
        return tag


def delete_tags(*, tags: QuerySet[Tag]) -> None:
    """Delete the tags; the stories that had them lose them from their search text."""
    with transaction.atomic():
        article_ids = _tagged_story_ids(tags)
        shown = {keys.tag(pk) for pk in tags.values_list("pk", flat=True)}
        tags.delete()
        stories_changed_on_commit(article_ids=article_ids)
        content_changed(shown)


def _tagged_story_ids(tags) -> list[int]:
    return list(
        TaggedArticle.objects.filter(tag__in=tags)
        .values_list("content_object_id", flat=True)
        .distinct()
    )


def _stories_retagged(articles: list[Article], *, user, message: str) -> None:
    # Retagged stories get a new version: a change form opened before cannot drop the tags.
    bump_versions(Article, pks=[article.pk for article in articles])
    if articles:
        LogEntry.objects.log_actions(
            user_id=user.pk, queryset=articles, action_flag=CHANGE, change_message=message
        )
    # Tag names are part of the stories' search text.
    stories_changed_on_commit(article_ids=[article.pk for article in articles])


def quoted_names(names: list[str]) -> str:
    """The tag names as the log and the admin's messages quote them."""
    return ", ".join(f"“{name}”" for name in names)
