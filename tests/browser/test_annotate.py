"""The annotate screen in a browser: selecting text, saving notes, what readers then see."""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from articles.notes.editing import Selection, create_note
from articles.notes.review import publish_note
from tests.factories import ParagraphFactory, StoryFactory, current_codenames

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
# What later migrations grant Editors: 0009 (anyone's notes) and 0013 (publishing notes).
LATER_EDITORS_PERMISSIONS = {"change_any_note", "publish_note"}
PHRASE = "Shining Path rebels"
FIRST = f"Officials blamed {PHRASE} 🇵🇪 for the ambush near the coca fields of the VRAEM valley."
SECOND = "The patrol had been searching for drug laboratories when it came under fire."


def two_paragraph_story():
    """A public story of two paragraphs (FIRST, SECOND), and its first paragraph."""
    story = StoryFactory(
        headline="Peruvian soldier killed in shootout", slug="peruvian-soldier-killed"
    )
    first = ParagraphFactory(story=story, position=1, text=FIRST)
    ParagraphFactory(story=story, position=2, text=SECOND)
    return story, first


@pytest.fixture
def story():
    return two_paragraph_story()


@pytest.fixture
def editors_group():
    """The Editors group as its migration makes it: transactional tests flush migrated rows."""
    groups = importlib.import_module("articles.migrations.0002_groups")
    model_actions, extra = groups.GROUPS["Editors"]
    codenames = {f"{a}_{model}" for model, actions in model_actions.items() for a in actions}
    codenames |= LATER_EDITORS_PERMISSIONS
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=current_codenames(codenames | set(extra)),
        )
    )
    return group


@pytest.fixture
def editor_page(live_server, page, editors_group, editor):
    """The page, signed in to the admin through its login form as a member of Editors."""
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", editor.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    return page


@pytest.fixture
def reader_page(new_page):
    """A fresh browser context: an anonymous reader, on a wide screen where notes are open."""
    return new_page(viewport={"width": 1400, "height": 900})


def open_screen(page, live_server, story):
    page.goto(live_server.url + reverse("admin:articles_story_annotate", args=[story.pk]))


# JavaScript for a page function of ([blockId, phrase]): `element` is the block's text on the
# annotate screen and `range` the first `phrase` in it.
PHRASE_RANGE = """
            const element = document.querySelector(`.annotate-text[data-block-id="${blockId}"]`);
            const node = element.firstChild;
            const start = node.data.indexOf(phrase);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + phrase.length);
"""


def select_with_mouse(page, block, phrase):
    """Drag the mouse across `phrase` in the block, as an editor would."""
    box = page.evaluate(
        "([blockId, phrase]) => {"
        + PHRASE_RANGE
        + """
            const rects = range.getClientRects();
            const first = rects[0], last = rects[rects.length - 1];
            return {x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2};
        }""",
        [block.pk, phrase],
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


def select_with_range(page, block, phrase):
    """Select `phrase` with a DOM Range, then let the screen hear the mouse come up."""
    page.evaluate(
        "([blockId, phrase]) => {"
        + PHRASE_RANGE
        + """
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            element.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""",
        [block.pk, phrase],
    )


def save_note(page, *, kind, body, publish=False):
    page.select_option("#note-kind", kind)
    page.fill("#note-body", body)
    if publish:
        page.click("#note-publish")
        page.locator("#note-message", has_text="Published").wait_for()
    else:
        page.click("#note-save")
        page.locator("#note-message", has_text="Saved.").wait_for()


def test_a_public_note_made_on_a_mouse_selection_is_highlighted_for_readers(
    live_server, editor_page, reader_page, story
):
    story, paragraph = story
    open_screen(editor_page, live_server, story)

    select_with_mouse(editor_page, paragraph, PHRASE)
    assert editor_page.locator("#note-quote").inner_text() == PHRASE
    save_note(
        editor_page,
        kind="context",
        body="The Maoist insurgency that fought the state in the 1980s.",
        publish=True,
    )

    highlight = editor_page.locator(f'.annotate-text[data-block-id="{paragraph.pk}"] mark')
    highlight.wait_for()
    assert highlight.inner_text() == PHRASE
    assert "kind-context is-published" in highlight.get_attribute("class")

    reader_page.goto(live_server.url + story.get_absolute_url())
    mark = reader_page.locator("mark.annotated")
    assert mark.count() == 1
    assert mark.inner_text() == PHRASE
    note = reader_page.get_by_text("The Maoist insurgency that fought the state in the 1980s.")
    assert note.first.is_visible()


def test_an_internal_note_stays_out_of_the_readers_page(
    live_server, editor_page, reader_page, story
):
    story, paragraph = story
    open_screen(editor_page, live_server, story)

    select_with_range(editor_page, paragraph, "coca fields")
    assert editor_page.locator("#note-quote").inner_text() == "coca fields"
    editor_page.select_option("#note-kind", "internal")
    assert editor_page.locator("#note-publish").is_hidden()
    assert editor_page.locator("#note-submit").is_hidden()
    save_note(editor_page, kind="internal", body="Check the location with the army's statement.")
    mark = editor_page.locator(f'.annotate-text[data-block-id="{paragraph.pk}"] mark.is-internal')
    mark.wait_for()
    assert mark.inner_text() == "coca fields"

    reader_page.goto(live_server.url + story.get_absolute_url())
    assert reader_page.locator("h1.headline").inner_text() == "Peruvian soldier killed in shootout"
    assert "Check the location" not in reader_page.content()
    assert reader_page.locator("mark.annotated").count() == 0


def test_a_note_follows_its_words_when_the_paragraph_is_edited_in_the_story_form(
    live_server, editor_page, reader_page, story, editor
):
    """Depends on re-anchoring when the story form saves its body blocks."""
    story, paragraph = story
    start16 = len(FIRST[: FIRST.index(PHRASE)].encode("utf-16-le")) // 2
    note = create_note(
        paragraph=paragraph,
        selection=Selection(start=start16, end=start16 + len(PHRASE), exact=PHRASE),
        fields={"kind": "context", "body": "A Maoist insurgency."},
        user=editor,
    )
    publish_note(note=note, version=note.version, user=editor)

    editor_page.goto(live_server.url + reverse("admin:articles_story_change", args=[story.pk]))
    textarea = editor_page.locator("textarea", has_text="Officials blamed")
    textarea.fill("On Friday, the army said that " + FIRST)
    editor_page.click("input[name=_save]")
    editor_page.locator(".messagelist .success").wait_for()

    reader_page.goto(live_server.url + story.get_absolute_url())
    assert reader_page.locator(".paragraph p").first.inner_text().startswith("On Friday, the army")
    mark = reader_page.locator("mark.annotated")
    assert mark.count() == 1
    assert mark.inner_text() == PHRASE
    assert reader_page.get_by_text("A Maoist insurgency.").first.is_visible()


def test_clicking_a_highlight_opens_its_note_with_its_history(
    live_server, editor_page, story, editor
):
    story, paragraph = story
    start16 = len(FIRST[: FIRST.index("VRAEM")].encode("utf-16-le")) // 2
    create_note(
        paragraph=paragraph,
        selection=Selection(start=start16, end=start16 + 5, exact="VRAEM"),
        fields={"kind": "context", "body": "Valley of the Apurímac, Ene and Mantaro rivers."},
        user=editor,
    )
    open_screen(editor_page, live_server, story)

    editor_page.locator("mark.annotate-mark", has_text="VRAEM").click()

    editor_page.locator("#note-heading", has_text="Context note").wait_for()
    assert editor_page.locator("#note-quote").inner_text() == "VRAEM"
    assert editor_page.locator("#note-body").input_value().startswith("Valley of the Apurímac")
    assert editor_page.locator("#history-list li").first.inner_text().startswith("Created by")
    editor_page.fill("#reply-body", "Spell it out for readers?")
    editor_page.click("#reply-form button[type=submit]")
    editor_page.locator("#reply-list li", has_text="Spell it out for readers?").wait_for()
    assert editor_page.locator("#note-state").inner_text() == "Draft"
    editor_page.click("#note-publish")
    editor_page.locator("#note-state", has_text="Published").wait_for()
    editor_page.locator("#history-list li", has_text="Published by").wait_for()
