"""Which search engine serves the database in use: PostgreSQL full-text search, or SQLite FTS5.

Each engine is a module with the same five functions: `index_stories(story_ids)`,
`prune_index()`, `unindexed(stories)`, `rank_matches(stories, terms)` and
`best_blocks(story_ids, terms, *, start, stop)`, and says whether its index holds public
stories only (`PUBLIC_ONLY`).
"""

from types import ModuleType

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from articles.search import postgres, sqlite

ENGINES = {"postgresql": postgres, "sqlite": sqlite}


def current() -> ModuleType:
    try:
        return ENGINES[connection.vendor]
    except KeyError:
        raise ImproperlyConfigured(
            f"Search runs on PostgreSQL or SQLite, not {connection.vendor}."
        ) from None
