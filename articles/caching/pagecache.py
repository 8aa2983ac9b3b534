"""A cache of rendered reader pages for anonymous readers, purged by what the pages show.

A view marked with `@cached_page` renders a public page with `conditional.finish_page`, which
names the content the page shows as surrogate keys (`keys.py`: `Surrogate-Key` and `Cache-Tag`
headers). `PageCacheMiddleware` keeps the page under its address, filed under those keys
(`store`), and serves it to the next reader without running the view or asking the database:
until a committed change purges one of its keys (`invalidation.content_changed`), until the
moment it stops being true with no change (a story's age banner, a scheduled story coming due:
`until`), or for `NEWSROOM_PAGE_CACHE_TTL` seconds at most.

**The address.** Scheme, host, path, and only the query parameters the view reads
(`cached_page(query=("page",))`): `?utm_source=…` or `?x=1` reuse the page instead of filling
the cache with copies.

**Validators.** The ETag is a digest of the page's bytes; Last-Modified is when those bytes
were first rendered, kept per address (not purged) so that re-rendering the same page after a
purge or an expiry keeps it: a write that changes nothing on a page (a draft, an internal note,
another story) never moves its validators. A matching If-None-Match or If-Modified-Since gets
a 304 from Django's `get_conditional_response` (what `ConditionalGetMiddleware` runs), hits
included; as a middleware of its own it would also judge the W3C documents, which choose not
to trust If-Modified-Since (`notes.views`).

Only anonymous GET and HEAD requests without a session cookie take part, and only responses the
view made public (never a staff preview, a draft, or an error). Responses carry `X-Page-Cache:
hit` or `miss`. `NEWSROOM_PAGE_CACHE=0` turns the cache off (validators stay).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, parse_http_date_safe, quote_etag, urlencode

from articles.caching import store
from articles.caching.conditional import NO_EXPIRY, PUBLIC_UNTIL, digest

HEADER = "X-Page-Cache"
CONDITIONAL_HEADERS = {"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since"}
KEY_PREFIX = "page:v3:"
VALIDATORS_PREFIX = "validators:v1:"
VALIDATORS_TTL = 30 * 24 * 3600
# Headers a stored page keeps; the middleware adds the rest (security headers, cookies) anew.
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Vary",
    "X-Frame-Options",
    "Surrogate-Key",
    "Cache-Tag",
    "Allow",
    "Link",
)


def enabled() -> bool:
    return getattr(settings, "NEWSROOM_PAGE_CACHE", True)


def cached_page(view=None, *, query: tuple[str, ...] = ()):
    """Mark a view whose public pages the page cache may serve and store; `query` names the
    query parameters the view reads (the others are not part of the page's address)."""

    def mark(view):
        view.newsroom_page_cache = True
        view.newsroom_page_query = tuple(query)
        return view

    return mark(view) if view is not None else mark


def cacheable(request: HttpRequest) -> bool:
    """Whether this request may be answered from, and stored in, the page cache.

    Checked without loading the session: a request with a session cookie (a signed-in editor,
    or anyone the site gave a session) always gets a freshly rendered page.
    """
    return request.method in ("GET", "HEAD") and settings.SESSION_COOKIE_NAME not in request.COOKIES


def page_view(request: HttpRequest):
    """The marked view this request goes to (a class-based view's class), or None."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    view = getattr(match.func, "view_class", match.func)
    return view if getattr(view, "newsroom_page_cache", False) else None


def page_address(request: HttpRequest, query: tuple[str, ...]) -> str:
    """Scheme, host, path and the query parameters the page reads, in a fixed order."""
    used = [(name, value) for name in sorted(query) for value in request.GET.getlist(name)]
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    return f"{address}?{urlencode(used)}" if used else address


def page_key(request: HttpRequest, query: tuple[str, ...] = ()) -> str:
    return KEY_PREFIX + digest(page_address(request, query))


def _from_cache(key: str) -> HttpResponse | None:
    stored = store.get(key)
    if stored is None:
        return None
    status, headers, content, until = stored
    if until is not None and (left := until - timezone.now().timestamp()) <= 0:
        return None
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers[HEADER] = "hit"
    if until is not None:
        # Nor may browsers and shared caches keep it past that moment (the smaller age wins).
        patch_cache_control(response, max_age=int(left))
    return response


def set_validators(key: str, response: HttpResponse) -> None:
    """ETag from the page's bytes; Last-Modified when these bytes were first rendered."""
    etag = quote_etag(digest(response.content))
    remembered = store.get_unfiled(VALIDATORS_PREFIX + key)
    if remembered is not None and remembered[0] == etag:
        first_rendered = remembered[1]
    else:
        first_rendered = int(timezone.now().timestamp())
        store.keep_unfiled(VALIDATORS_PREFIX + key, (etag, first_rendered), VALIDATORS_TTL)
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(first_rendered)


def _keep(key: str, response: HttpResponse, *, started: float) -> None:
    until = getattr(response, PUBLIC_UNTIL)
    expires = None if until == NO_EXPIRY else until.timestamp()
    ttl = store.ttl()
    if expires is not None:
        ttl = max(1, min(ttl, int(expires - timezone.now().timestamp()) + 1))
    headers = [(name, response.headers[name]) for name in STORED_HEADERS if name in response]
    page_keys = response.headers.get("Surrogate-Key", "").split()
    store.keep(
        key,
        (response.status_code, headers, response.content, expires),
        keys=page_keys,
        started=started,
        timeout=ttl,
    )


class PageCacheMiddleware:
    """Answer anonymous readers from the page cache before the rest of the stack runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = page_view(request) if cacheable(request) else None
        if view is None:
            return self.get_response(request)
        key = page_key(request, view.newsroom_page_query)
        on = enabled()
        if on and (response := _from_cache(key)) is not None:
            return conditional_response(request, response)
        # When the render began, for `store.keep`'s check against purges during it (a round
        # trip to Redis: asked only when the page will be kept).
        started = store.now() if on else None
        response = self.get_response(request)
        public = getattr(response, PUBLIC_UNTIL, None) is not None
        if not (public and response.status_code == 200 and not response.streaming):
            return response
        set_validators(key, response)
        if on:
            response.headers[HEADER] = "miss"
            _keep(key, response, started=started)
        return conditional_response(request, response)


def conditional_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The page, or a 304 when the reader's copy has its validators."""
    if not (request.headers.keys() & CONDITIONAL_HEADERS):
        return response  # most requests: parsing the date costs more than the rest of a hit
    return get_conditional_response(
        request,
        etag=response.headers["ETag"],
        last_modified=parse_http_date_safe(response.headers["Last-Modified"]),
        response=response,
    )
