"""What only a browser shows on the story page: margin notes, highlights, no-JS footnotes."""

import pytest

from articles.annotations.loading import load_annotation_file
from articles.data.plaintext import import_story_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def annotated_seed(seed_dir):
    article = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").article
    load_annotation_file(seed_dir / "annotations" / "vice-2014-06-20-peruvian-soldier-killed.json")
    return article


def test_wide_screen_shows_notes_open_beside_their_paragraph(live_server, page, annotated_seed):
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    mark = page.locator("mark.annotated", has_text="Shining Path rebels")
    note = page.locator(".margin-note", has_text="Maoist insurgency")
    assert note.is_visible()
    assert note.get_attribute("open") is not None
    mark_box, note_box = mark.bounding_box(), note.bounding_box()
    assert note_box["x"] > mark_box["x"] + mark_box["width"]  # in the right margin
    paragraph_box = page.locator(".paragraph", has=mark).bounding_box()
    assert note_box["y"] >= paragraph_box["y"] - 1


def test_margin_notes_never_overlap(live_server, page, annotated_seed):
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    boxes = [g.bounding_box() for g in page.locator(".margin-notes").all()]
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert below["y"] >= above["y"] + above["height"]


def test_narrow_screen_notes_expand_under_the_paragraph(live_server, new_page, annotated_seed):
    page = new_page(viewport={"width": 375, "height": 800}, is_mobile=True)
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    note = page.locator(".margin-note", has_text="Context note").first
    assert note.get_attribute("open") is None
    body = note.locator(".note__body")
    assert not body.is_visible()
    note.locator("summary").click()
    assert body.is_visible()
    paragraph = page.locator(".paragraph", has=note).locator("p").first.bounding_box()
    assert note.bounding_box()["y"] > paragraph["y"] + paragraph["height"] - 1


def test_without_javascript_notes_are_footnotes_linked_both_ways(
    live_server, new_page, annotated_seed
):
    page = new_page(java_script_enabled=False, viewport={"width": 1400, "height": 900})
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    ref = page.locator("a.note-ref").first
    ref.click()
    assert page.url.endswith("#note-1")
    footnote = page.locator("#note-1")
    assert footnote.is_visible()
    footnote.locator("a.note__back").click()
    assert page.url.endswith("#note-ref-1")


def test_keyboard_reaches_the_note_from_its_reference(live_server, page, annotated_seed):
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    ref = page.locator("a.note-ref").first
    ref.focus()
    page.keyboard.press("Enter")
    focused = page.evaluate("document.activeElement.closest('.margin-note').dataset.note")
    assert focused == "note-1"
    assert page.locator("mark.annotated.is-active").count() == 1
