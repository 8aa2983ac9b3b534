"""Purge backends: where the pages a purge names are cached, and how to drop them.

A backend is any object with `purge(keys: set[str]) -> None`; `NEWSROOM_PURGE_BACKENDS` lists
their dotted paths, called in order after each committed change (`invalidation.purge_now`):

- `PageCachePurge`, the built-in page cache (`pagecache`, `store`): always on;
- `VarnishPurge`, Varnish with the xkey module in front of the app servers: one `PURGE` request
  per Varnish (`NEWSROOM_VARNISH_URLS`) with the keys in an `xkey-purge` header, which the VCL in
  `deploy/varnish.vcl` hands to `xkey.purge`. Pages reach Varnish with their keys in
  `Surrogate-Key`, which the same VCL copies to `xkey`.

A CDN plugs in the same way (see the README's Deployment): Fastly reads `Surrogate-Key` itself
and purges by key with `POST /service/<id>/purge` and a `Surrogate-Key` header; Cloudflare reads
`Cache-Tag` and purges with `POST /zones/<id>/purge_cache {"tags": [...]}`. Either is a class
with a `purge` method like `VarnishPurge`, added to the setting.
"""

import logging
import urllib.request
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from articles.caching import store

logger = logging.getLogger(__name__)

DEFAULT_BACKENDS = ["articles.caching.backends.PageCachePurge"]
# Varnish keeps request headers under 8 KB by default; a purge with more keys is split.
VARNISH_HEADER_BYTES = 6000


class PageCachePurge:
    """The built-in page cache: entries filed under the keys are deleted, on every host."""

    def purge(self, keys: set[str]) -> None:
        store.purge(keys)

    def __str__(self) -> str:
        return "the page cache"


def header_batches(keys: Iterable[str], limit: int = VARNISH_HEADER_BYTES) -> list[str]:
    """The keys as space-separated header values of at most `limit` bytes each."""
    batches, current = [], ""
    for key in sorted(keys):
        if current and len(current) + 1 + len(key) > limit:
            batches.append(current)
            current = ""
        current = f"{current} {key}" if current else key
    return [*batches, current] if current else batches


class VarnishPurge:
    """Varnish with xkey: `PURGE /` with `xkey-purge: key key …` to each configured Varnish."""

    timeout = 5

    def __init__(self, urls: Iterable[str] | None = None):
        self.given = list(urls) if urls is not None else None

    @property
    def urls(self) -> list[str]:
        return self.given if self.given is not None else list(settings.NEWSROOM_VARNISH_URLS)

    def purge(self, keys: set[str]) -> None:
        for url in self.urls:
            for value in header_batches(keys):
                # Only the addresses the deployment configured (NEWSROOM_VARNISH_URLS).
                request = urllib.request.Request(  # noqa: S310
                    url, method="PURGE", headers={"xkey-purge": value}
                )
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    response.read()

    def __str__(self) -> str:
        return f"Varnish at {', '.join(self.urls)}"


@cache
def _load(paths: tuple[str, ...]) -> tuple:
    return tuple(import_string(path)() for path in paths)


def configured() -> tuple:
    """The purge backends `NEWSROOM_PURGE_BACKENDS` names (the built-in page cache alone by
    default), made once per process."""
    return _load(tuple(getattr(settings, "NEWSROOM_PURGE_BACKENDS", DEFAULT_BACKENDS)))
