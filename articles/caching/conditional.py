"""Cache headers for reader pages: public with the content's keys, or never cached.

A public page says what it shows (`finish_page(…, keys=…)`): the surrogate keys go out as
`Surrogate-Key` (Fastly, Varnish through its VCL) and `Cache-Tag` (Cloudflare), so a CDN or
Varnish can keep the page and purge it by the same keys as the built-in page cache. Its ETag
and Last-Modified are added by the page cache from the page's own bytes (`pagecache`).

Anything a staff user sees is never cached: drafts, previews, and every page while signed in,
since their pages may carry preview banners. All responses vary on Cookie for the same reason.
"""

import hashlib
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers

# Set on a response `cache_for_readers` made public: the page cache may store it, until then.
PUBLIC_UNTIL = "newsroom_public_until"
NO_EXPIRY = "no expiry"


def digest(*parts) -> str:
    """A short stable hash of the parts' reprs (ints, strings, bytes, tuples of them)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def latest(*moments: datetime | None) -> datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)


def earliest(*moments: datetime | None) -> datetime | None:
    return min((moment for moment in moments if moment is not None), default=None)


def is_staff(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_staff


def finish_page(
    request: HttpRequest,
    response: HttpResponse,
    *,
    keys: Iterable[str],
    until: datetime | None = None,
) -> HttpResponse:
    """A rendered page's cache headers: public with its keys, or never cached (staff)."""
    if is_staff(request):
        return never_cache(response)
    return cache_for_readers(response, keys=keys, until=until)


def cache_for_readers(
    response: HttpResponse, *, keys: Iterable[str], until: datetime | None = None
) -> HttpResponse:
    """`Cache-Control: public, max-age=…, stale-while-revalidate=…` and the page's keys.

    The response is also marked for the page cache, which may keep it until `until` (a moment
    the page stops being true with no change to the content: a story's age banner, a scheduled
    story joining the page). Browsers and shared caches are told no longer either.
    """
    setattr(response, PUBLIC_UNTIL, until or NO_EXPIRY)
    value = " ".join(sorted(set(keys)))
    response.headers["Surrogate-Key"] = value
    response.headers["Cache-Tag"] = value.replace(" ", ",")
    max_age = getattr(settings, "NEWSROOM_CACHE_MAX_AGE", 60)
    if until is not None:
        max_age = max(0, min(max_age, int((until - timezone.now()).total_seconds())))
    patch_cache_control(
        response,
        public=True,
        max_age=max_age,
        stale_while_revalidate=getattr(settings, "NEWSROOM_CACHE_STALE_WHILE_REVALIDATE", 300),
    )
    patch_vary_headers(response, ["Cookie"])
    return response


def never_cache(response: HttpResponse) -> HttpResponse:
    """`Cache-Control: private, no-cache, no-store, must-revalidate, max-age=0`, no validators."""
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response
