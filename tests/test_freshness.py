"""How long a cached page stays true: purges happen after the commit and only then, and a page
that changes with the clock alone (an age banner, a scheduled story coming due) is kept no
longer than that moment, with no write at all."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.caching import invalidation, keys
from articles.editing.publishing import publish_stories
from articles.models import Section, Story
from articles.pages.dates import age_banner, next_banner_change
from tests.factories import AsideFactory, ParagraphFactory, SectionFactory, StoryFactory

pytestmark = pytest.mark.django_db

CACHE_HEADER = "X-Page-Cache"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.NEWSROOM_PAGE_CACHE = True


@pytest.fixture
def purged(monkeypatch):
    """The keys each purge named, in order, as the backends receive them."""
    calls = []
    real = invalidation.purge_now
    monkeypatch.setattr(invalidation, "purge_now", lambda k: (calls.append(set(k)), real(k)))
    return calls


@pytest.fixture
def story():
    story = StoryFactory(headline="Soldier killed in coca raid")
    ParagraphFactory(story=story, text="A soldier was killed on Saturday.")
    return story


def test_a_purge_waits_for_the_commit(story, purged, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        invalidation.content_changed([keys.story(story.pk)])
        assert purged == []  # not before the commit
    assert purged == [{keys.story(story.pk)}]


def test_a_rolled_back_transaction_purges_nothing(
    story, purged, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invalidation.content_changed([keys.story(story.pk)])
        raise RuntimeError("the editor's request failed")
    assert purged == []


def test_a_page_rendered_before_a_purge_is_not_kept_after_it(story, monkeypatch):
    """A reader whose page was read from the rows before a commit must not store it after the
    commit's purge: it would be served stale until its TTL."""
    from articles.caching import pagecache

    reader = Client()
    real_keep = pagecache._keep

    def purge_while_rendering(key, response, *, started):
        invalidation.purge_now([keys.story(story.pk)])  # the editor's commit lands meanwhile
        real_keep(key, response, started=started)

    monkeypatch.setattr(pagecache, "_keep", purge_while_rendering)
    assert reader.get(story.get_absolute_url())[CACHE_HEADER] == "miss"
    monkeypatch.setattr(pagecache, "_keep", real_keep)
    assert reader.get(story.get_absolute_url())[CACHE_HEADER] == "miss"  # not kept
    assert reader.get(story.get_absolute_url())[CACHE_HEADER] == "hit"


def test_renaming_a_section_in_the_admin_shows_on_every_cached_page_at_once(
    story, editor_client, django_capture_on_commit_callbacks
):
    reader = Client()
    reader.get(story.get_absolute_url())
    assert reader.get(story.get_absolute_url())[CACHE_HEADER] == "hit"
    from tests.test_pagecache import save_in_admin

    with django_capture_on_commit_callbacks(execute=True):
        save_in_admin(editor_client, story.section, "section_form", name="Americas")

    response = reader.get(story.get_absolute_url())
    assert response[CACHE_HEADER] == "miss"
    assertContains(response, "Americas")


# Scheduled stories: public at their time, with no write ----------------------------------------

NOW = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Frozen time, moved by hand: `clock.now = ...`."""

    class Clock:
        now = NOW

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


@pytest.mark.parametrize(
    "url", ["/", "/sections/world/", "/archive/2026/", "/archive/2026/03/", "/feed/rss/"]
)
def test_a_scheduled_story_joins_cached_lists_when_it_comes_due(
    clock, url, django_assert_num_queries
):
    world = SectionFactory(name="World", slug="world")
    StoryFactory(headline="Already out", section=world, published_at=NOW - timedelta(hours=1))
    StoryFactory(
        headline="Embargoed until ten", section=world, published_at=NOW + timedelta(hours=1)
    )
    reader = Client()
    assertNotContains(reader.get(url), "Embargoed until ten")
    clock.now = NOW + timedelta(minutes=59, seconds=59)
    with django_assert_num_queries(0):
        response = reader.get(url)
    assert response[CACHE_HEADER] == "hit"
    assert int(response["Cache-Control"].split("max-age=")[1].split(",")[0]) <= 1

    clock.now = NOW + timedelta(hours=1)  # nothing is written
    response = reader.get(url)

    assert response[CACHE_HEADER] == "miss"
    assertContains(response, "Embargoed until ten")


def test_an_aside_to_a_scheduled_story_becomes_a_link_when_it_comes_due(clock):
    target = StoryFactory(headline="The follow-up", published_at=NOW + timedelta(hours=2))
    story = StoryFactory(published_at=NOW - timedelta(days=1))
    AsideFactory(story=story, target_story=target, teaser="Read the follow-up.")
    reader = Client()
    assertNotContains(reader.get(story.get_absolute_url()), target.get_absolute_url())
    clock.now = NOW + timedelta(hours=1)
    assert reader.get(story.get_absolute_url())[CACHE_HEADER] == "hit"

    clock.now = NOW + timedelta(hours=2)
    response = reader.get(story.get_absolute_url())

    assert response[CACHE_HEADER] == "miss"
    assertContains(response, target.get_absolute_url())


def test_publishing_a_scheduled_story_earlier_reaches_the_lists_it_will_join(
    clock, editor, django_capture_on_commit_callbacks
):
    """A new publication time moves the moment those lists change: they are purged now."""
    StoryFactory(headline="Already out", published_at=NOW - timedelta(hours=1))
    later = StoryFactory(
        headline="Moved up", status=Story.Status.DRAFT, published_at=NOW + timedelta(days=1)
    )
    reader = Client()
    reader.get("/")
    assert reader.get("/")[CACHE_HEADER] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        Story.objects.filter(pk=later.pk).update(published_at=NOW + timedelta(minutes=5))
        publish_stories(story_ids=[later.pk], user=editor)
    assert reader.get("/")[CACHE_HEADER] == "miss"
    clock.now = NOW + timedelta(minutes=5)
    assertContains(reader.get("/"), "Moved up")


@pytest.mark.parametrize(
    "url", ["/", "/sections/world/", "/feed/atom/", "/sections/world/feed/rss/", "/sitemap.xml"]
)
def test_scheduling_a_story_moves_the_kept_moment_its_lists_change(
    clock, url, settings, shared_store, editor, django_capture_on_commit_callbacks
):
    """A list's next scheduled story is kept between writes (no query per page, cache or not,
    where the store is shared): scheduling a story purges it with the lists the story will
    join."""
    settings.NEWSROOM_PAGE_CACHE = False
    settings.NEWSROOM_CACHE_MAX_AGE = 120
    world = SectionFactory(name="World", slug="world")
    StoryFactory(headline="Already out", section=world, published_at=NOW - timedelta(hours=1))
    reader = Client()
    assert max_age(reader.get(url)) == 120
    later = StoryFactory(
        headline="Scheduled at nine",
        section=world,
        status=Story.Status.DRAFT,
        published_at=NOW + timedelta(seconds=30),
    )
    assert max_age(reader.get(url)) == 120  # a draft: nothing moves

    with django_capture_on_commit_callbacks(execute=True):
        publish_stories(story_ids=[later.pk], user=editor)

    assert max_age(reader.get(url)) == 30
    clock.now = NOW + timedelta(seconds=30)
    response = reader.get(url)
    assert max_age(response) == 120
    if url != "/sitemap.xml":
        assertContains(response, "Scheduled at nine")


def max_age(response) -> int:
    assert response.status_code == 200
    return int(response["Cache-Control"].split("max-age=")[1].split(",")[0])


# The age banner's own clock ------------------------------------------------------------------

PUBLISHED = datetime(2014, 6, 20, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "change", "until_then", "from_then"),
    [
        (
            datetime(2014, 6, 21, tzinfo=UTC),
            datetime(2015, 6, 20, 14, 30, tzinfo=UTC),
            "",
            "This story is over 1 year old",
        ),
        (
            datetime(2026, 6, 20, 14, 29, tzinfo=UTC),
            datetime(2026, 6, 20, 14, 30, tzinfo=UTC),
            "This story is over 11 years old",
            "This story is over 12 years old",
        ),
        (
            datetime(2026, 6, 20, 14, 30, tzinfo=UTC),
            datetime(2027, 6, 20, 14, 30, tzinfo=UTC),
            "This story is over 12 years old",
            "This story is over 13 years old",
        ),
        (
            datetime(2026, 11, 26, tzinfo=UTC),
            datetime(2027, 6, 20, 14, 30, tzinfo=UTC),
            "This story is over 12 years old",
            "This story is over 13 years old",
        ),
    ],
)
def test_next_banner_change_is_the_next_anniversary(now, change, until_then, from_then):
    assert next_banner_change(PUBLISHED, now=now) == change
    assert age_banner(PUBLISHED, now=now) == until_then
    assert age_banner(PUBLISHED, now=change - timedelta(microseconds=1)) == until_then
    assert age_banner(PUBLISHED, now=change) == from_then


def test_a_leap_day_story_ages_on_march_first_in_other_years():
    leap = datetime(2016, 2, 29, 9, 0, tzinfo=UTC)
    change = next_banner_change(leap, now=datetime(2016, 3, 1, tzinfo=UTC))
    assert change == datetime(2017, 3, 1, tzinfo=UTC)
    assert age_banner(leap, now=change - timedelta(microseconds=1)) == ""
    assert age_banner(leap, now=change) == "This story is over 1 year old"


def test_a_cached_story_page_is_not_served_past_its_banner_change(monkeypatch):
    story = StoryFactory(published_at=datetime(2024, 6, 20, 14, 30, tzinfo=UTC))
    ParagraphFactory(story=story)
    reader = Client()
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 6, 20, 14, 29, 59, tzinfo=UTC))
    first = reader.get(story.get_absolute_url())
    assertNotContains(first, 'class="age-banner"')
    assert reader.get(story.get_absolute_url())["X-Page-Cache"] == "hit"

    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 6, 20, 14, 30, 1, tzinfo=UTC))
    response = reader.get(story.get_absolute_url())

    assert response["X-Page-Cache"] == "miss"
    assertContains(response, '<p class="age-banner">This story is over 1 year old</p>', html=True)


def test_the_section_menu_is_read_once_and_follows_a_rename(
    story,
    settings,
    shared_store,
    editor_client,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    settings.NEWSROOM_PAGE_CACHE = False
    reader = Client()
    assertContains(reader.get("/"), f">{story.section.name}</a>")
    # the page's rows: the count, the next scheduled story, the menu and the cards are kept
    with django_assert_num_queries(1):
        reader.get("/?page=1")
    from tests.test_pagecache import save_in_admin

    with django_capture_on_commit_callbacks(execute=True):
        save_in_admin(editor_client, story.section, "section_form", name="Americas")
    assertContains(reader.get("/"), ">Americas</a>")
    assert Section.objects.get().name == "Americas"


def test_without_redis_nothing_is_kept_that_another_process_would_purge(story, settings):
    """`make run` serves with a task worker beside it, and management commands write too; each
    purges its own memory only. So without Redis the server keeps neither pages nor what is kept
    beside them: a change purged in another process (here, UPDATEs no purge follows) shows on
    the next request."""
    settings.NEWSROOM_PAGE_CACHE = False  # the default without REDIS_URL
    reader = Client()
    page = reader.get("/")
    assert section_menu(page) == [story.section.name]
    assertContains(page, story.headline)

    Section.objects.filter(pk=story.section.pk).update(name="Americas")
    Story.objects.filter(pk=story.pk).update(headline="Saved by another process")

    page = reader.get("/")
    assert section_menu(page) == ["Americas"]
    assertContains(page, "Saved by another process")
    assert "X-Page-Cache" not in page


def section_menu(response) -> list[str]:
    """The names in the header's section menu."""
    menu = response.content.decode().split('<nav class="section-nav"', 1)[1].split("</nav>")[0]
    return re.findall(r"<a [^>]*>([^<]*)</a>", menu)
