"""Followed sources: an editor adds a feed in the admin and the task worker imports it on its
schedule: new entries become stories, a publisher's change a dated version; pausing, resuming,
"Check now" and a new interval each leave exactly one check queued, and a failed check keeps
the schedule going."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.ingest import sources
from articles.ingest.models import FollowedSource
from articles.models import Story, StoryVersion
from tests.ingest_fixtures import Site, fixture, serve_as_public
from tests.tasks import run_worker

pytestmark = pytest.mark.django_db

FEED = "/feed/"
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
ADD_URL = reverse("admin:articles_followedsource_add")
CHANGELIST = reverse("admin:articles_followedsource_changelist")


@pytest.fixture
def site(monkeypatch):
    """The publisher's site under a public-looking name (followed sources never fetch from
    private addresses): `news.example` is the local server here, and only here."""
    site = Site()
    site.routes[FEED] = (200, RSS, fixture("feed-full-text.xml"))
    site.public = serve_as_public(site, monkeypatch)
    yield site
    site.close()


def checks_waiting() -> list[tuple[str, int]]:
    """The queued checks: the moment each is for, and minutes until it is due."""
    now = timezone.now()
    return sorted(
        (task.args_kwargs["kwargs"]["due"], round((task.run_after - now).total_seconds() / 60))
        for task in DBTaskResult.objects.filter(
            status="READY", task_path__endswith="check_followed_source"
        )
    )


def make_due() -> None:
    """Time passes: every queued task falls due."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def feed_fetches(site) -> int:
    return sum(1 for path, _ in site.requests if path == FEED)


def add_source(client, capture, url: str, **fields) -> FollowedSource:
    data = {"url": url, "every": "60", "active": "on", **fields}
    with capture(execute=True):
        response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return FollowedSource.objects.get(url=url)


def test_a_feed_added_in_the_admin_is_imported_by_the_worker_and_checked_again_each_hour(
    editor_client, editor, site, django_capture_on_commit_callbacks
):
    source = add_source(editor_client, django_capture_on_commit_callbacks, site.public + FEED)
    assert source.added_by == editor
    assert [minutes for _, minutes in checks_waiting()] == [0]  # checked as soon as possible
    assert feed_fetches(site) == 0  # not in the editor's request

    run_worker(django_capture_on_commit_callbacks)

    source.refresh_from_db()
    assert source.last_summary == "2 created"
    assert source.last_error == "" and source.checks == 1
    assert set(Story.objects.values_list("headline", flat=True)) == {
        "Coca prices fall for the third year",
        "A school on the water",
    }
    assert checks_waiting() == [(source.next_check_at.isoformat(), 60)]

    # An hour later the publisher has changed one story: it becomes a dated version.
    site.routes[FEED] = (
        200,
        RSS,
        fixture("feed-full-text.xml").replace(b"Forty children", b"Forty-two children"),
    )
    make_due()
    run_worker(django_capture_on_commit_callbacks)

    source.refresh_from_db()
    assert source.last_summary == "1 updated, 1 unchanged"
    assert source.checks == 2
    school = Story.objects.get(headline="A school on the water")
    assert StoryVersion.objects.filter(story=school).count() == 2
    assert len(checks_waiting()) == 1


def test_pausing_cancels_the_queued_check_and_resuming_checks_at_once(
    editor_client, site, django_capture_on_commit_callbacks
):
    source = add_source(editor_client, django_capture_on_commit_callbacks, site.public + FEED)
    change = reverse("admin:articles_followedsource_change", args=[source.pk])
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change, {"url": source.url, "every": "60"})  # "active" unticked
    source.refresh_from_db()
    assert not source.active and source.next_check_at is None
    assert "Paused" in editor_client.get(CHANGELIST).content.decode()

    run_worker(django_capture_on_commit_callbacks)  # the check queued before: nothing to do
    assert feed_fetches(site) == 0 and checks_waiting() == []

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change, {"url": source.url, "every": "60", "active": "on"})
    run_worker(django_capture_on_commit_callbacks)
    assert feed_fetches(site) == 1 and [m for _, m in checks_waiting()] == [60]


def test_check_now_and_a_new_interval_each_leave_one_check_queued(
    editor_client, site, django_capture_on_commit_callbacks
):
    source = add_source(editor_client, django_capture_on_commit_callbacks, site.public + FEED)
    run_worker(django_capture_on_commit_callbacks)
    source.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            CHANGELIST, {"action": "check_now", "_selected_action": [source.pk]}, follow=True
        )
    run_worker(django_capture_on_commit_callbacks)  # the check asked for; the hourly one waits
    assert feed_fetches(site) == 2

    source.refresh_from_db()
    change = reverse("admin:articles_followedsource_change", args=[source.pk])
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change, {"url": source.url, "every": "15", "active": "on"})
    source.refresh_from_db()
    assert source.next_check_at == source.last_checked_at + timedelta(minutes=15)

    moment = source.next_check_at
    make_due()  # the hourly check and the new quarter-hour one both fall due: one fetches
    run_worker(django_capture_on_commit_callbacks)
    assert feed_fetches(site) == 3
    # The next: a quarter of an hour after the moment that check was for (run early here).
    following = moment + timedelta(minutes=15)
    assert checks_waiting() == [(following.isoformat(), 30)]


def test_a_source_that_fails_says_why_and_stays_on_schedule(
    editor_client, site, django_capture_on_commit_callbacks
):
    site.routes[FEED] = (404, {"Content-Type": "text/html"}, b"<html><body>Gone</body></html>")
    source = add_source(editor_client, django_capture_on_commit_callbacks, site.public + FEED)
    run_worker(django_capture_on_commit_callbacks)
    source.refresh_from_db()
    assert source.last_summary == "1 failed"
    assert "404 Not Found" in source.last_error
    assert [minutes for _, minutes in checks_waiting()] == [60]
    page = editor_client.get(reverse("admin:articles_followedsource_change", args=[source.pk]))
    assert "404 Not Found" in page.content.decode()


def test_a_private_address_is_never_fetched(
    editor_client, site, django_capture_on_commit_callbacks
):
    local = site.url(FEED)  # 127.0.0.1
    source = add_source(editor_client, django_capture_on_commit_callbacks, local)
    run_worker(django_capture_on_commit_callbacks)
    source.refresh_from_db()
    assert "private or local network" in source.last_error
    assert site.requests == []


def test_a_check_that_stops_with_an_error_keeps_the_next_one_queued(
    editor_client, site, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sources, "follow_stories", broken)
    source = add_source(editor_client, django_capture_on_commit_callbacks, site.public + FEED)
    run_worker(django_capture_on_commit_callbacks)
    source.refresh_from_db()
    assert source.last_summary == "the check stopped with an error"
    assert source.last_error == "RuntimeError: the worker's log has the details"
    assert [minutes for _, minutes in checks_waiting()] == [60]
    assert DBTaskResult.objects.filter(status="FAILED").count() == 1


def test_only_editors_who_may_import_follow_sources(annotator, editor):
    annotator_client, editor_client = Client(), Client()
    annotator_client.force_login(annotator)
    editor_client.force_login(editor)
    assert annotator_client.get(CHANGELIST).status_code == 403
    assert annotator_client.get(ADD_URL).status_code == 403
    assert "Followed sources" not in annotator_client.get("/admin/").content.decode()
    assert editor_client.get(CHANGELIST).status_code == 200
    assert "Followed sources" in editor_client.get("/admin/").content.decode()
    # The Import page points there, for what should come in again and again.
    import_page = editor_client.get(reverse("admin:articles_story_import")).content.decode()
    assert f'href="{CHANGELIST}"' in import_page


def test_problems_from_a_publisher_are_shown_as_text(editor_client):
    source = FollowedSource.objects.create(
        url="https://news.example/feed/", last_error="<script>alert(1)</script>\nsecond line"
    )
    page = editor_client.get(reverse("admin:articles_followedsource_change", args=[source.pk]))
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in html
    assert "<script>alert(1)" not in html


def test_new_stories_from_a_source_that_asks_for_review_wait_as_drafts(
    editor_client, site, django_capture_on_commit_callbacks
):
    add_source(
        editor_client, django_capture_on_commit_callbacks, site.public + FEED, new_as_drafts="on"
    )
    run_worker(django_capture_on_commit_callbacks)
    assert set(Story.objects.values_list("status", flat=True)) == {Story.Status.DRAFT}
    assert "Coca prices fall" not in Client().get("/").content.decode()

    # An editor publishes one; the publisher then changes both.
    Story.objects.filter(headline="A school on the water").update(status=Story.Status.PUBLISHED)
    site.routes[FEED] = (
        200,
        RSS,
        fixture("feed-full-text.xml")
        .replace(b"Forty children", b"Forty-two children")
        .replace(b"7 soles", b"6 soles"),
    )
    make_due()
    run_worker(django_capture_on_commit_callbacks)
    statuses = dict(Story.objects.values_list("headline", "status"))
    assert statuses == {
        "A school on the water": Story.Status.PUBLISHED,
        "Coca prices fall for the third year": Story.Status.DRAFT,
    }
    assert FollowedSource.objects.get().last_summary == "2 updated"
