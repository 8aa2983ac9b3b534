"""The annotate screen in the admin: who may use it, what it shows, and its JSON endpoints."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from articles.models import Note, NoteRevision
from articles.notes.editing import reply_to_note
from tests.factories import (
    AsideFactory,
    NoteFactory,
    ParagraphFactory,
    StaffFactory,
    StoryFactory,
    UserFactory,
)
from tests.pages import script_texts

pytestmark = pytest.mark.django_db

FLAG_TEXT = "Fighting broke out near the border 🇵🇪 Guzmán said, and soldiers returned fire."


def screen_url(story) -> str:
    return reverse("admin:articles_story_annotate", args=[story.pk])


def notes_url(story) -> str:
    return reverse("admin:articles_story_annotate_notes", args=[story.pk])


def note_url(note, action: str = "") -> str:
    name = f"admin:articles_story_annotate_{action or 'note'}"
    return reverse(name, args=[note.story_id, note.pk])


def post_json(client, url, data, method="post"):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return getattr(client, method)(url, body, content_type="application/json")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# Each block's text takes the focus, for selecting words with the keyboard.
FOCUSABLE = 'tabindex="0" aria-describedby="annotate-keys"'


def selection(block, quote: str) -> dict:
    """What the screen's script sends for `quote` selected in the block: UTF-16 offsets."""
    text = block.annotatable_text
    start = utf16(text[: text.index(quote)])
    return {"block": block.pk, "start": start, "end": start + utf16(quote), "exact": quote}


def new_note(block, quote: str, **note) -> dict:
    return {
        **selection(block, quote),
        "kind": "context",
        "body": "Background.",
        **note,
    }


def page_state(response) -> dict:
    """The JSON document the page hands its script (`json_script`), as the script reads it."""
    (text,) = script_texts(response.content.decode(), id="annotate-state")
    return json.loads(text)


@pytest.fixture
def paragraph():
    story = StoryFactory(headline="Peruvian soldier killed")
    return ParagraphFactory(story=story, text=FLAG_TEXT)


@pytest.fixture
def staff_without_permissions(client):
    user = StaffFactory(username="intern")
    client.force_login(user)
    return client


# Who may annotate


def test_anonymous_visitors_are_sent_to_the_admin_login(client, paragraph):
    url = screen_url(paragraph.story)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_readers_who_are_not_staff_are_sent_to_the_admin_login(client, paragraph):
    client.force_login(UserFactory(username="reader"))

    response = client.get(screen_url(paragraph.story))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_note_rights_are_refused(staff_without_permissions, paragraph):
    story = paragraph.story
    client = staff_without_permissions

    assert client.get(screen_url(story)).status_code == 403
    response = client.get(notes_url(story))
    assert response.status_code == 403
    assert response.json() == {"error": "You do not have permission to do that."}
    assert post_json(client, notes_url(story), new_note(paragraph, "Guzmán")).status_code == 403
    assert not Note.objects.exists()


def test_viewing_stories_is_not_enough_to_annotate(client, paragraph):
    user = StaffFactory(username="viewer")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="articles", codename="view_story")
    )
    client.force_login(user)

    assert client.get(screen_url(paragraph.story)).status_code == 403


def test_annotators_use_the_screen_though_they_cannot_edit_stories(annotator_client, paragraph):
    story = paragraph.story

    response = annotator_client.get(screen_url(story))

    assertContains(response, "<h1>Annotate “Peruvian soldier killed”</h1>", html=True)
    assertContains(response, 'href="/static/admin-annotate/annotate.css"')
    assertContains(response, 'src="/static/admin-annotate/annotate.js"')
    assertNotContains(response, "Edit story")
    created = post_json(annotator_client, notes_url(story), new_note(paragraph, "Guzmán"))
    assert created.status_code == 201


def test_annotators_without_delete_rights_cannot_delete(client, paragraph):
    user = StaffFactory(username="limited")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="articles",
            codename__in=["view_story", "add_note", "change_note"],
        )
    )
    client.force_login(user)
    note = NoteFactory(paragraph=paragraph)

    response = post_json(client, note_url(note), {"version": 1}, method="delete")

    assert response.status_code == 403
    assert Note.objects.filter(pk=note.pk).exists()


# What the screen shows


def test_the_screen_shows_every_block_in_order_with_its_text(editor_client):
    story = StoryFactory()
    second = ParagraphFactory(story=story, position=2, text="Second paragraph.")
    first = ParagraphFactory(story=story, position=1, text="First <b>paragraph</b>.")
    aside = AsideFactory(story=story, position=3, teaser="Read about the coca wars.")

    response = editor_client.get(screen_url(story))

    content = response.content.decode()
    for block in (first, second, aside):
        text = escape(block.annotatable_text)
        assertContains(
            response,
            f'<p class="annotate-text" data-block-id="{block.pk}" {FOCUSABLE}>{text}</p>',
            html=True,
        )
    assert content.index("First &lt;b&gt;") < content.index("Second paragraph")
    assert content.index("Second paragraph") < content.index("Read about the coca wars")
    assertContains(
        response,
        f'<button type="button" class="annotate-whole" data-block-id="{aside.pk}">'
        "Whole teaser</button>",
        html=True,
    )


def test_the_screen_highlights_every_note_internal_ones_too_and_lists_orphans(editor_client):
    paragraph = ParagraphFactory(text="The paste is made from coca plants.")
    story = paragraph.story
    public = NoteFactory(paragraph=paragraph, start=4, end=9)  # "paste"
    internal = NoteFactory(paragraph=paragraph, start=23, end=34, kind="internal")  # "coca plants"
    orphan = NoteFactory(
        paragraph=paragraph,
        anchor_state="orphaned",
        start=0,
        end=3,
        quote_exact="Ancient words",
    )

    response = editor_client.get(screen_url(story))

    assertContains(
        response,
        f'<p class="annotate-text" data-block-id="{paragraph.pk}" {FOCUSABLE}>The '
        f'<mark class="annotate-mark kind-context is-published" data-note-ids="{public.pk}" '
        'title="Context note">paste</mark> is made from '
        f'<mark class="annotate-mark kind-internal is-internal" '
        f'data-note-ids="{internal.pk}" title="Internal note">coca plants</mark>.</p>',
        html=True,
    )
    assertContains(
        response,
        f'<li data-note-id="{orphan.pk}">Context note on “Ancient words”</li>',
        html=True,
    )
    state = page_state(response)
    assert [note["id"] for note in state["notes"]] == [public.pk, internal.pk]
    assert [note["id"] for note in state["orphaned"]] == [orphan.pk]
    assert state["blocks"] == [{"id": paragraph.pk, "kind": "paragraph", "text": paragraph.text}]


def test_a_note_whose_offsets_miss_its_quote_is_listed_to_reattach_not_highlighted(
    editor_client,
):
    paragraph = ParagraphFactory(text="The paste is made from coca plants.")
    stale = NoteFactory(paragraph=paragraph, start=4, end=9, quote_exact="pasta")

    response = editor_client.get(screen_url(paragraph.story))

    assertContains(
        response,
        f'<p class="annotate-text" data-block-id="{paragraph.pk}" {FOCUSABLE}>'
        "The paste is made from coca plants.</p>",
        html=True,
    )
    state = page_state(response)
    assert state["notes"] == []
    assert [note["id"] for note in state["orphaned"]] == [stale.pk]


def test_overlapping_notes_are_split_into_nested_highlights(editor_client):
    paragraph = ParagraphFactory(text="The paste is made from coca plants.")
    outer = NoteFactory(paragraph=paragraph, start=4, end=22)  # "paste is made from"
    inner = NoteFactory(paragraph=paragraph, start=10, end=12, kind="source")  # "is"

    response = editor_client.get(screen_url(paragraph.story))

    assertContains(
        response,
        f'<p class="annotate-text" data-block-id="{paragraph.pk}" {FOCUSABLE}>The '
        f'<mark class="annotate-mark kind-context is-published" data-note-ids="{outer.pk}" '
        'title="Context note">paste </mark>'
        f'<mark class="annotate-mark kind-source is-published is-overlap" '
        f'data-note-ids="{outer.pk} {inner.pk}" title="Context note, Source">is</mark>'
        f'<mark class="annotate-mark kind-context is-published" data-note-ids="{outer.pk}" '
        'title="Context note"> made from</mark> coca plants.</p>',
        html=True,
    )


def test_notes_after_an_emoji_are_placed_in_utf16_for_the_script(editor_client, paragraph):
    start = FLAG_TEXT.index("Guzmán")
    NoteFactory(paragraph=paragraph, start=start, end=start + 6)

    state = editor_client.get(notes_url(paragraph.story)).json()

    (note,) = state["notes"]
    assert (note["start16"], note["end16"]) == (start + 2, start + 8)
    assert note["quote"] == "Guzmán"


def test_the_screen_runs_a_fixed_number_of_queries(editor_client, django_assert_num_queries):
    """30 blocks and 60 notes by different authors: an N+1 would show.

    Session, user, the user's permissions and their groups' permissions, the story, its
    blocks, its notes with their authors: seven, for the page and for its JSON alike.
    """
    story = StoryFactory()
    paragraphs = [ParagraphFactory(story=story, position=n) for n in range(30)]
    for number in range(60):
        NoteFactory(
            paragraph=paragraphs[number % 30],
            start=4 if number < 30 else 23,
            end=9 if number < 30 else 34,
            kind=["context", "source", "factcheck", "correction", "internal"][number % 5],
            state="published" if number % 5 != 4 and number % 3 == 0 else "draft",
            anchor_state="orphaned" if number % 10 == 0 else "anchored",
        )

    # Seven, and the header's unread count of the editor's inbox.
    with django_assert_num_queries(8):
        response = editor_client.get(screen_url(story))
    with django_assert_num_queries(7):
        state = editor_client.get(notes_url(story)).json()

    assert response.content.decode().count('class="annotate-text"') == 30
    assert response.content.decode().count("<mark class=") == 54 + 6  # + the colour legend
    assert len(state["notes"]) == 54
    assert len(state["orphaned"]) == 6


def test_a_note_with_its_thread_and_history_loads_in_a_fixed_number_of_queries(
    editor_client, django_assert_num_queries
):
    """Session, user, permissions twice, the note, its replies, its revisions: seven."""
    note = NoteFactory()
    for number in range(10):
        user = StaffFactory(username=f"colleague{number}")
        reply_to_note(note=note, body=f"Reply {number}", user=user)

    with django_assert_num_queries(7):
        note = editor_client.get(note_url(note)).json()

    assert [reply["author"] for reply in note["replies"]] == [f"colleague{n}" for n in range(10)]
    assert len(note["history"]) == 10


def test_the_story_form_links_to_the_annotate_screen(editor_client, paragraph):
    story = paragraph.story

    response = editor_client.get(reverse("admin:articles_story_change", args=[story.pk]))

    assertContains(
        response, f'<a href="{screen_url(story)}" class="annotatelink">Annotate</a>', html=True
    )


def test_annotators_pick_a_story_to_annotate_from_the_notes_list(annotator_client):
    paragraph = ParagraphFactory(story=StoryFactory(headline="Coca eradication"))
    NoteFactory(paragraph=paragraph, anchor_state="orphaned")
    index = reverse("admin:articles_story_annotate_index")

    notes = annotator_client.get(reverse("admin:articles_note_changelist"))
    assertContains(notes, f'<a href="{index}">Annotate a story</a>', html=True)
    assertContains(notes, '<a href="?anchor_state__exact=orphaned">Orphaned notes</a>', html=True)
    assertContains(notes, f'<a href="{screen_url(paragraph.story)}">Annotate</a>', html=True)

    response = annotator_client.get(index, {"q": "coca"})
    assertContains(
        response, f'<a href="{screen_url(paragraph.story)}">Coca eradication</a>', html=True
    )


# Creating notes


def test_creating_a_note_from_utf16_offsets_returns_it_with_its_history(editor_client, paragraph):
    response = post_json(
        editor_client, notes_url(paragraph.story), new_note(paragraph, "Guzmán", body="*Who*")
    )

    assert response.status_code == 201
    data = response.json()
    note = Note.objects.get()
    assert data["id"] == note.pk
    assert (note.start, note.end) == (
        FLAG_TEXT.index("Guzmán"),
        FLAG_TEXT.index("Guzmán") + 6,
    )
    assert note.quote_exact == data["quote"] == "Guzmán"
    assert data["body_html"] == "<p><em>Who</em></p>"
    assert data["author"] == "editor"
    assert data["version"] == 1
    assert data["replies"] == []
    assert [entry["action"] for entry in data["history"]] == ["created"]


def test_the_panel_offers_each_kind_and_its_fields(editor_client, paragraph):
    response = editor_client.get(screen_url(paragraph.story))

    for value, label in Note.Kind.choices:
        assertContains(response, f'<option value="{value}">{label}</option>', html=True)
    for name in ("source_url", "source_title", "claim", "verdict", "correction_wrong"):
        assertContains(response, f'name="{name}"')
    assertContains(response, '<option value="mostly-false">Mostly false</option>', html=True)


def test_the_page_state_tells_the_script_which_fields_each_kind_has(editor_client, paragraph):
    state = page_state(editor_client.get(screen_url(paragraph.story)))

    assert state["kind_fields"] == {
        "context": [],
        "source": ["source_url", "source_title"],
        "factcheck": ["claim", "verdict"],
        "correction": ["correction_wrong", "correction_right", "corrected_at"],
        "internal": [],
    }


def test_the_note_change_form_folds_each_kinds_fields_under_the_kind(editor_client):
    note = NoteFactory(kind="factcheck", claim="Soldiers guard the valley.")
    response = editor_client.get(reverse("admin:articles_note_change", args=[note.pk]))

    groups = [(fieldset.name, list(fieldset.fields)) for fieldset in response.context["adminform"]]
    assert groups[2:5] == [
        ("Source", ["source_url", "source_title"]),
        ("Fact-check", ["claim", "verdict"]),
        ("Correction", ["correction_wrong", "correction_right", "corrected_at"]),
    ]


@pytest.mark.parametrize(
    ("note", "field", "message"),
    [
        ({"kind": "source", "source_url": ""}, "source_url", "A source needs its link."),
        ({"kind": "factcheck", "claim": "x"}, "verdict", "A fact-check needs a verdict."),
        ({"kind": "correction", "correction_right": "b"}, "correction_wrong", "Say what"),
        ({"kind": "context", "body": "  "}, "body", "A context note needs some text."),
        ({"kind": "gossip"}, "kind", "Select a valid choice."),
    ],
)
def test_each_kind_needs_its_own_fields(editor_client, paragraph, note, field, message):
    data = new_note(paragraph, "Guzmán", **note)

    response = post_json(editor_client, notes_url(paragraph.story), data)

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[1, 2]",
        b'"a string"',
        b"[" * 100_000 + b"]" * 100_000,
        b"\xff\xfe\x00garbage",
        b'{"body": "' + b"x" * 3_000_000 + b'"}',
    ],
)
def test_bodies_that_are_not_a_json_object_are_a_400(editor_client, paragraph, body):
    response = editor_client.post(notes_url(paragraph.story), body, content_type="application/json")

    assert response.status_code == 400
    assert "error" in response.json()


def test_form_data_instead_of_json_is_a_400(editor_client, paragraph):
    response = editor_client.post(notes_url(paragraph.story), {"kind": "context"})

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "abc"}, "start"),
        ({"start": 1.5}, "start"),
        ({"start": [1]}, "start"),
        ({"end": 10**40}, "end"),
        ({"start": -1}, "start"),
        ({"block": "x"}, "block"),
        ({"block": 10**40}, "block"),
        ({"block": {"id": 1}}, "block"),
        ({"exact": ["Guzmán"]}, "exact"),
        ({"body": ["a", "b"]}, "body"),
        ({"body": "x" * 20_001}, "body"),
        ({"body": "null \x00 byte"}, "body"),
        ({"body": "lone \ud800 surrogate"}, "body"),
        ({"corrected_at": "yesterday", "kind": "correction"}, "corrected_at"),
        (
            {"source_title": "t" * 301, "kind": "source", "source_url": "https://a.example"},
            "source_title",
        ),
    ],
)
def test_wrong_types_and_sizes_are_field_errors(editor_client, paragraph, change, field):
    data = {**new_note(paragraph, "Guzmán"), **change}

    response = post_json(editor_client, notes_url(paragraph.story), data)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Note.objects.exists()


def test_a_paragraph_of_another_story_is_refused(editor_client, paragraph):
    elsewhere = ParagraphFactory(story=StoryFactory())

    response = post_json(editor_client, notes_url(paragraph.story), new_note(elsewhere, "coca"))

    assert response.status_code == 400
    assert response.json()["errors"]["block"] == ["This story has no such paragraph."]


def test_a_quote_that_no_longer_matches_the_paragraph_asks_for_a_reload(editor_client, paragraph):
    data = new_note(paragraph, "Guzmán")
    data["exact"] = "Gusman"

    response = post_json(editor_client, notes_url(paragraph.story), data)

    assert response.status_code == 400
    assert "Reload the page" in response.json()["error"]
    assert not Note.objects.exists()


FLAG_AT = utf16(FLAG_TEXT[: FLAG_TEXT.index("🇵🇪")])


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (0, 1000, "beyond the end"),
        (FLAG_AT + 1, FLAG_AT + 6, "splits a surrogate pair"),
        (9, 9, "The selection is empty."),
    ],
)
def test_offsets_outside_the_text_are_a_400(editor_client, paragraph, start, end, message):
    data = {**new_note(paragraph, "Guzmán"), "start": start, "end": end}

    response = post_json(editor_client, notes_url(paragraph.story), data)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Note.objects.exists()


def test_unknown_stories_and_notes_are_json_404s(editor_client, paragraph):
    note = NoteFactory(paragraph=paragraph)
    other_story = StoryFactory()
    missing = reverse("admin:articles_story_annotate_notes", args=[10**12])
    elsewhere = reverse("admin:articles_story_annotate_note", args=[other_story.pk, note.pk])

    assert editor_client.get(missing).status_code == 404
    response = post_json(editor_client, elsewhere, {"version": 1, "body": "Moved?"})
    assert response.status_code == 404
    assert "error" in response.json()
    big = reverse("admin:articles_story_annotate_note", args=[paragraph.story_id, 10**30])
    assert editor_client.get(big).status_code == 404


def test_endpoints_answer_only_their_methods(editor_client, paragraph):
    note = NoteFactory(paragraph=paragraph)

    assert editor_client.get(note_url(note, "reattach")).status_code == 405
    assert editor_client.put(notes_url(paragraph.story)).status_code == 405


# Changing, replying, deleting, re-attaching


def test_updating_a_note_bumps_its_version_and_shows_the_change_in_its_history(editor_client):
    note = NoteFactory(body="First draft.", state="draft")

    response = post_json(editor_client, note_url(note), {"version": 1, "body": "Second draft."})

    assert response.status_code == 200
    note = response.json()
    assert note["version"] == 2
    assert note["body_html"] == "<p>Second draft.</p>"
    assert (note["state"], note["state_label"]) == ("draft", "Draft")  # saving is not publishing
    updated = note["history"][0]
    assert updated["action_label"] == "Updated"
    assert updated["user"] == "editor"
    assert {"field": "body", "before": "First draft.", "after": "Second draft."} in updated[
        "changes"
    ]


def test_a_state_sent_with_a_change_is_refused_not_applied(editor_client):
    """Review moves have their own endpoint, which checks who may make them."""
    note = NoteFactory(body="Keep me.", state="draft")

    response = post_json(editor_client, note_url(note), {"version": 1, "state": "published"})

    note.refresh_from_db()
    assert note.state == "draft"
    assert response.status_code in (200, 400)


def test_a_stale_version_is_a_409_with_the_other_editors_note(editor_client):
    note = NoteFactory(body="Mine.")
    post_json(editor_client, note_url(note), {"version": 1, "body": "Theirs."})

    response = post_json(editor_client, note_url(note), {"version": 1, "body": "Mine!"})

    assert response.status_code == 409
    conflict = response.json()
    assert conflict["conflict"] is True
    assert conflict["note"]["body"] == "Theirs."
    assert conflict["note"]["version"] == 2
    note.refresh_from_db()
    assert note.body == "Theirs."


def test_a_missing_version_is_a_400(editor_client):
    note = NoteFactory()

    response = post_json(editor_client, note_url(note), {"body": "No version."})

    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_replies_come_back_in_the_thread_with_their_author(editor_client):
    note = NoteFactory()

    response = post_json(editor_client, note_url(note, "replies"), {"body": "**Agreed**"})

    assert response.status_code == 201
    (reply,) = response.json()["replies"]
    assert reply["author"] == "editor"
    assert reply["body_html"] == "<p><strong>Agreed</strong></p>"
    assert response.json()["history"][0]["action"] == "replied"
    empty = post_json(editor_client, note_url(note, "replies"), {"body": ""})
    assert empty.status_code == 400


def test_deleting_a_note_keeps_its_history(editor_client):
    note = NoteFactory()

    response = post_json(editor_client, note_url(note), {"version": 1}, method="delete")

    assert response.status_code == 200
    assert response.json() == {"deleted": note.pk}
    assert not Note.objects.exists()
    assert NoteRevision.objects.get(note_ref=note.pk).action == "deleted"


def test_deleting_a_note_changed_meanwhile_is_a_409(editor_client):
    note = NoteFactory()
    post_json(editor_client, note_url(note), {"version": 1, "body": "Edited."})

    response = post_json(editor_client, note_url(note), {"version": 1}, method="delete")

    assert response.status_code == 409
    assert Note.objects.exists()


def test_reattaching_an_orphan_puts_it_back_among_the_highlights(editor_client, paragraph):
    orphan = NoteFactory(
        paragraph=paragraph, anchor_state="orphaned", quote_exact="old words", start=0, end=9
    )

    response = post_json(
        editor_client,
        note_url(orphan, "reattach"),
        {"version": 1, **selection(paragraph, "Guzmán")},
    )

    assert response.status_code == 200
    assert response.json()["anchor_state"] == "anchored"
    state = editor_client.get(notes_url(paragraph.story)).json()
    assert [note["id"] for note in state["notes"]] == [orphan.pk]
    assert state["orphaned"] == []


# Untrusted text


XSS = {
    "body": "<script>alert('body')</script> <img src=x onerror=alert(1)>",
    "claim": "<script>alert('claim')</script>",
    "source_title": "<img src=x onerror=alert('title')>",
}


def test_script_in_notes_never_comes_back_as_markup(editor_client, paragraph):
    story = paragraph.story
    fact_check = new_note(paragraph, "Guzmán", kind="factcheck", verdict="false", **XSS)
    source = new_note(
        paragraph, "soldiers", kind="source", source_url="https://example.org/", **XSS
    )

    for note in (fact_check, source):
        response = post_json(editor_client, notes_url(story), note)
        assert response.status_code == 201
        assert b"<" not in response.content  # markup travels as \u003C escapes
        assert "<script" not in response.json()["body_html"]
        assert "<img" not in response.json()["body_html"]

    screen = editor_client.get(screen_url(story)).content.decode()
    assert "<script>alert" not in screen
    assert "<img src=x" not in screen
    assert page_state(editor_client.get(screen_url(story)))["notes"][0]["claim"] == (XSS["claim"])
    listing = editor_client.get(notes_url(story))
    assert b"<script" not in listing.content


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://x.org/a"]
)
def test_source_links_must_be_http(editor_client, paragraph, url):
    note = new_note(paragraph, "Guzmán", kind="source", source_url=url)

    response = post_json(editor_client, notes_url(paragraph.story), note)

    assert response.status_code == 400
    assert response.json()["errors"]["source_url"] == ["Enter a valid URL."]


def test_a_headline_with_markup_is_shown_as_text(editor_client):
    story = StoryFactory(headline="<script>alert('headline')</script>")

    response = editor_client.get(screen_url(story))

    assertNotContains(response, "<script>alert('headline')")
    assertContains(response, "&lt;script&gt;alert(&#x27;headline&#x27;)&lt;/script&gt;")
