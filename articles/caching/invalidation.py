"""What a write changed, said by the code that wrote it: `content_changed(keys)`.

Every service that changes what readers see names the content it changed, as surrogate keys
(`keys.py`), and calls `content_changed` once; the pages built from that content are purged after
the transaction commits, from every purge backend (`backends.py`: the built-in page cache, and
Varnish or a CDN when configured). A write readers cannot see (a draft's text, an internal note,
an editors' reply) calls nothing.

After the commit, because a page rendered between the purge and the commit would show the old
rows and be kept; a rolled-back transaction purges nothing. Were a process to die between its
commit and the purge, the pages would be stale until their TTL (`NEWSROOM_PAGE_CACHE_TTL`).

`story_keys` names what a change to stories reaches: each story, and the lists it belongs to
while it is published (or scheduled); a draft is on no page, so it names nothing. Services that
change a story's lists (its section, tags, bylines, status) call it before and after the change.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.db import DEFAULT_DB_ALIAS, transaction

from articles.caching import backends, keys
from articles.models import Byline, Story, TaggedStory

logger = logging.getLogger(__name__)


def purge_now(purge_keys: Iterable[str]) -> None:
    """Purge the pages of `purge_keys` (and the pages of everything they belong to) at once."""
    expanded = keys.expand(purge_keys)
    for backend in backends.configured():
        try:
            backend.purge(expanded)
        except Exception:
            # One unreachable cache must not stop the others (the write stands, committed);
            # its pages then last until their TTL.
            logger.exception("Could not purge %s from %s", sorted(expanded), backend)


def content_changed(keys: Iterable[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Purge the pages built from `keys` once the current transaction commits (at once
    outside a transaction)."""
    keys = frozenset(keys)
    if keys:
        transaction.on_commit(partial(purge_now, keys), using=using, robust=True)


def story_keys(
    story_ids: Iterable[int], *, scheduled: bool = False, using: str = DEFAULT_DB_ALIAS
) -> set[str]:
    """The keys of these stories and of every list they are on, for those public now (and
    those scheduled, with `scheduled`: a new publication time moves the moment the lists they
    will join change). Three queries; none for no ids."""
    ids = {pk for pk in story_ids if pk is not None}
    if not ids:
        return set()
    stories = Story.objects.using(using).filter(pk__in=ids)
    stories = stories.filter(status=Story.Status.PUBLISHED) if scheduled else stories.published()
    stories = dict(stories.values_list("pk", "section_id"))
    if not stories:
        return set()
    found = {keys.FRONT}
    for pk, section_id in stories.items():
        found |= {keys.story(pk), keys.section_list(section_id)}
    tags = TaggedStory.objects.using(using).filter(content_object_id__in=stories)
    found |= {keys.tag_list(pk) for pk in tags.values_list("tag_id", flat=True).distinct()}
    bylines = Byline.objects.using(using).filter(story_id__in=stories)
    found |= {keys.author_list(pk) for pk in bylines.values_list("author_id", flat=True).distinct()}
    return found


def own_page_keys(story_ids: Iterable[int], *, using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """The own pages of those of these stories that readers see (one query): for a change to
    what only a story's page shows (its body, an aside, a note, its related list)."""
    ids = {pk for pk in story_ids if pk is not None}
    if not ids:
        return set()
    public = Story.objects.using(using).published().filter(pk__in=ids)
    return {keys.story_page(pk) for pk in public.values_list("pk", flat=True)}
