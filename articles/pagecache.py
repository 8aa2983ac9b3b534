"""A cache of rendered reader pages for anonymous readers, keyed on what the page shows.

A page's key is its absolute URL (scheme, host, path and query) plus its ETag from `caching`
(`story_validators`, `list_validators`): whatever changes the ETag (an edit, a publication, a
public note, a tag, a byline, a related story's headline, the age banner) makes a new key, so
an entry is never invalidated by hand and never outlives what it shows. A hit costs the one
validator query the page answers conditional requests with anyway; entries also expire after
`NEWSROOM_PAGE_CACHE_TTL` seconds, which bounds the few changes the ETag does not see (renaming
a tag or an author without saving their stories; see `caching`).

Only anonymous GET and HEAD requests without a session cookie are served from or stored in the
cache, and only pages that have validators: never a staff preview or a draft (those views have
none). Responses carry `X-Page-Cache: hit` or `miss`.

The cache is the `NEWSROOM_PAGE_CACHE_ALIAS` cache (local memory per process by default, Redis
when `REDIS_URL` is set); `NEWSROOM_PAGE_CACHE=0` turns it off.
"""

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse

from .caching import Validators, digest

HEADER = "X-Page-Cache"
KEY_PREFIX = "page:v1:"
# Headers a stored page keeps; the middleware adds the rest (security headers, cookies) anew.
STORED_HEADERS = (
    "Content-Type",
    "Content-Language",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Vary",
)


def enabled() -> bool:
    return getattr(settings, "NEWSROOM_PAGE_CACHE", True)


def _cache():
    return caches[getattr(settings, "NEWSROOM_PAGE_CACHE_ALIAS", "default")]


def _ttl() -> int:
    return getattr(settings, "NEWSROOM_PAGE_CACHE_TTL", 300)


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


def page_key(request: HttpRequest, validators: Validators) -> str:
    """The cache key of this page as it is now: its absolute URL and its ETag."""
    url = request.build_absolute_uri(request.get_full_path())
    return KEY_PREFIX + digest(url, validators.etag)


def cached_page(request: HttpRequest, validators: Validators) -> HttpResponse | None:
    """The stored page for this request and validators, or None (a miss, or not cacheable)."""
    if not cacheable(request):
        return None
    stored = _cache().get(page_key(request, validators))
    if stored is None:
        return None
    status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers[HEADER] = "hit"
    return response


def store_page(
    request: HttpRequest, validators: Validators, response: HttpResponse
) -> HttpResponse:
    """Store a freshly rendered public page (once rendered), marking it a miss."""
    if not cacheable(request) or response.status_code != 200 or response.streaming:
        return response
    key = page_key(request, validators)

    def store(rendered: HttpResponse) -> None:
        headers = [(name, rendered.headers[name]) for name in STORED_HEADERS if name in rendered]
        _cache().set(key, (rendered.status_code, headers, rendered.content), _ttl())

    response.headers[HEADER] = "miss"
    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.add_post_render_callback(store)
    else:
        store(response)
    return response
