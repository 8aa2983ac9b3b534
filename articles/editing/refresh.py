"""What must follow a change to stories: their search index entries and related lists.

Both are computed from committed rows, after the change's transaction commits, in this order
(the related lists match text through the search index). Every path that changes a story's
text, tags or status calls `stories_changed_on_commit`: the admin, its bulk actions, the
importer.
"""

from collections.abc import Iterable

from articles.related.compute import related_on_commit
from articles.search.index import refresh_search_index_on_commit


def stories_changed_on_commit(*, article_ids: Iterable[int]) -> None:
    ids = sorted({article_id for article_id in article_ids if article_id is not None})
    if not ids:
        return
    refresh_search_index_on_commit(article_ids=ids)
    related_on_commit(article_ids=ids)
