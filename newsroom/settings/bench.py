"""Production-like settings for the benchmark (`bench/run.py`): production, minus TLS.

Everything production has (DEBUG off, whitenoise with compressed, hashed static files,
persistent database connections, the page cache) except what needs HTTPS, because the benchmark
serves plain HTTP on 127.0.0.1: no redirect to https and no secure-only cookies. The secret key
is a fixed throwaway unless DJANGO_SECRET_KEY is set. PostgreSQL only: a benchmark on the
embedded SQLite file would measure the wrong thing.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from .production import *  # noqa: E402, F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":  # noqa: F405
    raise ImproperlyConfigured(  # noqa: F405
        "The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…"
    )
