"""Notes through review on the annotate screen: two people, the keyboard, and axe-core."""

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from articles.data.plaintext import import_story_file
from articles.models import Note
from articles.notes.editing import Selection, create_note
from articles.notes.loading import load_note_file
from articles.notes.review import submit_note
from tests.browser.test_annotate import (
    FIRST,
    LATER_EDITORS_PERMISSIONS,
    PASSWORD,
    open_screen,
    select_with_mouse,
    two_paragraph_story,
)
from tests.factories import StaffFactory, current_codenames
from tests.tools import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM = "approximately 660 pounds of coca paste"


@pytest.fixture
def groups():
    """Editors and Annotators as the migrations make them (transactional tests flush them)."""
    import importlib

    migration = importlib.import_module("articles.migrations.0002_groups")
    made = {}
    for name, (model_actions, extra) in migration.GROUPS.items():
        codenames = {f"{a}_{m}" for m, actions in model_actions.items() for a in actions}
        codenames |= set(extra) | (LATER_EDITORS_PERMISSIONS if name == "Editors" else set())
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="articles", codename__in=current_codenames(codenames)
            )
        )
        made[name] = group
    return made


@pytest.fixture
def story():
    return two_paragraph_story()


def signed_in(new_page, live_server, user, **options):
    page = new_page(viewport={"width": 1400, "height": 900}, **options)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    return page


def test_an_annotator_submits_a_fact_check_and_an_editor_publishes_it(
    live_server, new_page, groups, story
):
    story, paragraph = story
    ana = StaffFactory(username="ana", first_name="Ana", groups=["Annotators"])
    eve = StaffFactory(username="eve", first_name="Eve", groups=["Editors"])

    # The annotator writes a fact-check and submits it: she may not publish.
    annotator = signed_in(new_page, live_server, ana)
    open_screen(annotator, live_server, story)
    select_with_mouse(annotator, paragraph, "coca fields")
    annotator.select_option("#note-kind", "factcheck")
    assert annotator.locator("#note-publish").is_hidden()
    assert annotator.locator("#note-submit").is_visible()
    annotator.fill("#note-claim", "The ambush was near the coca fields.")
    annotator.select_option("#note-verdict", "true")
    annotator.fill("#note-body", "The army's statement names the **VRAEM** valley.")
    # The preview is drawn while she writes, before anything is saved.
    annotator.locator("#note-preview-body strong", has_text="VRAEM").wait_for()
    annotator.click("#note-submit")
    annotator.locator("#note-message", has_text="Submitted for review.").wait_for()
    assert annotator.locator("#note-state").inner_text() == "Submitted for review"
    assert annotator.locator("#note-publish").is_hidden()
    assert "Waiting for an editor" in annotator.locator("#note-review-help").inner_text()
    mark = annotator.locator("mark.annotate-mark", has_text="coca fields")
    assert "is-submitted" in mark.get_attribute("class")  # outlined: not live yet

    def as_a_reader():
        """The story page in a new browser (pages may be cached by a browser for a minute)."""
        reader = new_page(viewport={"width": 1400, "height": 900})
        reader.goto(live_server.url + story.get_absolute_url())
        return reader

    assert as_a_reader().locator("mark.annotated").count() == 0

    # An editor, a second person, opens it from its highlight and publishes it.
    editor = signed_in(new_page, live_server, eve)
    open_screen(editor, live_server, story)
    editor.locator("mark.annotate-mark", has_text="coca fields").click()
    editor.locator("#note-state", has_text="Submitted for review").wait_for()
    editor.click("#note-publish")
    editor.locator("#note-message", has_text="Published: readers see it.").wait_for()
    assert editor.locator("#note-state").inner_text() == "Published"
    editor.locator("mark.annotate-mark.is-published", has_text="coca fields").wait_for()
    history = editor.locator("#history-list > li").all_inner_texts()
    assert history[0].startswith("Published by Eve")
    assert history[1].startswith("Submitted for review by Ana")

    assert as_a_reader().locator("mark.annotated").inner_text() == "coca fields"

    # The editor withdraws it: readers no longer see it, the screen says so.
    editor.click("#note-withdraw")
    editor.locator("#note-state", has_text="Withdrawn").wait_for()
    assert as_a_reader().locator("mark.annotated").count() == 0


def test_an_editor_may_not_publish_the_fact_check_they_submitted(
    live_server, new_page, groups, story
):
    story, paragraph = story
    eve = StaffFactory(username="eve", groups=["Editors"])
    start = FIRST.index("coca fields")
    note = create_note(
        paragraph=paragraph,
        selection=Selection(start=start + 2, end=start + 13, exact="coca fields"),  # after 🇵🇪
        fields={"kind": "factcheck", "claim": "Coca.", "verdict": "true"},
        user=eve,
    )
    submit_note(note=note, version=note.version, user=eve)

    editor = signed_in(new_page, live_server, eve)
    open_screen(editor, live_server, story)
    editor.locator("mark.annotate-mark", has_text="coca fields").click()
    editor.locator("#note-state", has_text="Submitted for review").wait_for()

    assert editor.locator("#note-publish").is_hidden()
    assert (
        "A second person publishes a fact-check" in editor.locator("#note-review-help").inner_text()
    )
    assert editor.locator("#note-send-back").is_visible()


def test_part_of_a_paragraph_is_selected_with_the_keyboard_alone(
    live_server, new_page, groups, story
):
    story, paragraph = story
    eve = StaffFactory(username="eve", groups=["Editors"])
    page = signed_in(new_page, live_server, eve)
    open_screen(page, live_server, story)
    assert "Shift" in page.locator("#annotate-keys").inner_text()

    # From the paragraph's "Whole paragraph" button, Tab reaches its text.
    page.locator(f'.annotate-whole[data-block-id="{paragraph.pk}"]').focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.blockId")
    assert focused == str(paragraph.pk)

    page.keyboard.press("ArrowRight")  # "Officials"
    page.keyboard.press("ArrowRight")  # "blamed"
    page.keyboard.press("ArrowRight")  # "Shining"
    page.keyboard.press("Shift+ArrowRight")  # "Shining Path"
    page.keyboard.press("Shift+ArrowRight")  # "Shining Path rebels"
    page.keyboard.press("Shift+ArrowRight")  # … "Shining Path rebels for" (past the flag)
    page.keyboard.press("Shift+ArrowLeft")  # back to "Shining Path rebels"
    assert page.evaluate("window.getSelection().toString()") == "Shining Path rebels"
    assert "Shining Path rebels" in page.locator("#annotate-live").inner_text()
    page.keyboard.press("Enter")

    assert page.locator("#note-quote").inner_text() == "Shining Path rebels"
    assert page.evaluate("document.activeElement.id") == "note-kind"
    page.keyboard.press("Tab")
    page.keyboard.type("A Maoist insurgency.")
    page.click("#note-save")
    page.locator("#note-message", has_text="Saved.").wait_for()
    mark = page.locator(".annotate-text mark.annotate-mark.is-draft")
    assert mark.inner_text() == "Shining Path rebels"
    note = Note.objects.get()
    assert (note.quote_exact, note.state) == ("Shining Path rebels", Note.State.DRAFT)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_annotate_screen_has_no_accessibility_violations(
    live_server, new_page, groups, seed_dir, scheme
):
    story = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").story
    load_note_file(seed_dir / "notes" / "vice-2014-06-20-peruvian-soldier-killed.json")
    eve = StaffFactory(username="eve", groups=["Editors"])
    # A note in each state that draws differently: published (the seeds), internal, and these.
    published = Note.objects.filter(kind="context").first()
    Note.objects.filter(kind="source").update(state=Note.State.SUBMITTED)
    Note.objects.filter(kind="factcheck").update(state=Note.State.WITHDRAWN)
    page = signed_in(new_page, live_server, eve, color_scheme=scheme)
    open_screen(page, live_server, story)
    # With a note open: its form, actions, preview, discussion and history are checked too.
    page.locator(f'mark[data-note-ids~="{published.pk}"]').first.click()
    page.locator("#note-state", has_text="Published").wait_for()
    page.locator("#history-list li").first.wait_for()

    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)
