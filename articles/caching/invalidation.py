"""What a write changed, said by the code that wrote it: `content_changed(keys)`.

Every service that changes what readers see names the content it changed, as surrogate keys
(`keys.py`), and calls `content_changed` once; the pages built from that content are purged after
the transaction commits. A write readers cannot see (a draft's text, an internal note, an
editors' reply) calls nothing.
"""

from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS

from articles.caching import generation


def content_changed(keys: Iterable[str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Purge the pages built from `keys` once the current transaction commits."""
    keys = set(keys)
    if keys:
        generation.content_changed(using=using)
