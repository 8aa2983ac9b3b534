"""A story page's body and related list are kept apart from the page (`pages.parts`): a page
purged for something else it shows is rendered around the kept body, and every write that
changes the body or the list renders that part again.

Changes run their on-commit callbacks as production does; the page cache is on, so a kept part
that a write failed to purge would show on the very next page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.caching import invalidation, keys, store
from articles.editing.asides import delete_asides
from articles.editing.publishing import publish_stories, unpublish_stories
from articles.models import Note, RelatedStory, Story
from articles.notes.editing import update_note
from articles.notes.review import publish_note, withdraw_note
from articles.pages import parts
from tests.factories import (
    AsideFactory,
    AuthorFactory,
    NoteFactory,
    ParagraphFactory,
    StaffFactory,
    StoryFactory,
)
from tests.test_admin import change_url, form_data

# The page cache on and empty for each test (an autouse fixture), as the page cache's tests have it.
from tests.test_pagecache import CACHE_HEADER, empty_page_cache, save_in_admin  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    """A story with paragraphs, a public note, an aside to another story and a related one."""
    story = StoryFactory(
        headline="Peruvian soldier killed in shootout",
        published_at=timezone.now() - timedelta(days=2),
    )
    paragraph = ParagraphFactory(story=story, position=0, text="The army said on Saturday.")
    ParagraphFactory(story=story, position=2, text="Officials gave no other details.")
    NoteFactory(paragraph=paragraph, body="Background for readers.")
    target = StoryFactory(
        headline="Meet the man in the cocaine prison",
        slug="cocaine-prison",
        published_at=timezone.now() - timedelta(days=9),
    )
    AsideFactory(story=story, position=1, target_story=target, teaser="A prison story.")
    related = StoryFactory(
        headline="Coca growers march on Lima",
        slug="coca-growers-march",
        published_at=timezone.now() - timedelta(days=3),
    )
    RelatedStory.objects.create(story=story, related=related, position=0)
    return story


def read(url: str):
    response = Client().get(url)
    assert response.status_code == 200
    return response


def test_a_page_purged_for_a_related_headline_is_rendered_around_the_kept_body(
    story, editor, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url = story.get_absolute_url()
    first = read(url)
    assert first[CACHE_HEADER] == "miss"
    client = Client()
    client.force_login(editor)
    related = Story.objects.get(slug="coca-growers-march")
    with django_capture_on_commit_callbacks(execute=True):
        save_in_admin(client, related, "story_form", headline="Coca growers end their march")

    # The story row, bylines, tags and versions, and the related list again: not the blocks
    # or the notes (the body is kept).
    with django_assert_num_queries(5):
        response = read(url)

    assert response[CACHE_HEADER] == "miss"
    assertContains(response, "Coca growers end their march")
    assertNotContains(response, "Coca growers march on Lima")
    assertContains(response, "Background for readers.")
    assertContains(response, 'href="/stories/cocaine-prison/"')


def test_a_page_purged_for_its_section_menu_keeps_both_parts(
    story, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url = story.get_absolute_url()
    first = read(url)
    with django_capture_on_commit_callbacks(execute=True):
        invalidation.content_changed([keys.SECTION_MENU])

    # The story row, bylines, tags and versions, and the menu itself.
    with django_assert_num_queries(5):
        again = read(url)

    assert again[CACHE_HEADER] == "miss"
    assert again.content == first.content


def test_the_page_carries_the_keys_of_its_parts(story):
    response = read(story.get_absolute_url())
    shown = set(response["Surrogate-Key"].split())
    target = Story.objects.get(slug="cocaine-prison")
    related = Story.objects.get(slug="coca-growers-march")
    assert {keys.story(target.pk), keys.story(related.pk), keys.section(related.section_id)} <= (
        shown
    )


def rename_the_aside_target(story, editor):
    client = Client()
    client.force_login(editor)
    target = Story.objects.get(slug="cocaine-prison")
    save_in_admin(client, target, "story_form", slug="inside-the-cocaine-prison")
    return 'href="/stories/inside-the-cocaine-prison/"', 'href="/stories/cocaine-prison/"'


def unpublish_the_aside_target(story, editor):
    target = Story.objects.get(slug="cocaine-prison")
    unpublish_stories(story_ids=[target.pk], user=editor)
    return 'class="read-more__label"', 'href="/stories/cocaine-prison/"'


def delete_the_aside(story, editor):
    delete_asides(asides=list(story.blocks.filter(kind="aside")), user=editor)
    return "Officials gave no other details.", "A prison story."


def edit_the_note(story, editor):
    note = Note.objects.get(story=story)
    update_note(note=note, version=note.version, fields={"body": "Sources: the army."}, user=editor)
    return "Sources: the army.", "Background for readers."


def withdraw_the_note(story, editor):
    note = Note.objects.get(story=story)
    withdraw_note(note=note, version=note.version, user=editor)
    return "The army said on Saturday.", "Background for readers."


def publish_a_correction(story, editor):
    note = NoteFactory(
        paragraph=story.blocks.paragraphs().get(position=2),
        kind=Note.Kind.CORRECTION,
        body="We misspelled a name.",
        correction_wrong="Columbia",
        correction_right="Colombia",
        state=Note.State.DRAFT,
    )
    publish_note(note=note, version=note.version, user=editor)
    return "where it should have said “Colombia”", None


def edit_a_paragraph(story, editor):
    client = Client()
    client.force_login(editor)
    paragraph = story.blocks.paragraphs().get(position=2)
    data = form_data(client.get(change_url(story)), "story_form")
    prefix = next(
        name.removesuffix("-id")
        for name, value in data.items()
        if name.endswith("-id") and value == [str(paragraph.pk)]
    )
    data[f"{prefix}-text"] = "Officials named the soldier on Sunday."
    response = client.post(change_url(story), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return "Officials named the soldier on Sunday.", "Officials gave no other details."


def remove_the_dek(story, editor):
    client = Client()
    client.force_login(editor)
    save_in_admin(client, story, "story_form", dek="")
    # Described by its first paragraph now, which the kept body carries.
    return '<meta name="description" content="The army said on Saturday.">', story.dek


def unlist_the_related_story(story, editor):
    related = Story.objects.get(slug="coca-growers-march")
    unpublish_stories(story_ids=[related.pk], user=editor)
    return "Peruvian soldier killed in shootout", "Coca growers march on Lima"


@pytest.mark.parametrize(
    "change",
    [
        rename_the_aside_target,
        unpublish_the_aside_target,
        delete_the_aside,
        edit_the_note,
        withdraw_the_note,
        publish_a_correction,
        edit_a_paragraph,
        remove_the_dek,
        unlist_the_related_story,
    ],
)
def test_a_change_to_a_part_renders_it_again(
    story, editor, change, django_capture_on_commit_callbacks
):
    url = story.get_absolute_url()
    read(url)
    assert read(url)[CACHE_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        shown, gone = change(story, editor)

    response = read(url)
    assert response[CACHE_HEADER] == "miss"
    assertContains(response, shown)
    if gone is not None:
        assertNotContains(response, gone)


def test_a_preview_keeps_no_part(client):
    draft = StoryFactory(status=Story.Status.DRAFT, headline="Not out yet")
    ParagraphFactory(story=draft, text="Words of a draft.")
    client.force_login(StaffFactory(username="desk", groups=["Editors"]))
    assertContains(client.get(draft.get_absolute_url()), "Words of a draft.")
    assert store.get(parts._key("story-body", parts.StoryBody, draft)) is None
    assert store.get(parts._key("story-related", parts.RelatedList, draft)) is None


def test_a_part_kept_by_code_with_other_fields_is_never_read():
    """A deploy that changes what a part holds reads none of the parts the old code kept."""
    story = StoryFactory()

    @parts.dataclass(frozen=True)
    class OlderBody:
        body_html: str

    assert parts._key("story-body", OlderBody, story) != parts._key(
        "story-body", parts.StoryBody, story
    )


def test_parts_are_kept_in_redis_with_the_page_cache_off(
    story,
    settings,
    shared_store,
    editor,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    """Where the store is shared (Redis), the parts are kept whether pages are or not, like the
    section menu: every app host renders its misses around them."""
    settings.NEWSROOM_PAGE_CACHE = False
    url = story.get_absolute_url()
    first = read(url)
    # The story row, bylines, tags and versions.
    with django_assert_num_queries(4):
        again = read(url)
    assert again.content == first.content

    with django_capture_on_commit_callbacks(execute=True):
        edit_the_note(story, editor)
    assertContains(read(url), "Sources: the army.")


def test_a_part_built_while_its_story_is_purged_is_not_kept(story, monkeypatch):
    """A body read from the rows before an editor's commit must not outlive that commit's
    purge: it is shown once, not kept."""
    real_build = parts._build_body

    def purge_while_building(built_story):
        body = real_build(built_story)
        invalidation.purge_now([keys.story_page(built_story.pk)])  # the commit lands meanwhile
        return body

    monkeypatch.setattr(parts, "_build_body", purge_while_building)
    read(story.get_absolute_url())

    assert store.get(parts._key("story-body", parts.StoryBody, story)) is None
    assert store.get(parts._key("story-related", parts.RelatedList, story)) is None


@pytest.fixture
def front_page(editor):
    """Five published stories by one author, the newest first on the front page."""
    author = AuthorFactory(name="Kayla Ruble")
    return [
        StoryFactory(
            headline=f"Story number {n}",
            authors=[author],
            published_at=timezone.now() - timedelta(days=10 - n),
        )
        for n in range(5)
    ]


def lead_headline(response) -> str:
    content = response.content.decode()
    lead = content.index("story-card--lead")
    return content[lead:].split('class="story-card__headline"><a href="', 1)[1].split(">")[1][:-3]


def test_a_list_purged_for_a_new_story_renders_that_card_alone(
    front_page, editor, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = read("/")
    assert lead_headline(first) == "Story number 4"
    draft = StoryFactory(
        headline="Second soldier dies of his wounds",
        status=Story.Status.DRAFT,
        authors=[front_page[0].bylines.get().author],
    )
    with django_capture_on_commit_callbacks(execute=True):
        publish_stories(story_ids=[draft.pk], user=editor)

    # The next scheduled story and the count (the list changed), the page's rows, and the
    # bylines and renditions of the two cards not kept: the new lead, and the old lead as a
    # plain card.
    with django_assert_num_queries(5):
        response = read("/")

    assert response[CACHE_HEADER] == "miss"
    assert lead_headline(response) == "Second soldier dies of his wounds"
    content = response.content.decode()
    assert content.count('<article class="story-card') == 6
    assert content.count("story-card--lead") == 1  # the old lead is a plain card now
    assert content.count("Kayla Ruble") == 6


def test_a_list_with_every_card_kept_loads_only_its_rows(
    front_page, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = read("/")
    with django_capture_on_commit_callbacks(execute=True):
        invalidation.content_changed([keys.SECTION_MENU])

    # The page's rows and the menu: no bylines, no renditions, no card rendered.
    with django_assert_num_queries(2):
        again = read("/")
    assert again.content == first.content


def test_a_renamed_author_is_on_every_kept_card_at_once(
    front_page, editor, django_capture_on_commit_callbacks
):
    read("/")
    author = front_page[0].bylines.get().author
    client = Client()
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        save_in_admin(client, author, "author_form", name="Kayla Ruble-Smith")

    content = read("/").content.decode()
    assert content.count("Kayla Ruble-Smith") == 5
