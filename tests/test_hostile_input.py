"""Hostile input: every payload of `tests/hostile.py`, through every path to a reader or an editor,
reaches them as text.

Each payload is stored in every field a page shows (headline, dek, image alt/credit/caption,
paragraphs, aside teaser and target, section, author name and bio, tag name and description,
every kind of note, a reply and the note's history), imported from a file, and typed into the
search box. Every surface is then parsed (`tests.hostile`): no script but the site's own, no
event handler, no `javascript:`/`data:` link, no frame, object, base or foreign form, feeds and
sitemaps well-formed XML, JSON that parses, and never a server error. Where a page shows the
text, it shows exactly what was typed: escaped, neither stripped nor decoded.

Each test walks a group of surfaces for one payload and lists every problem it finds.
"""

import html
import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.data.plaintext import import_story_file
from articles.models import Block, Note, Story
from tests.factories import AsideFactory, ParagraphFactory
from tests.hostile import (
    CANARY,
    CORPUS,
    build_hostile_story,
    fit,
    one_line,
    response_problems,
    url_scheme,
)

pytestmark = pytest.mark.django_db

ADMIN_OWN_ELEMENTS = {"svg"}  # The admin's theme toggle draws its icons with inline SVG.


@pytest.fixture(params=CORPUS, ids=lambda payload: payload.id)
def payload(request):
    return request.param


@pytest.fixture
def hostile(payload, admin_user):
    return build_hostile_story(payload, index=1, editor=admin_user)


def audit(client, urls: dict[str, str], **options) -> list[str]:
    """Fetch each URL and list the problems found, each prefixed by the surface's name."""
    problems = []
    for name, url in urls.items():
        response = client.get(url)
        problems += [f"{name} ({url}): {p}" for p in response_problems(response, **options)]
    return problems


def element_text(body: str, pattern: str) -> str:
    """The decoded text of the first element matching `pattern` (a regex with one group)."""
    match = re.search(pattern, body, re.S)
    assert match, f"nothing matches {pattern!r}"
    return html.unescape(match[1])


def json_ld(body: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert match, "the page has no JSON-LD"
    return json.loads(match[1])


def reader_urls(hostile) -> dict[str, str]:
    published = timezone.localtime(hostile.story.published_at)
    search = reverse("articles:search")
    return {
        "story page": hostile.story.get_absolute_url(),
        "related list and aside of another story": hostile.neighbour.get_absolute_url(),
        "front page": reverse("articles:front"),
        "section page": hostile.section.get_absolute_url(),
        "tag page": hostile.tag.get_absolute_url(),
        "author page": hostile.author.get_absolute_url(),
        "year archive": reverse("articles:archive-year", kwargs={"year": published.year}),
        "month archive": reverse(
            "articles:archive-month", kwargs={"year": published.year, "month": published.month}
        ),
        "search results with snippets": f"{search}?{urlencode({'q': CANARY})}",
        "search filtered by section, tag and author": f"{search}?"
        + urlencode(
            {
                "q": CANARY,
                "section": hostile.section.slug,
                "tag": hostile.tag.slug,
                "author": hostile.author.slug,
            }
        ),
    }


def feed_urls(hostile) -> dict[str, str]:
    urls = {}
    for kind in ("rss", "atom"):
        urls[f"site {kind}"] = reverse(f"articles:feed-{kind}")
        for name, obj in (
            ("section", hostile.section),
            ("tag", hostile.tag),
            ("author", hostile.author),
        ):
            urls[f"{name} {kind}"] = reverse(f"articles:{name}-feed-{kind}", args=[obj.slug])
    return urls


SITEMAP_URLS = {
    "sitemap index": "/sitemap.xml",
    **{
        f"{name} sitemap": f"/sitemap-{name}.xml"
        for name in ("front", "stories", "sections", "tags", "authors")
    },
    "news sitemap": "/news-sitemap.xml",
}


def admin_urls(hostile) -> dict[str, str]:
    story, internal = hostile.story, hostile.notes["internal"]
    annotate = "admin:articles_story_annotate"
    urls = {
        "annotate index, searched": reverse(f"{annotate}_index")
        + "?"
        + urlencode({"q": hostile.payload.text[:200]}),
        "annotate screen": reverse(annotate, args=[story.pk]),
        "annotate screen's notes (JSON)": reverse(f"{annotate}_notes", args=[story.pk]),
        "annotate screen's note with thread and history (JSON)": reverse(
            f"{annotate}_note", args=[story.pk, internal.pk]
        ),
    }
    for model, obj in (
        ("story", story),
        ("note", internal),
        ("readmoreaside", hostile.aside),
        ("author", hostile.author),
        ("tag", hostile.tag),
        ("section", hostile.section),
    ):
        changelist = reverse(f"admin:articles_{model}_changelist")
        urls[f"{model} changelist"] = changelist
        urls[f"{model} changelist, searched"] = (
            f"{changelist}?{urlencode({'q': hostile.payload.text[:200]})}"
        )
        urls[f"{model} change form"] = reverse(f"admin:articles_{model}_change", args=[obj.pk])
    for kind in ("source", "factcheck", "correction"):
        note = hostile.notes[kind]
        urls[f"{kind} note change form"] = reverse("admin:articles_note_change", args=[note.pk])
    return urls


# Reader pages ------------------------------------------------------------------------------


def test_reader_pages_show_hostile_text_as_text(client, hostile):
    assert audit(client, reader_urls(hostile)) == []


def test_story_page_shows_exactly_what_was_typed(client, hostile):
    """Escaped, not stripped or decoded: the headline and dek read back as stored, in the page
    and in its JSON-LD."""
    story = hostile.story
    body = client.get(story.get_absolute_url()).content.decode()
    assert element_text(body, r'<h1 class="headline" id="headline">(.*?)</h1>') == story.headline
    assert element_text(body, r'<p class="dek">(.*?)</p>') == story.dek
    metadata = json_ld(body)
    assert metadata["headline"] == story.headline
    assert metadata["description"] == story.dek
    assert metadata["keywords"] == [hostile.tag.name]
    assert metadata["author"][0]["name"] == hostile.author.name


def test_hostile_search_queries_and_filters_are_echoed_as_text(client, payload):
    text = payload.text
    search = reverse("articles:search")
    filters = {"section": text, "tag": text, "author": text, "since": text, "until": text}
    urls = {
        "search for the payload": f"{search}?{urlencode({'q': text})}",
        "every filter set to the payload": f"{search}?{urlencode({'q': text, **filters})}",
        "payload as a story's address (404 page)": f"/stories/{quote(text[:200], safe='')}/",
        "payload as a tag's address (404 page)": f"/tags/{quote(text[:200], safe='')}/",
    }
    assert audit(client, urls) == []


# Feeds, sitemaps, notes --------------------------------------------------------------


def test_feeds_are_well_formed_and_carry_hostile_text_as_text(client, hostile):
    assert audit(client, feed_urls(hostile)) == []


def test_sitemaps_are_well_formed_with_hostile_text(client, hostile):
    assert audit(client, SITEMAP_URLS) == []


def test_note_json_ld_carries_hostile_text_only_as_strings(client, hostile):
    public = {kind: note for kind, note in hostile.notes.items() if kind != "internal"}
    container = reverse("articles:annotation-container", args=[hostile.story.slug])
    urls = {
        **{
            f"{kind} note": reverse("articles:annotation", args=[note.pk])
            for kind, note in public.items()
        },
        "story's container": container,
        "story's container, a page": f"{container}?page=0",
    }
    assert audit(client, urls) == []

    claim = client.get(reverse("articles:annotation", args=[public["factcheck"].pk])).json()
    values = [body.get("value") for body in claim["body"]]
    assert hostile.payload.text in values  # the claim, as a plain-text string
    target = claim["target"]["selector"][0]["refinedBy"][0]
    assert target["exact"] == hostile.payload.text


# The editors' admin ------------------------------------------------------------------------


def test_admin_pages_show_hostile_text_as_text(admin_client, hostile):
    assert audit(admin_client, admin_urls(hostile), own_elements=ADMIN_OWN_ELEMENTS) == []


# Other ways in -----------------------------------------------------------------------------


def test_imported_hostile_file_reaches_readers_as_text(client, payload, tmp_path):
    """The payload on every line of an import file: section, headline, dek, byline, credit,
    paragraphs and an aside."""
    line = one_line(payload.text)
    section = line[:90].strip() or "x"
    path = tmp_path / "hostile-import.txt"
    path.write_text(
        "\n".join(
            [
                f"{section} by VICE",
                line[:300],
                line[:1000],  # the dek, at most its field's length
                f"by {line[:190]}",
                "Jun 20 2014, 7:41pm",
                f"Image via {line[:190]}",
                line,
                f"The {CANARY} said: {line}",
                f"{line[:280]} Read more here.",
            ]
        ),
        encoding="utf-8",
    )
    story = import_story_file(path).story
    story = Story.objects.get(pk=story.pk)
    author = story.bylines.first().author
    urls = {
        "story page": story.get_absolute_url(),
        "front page": reverse("articles:front"),
        "section page": story.section.get_absolute_url(),
        "author page": author.get_absolute_url(),
        "site rss": reverse("articles:feed-rss"),
        "site atom": reverse("articles:feed-atom"),
        "section rss": reverse("articles:section-feed-rss", args=[story.section.slug]),
        "author atom": reverse("articles:author-feed-atom", args=[author.slug]),
        "stories sitemap": "/sitemap-stories.xml",
    }
    assert audit(client, urls) == []
    body = client.get(story.get_absolute_url()).content.decode()
    assert element_text(body, r'<h1 class="headline" id="headline">(.*?)</h1>') == line[:300]


@pytest.fixture
def annotate_target():
    """A story with a plain paragraph to annotate, and an aside to point somewhere."""
    paragraph = ParagraphFactory(text="The paste is made from coca leaves.")
    aside = AsideFactory(story=paragraph.story, teaser="Another story.")
    return paragraph, aside


def test_source_links_that_are_not_http_are_refused_by_the_annotate_screen(
    admin_client, payload, annotate_target
):
    """A source link that is not http(s) is a form error; one that is, is linked escaped."""
    paragraph, _ = annotate_target
    url = reverse("admin:articles_story_annotate_notes", args=[paragraph.story_id])
    quote_text = "coca leaves"
    start = paragraph.text.index(quote_text)
    response = admin_client.post(
        url,
        json.dumps(
            {
                "block": paragraph.pk,
                "start": start,
                "end": start + len(quote_text),
                "exact": quote_text,
                "kind": "source",
                "body": payload.text[:20_000],
                "source_url": payload.text,
                "source_title": fit(Note, "source_title", payload.text),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code in (201, 400), response.content[:300]
    if response.status_code == 400:
        assert "source_url" in response.json()["errors"]
        assert not Note.objects.exists()
    else:
        stored = Note.objects.get().source_url
        assert url_scheme(stored) in {"http", "https"}
    assert audit(admin_client, {"story page": paragraph.story.get_absolute_url()}) == []


def test_aside_targets_that_are_not_web_links_are_refused_by_the_admin(
    admin_client, payload, annotate_target
):
    """The aside form takes only web links; whatever it takes, readers get a harmless link."""
    _, aside = annotate_target
    response = admin_client.post(
        reverse("admin:articles_readmoreaside_change", args=[aside.pk]),
        {
            "story": aside.story_id,
            "teaser": fit(Block, "teaser", payload.text),
            "label": "Read more here.",
            "target_story": "",
            "target_url": payload.text,
            "_save": "Save",
        },
    )
    assert response.status_code in (200, 302)
    aside.refresh_from_db()
    if response.status_code == 200:  # the form again, with its errors
        assert "target_url" in response.context["adminform"].form.errors
        assert aside.target_url == ""
    else:
        assert url_scheme(aside.target_url) in {"http", "https", "ftp", "ftps"}
    assert audit(admin_client, {"story page": aside.story.get_absolute_url()}) == []
