"""Keeping the search index current.

Nothing updates the index behind your back: whatever changes a story's searchable text (its
headline, dek, tags, paragraphs or asides) calls `refresh_search_index_on_commit` (or, already
outside a transaction, `index_articles`): the importer at the end of `save_story`, the admin
after a story and its body blocks are saved, after bulk tag changes, and for every story of a
renamed or deleted tag. Section and author names are not indexed. Drafts are indexed
too: search starts from `Article.objects.published()`, so publishing or unpublishing needs no
index change, and a story is findable the moment it is published.
"""

from collections.abc import Iterable, Iterator

from django.db import transaction

from ..models import Article
from . import backends


def index_articles(*, article_ids: Iterable[int]) -> None:
    """Recompute the index entries of these stories, in one transaction."""
    ids = sorted(set(article_ids))
    if not ids:
        return
    with transaction.atomic():
        backends.current().index_articles(ids)


def index_article(*, article_id: int) -> None:
    """Recompute one story's index entry."""
    index_articles(article_ids=[article_id])


def refresh_search_index_on_commit(*, article_ids: Iterable[int]) -> None:
    """Re-index these stories once the current transaction commits (now, outside one).

    The index is computed in the database from committed rows, so it must run after the
    paragraphs, tags and story are all saved; a rolled-back change leaves the index alone.
    """
    ids = list(article_ids)  # Evaluated now: a queryset's rows could change before commit.
    # Robust: the change that asked is committed and stands should indexing fail (it is
    # logged); `rebuild_search_index` repairs the index.
    transaction.on_commit(lambda: index_articles(article_ids=ids), robust=True)


def _batches(batch_size: int) -> Iterator[list[int]]:
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        yield ids[start : start + batch_size]


def rebuild_search_index(*, batch_size: int = 500) -> int:
    """Re-index every story, a batch per transaction, and drop entries of deleted stories.

    Readers keep finding stories throughout: entries are replaced, never emptied first.
    Returns how many stories were indexed.
    """
    with transaction.atomic():
        backends.current().prune_index()
    count = 0
    for batch in _batches(batch_size):
        index_articles(article_ids=batch)
        count += len(batch)
    return count
