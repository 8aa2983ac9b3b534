"""The editors' inbox in a browser: the header's unread count, opening a note, accessibility."""

import json

import pytest
from django.urls import reverse

from articles.notes.editing import Selection, create_note, reply_to_note
from tests.factories import ParagraphFactory, StaffFactory, StoryFactory
from tests.tools import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
TEXT = "Officials blamed rebels for the ambush near the coca fields of the VRAEM valley."


@pytest.fixture
def replied():
    """A note by `ana` with two replies by `cy`: two unread notifications for ana."""
    # Superusers: transactional tests flush the groups their migration made.
    ana = StaffFactory(username="ana", is_superuser=True)
    cy = StaffFactory(username="cy", first_name="Cy", is_superuser=True)
    story = StoryFactory(headline="Soldier killed near the coca fields")
    paragraph = ParagraphFactory(story=story, text=TEXT)
    start = TEXT.index("VRAEM")
    note = create_note(
        paragraph=paragraph,
        selection=Selection(start=start, end=start + 5, exact="VRAEM"),
        fields={"kind": "context", "body": "Valley of the Apurímac, Ene and Mantaro rivers."},
        user=ana,
    )
    reply_to_note(note=note, body="Spell it out for readers?", user=cy)
    reply_to_note(note=note, body="@ana and link the map.", user=cy)
    return ana


def sign_in(page, live_server, user):
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))


def test_a_notification_opens_its_note_on_the_annotate_screen_and_is_then_read(
    live_server, page, replied
):
    sign_in(page, live_server, replied)
    header = page.locator("#user-tools a.inbox-link")
    assert header.inner_text().lower() == "inbox (2 unread)"  # the admin's CSS capitalises it

    header.click()
    page.get_by_role(
        "link", name="Cy mentioned you in a reply on the context note on “VRAEM”"
    ).click()

    page.locator("#note-heading", has_text="Context note").wait_for()
    assert page.locator("#note-quote").inner_text() == "VRAEM"
    assert page.locator("#reply-list li", has_text="link the map").count() == 1
    assert page.locator("#user-tools a.inbox-link").inner_text().lower() == "inbox (1 unread)"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_inbox_has_no_accessibility_violations(live_server, new_page, replied, scheme):
    page = new_page(viewport={"width": 1400, "height": 900}, color_scheme=scheme)
    sign_in(page, live_server, replied)
    page.goto(live_server.url + reverse("admin:articles_notification_changelist"))
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
