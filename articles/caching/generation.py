"""The content generation: one number that moves on after every change readers could see.

Reader pages are validated and cached against the site's *content state*: the generation and
the time it last moved (one row, `ContentState`), plus the publication time of the latest story
that has come due (a scheduled story becomes public without any row being written). Reading the
state is one query that touches two index entries, whatever the size of the archive, so a
conditional request or a page-cache hit never aggregates over stories (see `caching` and
`pagecache`).

**What moves it.** Every statement that writes a table readers see (any `articles_*` table but
the editors' own: revisions, discussion replies, and this state) schedules a bump. The hook sits
on the database connection (`connection.execute_wrappers`), not in each service, because a page
cache must never miss a write: the admin and its bulk actions, Django's own admin for sections,
authors and tags, the importer, raw-SQL re-anchoring, the search index and related-list refreshes
that run after commit, restores, and paths not written yet all go through it.

**When it moves.** After the writing transaction commits (`transaction.on_commit`, once per
transaction), or at once for a write outside a transaction. A reader who reads the new
generation therefore started after the commit and sees the new rows; a reader who read the old
one may store a page under the old generation's key, which nobody asks for again. The search
index and related lists are refreshed after commit and bump again when they are written, so a
page rendered between the two is replaced as well. Were a process to die between a commit and
its bump, pages would be stale until the page cache's TTL (`NEWSROOM_PAGE_CACHE_TTL`).

**What it costs.** Any change to a public surface retires every cached page at once, not just
the pages that show it: coarse, but exact and O(1). Editors' drafts bump it too (their blocks
and tags share the tables readers see); a busy newsroom re-renders its hot pages after each
save, which is what a cold cache costs anyway.
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    connections,
    router,
    transaction,
)
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Article, ContentState

logger = logging.getLogger(__name__)

STATE_PK = 1
# The table a data-changing statement writes: Django's SQL quotes it, hand-written SQL may not.
WRITE_STATEMENT = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)',
    re.IGNORECASE,
)
WATCHED_PREFIX = "articles_"
# Written by editors only, never shown to readers; and the state itself.
UNSEEN_TABLES = frozenset(
    {
        "articles_contentstate",
        "articles_annotationrevision",
        "articles_annotationreply",
    }
)


@dataclass(frozen=True)
class State:
    """What reader pages are validated against."""

    generation: int
    changed_at: datetime | None
    latest_due: datetime | None

    @property
    def token(self) -> tuple:
        """Distinct for every state, even after a test flush restarts the count."""
        return (
            self.generation,
            self.changed_at.isoformat() if self.changed_at else "",
            self.latest_due.isoformat() if self.latest_due else "",
        )

    @property
    def last_modified(self) -> datetime | None:
        moments = [moment for moment in (self.changed_at, self.latest_due) if moment is not None]
        return max(moments, default=None)


def _as_datetime(value) -> datetime | None:
    """A timestamp from a raw cursor: aware from PostgreSQL; naive UTC or text from SQLite."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(value)
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


STATEMENT = "newsroom_content_state"


def _state_sql(connection) -> str:
    state_table = connection.ops.quote_name(ContentState._meta.db_table)
    article_table = connection.ops.quote_name(Article._meta.db_table)
    return (
        f"SELECT (SELECT generation FROM {state_table} WHERE id = %s),"  # noqa: S608 - names from models
        f" (SELECT changed_at FROM {state_table} WHERE id = %s),"
        f" (SELECT MAX(published_at) FROM {article_table}"
        " WHERE status = %s AND published_at <= %s)"
    )


DUPLICATE_PREPARED_STATEMENT = "42P05"


def _fetch_state(connection, params: list) -> tuple:
    """Run the state query; on PostgreSQL as a statement prepared once per connection.

    Planning the query costs the server more than running it (0.15 ms against 0.05), and every
    reader request runs it; a prepared statement is planned once. It belongs to the server
    session, so it is prepared again whenever the connection is new (`connection.connection`
    is replaced on reconnect), and when the server no longer knows it (`DISCARD ALL`, or a
    pooler in transaction mode handing over another session) the plain query answers instead.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(_state_sql(connection), params)
            return cursor.fetchone()
        raw = connection.connection
        if getattr(connection, "_newsroom_state_prepared_on", None) is not raw:
            sql = _state_sql(connection).replace("%s", "$1", 2).replace("%s", "$2", 1)
            sql = sql.replace("%s", "$3", 1)
            try:
                cursor.execute(f"PREPARE {STATEMENT} (bigint, text, timestamptz) AS {sql}")
            except ProgrammingError as error:
                if getattr(error.__cause__, "pgcode", None) != DUPLICATE_PREPARED_STATEMENT:
                    raise
            connection._newsroom_state_prepared_on = raw
        try:
            cursor.execute(f"EXECUTE {STATEMENT} (%s, %s, %s)", [params[0], *params[2:]])
        except ProgrammingError:
            if connection.in_atomic_block:
                raise
            connection._newsroom_state_prepared_on = None  # prepare it again next time
            cursor.execute(_state_sql(connection), params)
        return cursor.fetchone()


def read_state(*, using: str | None = None) -> State:
    """The current content state, in one query (a primary-key read and one index probe)."""
    alias = using or router.db_for_read(ContentState)
    connection = connections[alias]
    params = [
        STATE_PK,
        STATE_PK,
        Article.Status.PUBLISHED,
        connection.ops.adapt_datetimefield_value(timezone.now()),
    ]
    try:
        row = _fetch_state(connection, params)
    except (InterfaceError, OperationalError):
        # Reader pages read the state first: a persistent connection the server has dropped
        # (a restart, a failover) is replaced here once, instead of failing this reader.
        if connection.in_atomic_block:
            raise
        connection.close()
        row = _fetch_state(connection, params)
    generation, changed_at, latest_due = row
    return State(
        generation=generation or 0,
        changed_at=_as_datetime(changed_at),
        latest_due=_as_datetime(latest_due),
    )


def current_state(request: HttpRequest) -> State:
    """The content state for this request, read once and kept on the request."""
    state = getattr(request, "_newsroom_content_state", None)
    if state is None:
        state = read_state()
        request._newsroom_content_state = state
    return state


def bump(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Move the generation on now (the primary key row, created if a flush removed it)."""
    now = timezone.now()
    states = ContentState.objects.using(using)
    try:
        if not states.filter(pk=STATE_PK).update(generation=F("generation") + 1, changed_at=now):
            # No savepoint (`get_or_create` would open one): this may run while the statement
            # that triggered it still has rows to return.
            states.bulk_create(
                [ContentState(pk=STATE_PK, generation=1, changed_at=now)], ignore_conflicts=True
            )
    except DatabaseError:
        if connections[using].in_atomic_block:
            raise
        # After a commit nothing can be undone; the pages' TTL bounds the staleness.
        logger.warning("Could not move the content generation on", exc_info=True)


class _BumpAfterCommit:
    """The on-commit callback, one per transaction (recognised by its type)."""

    def __init__(self, using: str):
        self.using = using

    def __call__(self) -> None:
        bump(using=self.using)


def _in_transaction(connection) -> bool:
    """Inside a transaction of the code's own; a test case's wrapping block does not count."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


def content_changed(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Move the generation on once the current transaction commits (at once outside one)."""
    connection = connections[using]
    if not _in_transaction(connection):
        bump(using=using)
        return
    # One bump per transaction: a callback registered where this write's savepoints are (or
    # further out) commits or rolls back with it.
    savepoints = set(connection.savepoint_ids)
    already = any(
        isinstance(callback, _BumpAfterCommit) and registered_in <= savepoints
        for registered_in, callback, *_ in connection.run_on_commit
    )
    if not already:
        transaction.on_commit(_BumpAfterCommit(using), using=using, robust=True)


_migrating = False


def pause_during_migrations(*, plan=None, **kwargs) -> None:
    """`pre_migrate` receiver: tables may not exist yet, and no page is served meanwhile."""
    global _migrating
    _migrating = True


def resume_after_migrations(*, sender=None, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """`post_migrate` receiver: watch writes again, and move the generation on once this app's
    migrations have run, in case one of them changed what readers see (a data migration)."""
    global _migrating
    _migrating = False
    if getattr(sender, "name", None) == "articles":
        bump(using=using)


def writes_seen_table(sql: str) -> bool:
    match = WRITE_STATEMENT.match(sql)
    if match is None:
        return False
    table = match.group(1).lower()
    return table.startswith(WATCHED_PREFIX) and table not in UNSEEN_TABLES


def watch_writes(execute, sql, params, many, context):
    """A connection execute wrapper: after a write to a table readers see, `content_changed`."""
    result = execute(sql, params, many, context)
    if not _migrating and writes_seen_table(sql):
        content_changed(using=context["connection"].alias)
    return result


def install(connection, **kwargs) -> None:
    """Watch a connection's writes (the `connection_created` receiver; idempotent)."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)
