"""Date archives: a year's and a month's published stories, in the newsroom's time zone."""

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test.html import parse_html
from django.urls import reverse

from articles.models import Story
from tests.factories import AuthorFactory, StoryFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def at(year, month, day, hour=12, minute=0) -> datetime:
    """A time on the newsroom's own clock (settings.TIME_ZONE)."""
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


CARD_HEADLINE = re.compile(r'<h2 class="story-card__headline"><a href="[^"]*">(.*?)</a></h2>')


def headlines(response) -> list[str]:
    """The headlines of the story cards, in page order, as a reader reads them."""
    return [html.unescape(text) for text in CARD_HEADLINE.findall(response.content.decode())]


def test_archive_urls_have_four_digit_years_and_two_digit_months():
    assert reverse("articles:archive-year", args=[2014]) == "/archive/2014/"
    assert reverse("articles:archive-month", args=[2014, 6]) == "/archive/2014/06/"


def test_year_archive_lists_that_years_public_stories_newest_first(client):
    StoryFactory(headline="June story", published_at=at(2014, 6, 20))
    StoryFactory(headline="March story", published_at=at(2014, 3, 2))
    StoryFactory(headline="Next year", published_at=at(2015, 1, 1, 0, 30))
    StoryFactory(headline="Draft", status=Story.Status.DRAFT, published_at=at(2014, 5, 1))
    response = client.get("/archive/2014/")
    assert response.status_code == 200
    assert headlines(response) == ["June story", "March story"]


def test_year_archive_links_to_its_months_with_stories(client):
    for day in (1, 2, 3):
        StoryFactory(published_at=at(2014, 6, day))
    StoryFactory(published_at=at(2014, 3, 2))
    StoryFactory(status=Story.Status.DRAFT, published_at=at(2014, 9, 1))
    content = client.get("/archive/2014/").content.decode()
    months = parse_html(
        '<ul><li><a href="/archive/2014/03/">March</a> (1 story)</li>'
        '<li><a href="/archive/2014/06/">June</a> (3 stories)</li></ul>'
    )
    assert months in parse_html(content)
    assert "/archive/2014/09/" not in content


def test_month_archive_lists_only_that_months_public_stories(client):
    StoryFactory(headline="June story", published_at=at(2014, 6, 20))
    StoryFactory(headline="Last minute of June", published_at=at(2014, 6, 30, 23, 59))
    StoryFactory(headline="July story", published_at=at(2014, 7, 1, 0, 1))
    StoryFactory(headline="Draft", status=Story.Status.DRAFT, published_at=at(2014, 6, 2))
    response = client.get("/archive/2014/06/")
    assert response.status_code == 200
    assert headlines(response) == ["Last minute of June", "June story"]
    assert '<h1 class="page-title">Stories from June 2014</h1>' in response.content.decode()


def test_archives_follow_the_newsrooms_clock_not_utc(client):
    """11:30pm on New Year's Eve in New York is already next year in UTC; the archive says 2013."""
    StoryFactory(headline="New Year's Eve", published_at=at(2013, 12, 31, 23, 30))
    assert headlines(client.get("/archive/2013/")) == ["New Year's Eve"]
    assert headlines(client.get("/archive/2013/12/")) == ["New Year's Eve"]
    assert client.get("/archive/2014/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/archive/2012/", "/archive/2014/05/", "/archive/2014/13/", "/archive/2014/6/"]
)
def test_empty_or_impossible_archive_is_404(client, url):
    StoryFactory(published_at=at(2014, 6, 20))
    assert client.get(url).status_code == 404


def test_archive_of_only_drafts_and_scheduled_stories_is_404(client):
    StoryFactory(status=Story.Status.DRAFT, published_at=at(2014, 6, 20))
    future = datetime.now(NEW_YORK) + timedelta(days=2)
    StoryFactory(published_at=future)
    assert client.get("/archive/2014/").status_code == 404
    assert client.get(f"/archive/{future.year}/").status_code == 404
    assert client.get(f"/archive/{future.year}/{future.month:02d}/").status_code == 404


def test_archives_are_paginated(client, settings):
    for n in range(settings.NEWSROOM_PAGE_SIZE + 3):
        StoryFactory(headline=f"Story {n:02d}", published_at=at(2014, 6, 1) + timedelta(hours=n))
    first = client.get("/archive/2014/06/")
    second = client.get("/archive/2014/06/?page=2")
    assert len(headlines(first)) == settings.NEWSROOM_PAGE_SIZE
    assert headlines(second) == ["Story 02", "Story 01", "Story 00"]
    assert client.get("/archive/2014/06/?page=3").status_code == 404


def test_archive_query_counts_are_constant(client, django_assert_num_queries):
    for month in range(1, 13):
        for day in (1, 2, 3):
            StoryFactory(
                published_at=at(2014, month, day), authors=[AuthorFactory(), AuthorFactory()]
            )
    # content state (the validators), count, months with their story counts, page of stories,
    # bylines, image renditions, section nav
    with django_assert_num_queries(7):
        client.get("/archive/2014/")
    # content state, count, page of stories, bylines, image renditions (the section nav is read
    # once per state)
    with django_assert_num_queries(5):
        client.get("/archive/2014/06/")
