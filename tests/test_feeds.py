"""RSS and Atom feeds: what a feed reader gets, for the site and each section, tag and author."""

import calendar
from datetime import timedelta

import feedparser
import pytest
from django.test.html import parse_html
from django.urls import reverse
from django.utils import timezone

from articles.models import Story
from tests.factories import AuthorFactory, SectionFactory, StoryFactory, TagFactory

pytestmark = pytest.mark.django_db

FORMATS = ["rss", "atom"]


@pytest.fixture
def newsroom():
    """Three public stories sharing a section, tag and author; a draft and a scheduled story too."""
    now = timezone.now()
    section = SectionFactory(name="World", slug="world")
    tag = TagFactory(name="Peru", slug="peru")
    kayla, bo = AuthorFactory(name="Kayla Ruble"), AuthorFactory(name="Bo Tate")
    stories = [
        StoryFactory(
            headline=f"Public story {n}",
            section=section,
            authors=[kayla, bo],
            tags=[tag, "coca"],
            published_at=now - timedelta(hours=n + 1),
        )
        for n in range(3)
    ]
    hidden = dict(section=section, authors=[kayla], tags=[tag])
    StoryFactory(headline="Draft story", status=Story.Status.DRAFT, **hidden)
    StoryFactory(headline="Scheduled story", published_at=now + timedelta(hours=1), **hidden)
    return {"section": section, "tag": tag, "author": kayla, "stories": stories}


def feed_urls(newsroom) -> list[str]:
    subjects = {
        "section": newsroom["section"].slug,
        "tag": newsroom["tag"].slug,
        "author": newsroom["author"].slug,
    }
    urls = [reverse(f"articles:feed-{kind}") for kind in FORMATS]
    for subject, slug in subjects.items():
        urls += [reverse(f"articles:{subject}-feed-{kind}", args=[slug]) for kind in FORMATS]
    return urls


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, feedparser.parse(response.content)


def entry_for(feed, story):
    link = f"http://testserver{story.get_absolute_url()}"
    return next(entry for entry in feed.entries if entry.link == link)


def test_every_feed_is_well_formed_and_lists_only_public_stories_newest_first(client, newsroom):
    urls = feed_urls(newsroom)
    assert len(urls) == 8
    for url in urls:
        response, feed = parse(client, url)
        assert feed.bozo == 0, (url, feed.get("bozo_exception"))
        expected = "application/atom+xml" if "atom" in url else "application/rss+xml"
        assert response["Content-Type"].startswith(expected)
        assert feed.version == ("atom10" if "atom" in url else "rss20")
        assert [entry.title for entry in feed.entries] == [
            "Public story 0",
            "Public story 1",
            "Public story 2",
        ], url


@pytest.mark.parametrize("kind", FORMATS)
def test_feed_entry_links_ids_authors_categories_and_dates(client, newsroom, kind):
    story = newsroom["stories"][0]
    _, feed = parse(client, reverse(f"articles:feed-{kind}"))
    entry = entry_for(feed, story)
    canonical = f"http://testserver{story.get_absolute_url()}"
    assert entry.link == canonical
    assert entry.id == canonical
    assert [author.name for author in entry.authors] == ["Kayla Ruble", "Bo Tate"]
    # The section, then the tags in the order the story page lists them.
    assert [tag.term for tag in entry.tags] == ["World", "coca", "Peru"]
    assert entry.summary == story.dek
    published = calendar.timegm(entry.published_parsed)
    assert published == int(story.published_at.timestamp())
    assert feed.feed.link == "http://testserver/"


def test_atom_authors_link_to_their_author_pages(client, newsroom):
    _, feed = parse(client, reverse("articles:feed-atom"))
    entry = entry_for(feed, newsroom["stories"][0])
    assert [author.href for author in entry.authors] == [
        f"http://testserver{byline.author.get_absolute_url()}"
        for byline in newsroom["stories"][0].bylines.all()
    ]


def test_atom_updated_is_the_update_time_readers_see(client, newsroom):
    story = newsroom["stories"][1]
    story.updated_at = story.published_at + timedelta(minutes=30)
    story.save()
    _, feed = parse(client, reverse("articles:feed-atom"))
    entry = entry_for(feed, story)
    assert calendar.timegm(entry.updated_parsed) == int(story.updated_at.timestamp())
    unchanged = entry_for(feed, newsroom["stories"][0])
    assert unchanged.updated_parsed == unchanged.published_parsed


@pytest.mark.parametrize("kind", FORMATS)
def test_markup_in_headline_and_dek_reaches_the_reader_as_text(client, kind):
    StoryFactory(headline="Coca & <cash>", dek="Soldiers <b>seize</b> paste & more")
    _, feed = parse(client, reverse(f"articles:feed-{kind}"))
    assert feed.bozo == 0
    (entry,) = feed.entries
    assert entry.title == "Coca & <cash>"
    # The summary is HTML: the dek's characters are escaped into it, not interpreted.
    assert entry.summary == "Soldiers &lt;b&gt;seize&lt;/b&gt; paste &amp; more"


def test_story_without_a_byline_falls_back_to_the_newsroom_as_atom_author(client):
    """Atom requires an author for every entry: the feed's own author covers unsigned ones."""
    StoryFactory(headline="Unsigned")
    _, feed = parse(client, reverse("articles:feed-atom"))
    assert feed.bozo == 0
    assert feed.feed.author == "VICE News"
    assert "authors" not in feed.entries[0]


def test_section_feed_holds_only_that_sections_stories(client, newsroom):
    StoryFactory(headline="Elsewhere", section=SectionFactory(name="Sports", slug="sports"))
    _, feed = parse(client, reverse("articles:section-feed-rss", args=["world"]))
    assert "Elsewhere" not in [entry.title for entry in feed.entries]
    assert feed.feed.title == "VICE News: World"
    assert feed.feed.link == "http://testserver/sections/world/"


def test_feed_of_an_unknown_section_tag_or_author_is_404(client):
    for name in ("section-feed-rss", "tag-feed-atom", "author-feed-rss"):
        assert client.get(reverse(f"articles:{name}", args=["nope"])).status_code == 404


def test_feed_holds_the_50_newest_stories(client):
    now = timezone.now()
    for n in range(55):
        StoryFactory(headline=f"Story {n}", published_at=now - timedelta(minutes=n + 1))
    _, feed = parse(client, reverse("articles:feed-rss"))
    assert [entry.title for entry in feed.entries] == [f"Story {n}" for n in range(50)]


def test_feed_query_count_is_constant(client, django_assert_num_queries):
    section, tag = SectionFactory(name="World", slug="world"), TagFactory(name="Peru", slug="peru")
    author = AuthorFactory()
    for _ in range(30):
        StoryFactory(
            section=section,
            authors=[author, AuthorFactory(), AuthorFactory()],
            tags=[tag, *(f"topic {n}" for n in range(4))],
        )
    # stories with sections, bylines with authors, tags, and the first time, the next scheduled
    # story (how long the feed stays true; kept until the list changes)
    for kind, queries in zip(FORMATS, (4, 3), strict=True):
        with django_assert_num_queries(queries):
            client.get(reverse(f"articles:feed-{kind}"))
    # ... plus the section, tag or author, and its list's next scheduled story
    for name, slug in (("section", "world"), ("tag", "peru"), ("author", author.slug)):
        with django_assert_num_queries(5):
            client.get(reverse(f"articles:{name}-feed-atom", args=[slug]))
        with django_assert_num_queries(4):
            client.get(reverse(f"articles:{name}-feed-rss", args=[slug]))


def feed_links(content: str) -> list[tuple[str, str, str]]:
    """(type, title, href) of every feed a page advertises in its <head>."""
    head = parse_html(content.split("</head>")[0].split("<head>")[1])
    links = []

    def walk(node):
        for child in getattr(node, "children", []):
            if getattr(child, "name", None) == "link":
                attributes = dict(child.attributes)
                if attributes.get("rel") == "alternate":
                    links.append((attributes["type"], attributes["title"], attributes["href"]))
            walk(child)

    walk(head)
    return links


SITE_FEEDS = [
    ("application/rss+xml", "VICE News (RSS)", "/feed/rss/"),
    ("application/atom+xml", "VICE News (Atom)", "/feed/atom/"),
]


def test_every_page_advertises_the_site_feeds_and_its_own(client, newsroom):
    story = newsroom["stories"][0]
    pages = {
        "/": [],
        "/sections/world/": ["World", "/sections/world/"],
        "/tags/peru/": ["Peru", "/tags/peru/"],
        newsroom["author"].get_absolute_url(): [
            "Kayla Ruble",
            newsroom["author"].get_absolute_url(),
        ],
        story.get_absolute_url(): ["World", "/sections/world/"],
    }
    for url, own in pages.items():
        links = feed_links(client.get(url).content.decode())
        expected = list(SITE_FEEDS)
        if own:
            name, page = own
            expected += [
                ("application/rss+xml", f"VICE News: {name} (RSS)", f"{page}feed/rss/"),
                ("application/atom+xml", f"VICE News: {name} (Atom)", f"{page}feed/atom/"),
            ]
        assert links == expected, url
        for _type, _title, href in links:
            assert feedparser.parse(client.get(href).content).bozo == 0, href
