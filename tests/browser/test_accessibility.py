"""WCAG 2.2 AA, checked by axe-core in Chromium on the reader pages, light and dark.

axe-core comes from the npm registry (pinned in tests/browser/package.json, installed by
`make test`, never committed) and is injected into each page. The site's Content-Security-Policy
forbids injected scripts, so these pages are opened with CSP bypassed for the test only.
"""

import json

import pytest
from django.urls import reverse

from articles.data.plaintext import import_story_file
from articles.editing.history import record_version
from articles.notes.loading import load_note_file
from tests.factories import AuthorFactory, StoryFactory, TagFactory
from tests.tools import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(seed_dir):
    story = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").story
    load_note_file(seed_dir / "notes" / "vice-2014-06-20-peruvian-soldier-killed.json")
    tag = TagFactory(name="Peru", slug="peru", description="Reporting from Peru.")
    story.tags.add(tag, "coca")
    author = story.bylines.get().author
    author.bio = "Kayla Ruble reports on Latin America."
    author.save()
    for n in range(3):
        StoryFactory(
            headline=f"Coca growers in the valley, part {n}",
            authors=[author, AuthorFactory()],
            tags=[tag],
        )
    paragraph = story.blocks.filter(kind="paragraph").first()
    paragraph.text = paragraph.text.replace("soldier", "Peruvian soldier", 1)
    paragraph.save()
    record_version(story=story)
    return {
        "changes page": reverse("articles:story-changes", kwargs={"slug": story.slug}),
        "corrections page": reverse("articles:corrections"),
        "front page": reverse("articles:front"),
        "story page": story.get_absolute_url(),
        "tag page": tag.get_absolute_url(),
        "author page": author.get_absolute_url(),
        "search results": reverse("articles:search") + "?q=coca",
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "name",
    [
        "front page",
        "story page",
        "tag page",
        "author page",
        "search results",
        "changes page",
        "corrections page",
    ],
)
@pytest.mark.parametrize("width", [1400, 375], ids=["desktop", "phone"])
def test_reader_pages_have_no_accessibility_violations(
    live_server, new_page, site, name, scheme, width
):
    page = new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.goto(live_server.url + site[name])
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
