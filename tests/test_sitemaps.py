"""Sitemaps, the Google News sitemap and robots.txt, read the way a crawler reads them."""

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from articles.models import Story
from tests.factories import AuthorFactory, SectionFactory, StoryFactory, TagFactory

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def fetch_xml(client, url) -> ElementTree.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own response


def urlset(client, url) -> dict[str, str | None]:
    """{loc: lastmod} of a sitemap."""
    root = fetch_xml(client, url)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def absolute(path: str) -> str:
    return f"http://testserver{path}"


@pytest.fixture
def site():
    section = SectionFactory(name="World", slug="world")
    empty_section = SectionFactory(name="Sports", slug="sports")
    shown_tag, hidden_tag = TagFactory(name="Peru", slug="peru"), TagFactory(name="Embargo")
    writer, drafter = AuthorFactory(name="Kayla Ruble"), AuthorFactory(name="Only Drafts")
    public = StoryFactory(section=section, authors=[writer], tags=[shown_tag])
    draft = StoryFactory(
        status=Story.Status.DRAFT, section=section, authors=[drafter], tags=[hidden_tag]
    )
    scheduled = StoryFactory(
        published_at=timezone.now() + timedelta(days=1),
        section=section,
        authors=[drafter],
        tags=[hidden_tag],
    )
    return {
        "public": public,
        "draft": draft,
        "scheduled": scheduled,
        "sections": [section, empty_section],
        "shown_tag": shown_tag,
        "hidden_tag": hidden_tag,
        "writer": writer,
        "drafter": drafter,
    }


def test_sitemap_index_points_at_every_sitemap_with_absolute_urls(client, site):
    root = fetch_xml(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    locations = [
        entry.findtext("sm:loc", namespaces=NS) for entry in root.findall("sm:sitemap", NS)
    ]
    assert locations == [
        absolute(f"/sitemap-{name}.xml")
        for name in ("front", "stories", "sections", "tags", "authors")
    ]
    for location in locations:
        assert urlset(client, location.removeprefix("http://testserver"))


def test_stories_sitemap_lists_public_stories_with_their_last_change(client, site):
    stories = urlset(client, "/sitemap-stories.xml")
    public = site["public"]
    assert list(stories) == [absolute(public.get_absolute_url())]
    assert stories[absolute(public.get_absolute_url())] == (
        timezone.localtime(public.modified_at).date().isoformat()
    )
    assert absolute(site["draft"].get_absolute_url()) not in stories
    assert absolute(site["scheduled"].get_absolute_url()) not in stories


def test_scheduled_story_lastmod_is_its_publication_when_later_than_its_last_save(client):
    """A story saved today for next week appears next week; that is when it changed for crawlers."""
    story = StoryFactory(published_at=timezone.now() - timedelta(minutes=1))
    later = timezone.now() + timedelta(days=3)
    Story.objects.filter(pk=story.pk).update(modified_at=later - timedelta(days=5))
    stories = urlset(client, "/sitemap-stories.xml")
    expected = max(story.published_at, later - timedelta(days=5))
    assert stories[absolute(story.get_absolute_url())] == (
        timezone.localtime(expected).date().isoformat()
    )


def test_sections_tags_and_authors_sitemaps_list_only_pages_with_public_stories(client, site):
    sections = urlset(client, "/sitemap-sections.xml")
    # Every section is in the navigation, so every section is listed; lastmod when it has stories.
    assert set(sections) == {absolute(s.get_absolute_url()) for s in site["sections"]}
    assert sections[absolute("/sections/sports/")] is None
    # The public story's last save; it was published the day before.
    assert sections[absolute("/sections/world/")] == (
        timezone.localtime(site["public"].modified_at).date().isoformat()
    )

    tags = urlset(client, "/sitemap-tags.xml")
    assert list(tags) == [absolute(site["shown_tag"].get_absolute_url())]
    authors = urlset(client, "/sitemap-authors.xml")
    assert list(authors) == [absolute(site["writer"].get_absolute_url())]
    assert urlset(client, "/sitemap-front.xml") == {
        absolute("/"): timezone.localtime(site["public"].modified_at).date().isoformat()
    }


def test_unknown_sitemap_section_is_404(client):
    assert client.get("/sitemap-drafts.xml").status_code == 404


def test_sitemap_query_counts_are_constant(client, django_assert_num_queries):
    for n in range(30):
        StoryFactory(authors=[AuthorFactory()], tags=[f"topic {n}"])
    # per sitemap: its latest lastmod, and the count its paginator needs (not the front page's);
    # and for every sitemap, the next scheduled story (how long it stays true)
    with django_assert_num_queries(10):
        client.get("/sitemap.xml")
    # each sitemap: the count and the page of rows with their lastmod (the next scheduled story
    # is kept from the index's request until the front list changes)
    for name in ("stories", "sections", "tags", "authors"):
        with django_assert_num_queries(2):
            client.get(f"/sitemap-{name}.xml")
    with django_assert_num_queries(1):  # the latest publication
        client.get("/sitemap-front.xml")


def news_entries(client) -> dict[str, ElementTree.Element]:
    root = fetch_xml(client, reverse("news-sitemap"))
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return {
        url.findtext("sm:loc", namespaces=NS): url.find("news:news", NS)
        for url in root.findall("sm:url", NS)
    }


def test_news_sitemap_lists_public_stories_of_the_last_two_days(client):
    now = timezone.now()
    fresh = StoryFactory(headline="Fresh & new", published_at=now - timedelta(hours=47))
    StoryFactory(headline="Too old", published_at=now - timedelta(hours=49))
    StoryFactory(headline="Draft", status=Story.Status.DRAFT, published_at=now)
    StoryFactory(headline="Scheduled", published_at=now + timedelta(hours=1))
    entries = news_entries(client)
    assert list(entries) == [absolute(fresh.get_absolute_url())]

    news = entries[absolute(fresh.get_absolute_url())]
    assert news.findtext("news:publication/news:name", namespaces=NS) == "VICE News"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:title", namespaces=NS) == "Fresh & new"
    published = parse_datetime(news.findtext("news:publication_date", namespaces=NS))
    assert published == fresh.published_at


def test_news_sitemap_is_newest_first_in_two_queries(client, django_assert_num_queries):
    now = timezone.now()
    for n in range(20):
        StoryFactory(headline=f"Story {n}", published_at=now - timedelta(hours=n))
    with django_assert_num_queries(3):  # count, page of stories, the next scheduled story
        entries = news_entries(client)
    titles = [news.findtext("news:title", namespaces=NS) for news in entries.values()]
    assert titles == [f"Story {n}" for n in range(20)]


def test_robots_txt_allows_the_site_and_points_at_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/news-sitemap.xml" in lines
