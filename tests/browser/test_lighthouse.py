"""Lighthouse on the reader pages, phone and desktop: accessibility, best practices and SEO
each at least 95. Performance is measured, not asserted here (a shared test machine's timing
is not the site's); its figures are in bench/README.md.

Lighthouse comes from the npm registry (pinned in tests/browser/package.json, installed by
`make test`) and drives Debian's Chromium against the test server.
"""

import pytest
from django.urls import reverse

from articles.data.plaintext import import_story_file
from articles.notes.loading import load_note_file
from tests.browser.conftest import CHROMIUM
from tests.factories import AuthorFactory, StoryFactory, TagFactory
from tests.tools import lighthouse, require

pytestmark = pytest.mark.django_db(transaction=True)

ASSERTED = ("accessibility", "best-practices", "seo")
PAGES = ["front page", "story page", "tag page", "search results"]


@pytest.fixture
def site(seed_dir):
    story = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").story
    load_note_file(seed_dir / "notes" / "vice-2014-06-20-peruvian-soldier-killed.json")
    tag = TagFactory(name="Peru", slug="peru", description="Reporting from Peru.")
    story.tags.add(tag)
    author = story.bylines.get().author
    for n in range(5):
        StoryFactory(
            headline=f"Coca growers in the valley, part {n}",
            authors=[author, AuthorFactory()],
            tags=[tag],
        )
    return {
        "front page": reverse("articles:front"),
        "story page": story.get_absolute_url(),
        "tag page": tag.get_absolute_url(),
        "search results": reverse("articles:search") + "?q=coca",
    }


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("desktop", [False, True], ids=["phone", "desktop"])
def test_lighthouse_scores_at_least_95(live_server, site, name, desktop):
    require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM}")
    report = lighthouse(live_server.url + site[name], chromium=CHROMIUM, desktop=desktop)
    scores = {key: category["score"] for key, category in report["categories"].items()}
    failing = {
        audit_id: report["audits"][audit_id].get("title")
        for key in ASSERTED
        for ref in report["categories"][key]["auditRefs"]
        if ref["weight"] > 0
        for audit_id in [ref["id"]]
        if (report["audits"][audit_id]["score"] or 1) < 1
    }
    assert all(scores[key] >= 0.95 for key in ASSERTED), (scores, failing)
