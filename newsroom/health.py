"""Staying up when the database is not: a 503 page for readers and a health check.

`server_error` (the project's 500 handler) turns a lost database connection into a 503 page in
the site's design, rendered from a template that needs no database, with `Retry-After`;
Django's connection health checks then reconnect by themselves once the database is back. `/healthz`
reports the database and cache to load balancers.
"""

import sys
import time

from django.core.cache import cache
from django.db import Error, InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

RETRY_AFTER_SECONDS = 30


def database_unavailable_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def server_error(request):
    """The 500 handler: a lost database answers 503 (try again soon) rather than 500.

    Django calls this from inside its exception handling, wherever the error arose (a view,
    a template, a middleware such as sessions), so the exception is still at hand.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        return database_unavailable_response()
    return HttpResponse(render_to_string("500.html"), status=500)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error:
        # Django drops the broken connection when the request ends, and reconnects next time.
        return "unavailable"
    return "ok"


def _check_cache() -> str:
    key = "healthz:probe"
    try:
        value = str(time.monotonic())
        cache.set(key, value, timeout=10)
        return "ok" if cache.get(key) == value else "unavailable"
    except Exception:  # noqa: BLE001 - any cache backend failure means "unavailable"
        return "unavailable"


@require_GET
def healthz(request):
    """`{"status": "ok", "database": "ok", "cache": "ok"}`, 503 when the database is down."""
    checks = {"database": _check_database(), "cache": _check_cache()}
    healthy = checks["database"] == "ok"
    status = "ok" if healthy and checks["cache"] == "ok" else ("degraded" if healthy else "down")
    response = JsonResponse({"status": status, **checks}, status=200 if healthy else 503)
    add_never_cache_headers(response)
    return response
