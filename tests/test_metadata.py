"""What a story page tells search engines and link previews, and its dateline's reading time."""

import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Story
from tests.factories import (
    AsideFactory,
    AuthorFactory,
    ParagraphFactory,
    SectionFactory,
    StaffFactory,
    StoryFactory,
    TagFactory,
)
from tests.pages import script_texts

pytestmark = pytest.mark.django_db


class HeadParser(HTMLParser):
    """The metadata a crawler reads from a page: meta tags, canonical link, JSON-LD scripts."""

    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.canonical: list[str] = []
        self.json_ld: list[str] = []

    def feed(self, data: str) -> None:
        super().feed(data)
        self.json_ld += script_texts(data, type="application/ld+json")

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and "content" in attributes:
            key = attributes.get("property") or attributes.get("name")
            self.meta.append((key, attributes["content"]))
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.canonical.append(attributes["href"])

    def values(self, key: str) -> list[str]:
        return [content for name, content in self.meta if name == key]

    def value(self, key: str) -> str:
        (content,) = self.values(key)
        return content


def read_page(client, url) -> HeadParser:
    response = client.get(url)
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def story():
    kayla = AuthorFactory(name="Kayla Ruble", slug="kayla-ruble", x_handle="RubleKB")
    bo = AuthorFactory(name="Bo Tate", slug="bo-tate", x_handle="")
    published = timezone.now() - timedelta(days=2)
    story = StoryFactory(
        headline="Peruvian Soldier Killed in Shootout",
        dek="The battle resulted in the seizure of coca paste.",
        section=SectionFactory(name="World", slug="world"),
        authors=[kayla, bo],
        tags=[TagFactory(name="Peru", slug="peru"), TagFactory(name="coca", slug="coca")],
        published_at=published,
        updated_at=published + timedelta(hours=3),
        lead_image="lead-images/2014/06/soldier.jpg",
        image_alt="Soldiers on patrol",
    )
    ParagraphFactory(story=story)
    return story


def local_iso(moment) -> str:
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def test_story_page_has_canonical_description_and_open_graph(client, story):
    page = read_page(client, story.get_absolute_url())
    canonical = "http://testserver/stories/" + story.slug + "/"
    assert page.canonical == [canonical]
    assert page.value("description") == story.dek
    assert page.value("og:type") == "article"
    assert page.value("og:title") == story.headline
    assert page.value("og:description") == story.dek
    assert page.value("og:url") == canonical
    assert page.value("og:site_name") == "VICE News"
    assert page.value("og:image") == "http://testserver/media/lead-images/2014/06/soldier.jpg"
    assert page.value("og:image:alt") == "Soldiers on patrol"
    assert page.value("article:published_time") == local_iso(story.published_at)
    assert page.value("article:modified_time") == local_iso(story.updated_at)
    assert page.value("article:section") == "World"
    assert page.values("article:tag") == ["coca", "Peru"]
    assert page.values("article:author") == [
        "http://testserver/authors/kayla-ruble/",
        "http://testserver/authors/bo-tate/",
    ]


def test_story_with_an_image_gets_a_large_twitter_card_by_its_first_author_on_x(client, story):
    page = read_page(client, story.get_absolute_url())
    assert page.value("twitter:card") == "summary_large_image"
    assert page.value("twitter:title") == story.headline
    assert page.value("twitter:description") == story.dek
    assert page.value("twitter:image") == "http://testserver/media/lead-images/2014/06/soldier.jpg"
    assert page.value("twitter:creator") == "@RubleKB"


def test_story_without_an_image_gets_a_summary_card_and_no_image_tags(client):
    story = StoryFactory(lead_image="", lead_image_url="")
    page = read_page(client, story.get_absolute_url())
    assert page.value("twitter:card") == "summary"
    for key in ("og:image", "og:image:alt", "twitter:image", "twitter:creator"):
        assert page.values(key) == []
    assert "image" not in json.loads(page.json_ld[0])


def test_external_lead_image_is_used_as_it_is(client):
    story = StoryFactory(lead_image_url="https://images.example.org/soldier.jpg")
    page = read_page(client, story.get_absolute_url())
    assert page.value("og:image") == "https://images.example.org/soldier.jpg"


def test_story_page_describes_itself_as_a_news_story_in_json_ld(client, story):
    page = read_page(client, story.get_absolute_url())
    (script,) = page.json_ld
    data = json.loads(script)
    canonical = "http://testserver/stories/" + story.slug + "/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == story.headline
    assert data["description"] == story.dek
    assert data["datePublished"] == local_iso(story.published_at)
    assert data["dateModified"] == local_iso(story.updated_at)
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Kayla Ruble",
            "url": "http://testserver/authors/kayla-ruble/",
            "sameAs": "https://x.com/RubleKB",
        },
        {"@type": "Person", "name": "Bo Tate", "url": "http://testserver/authors/bo-tate/"},
    ]
    assert data["publisher"] == {
        "@type": "NewsMediaOrganization",
        "name": "VICE News",
        "url": "http://testserver/",
        "publishingPrinciples": "http://testserver/about/publishing-principles/",
        "correctionsPolicy": "http://testserver/about/corrections-policy/",
    }
    assert data["publishingPrinciples"] == "http://testserver/about/publishing-principles/"
    assert data["image"] == ["http://testserver/media/lead-images/2014/06/soldier.jpg"]
    assert data["articleSection"] == "World"
    assert data["keywords"] == ["coca", "Peru"]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": canonical}
    assert data["isAccessibleForFree"] is True


def test_headline_cannot_break_out_of_the_json_ld_script(client):
    hostile = "</script><script>alert(1)</script><!-- & more"
    story = StoryFactory(headline=hostile, dek=hostile)
    response = client.get(story.get_absolute_url())
    content = response.content.decode()
    assert "<script>alert(1)" not in content
    page = HeadParser()
    page.feed(content)
    (script,) = page.json_ld
    data = json.loads(script)
    assert data["headline"] == hostile
    assert data["description"] == hostile
    assert page.value("og:title") == hostile


def test_story_without_a_dek_is_described_by_its_first_paragraph(client):
    story = StoryFactory(dek="")
    AsideFactory(story=story, position=0)
    ParagraphFactory(story=story, position=1, text="Soldiers seized the paste. " * 20)
    page = read_page(client, story.get_absolute_url())
    description = page.value("description")
    assert description.startswith("Soldiers seized the paste. Soldiers")
    assert len(description) <= 200
    assert page.value("og:description") == description


@pytest.mark.parametrize(
    ("url", "title", "description"),
    [
        ("/", "VICE News", "The latest stories from VICE News."),
        ("/sections/world/", "World", "News from everywhere."),
        ("/tags/peru/", "Peru", "Stories about Peru."),
        ("/authors/kayla-ruble/", "Kayla Ruble", "Covers the Andes."),
    ],
)
def test_list_pages_have_canonical_and_open_graph_basics(client, url, title, description):
    section = SectionFactory(name="World", slug="world", description="News from everywhere.")
    tag = TagFactory(name="Peru", slug="peru", description="Stories about Peru.")
    author = AuthorFactory(name="Kayla Ruble", slug="kayla-ruble")
    StoryFactory(section=section, tags=[tag], authors=[author])
    page = read_page(client, url)
    assert page.canonical == [f"http://testserver{url}"]
    assert page.value("og:type") == "website"
    assert page.value("og:title") == title
    assert page.value("og:description") == description
    assert page.value("description") == description
    assert page.value("og:url") == f"http://testserver{url}"
    assert page.value("og:site_name") == "VICE News"
    assert page.value("twitter:card") == "summary"


def test_later_pages_of_a_list_are_their_own_canonical_page(client, settings):
    for _ in range(settings.NEWSROOM_PAGE_SIZE + 1):
        StoryFactory()
    page = read_page(client, "/?page=2&utm_source=mail")
    assert page.canonical == ["http://testserver/?page=2"]
    assert read_page(client, "/?page=1").canonical == ["http://testserver/"]


def test_staff_preview_of_a_draft_is_not_indexed(client):
    draft = StoryFactory(status=Story.Status.DRAFT)
    client.force_login(StaffFactory())
    page = read_page(client, draft.get_absolute_url())
    assert page.value("robots") == "noindex"


def dateline(client, story) -> str:
    content = client.get(story.get_absolute_url()).content.decode()
    start = content.index('<p class="dateline">')
    return content[start : content.index("</p>", start)]


@pytest.mark.parametrize(
    ("words", "shown"),
    [(0, "1 min read"), (230, "1 min read"), (231, "2 min read"), (920, "4 min read")],
)
def test_dateline_shows_reading_time_at_230_words_a_minute_rounded_up(client, words, shown):
    story = StoryFactory()
    # Split across paragraphs; asides are not part of the reading.
    for n, count in enumerate((words // 2, words - words // 2)):
        ParagraphFactory(story=story, position=n * 2, text=" ".join(["word"] * count))
    AsideFactory(story=story, position=1, teaser=" ".join(["aside"] * 40))
    assert f'<span class="reading-time"><span aria-hidden="true"> · </span>{shown}</span>' in (
        dateline(client, story)
    )


def test_dateline_shows_updated_when_the_story_changed_after_publication(client):
    published = timezone.now() - timedelta(days=1)
    updated = StoryFactory(published_at=published, updated_at=published + timedelta(hours=2))
    shown = dateline(client, updated)
    changes = reverse("articles:story-changes", kwargs={"slug": updated.slug})
    assert (
        f'<span class="updated"><a href="{changes}">Updated <time datetime="'
        + local_iso(updated.updated_at)
        in shown
    )

    for updated_at in (None, published, published - timedelta(hours=1)):
        story = StoryFactory(published_at=published, updated_at=updated_at)
        assert "Updated" not in dateline(client, story)
