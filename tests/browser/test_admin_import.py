"""The admin's Import page in Chromium: upload, the task worker reads, preview, import, the
worker saves; the job's page follows the worker by itself under the site's CSP, with no
accessibility violations in light or dark."""

import importlib
import json
import os
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from articles.ingest.models import ImportJob
from articles.models import Story
from tests.factories import StaffFactory, current_codenames
from tests.ingest_fixtures import FIXTURES
from tests.tasks import run_worker_until_idle
from tests.tools import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
# Where screenshots go when asked for (NEWSROOM_SCREENSHOTS=folder), to look at the screen.
SCREENSHOTS = os.environ.get("NEWSROOM_SCREENSHOTS", "")


def editor_page(live_server, new_page, *, scheme: str):
    """An editor signed in, in a page that keeps the site's CSP (the job page's script must
    run under it; axe is added through the browser's devtools, which the CSP does not see)."""
    groups = importlib.import_module("articles.migrations.0002_groups")
    model_actions, extra = groups.GROUPS["Editors"]
    codenames = {f"{a}_{model}" for model, actions in model_actions.items() for a in actions}
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=current_codenames(codenames | set(extra)),
        )
    )
    StaffFactory(username="editor", groups=["Editors"])
    page = new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    return page


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_upload_read_preview_and_import_with_no_accessibility_violations(
    live_server, new_page, scheme
):
    page = editor_page(live_server, new_page, scheme=scheme)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server.url + reverse("admin:articles_story_import"))
    assert axe_violations(page) == []
    shot(page, f"import-form-{scheme}")

    page.set_input_files(
        "#id_files",
        [str(FIXTURES / "vice-peruvian-soldier.html"), str(FIXTURES / "feed-summaries.xml")],
    )
    page.click("input[type=submit][value='Read and preview']")
    page.wait_for_selector("#import-status[data-status=queued]")
    assert "Waiting for the task worker" in page.inner_text("#import-status")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    shot(page, f"import-queued-{scheme}")

    run_worker_until_idle()
    # The page notices by itself that the worker is done, and shows what was read.
    page.wait_for_selector(".import-preview", timeout=10_000)
    page.click(".import-preview summary")
    assert "Peruvian Soldier Killed in Shootout With Drug Smugglers" in page.inner_text("h3")
    assert page.locator(".import-aside").count() == 3
    assert "Not imported: the feed gives no full text" in page.inner_text("#content-main")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    shot(page, f"import-preview-{scheme}")

    page.click("input[type=submit][name=import]")
    page.wait_for_selector("#import-status[data-status=importing]")
    assert not Story.objects.exists()
    run_worker_until_idle()
    page.wait_for_selector(".import-outcomes", timeout=10_000)
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
    shot(page, f"import-done-{scheme}")
    story = Story.objects.get()
    assert story.canonical_url.startswith("https://www.vice.example/")
    page.click(f".import-outcomes a[href='{story.get_absolute_url()}']")
    page.wait_for_url(live_server.url + story.get_absolute_url())
    assert refused == []


def test_a_job_nothing_picks_up_says_so_in_place_of_the_work_going_on(live_server, new_page):
    """The page follows the job by itself: once it has waited too long, the line that says the
    work goes on without the editor gives way to the one saying the worker may not be running."""
    page = editor_page(live_server, new_page, scheme="light")
    page.goto(live_server.url + reverse("admin:articles_story_import"))
    page.set_input_files("#id_files", [str(FIXTURES / "vice-peruvian-soldier.html")])
    page.click("input[type=submit][value='Read and preview']")
    page.wait_for_selector("#import-status[data-status=queued]")
    assert page.locator(".import-going-on").is_visible()
    assert not page.locator(".import-stalled").is_visible()

    ImportJob.objects.update(status_changed_at=timezone.now() - timedelta(minutes=1))
    page.wait_for_selector(".import-stalled", state="visible", timeout=10_000)
    assert not page.locator(".import-going-on").is_visible()
    assert "the task worker may not be running" in page.inner_text("#import-status")
    shot(page, "import-stalled-light")
