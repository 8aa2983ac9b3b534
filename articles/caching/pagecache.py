"""A cache of rendered reader pages for anonymous readers, keyed on what the page shows.

A page's key is its absolute URL (scheme, host, path and query) plus the site's content state
(`generation`): any change readers could see (an edit, a publication, a note, a tag, a byline,
a section or author renamed, a related story's headline, a scheduled story coming due) makes
new keys, so an entry is never invalidated by hand and never outlives what it shows. A page
that changes with the clock alone (a story's age banner) is stored with the moment it stops
being true and not served after it. Entries also expire after `NEWSROOM_PAGE_CACHE_TTL` seconds.

`PageCacheMiddleware` sits just after WhiteNoise: a hit is one state query and one cache read,
answered before sessions, authentication or URL dispatch to the view, and a conditional request
gets its 304 from the stored validators. Only views marked with `@cached_page` take part, only
for anonymous GET and HEAD requests without a session cookie, and only responses the view made
public with `caching.cache_for_readers` are stored: never a staff preview, a draft, or an
error. Responses carry `X-Page-Cache: hit` or `miss`.

The cache is the `NEWSROOM_PAGE_CACHE_ALIAS` cache (local memory per process by default, Redis
when `REDIS_URL` is set); `NEWSROOM_PAGE_CACHE=0` turns it off.
"""

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from articles.caching.conditional import NO_EXPIRY, PUBLIC_UNTIL, digest, page_url
from articles.caching.generation import current_state

HEADER = "X-Page-Cache"
KEY_PREFIX = "page:v2:"
# Headers a stored page keeps; the middleware adds the rest (security headers, cookies) anew.
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Vary",
    "X-Frame-Options",
)


def enabled() -> bool:
    return getattr(settings, "NEWSROOM_PAGE_CACHE", True)


def _cache():
    return caches[getattr(settings, "NEWSROOM_PAGE_CACHE_ALIAS", "default")]


def _ttl() -> int:
    return getattr(settings, "NEWSROOM_PAGE_CACHE_TTL", 300)


def cached_page(view):
    """Mark a view whose public pages the page cache may serve and store."""
    view.newsroom_page_cache = True
    return view


def cacheable(request: HttpRequest) -> bool:
    """Whether this request may be answered from, and stored in, the page cache.

    Checked without loading the session: a request with a session cookie (a signed-in editor,
    or anyone the site gave a session) always gets a freshly rendered page.
    """
    return (
        enabled()
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _is_cached_view(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    # A function view carries the mark itself; a class-based view, on its class.
    view = getattr(match.func, "view_class", match.func)
    return getattr(view, "newsroom_page_cache", False)


def page_key(request: HttpRequest) -> str:
    """The cache key of this page as it is now: its absolute URL and the content state."""
    return KEY_PREFIX + digest(page_url(request), current_state(request).token)


def _from_cache(request: HttpRequest, key: str) -> HttpResponse | None:
    stored = _cache().get(key)
    if stored is None:
        return None
    status, headers, content, until = stored
    if until is not None and timezone.now().timestamp() >= until:
        return None
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers[HEADER] = "hit"
    last_modified = parse_http_date_safe(response.headers.get("Last-Modified", ""))
    return get_conditional_response(
        request,
        etag=response.headers.get("ETag"),
        last_modified=last_modified,
        response=response,
    )


def _to_cache(key: str, response: HttpResponse) -> None:
    until = getattr(response, PUBLIC_UNTIL, None)
    if until is None or response.status_code != 200 or response.streaming:
        return
    expires = None if until == NO_EXPIRY else until.timestamp()
    ttl = _ttl()
    if expires is not None:
        ttl = max(1, min(ttl, int(expires - timezone.now().timestamp()) + 1))

    def keep(rendered: HttpResponse) -> None:
        headers = [(name, rendered.headers[name]) for name in STORED_HEADERS if name in rendered]
        _cache().set(key, (rendered.status_code, headers, rendered.content, expires), ttl)

    response.headers[HEADER] = "miss"
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.add_post_render_callback(keep)
    else:
        keep(response)


class PageCacheMiddleware:
    """Answer anonymous readers from the page cache before the rest of the stack runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (cacheable(request) and _is_cached_view(request)):
            return self.get_response(request)
        key = page_key(request)
        response = _from_cache(request, key)
        if response is not None:
            return response
        response = self.get_response(request)
        _to_cache(key, response)
        return response
