"""Page numbers: every paginated URL reads them with one parser, so that each page has exactly
one address. A number written any other way (another script's digits, a sign, spaces, leading
zeros, exponent, a huge number, nothing) is a 404 there: never a 500, never another page."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import reverse

from articles.pages.pagination import page_number
from articles.search.index import index_stories
from tests.factories import (
    AuthorFactory,
    NoteFactory,
    ParagraphFactory,
    SectionFactory,
    StoryFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE_PAGE_NUMBERS = [
    "²",  # str.isdigit() says yes, int() says no
    "٠",  # Arabic-Indic zero: int() reads 0
    "١",  # Arabic-Indic one: int() reads 1
    "１",  # fullwidth one
    "-1",
    "+1",
    "00",
    "01",
    "1e3",
    "1.0",
    "1_0",
    "0x1",
    " 1",
    "  1",
    "1 ",
    "1\n",
    "9" * 10,
    "9" * 40,
    "",
    "last",
    "one",
    "\x00",
]


@pytest.fixture
def site():
    """One public story in every list: a section, tag, author, month, search hit and a note."""
    published = datetime(2014, 6, 20, 19, 41, tzinfo=ZoneInfo("UTC"))
    author = AuthorFactory(slug="kayla-ruble")
    story = StoryFactory(
        slug="coca-raid",
        section=SectionFactory(name="World", slug="world"),
        authors=[author],
        tags=[TagFactory(name="Peru", slug="peru")],
        published_at=published,
    )
    NoteFactory(paragraph=ParagraphFactory(story=story, text="Troops seized coca paste."))
    index_stories(story_ids=[story.pk])
    return story


# Each paginated URL, the parameter its page number is in, and the number of its first page.
PAGINATED = {
    "front page": ("/", "page", 1),
    "section": ("/sections/world/", "page", 1),
    "tag": ("/tags/peru/", "page", 1),
    "author": ("/authors/kayla-ruble/", "page", 1),
    "year archive": ("/archive/2014/", "page", 1),
    "month archive": ("/archive/2014/06/", "page", 1),
    "search results": ("/search/?q=coca", "page", 1),
    "search form": ("/search/", "page", 1),
    "W3C annotation container": ("/stories/coca-raid/annotations/", "page", 0),
    "stories sitemap": ("/sitemap-stories.xml", "p", 1),
    "news sitemap": ("/news-sitemap.xml", "p", 1),
}


def with_page(url: str, parameter: str, value: str) -> str:
    query = QueryDict(mutable=True)
    query[parameter] = value
    return f"{url}{'&' if '?' in url else '?'}{query.urlencode()}"


@pytest.mark.parametrize("name", PAGINATED)
def test_every_paginated_url_serves_its_first_page_by_number(client, site, name):
    url, parameter, first = PAGINATED[name]
    assert client.get(url).status_code == 200
    assert client.get(with_page(url, parameter, str(first))).status_code == 200


@pytest.mark.parametrize("value", HOSTILE_PAGE_NUMBERS, ids=ascii)
@pytest.mark.parametrize("name", PAGINATED)
def test_every_paginated_url_answers_a_malformed_page_number_with_404(client, site, name, value):
    url, parameter, _ = PAGINATED[name]
    assert client.get(with_page(url, parameter, value)).status_code == 404


@pytest.mark.parametrize("name", PAGINATED)
def test_a_page_below_the_first_past_the_last_or_named_twice_is_404(client, site, name):
    url, parameter, first = PAGINATED[name]
    beyond = {"W3C annotation container": "1", "search form": None}.get(name, "2")
    if first == 1:
        assert client.get(with_page(url, parameter, "0")).status_code == 404
    if beyond:
        assert client.get(with_page(url, parameter, beyond)).status_code == 404
    twice = with_page(url, parameter, str(first)) + f"&{parameter}={first}"
    assert client.get(twice).status_code == 404


@pytest.mark.parametrize(
    ("query", "first", "expected"),
    [
        ("", 1, 1),
        ("page=1", 1, 1),
        ("page=27", 1, 27),
        ("page=0", 0, 0),
        ("page=999999999", 1, 999999999),
    ],
)
def test_page_number_reads_canonical_ascii_numbers(query, first, expected):
    request = RequestFactory().get(f"/?{query}")
    assert page_number(request, first=first) == expected


@pytest.mark.parametrize("value", ["²", "٠", "0", "01", "2"])
def test_the_annotate_story_picker_reads_page_numbers_like_every_list(annotator_client, value):
    """Staff's own list too: one story, so only page 1 exists."""
    StoryFactory(headline="Coca eradication")
    index = reverse("admin:articles_story_annotate_index")

    assert annotator_client.get(index, {"page": value}).status_code == 404
    assert annotator_client.get(index, {"page": "1"}).status_code == 200
