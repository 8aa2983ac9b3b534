"""Database outages: readers get a 503 page, /healthz says so, and the site recovers by itself.

On PostgreSQL the test stops and restarts a real server: one it creates for itself
(`tests/pgcluster.py`), never the server other runs share. On SQLite, where there is no server,
the outage is an unopenable database file.
"""

import json
import time
from contextlib import contextmanager
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection, connections

from tests.factories import StoryFactory
from tests.pgcluster import ThrowawayCluster, server_bin_dir
from tests.tools import require

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("PostgreSQL did not change state in time")
        time.sleep(0.25)


@contextmanager
def site_database_on(cluster: ThrowawayCluster):
    """Point the site's database at `cluster` (migrated) for the duration, then back.

    The connection settings are one dict shared by every thread's connection, the live server's
    request threads included, so changing it in place moves them all."""
    settings_dict = connections["default"].settings_dict
    saved = {key: settings_dict[key] for key in ("HOST", "PORT", "NAME")}
    connections.close_all()
    settings_dict.update(HOST="127.0.0.1", PORT=str(cluster.port), NAME="postgres")
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        connections.close_all()
        settings_dict.update(saved)


class Outage:
    """Takes the database away and brings it back, whatever the backend."""

    def __init__(self, monkeypatch, cluster: ThrowawayCluster | None):
        self.monkeypatch = monkeypatch
        self.cluster = cluster

    def start(self):
        if self.cluster:
            self.cluster.stop()
        else:
            # The test database lives in memory and cannot really go away: every statement
            # fails instead, as it does when the database file has gone.
            def unavailable(wrapper, name=None):
                raise OperationalError("unable to open database file")

            # On the class, so that the live server's thread sees it too.
            self.monkeypatch.setattr(type(connections["default"]), "create_cursor", unavailable)

    def end(self, *, close_connection: bool = True):
        if self.cluster:
            if not self.cluster.running():
                self.cluster.start()
        else:
            self.monkeypatch.undo()
        if close_connection:
            connection.close()


@pytest.fixture
def outage(monkeypatch):
    """On PostgreSQL, a server of the test's own that it can stop: never the shared one."""
    if connection.vendor != "postgresql":
        outage = Outage(monkeypatch, None)
        yield outage
        outage.end()
        return
    bin_dir = server_bin_dir()
    require(bin_dir is not None, "PostgreSQL's server binaries missing: apt-get install postgresql")
    cluster = ThrowawayCluster(bin_dir)
    try:
        cluster.create()
        cluster.start()
        with site_database_on(cluster):
            outage = Outage(monkeypatch, cluster)
            yield outage
            outage.end()  # always bring the database back, even when the test failed
    finally:
        cluster.remove()


def fetch(url: str) -> tuple[int, dict, str]:
    """GET through a real HTTP connection, as a reader's browser or a load balancer would."""
    try:
        with urlopen(url, timeout=30) as response:  # noqa: S310 - our own live server
            return response.status, dict(response.headers), response.read().decode()
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_readers_get_a_503_while_the_database_is_down_and_the_site_recovers(
    live_server, outage, settings
):
    """Served by a real server thread, where Django's own connection handling must recover."""
    settings.NEWSROOM_PAGE_CACHE = True
    story = StoryFactory(headline="Still here after the outage")
    story_url = live_server.url + story.get_absolute_url()
    assert fetch(story_url)[0] == 200
    status, _, body = fetch(live_server.url + "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok", "cache": "ok"})

    outage.start()
    # A page in the page cache asks no database: readers keep getting it.
    status, headers, body = fetch(story_url)
    assert (status, headers["X-Page-Cache"]) == (200, "hit")
    for url in (live_server.url + "/", live_server.url + "/search/?q=coca"):
        status, headers, body = fetch(url)
        assert status == 503
        assert "We’ll be right back" in body
        assert headers["Retry-After"] == "30"
        assert "no-cache" in headers["Cache-Control"]
    status, _, body = fetch(live_server.url + "/healthz")
    assert status == 503
    assert json.loads(body)["database"] == "unavailable"

    outage.end(close_connection=False)  # nothing but the server itself reconnects
    status, _, body = fetch(story_url)
    assert status == 200
    assert "Still here after the outage" in body
    assert fetch(live_server.url + "/healthz")[0] == 200


def test_other_server_errors_are_a_500_page(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr("articles.views.card_stories", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def _postgres(statement: str, pid: int):
    """Run one statement on a connection of its own, beside the one under test."""
    import psycopg2

    settings = connection.settings_dict
    with (
        psycopg2.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
        ) as other,
        other.cursor() as cursor,
    ):
        cursor.execute(statement, [pid])
        return cursor.fetchone()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no server to drop a connection; the PostgreSQL run covers this",
)
def test_reader_pages_replace_a_connection_the_server_dropped():
    """A restart or failover drops persistent connections while a worker is idle; the next
    reader page that queries checks its connection first (`CONN_HEALTH_CHECKS`, on by default:
    cached pages ask no database, so only a page being rendered pays the check) and reconnects
    instead of failing."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    story = StoryFactory(headline="Served after a failover")
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]
    connection.ensure_connection()  # open, as a worker's is between requests
    pid = connection.connection.get_backend_pid()
    _postgres("SELECT pg_terminate_backend(%s)", pid)
    wait_for(lambda: _postgres("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", pid)[0] == 0)

    # Through Django's own handler, which runs the request_started signals a worker runs (the
    # test client leaves the connection checks out).
    environ = RequestFactory().get(story.get_absolute_url()).environ
    statuses = []
    body = WSGIHandler()(environ, lambda status, headers: statuses.append(status))

    assert statuses == ["200 OK"]
    assert b"Served after a failover" in b"".join(body)
    assert connection.connection.get_backend_pid() != pid
