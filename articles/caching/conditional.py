"""Conditional requests and cache headers for reader pages.

A public page's validators come from the site's content state (`generation`): one query that
reads the content generation and the latest story to have come due, whatever the size of the
archive. The ETag is a keyed digest of that state, the page's absolute URL and anything the page
shows that changes with the clock alone (a story's age banner); Last-Modified is the time of
the latest change or publication. A matching If-None-Match or If-Modified-Since gets a 304.

Any change readers could see moves the generation on, so every page's ETag changes with it:
validation is exact and costs the same on the front page as on a 42,000-story tag page, at the
price of revalidating pages that did not change. The digest is keyed with the site's secret, so
an ETag cannot be guessed, nor carried from one address to another (a draft's address never
answers 304).

Anything a staff user sees is never cached: drafts, previews, and every page while signed in,
since their pages may carry preview banners. All responses vary on Cookie for the same reason.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.cache import (
    add_never_cache_headers,
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.crypto import salted_hmac
from django.utils.http import http_date, quote_etag

from articles.caching.generation import current_state


@dataclass(frozen=True)
class Validators:
    """A page's validators."""

    etag: str
    last_modified: datetime | None


def digest(*parts) -> str:
    """A short stable hash of the parts' reprs (ints, strings, datetimes, tuples of them)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def latest(*moments: datetime | None) -> datetime | None:
    return max((moment for moment in moments if moment is not None), default=None)


def is_staff(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.is_staff


def page_url(request: HttpRequest) -> str:
    """The page's absolute URL: scheme, host, path and query."""
    return request.build_absolute_uri(request.get_full_path())


def page_validators(
    request: HttpRequest, *, shows: tuple = (), since: datetime | None = None
) -> Validators:
    """The validators of the public page this request asks for.

    `shows` is what the page shows that changes with time alone (a story's age banner);
    `since` is a moment the page shows changes from (a story's publication), for Last-Modified.
    """
    state = current_state(request)
    key = salted_hmac(
        "newsroom.caching.page_validators", repr((state.token, page_url(request), shows))
    )
    return Validators(
        etag=key.hexdigest()[:32],
        last_modified=latest(state.last_modified, since),
    )


def count_at_state(request: HttpRequest, queryset: QuerySet, *, identity: tuple) -> int:
    """How many rows `queryset` holds, counted once per content state and list.

    A list's count changes only with the content state (a publication, an unpublication, a
    scheduled story coming due), so it is kept in the default cache under the state and the
    list's `identity`: exact, never stale, and a 42,000-story tag is counted once per change
    instead of on every page view. This is a cache of a number, not of pages: it serves staff
    and readers alike, with the page cache on or off.
    """
    key = "count:v1:" + digest(current_state(request).token, identity)
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, getattr(settings, "NEWSROOM_PAGE_CACHE_TTL", 300))
    return count


def not_modified(request: HttpRequest, validators: Validators) -> HttpResponse | None:
    """A 304 (with the page's cache headers) when the request's validators match, else None."""
    last_modified = validators.last_modified
    response = get_conditional_response(
        request,
        etag=quote_etag(validators.etag),
        last_modified=int(last_modified.timestamp()) if last_modified else None,
    )
    if response is not None:
        cache_for_readers(response, validators)
    return response


# Set on a response `cache_for_readers` made public: the page cache may store it, until then.
PUBLIC_UNTIL = "_newsroom_public_until"
NO_EXPIRY = "no expiry"


def reader_validators(
    request: HttpRequest, *, shows: tuple = (), since: datetime | None = None
) -> tuple[Validators | None, HttpResponse | None]:
    """A reader page's validators, and its 304 when the reader's copy is current.

    (None, None) for staff, whose pages are never cached (see `page_validators` for the rest).
    """
    if is_staff(request):
        return None, None
    validators = page_validators(request, shows=shows, since=since)
    return validators, not_modified(request, validators)


def finish_page(
    response: HttpResponse, validators: Validators | None, *, until: datetime | None = None
) -> HttpResponse:
    """A rendered page's cache headers: public with validators, or never cached (staff)."""
    if validators is None:
        return never_cache(response)
    return cache_for_readers(response, validators, until=until)


def cache_for_readers(
    response: HttpResponse, validators: Validators, *, until: datetime | None = None
) -> HttpResponse:
    """Validators plus `Cache-Control: public, max-age=…, stale-while-revalidate=…`.

    The response is also marked for the page cache, which may keep it until `until` (a moment
    the page stops being true with no change to the content, such as a story's age banner).
    """
    setattr(response, PUBLIC_UNTIL, until or NO_EXPIRY)
    response.headers["ETag"] = quote_etag(validators.etag)
    if validators.last_modified is not None:
        response.headers["Last-Modified"] = http_date(validators.last_modified.timestamp())
    patch_cache_control(
        response,
        public=True,
        max_age=getattr(settings, "NEWSROOM_CACHE_MAX_AGE", 60),
        stale_while_revalidate=getattr(settings, "NEWSROOM_CACHE_STALE_WHILE_REVALIDATE", 300),
    )
    patch_vary_headers(response, ["Cookie"])
    return response


def never_cache(response: HttpResponse) -> HttpResponse:
    """`Cache-Control: private, no-cache, no-store, must-revalidate, max-age=0`, no validators."""
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Cookie"])
    return response
