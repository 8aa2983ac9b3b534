"""Cache headers for readers: what each page says it shows (surrogate keys), validators taken
from the page's own bytes, 304s, and staff never cached.

Writes go through the services and admin screens that make them, with their on-commit callbacks
run as production runs them (`django_capture_on_commit_callbacks(execute=True)`).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.caching import keys
from articles.models import Note, RelatedStory, Story
from articles.notes.editing import Selection, create_note, reply_to_note
from tests.factories import (
    AsideFactory,
    AuthorFactory,
    NoteFactory,
    ParagraphFactory,
    SectionFactory,
    StaffFactory,
    StoryFactory,
    TagFactory,
)
from tests.test_admin import change_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    story = StoryFactory(
        section=SectionFactory(name="World", slug="world"),
        authors=[AuthorFactory(slug="kayla-ruble")],
        tags=[TagFactory(name="Peru", slug="peru")],
        published_at=timezone.now().replace(microsecond=0) - timedelta(days=400),
    )
    ParagraphFactory(story=story, text="The paste is made from coca plants.")
    return story


def surrogate_keys(response) -> set[str]:
    return set(response["Surrogate-Key"].split())


def assert_public_cache_headers(response):
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Last-Modified"]
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=60", "stale-while-revalidate=300"}
    assert "Cookie" in response["Vary"]
    assert response["Cache-Tag"] == response["Surrogate-Key"].replace(" ", ",")


def assert_never_cached(response):
    assert "ETag" not in response
    assert "Surrogate-Key" not in response
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-cache", "no-store"} <= directives
    assert "public" not in directives
    assert "Cookie" in response["Vary"]


def test_story_page_names_everything_it_shows(client, story):
    related = StoryFactory(headline="Already related")
    RelatedStory.objects.create(story=story, related=related)
    target = StoryFactory(headline="Aside target")
    AsideFactory(story=story, target_story=target)

    response = client.get(story.get_absolute_url())

    assert_public_cache_headers(response)
    assert surrogate_keys(response) == {
        keys.story(story.pk),
        keys.story_page(story.pk),
        keys.story(related.pk),
        keys.section(related.section_id),  # named in the related list
        keys.story(target.pk),
        keys.section(story.section_id),
        keys.author(story.bylines.get().author_id),
        keys.tag(story.tags.get().pk),
        keys.SECTION_MENU,
        keys.POLICIES,  # linked from its structured data
    }


def test_list_pages_name_their_list_and_their_cards(client, story):
    other = StoryFactory(section=story.section, authors=[AuthorFactory()])
    author = story.bylines.get().author_id
    cards = {
        keys.story(story.pk),
        keys.story(other.pk),
        keys.section(story.section_id),
        keys.author(author),
        keys.author(other.bylines.get().author_id),
        keys.SECTION_MENU,
    }
    assert surrogate_keys(client.get("/")) == cards | {keys.FRONT}
    assert surrogate_keys(client.get("/sections/world/")) == cards | {
        keys.section_list(story.section_id)
    }
    tag = story.tags.get().pk
    assert surrogate_keys(client.get("/tags/peru/")) == {
        keys.story(story.pk),
        keys.section(story.section_id),
        keys.author(author),
        keys.tag(tag),
        keys.tag_list(tag),
        keys.SECTION_MENU,
    }


def test_feeds_sitemaps_search_and_note_documents_carry_keys(client, story):
    note = NoteFactory(paragraph=story.blocks.get())
    feed = client.get("/feed/rss/")
    assert {keys.FRONT, keys.story(story.pk), keys.tag(story.tags.get().pk)} <= surrogate_keys(feed)
    sitemap = client.get("/sitemap-stories.xml")
    assert {keys.EVERY_STORY, keys.FRONT} <= surrogate_keys(sitemap)
    results = client.get("/search/?q=coca")
    assert keys.EVERY_STORY in surrogate_keys(results)
    container = client.get(
        reverse("articles:annotation-container", args=[story.slug]),
        headers={"accept": "application/ld+json"},
    )
    assert surrogate_keys(container) == {keys.story(story.pk), keys.story_page(story.pk)}
    document = client.get(
        reverse("articles:annotation", args=[note.pk]), headers={"accept": "application/ld+json"}
    )
    assert surrogate_keys(document) == {keys.story(story.pk), keys.story_page(story.pk)}


def test_etag_is_the_pages_bytes_and_answers_304(client, story):
    first = client.get(story.get_absolute_url())
    for headers in (
        {"if-none-match": first["ETag"]},
        {"if-modified-since": first["Last-Modified"]},
    ):
        response = client.get(story.get_absolute_url(), headers=headers)
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == first["ETag"]


def test_stale_etag_gets_the_full_page(client, story):
    response = client.get(story.get_absolute_url(), headers={"if-none-match": '"stale"'})
    assert response.status_code == 200
    assert story.headline in response.content.decode()


def test_an_etag_from_one_page_is_not_honoured_on_another(client, story):
    front = client.get("/")
    draft = StoryFactory(status=Story.Status.DRAFT)
    assert (
        client.get(draft.get_absolute_url(), headers={"if-none-match": front["ETag"]}).status_code
        == 404
    )
    response = client.get("/tags/peru/", headers={"if-none-match": front["ETag"]})
    assert response.status_code == 200


def unseen_writes(story, editor):
    """What readers cannot see: a draft's text, an internal note, a reply in a discussion."""
    draft = StoryFactory(status=Story.Status.DRAFT, section=story.section)
    client = editor_client_for(editor)
    data = form_data(client.get(change_url(draft)), "story_form")
    data["headline"] = "A scoop nobody may read yet"
    assert client.post(change_url(draft), data).status_code == 302
    paragraph = story.blocks.get()
    internal = create_note(
        paragraph=paragraph,
        selection=Selection(start=4, end=9, exact=paragraph.text[4:9]),
        fields={"kind": "internal", "body": "Editors only: check with the ministry"},
        user=editor,
    )
    reply_to_note(note=internal, body="Checked.", user=editor)
    public = Note.objects.get(state=Note.State.PUBLISHED)
    reply_to_note(note=public, body="Looks right.", user=editor)


def editor_client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", ["story", "/", "/sections/world/", "/tags/peru/"])
def test_writes_readers_cannot_see_move_no_validator(
    client, story, url, editor, settings, django_capture_on_commit_callbacks
):
    """An outsider must not watch the newsroom work: with the page cache off, so that every
    request renders anew, a draft save, an internal note and replies leave every public page's
    ETag and Last-Modified as they were."""
    settings.NEWSROOM_PAGE_CACHE = False
    url = story.get_absolute_url() if url == "story" else url
    NoteFactory(paragraph=story.blocks.get())  # a public note, shown on the page
    before = client.get(url)

    with django_capture_on_commit_callbacks(execute=True):
        unseen_writes(story, editor)

    after = client.get(url)
    assert after["ETag"] == before["ETag"]
    assert after["Last-Modified"] == before["Last-Modified"]
    assert "Editors only" not in after.content.decode()


def test_last_modified_moves_when_the_page_changes(
    client, story, editor, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.NEWSROOM_PAGE_CACHE = False
    before = client.get(story.get_absolute_url())
    later = timezone.now().replace(microsecond=0) + timedelta(seconds=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with django_capture_on_commit_callbacks(execute=True):
        client_for_editor = editor_client_for(editor)
        data = form_data(client_for_editor.get(change_url(story)), "story_form")
        data["headline"] = "A new headline"
        assert client_for_editor.post(change_url(story), data).status_code == 302

    after = client.get(story.get_absolute_url())
    assert after["ETag"] != before["ETag"]
    assert after["Last-Modified"] != before["Last-Modified"]
    assert (
        client.get(
            story.get_absolute_url(), headers={"if-modified-since": before["Last-Modified"]}
        ).status_code
        == 200
    )


def test_story_page_for_signed_in_staff_is_never_cached(client, story):
    reader_etag = client.get(story.get_absolute_url())["ETag"]
    client.force_login(StaffFactory())
    response = client.get(story.get_absolute_url(), headers={"if-none-match": reader_etag})
    assert response.status_code == 200
    assert_never_cached(response)


def test_staff_preview_of_a_draft_is_never_cached(client):
    draft = StoryFactory(status=Story.Status.DRAFT)
    client.force_login(StaffFactory())
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert_never_cached(response)


def test_draft_is_404_even_with_a_guessed_etag(client):
    draft = StoryFactory(status=Story.Status.DRAFT)
    response = client.get(draft.get_absolute_url(), headers={"if-none-match": "*"})
    assert response.status_code == 404


def test_cache_lifetimes_come_from_settings(client, story, settings):
    settings.NEWSROOM_CACHE_MAX_AGE = 5
    settings.NEWSROOM_CACHE_STALE_WHILE_REVALIDATE = 30
    response = client.get(story.get_absolute_url())
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=5", "stale-while-revalidate=30"}


def test_list_pages_for_signed_in_staff_are_never_cached(client, story):
    client.force_login(StaffFactory())
    for url in ("/", "/sections/world/", "/tags/peru/", "/authors/kayla-ruble/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_never_cached(response)


def test_an_internal_note_never_reaches_a_page(client, story, editor):
    paragraph = story.blocks.get()
    create_note(
        paragraph=paragraph,
        selection=Selection(start=4, end=9, exact=paragraph.text[4:9]),
        fields={"kind": "internal", "body": "Editors only: check"},
        user=editor,
    )
    assert "Editors only" not in client.get(story.get_absolute_url()).content.decode()
    assert Note.objects.count() == 1
