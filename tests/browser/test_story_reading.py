"""What only a browser shows on the story page: notes beside their words, opened from their
highlights by mouse, touch and keyboard, one copy of each on screen, permanent anchors, and
the numbered footnotes that are the notes' home without JavaScript."""

import pytest
from django.utils import timezone

from articles.data.plaintext import import_story_file
from articles.editing.history import record_version
from articles.models import Note
from articles.notes.loading import load_note_file
from tests.factories import note_on

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def annotated_seed(seed_dir):
    story = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").story
    load_note_file(seed_dir / "notes" / "vice-2014-06-20-peruvian-soldier-killed.json")
    return story


def public_note_on(story, quote: str) -> Note:
    return Note.objects.public().get(story=story, quote_exact=quote)


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


def test_margin_notes_start_at_1024_pixels(live_server, new_page, annotated_seed):
    page = new_page(viewport={"width": 1024, "height": 800})
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    mark = page.locator("mark.annotated", has_text="Shining Path rebels")
    note = page.locator(".margin-note", has_text="Maoist insurgency")
    assert note.is_visible()
    assert note.bounding_box()["x"] > mark.bounding_box()["x"] + mark.bounding_box()["width"]


def test_margin_notes_never_overlap(live_server, page, annotated_seed):
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    boxes = [g.bounding_box() for g in page.locator(".margin-notes").all()]
    for above, below in zip(boxes, boxes[1:], strict=False):
        assert below["y"] >= above["y"] + above["height"]


@pytest.mark.parametrize("width", [375, 1400])
def test_each_note_is_on_screen_once(live_server, new_page, annotated_seed, width):
    page = new_page(viewport={"width": width, "height": 900})
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    page.locator("mark.annotated").first.click()
    note = public_note_on(annotated_seed, "Shining Path rebels")
    assert not page.locator(".notes").is_visible()  # the footnotes: no-JS and print only
    shown = page.get_by_text("Maoist insurgency founded by the philosophy professor")
    assert sum(1 for match in shown.all() if match.is_visible()) <= 1
    assert page.locator(f"#margin-note-{note.pk}").count() == 1


def test_tapping_a_highlight_opens_its_note_under_the_paragraph_with_its_words(
    live_server, new_page, annotated_seed
):
    page = new_page(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    note = page.locator(".margin-note", has_text="Maoist insurgency")
    assert not note.is_visible()  # closed notes take no room on a phone
    mark = page.locator("mark.annotated", has_text="Shining Path rebels")
    mark.tap()
    assert note.is_visible()
    assert "on “Shining Path rebels”" in note.locator("summary").inner_text()
    assert "Standards Desk" in note.locator(".note__meta").inner_text()
    assert mark.get_attribute("aria-expanded") == "true"
    paragraph = page.locator(".paragraph", has=note).locator("p").first.bounding_box()
    assert note.bounding_box()["y"] > paragraph["y"] + paragraph["height"] - 1
    mark.tap()  # and closes it again
    assert not note.is_visible()


def test_clicking_a_highlight_on_a_wide_screen_focuses_its_note(live_server, page, annotated_seed):
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    page.locator("mark.annotated", has_text="Shining Path rebels").click()
    focused = page.evaluate("document.activeElement.closest('.margin-note').dataset.note")
    assert focused == f"note-{public_note_on(annotated_seed, 'Shining Path rebels').pk}"


def test_keyboard_opens_a_note_from_its_highlight(live_server, new_page, annotated_seed):
    page = new_page(viewport={"width": 375, "height": 800})
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    mark = page.locator("mark.annotated", has_text="Shining Path rebels")
    mark.focus()
    assert mark.get_attribute("role") == "button"
    page.keyboard.press("Enter")
    note = page.locator(".margin-note", has_text="Maoist insurgency")
    assert note.is_visible()
    focused = page.evaluate("document.activeElement.closest('.margin-note').dataset.note")
    assert focused == f"note-{public_note_on(annotated_seed, 'Shining Path rebels').pk}"


def test_hovering_links_passage_and_note_both_ways(live_server, page, annotated_seed):
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    mark = page.locator("mark.annotated", has_text="Shining Path rebels")
    note = page.locator(".margin-note", has_text="Maoist insurgency")
    mark.hover()
    assert "is-active" in note.get_attribute("class")
    page.mouse.move(0, 0)
    assert "is-active" not in note.get_attribute("class")
    note.hover()
    assert "is-active" in mark.get_attribute("class")


def test_a_note_address_survives_an_earlier_note_being_added(live_server, new_page, annotated_seed):
    note = public_note_on(annotated_seed, "Shining Path rebels")
    address = f"{live_server.url}{annotated_seed.get_absolute_url()}#note-{note.pk}"
    first_paragraph = annotated_seed.blocks.filter(kind="paragraph").order_by("position").first()
    note_on(first_paragraph, "coca production", created_at=timezone.now())

    page = new_page(viewport={"width": 375, "height": 800})
    page.goto(address)
    opened = page.locator(f"#margin-note-{note.pk}")
    assert opened.is_visible()
    assert "Maoist insurgency" in opened.inner_text()
    page.wait_for_function(  # scrolled to it
        f"document.getElementById('margin-note-{note.pk}').getBoundingClientRect().top < 800"
    )


def test_without_javascript_notes_are_footnotes_linked_both_ways(
    live_server, new_page, annotated_seed
):
    page = new_page(java_script_enabled=False, viewport={"width": 1400, "height": 900})
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    assert not page.locator(".margin-notes").first.is_visible()  # one copy: the footnotes
    ref = page.locator("a.note-ref").first
    target = ref.get_attribute("href")
    ref.click()
    assert page.url.endswith(target)
    footnote = page.locator(target)
    assert footnote.is_visible()
    footnote.locator("a.note__back").click()
    assert "#note-ref-" in page.url


def test_print_shows_the_footnotes_not_the_margin(live_server, page, annotated_seed):
    page.goto(live_server.url + annotated_seed.get_absolute_url())
    page.emulate_media(media="print")
    assert page.locator(".notes").is_visible()
    assert not page.locator(".margin-notes").first.is_visible()


def test_changes_page_shows_both_edits_of_a_story_edited_twice(live_server, page, annotated_seed):
    first, second = annotated_seed.blocks.filter(kind="paragraph").order_by("position")[:2]
    first.text = first.text.replace("was shot", "was reportedly shot")
    first.save()
    record_version(story=annotated_seed)
    second.text = second.text + " The army confirmed his name."
    second.save()
    record_version(story=annotated_seed)
    page.goto(live_server.url + annotated_seed.get_absolute_url() + "changes/")
    added = [text.strip() for text in page.locator("ins").all_inner_texts()]
    assert "reportedly" in added
    assert "The army confirmed his name." in added
    assert page.locator("li.version").count() == 3
