"""Reads from PostgreSQL read replicas, writes to the primary, and no stale read after a write.

`DATABASE_REPLICA_URLS` (comma-separated) adds the aliases `replica1`, `replica2`, … to
`DATABASES` and lists them in `NEWSROOM_DATABASE_REPLICAS` (see `settings.base`). Then:

- writes and migrations go to the primary (`default`); the replicas follow it by streaming
  replication and are never migrated themselves;
- reads go to a replica picked at random, one per request (outside requests, one per read),
  unless the current request (or, outside requests, the current context: a management command,
  a shell) is *pinned* to the primary. One replica per request keeps a page consistent: replicas
  lag by different amounts, and a page read from two of them could show rows of two moments;
- a context is pinned from its first write on, so that it reads its own writes; inside a
  transaction on the primary, reads stay there too;
- `PinPrimaryMiddleware` pins a request from its start when it may write or must see the
  latest rows: the admin (`/admin/`), every method other than GET, HEAD and OPTIONS, and any
  request carrying a session cookie (editors; readers have none), so an editor who saves a
  story and then looks at it never reads a replica that has not caught up yet.

With no replicas configured, everything goes to `default`, as without a router.
"""

import random
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_pinned: ContextVar[bool] = ContextVar("newsroom_pinned_to_primary", default=False)
_request_replica: ContextVar[str | None] = ContextVar("newsroom_request_replica", default=None)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ADMIN_PREFIX = "/admin/"


def replicas() -> list[str]:
    return list(getattr(settings, "NEWSROOM_DATABASE_REPLICAS", ()))


def pin_to_primary() -> None:
    """Send every further read of the current context to the primary."""
    _pinned.set(True)


def pinned_to_primary() -> bool:
    return _pinned.get()


def _in_transaction() -> bool:
    """Inside a transaction on the primary, whose reads must see its writes and be consistent.

    Django's public `in_atomic_block`: a test that wraps itself in a transaction reads the
    primary throughout, so the replica tests are transactional tests (tests/test_routers.py).
    """
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


class PrimaryReplicaRouter:
    """Reads to a replica (unless pinned), writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        available = replicas()
        if not available or _pinned.get() or _in_transaction():
            return DEFAULT_DB_ALIAS
        chosen = _request_replica.get()
        if chosen in available:
            return chosen
        return random.choice(available)  # noqa: S311 - load spreading, not security

    def db_for_write(self, model, **hints):
        pin_to_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The primary and its replicas hold the same rows.
        databases = {DEFAULT_DB_ALIAS, *replicas()}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db not in replicas()


def must_use_primary(request) -> bool:
    """Whether a request reads from the primary from its start."""
    return (
        request.method not in SAFE_METHODS
        or request.path_info.startswith(ADMIN_PREFIX)
        or settings.SESSION_COOKIE_NAME in request.COOKIES
    )


class PinPrimaryMiddleware:
    """Scopes the pin to one request, pinning it from the start when `must_use_primary`, and
    picks the one replica the request reads from otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        available = replicas()
        replica = random.choice(available) if available else None  # noqa: S311 - load spreading
        pinned = _pinned.set(must_use_primary(request))
        chosen = _request_replica.set(replica)
        try:
            return self.get_response(request)
        finally:
            _request_replica.reset(chosen)
            _pinned.reset(pinned)
