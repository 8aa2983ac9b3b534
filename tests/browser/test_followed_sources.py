"""Stories from the web in Chromium: an editor follows a feed and a page that is gone, the task
worker checks both, and the list, the form and the problems read well; the story form says
which lead image readers see; no accessibility violations in light or dark."""

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from articles.ingest.models import FollowedSource
from articles.models import Story
from tests.browser.test_admin_import import editor_page, shot
from tests.factories import StoryFactory
from tests.ingest_fixtures import Site, fixture, serve_as_public
from tests.tasks import worker
from tests.tools import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(monkeypatch):
    site = Site()
    site.routes["/feed/"] = (
        200,
        {"Content-Type": "application/rss+xml"},
        fixture("feed-full-text.xml"),
    )
    site.public = serve_as_public(site, monkeypatch)
    yield site
    site.close()


def follow(page, live_server, url: str) -> None:
    page.goto(live_server.url + reverse("admin:articles_followedsource_add"))
    page.fill("#id_url", url)
    page.click("input[name=_save]")
    page.wait_for_url(live_server.url + reverse("admin:articles_followedsource_changelist"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_editor_follows_a_feed_and_sees_what_each_check_found(
    live_server, new_page, site, scheme
):
    page = editor_page(live_server, new_page, scheme=scheme)
    page.goto(live_server.url + reverse("admin:articles_followedsource_add"))
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    assert page.is_checked("#id_new_as_drafts")  # new stories wait for an editor by default
    shot(page, f"followed-add-{scheme}")

    follow(page, live_server, site.public + "/feed/")
    follow(page, live_server, site.public + "/gone/")
    worker().run()  # both checks were queued for now; the next ones wait an hour

    page.reload()
    rows = page.inner_text("#result_list")
    assert "2 created" in rows and "1 failed" in rows
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    shot(page, f"followed-list-{scheme}")
    assert set(Story.objects.values_list("status", flat=True)) == {Story.Status.DRAFT}

    gone = FollowedSource.objects.get(url=site.public + "/gone/")
    page.click(f"#result_list a[href$='/{gone.pk}/change/']")
    assert "404 Not Found" in page.inner_text(".field-problems")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    shot(page, f"followed-problems-{scheme}")

    page.goto(live_server.url + reverse("admin:index"))
    desk = page.locator("a", has_text="Followed sources with problems")
    assert desk.inner_text().startswith("1")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_story_form_says_which_image_readers_see(
    live_server, new_page, scheme, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    story = StoryFactory(headline="On patrol", lead_image_url="https://news.example/lead.jpg")
    story.lead_image_copy.save("lead.jpg", ContentFile(b"bytes"), save=False)
    Story.objects.filter(pk=story.pk).update(
        lead_image_copy=story.lead_image_copy.name,
        lead_image_copied_from="https://news.example/lead.jpg",
    )
    page = editor_page(live_server, new_page, scheme=scheme)
    page.goto(live_server.url + reverse("admin:articles_story_change", args=[story.pk]))
    page.click("summary:has-text('Lead image')")
    status = page.locator(".field-lead_image_copy_status")
    assert "A copy kept on this site is shown" in status.inner_text()
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    shot(page, f"story-lead-image-copy-{scheme}")
