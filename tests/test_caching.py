"""Caching for readers: validators, 304s, what changes an ETag, and staff never cached."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertNotContains

from articles.caching.generation import STATE_PK
from articles.models import Annotation, Article, ContentState, RelatedStory
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AsideFactory,
    AuthorFactory,
    ParagraphFactory,
    SectionFactory,
    StaffFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    article = ArticleFactory(
        section=SectionFactory(name="World", slug="world"),
        authors=[AuthorFactory(slug="kayla-ruble")],
        tags=[TagFactory(name="Peru", slug="peru")],
        published_at=timezone.now() - timedelta(days=400),
    )
    ParagraphFactory(article=article)
    return article


def assert_public_cache_headers(response):
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Last-Modified"]
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=60", "stale-while-revalidate=300"}
    assert "Cookie" in response["Vary"]


def assert_never_cached(response):
    assert "ETag" not in response
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-cache", "no-store"} <= directives
    assert "public" not in directives
    assert "Cookie" in response["Vary"]


def etag(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response["ETag"]


def set_moments(story, *, published_at, modified_at, site_changed_at):
    """Distinct whole seconds for the story's dates and the site's last change, so a
    Last-Modified taken from the wrong one shows. The state's row is not watched: writing it
    moves nothing on."""
    Article.objects.filter(pk=story.pk).update(published_at=published_at, modified_at=modified_at)
    ContentState.objects.filter(pk=STATE_PK).update(changed_at=site_changed_at)


def test_story_page_sends_validators_and_public_cache_control(client, story):
    """Last-Modified is the site's last change, which may be another story's: not this one's."""
    set_moments(
        story,
        published_at=datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC),
        modified_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        site_changed_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )

    response = client.get(story.get_absolute_url())

    assert response.status_code == 200
    assert_public_cache_headers(response)
    assert response["Last-Modified"] == "Thu, 02 Jan 2025 03:04:05 GMT"


def test_story_page_last_modified_is_its_publication_when_it_came_due_after_the_last_change(
    client, story
):
    """A scheduled story becomes public with no write: its publication is the page's change."""
    set_moments(
        story,
        published_at=datetime(2025, 2, 3, 10, 20, 30, tzinfo=UTC),
        modified_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        site_changed_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )

    response = client.get(story.get_absolute_url())

    assert response["Last-Modified"] == "Mon, 03 Feb 2025 10:20:30 GMT"


def test_story_page_answers_a_matching_if_none_match_with_304_in_one_query(
    client, story, django_assert_num_queries
):
    first = client.get(story.get_absolute_url())
    with django_assert_num_queries(1):  # the validators
        response = client.get(story.get_absolute_url(), headers={"if-none-match": first["ETag"]})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    assert_public_cache_headers(response)


def test_story_page_answers_if_modified_since_with_304(client, story):
    set_moments(
        story,
        published_at=datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC),
        modified_at=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
        site_changed_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    url = story.get_absolute_url()

    since_then = client.get(url, headers={"if-modified-since": "Thu, 02 Jan 2025 03:04:05 GMT"})
    a_second_before = client.get(
        url, headers={"if-modified-since": "Thu, 02 Jan 2025 03:04:04 GMT"}
    )

    assert since_then.status_code == 304
    assert a_second_before.status_code == 200


def test_stale_etag_gets_the_full_page(client, story):
    response = client.get(story.get_absolute_url(), headers={"if-none-match": '"stale"'})
    assert response.status_code == 200
    assert story.headline in response.content.decode()


def change_headline(article):
    article.headline = "A new headline"
    article.save()


def publish_an_annotation(article):
    note = AnnotationFactory(
        paragraph=article.blocks.paragraphs().get(), state=Annotation.State.DRAFT
    )
    note.state = Annotation.State.PUBLISHED
    note.save()


def unpublish_an_annotation(article):
    Annotation.objects.filter(article=article).update(state=Annotation.State.DRAFT)


def add_a_tag(article):
    # The admin's bulk action adds tags without saving the story.
    article.tags.add(TagFactory(name="coca", slug="coca"))


def swap_a_tag(article):
    article.tags.set([TagFactory(name="coca", slug="coca")])


def add_an_author(article):
    article.bylines.create(author=AuthorFactory(), position=5)


def pin_a_related_story(article):
    RelatedStory.objects.create(article=article, related=ArticleFactory(headline="Pinned"))


def edit_a_related_story(article):
    related = Article.objects.get(headline="Already related")
    related.headline = "Retitled related story"
    related.save()


def aside_target_comes_due(article):
    """A scheduled story an aside links to becomes public: the aside turns into a link."""
    target = Article.objects.get(headline="Scheduled target")
    Article.objects.filter(pk=target.pk).update(published_at=timezone.now() - timedelta(minutes=1))


@pytest.mark.parametrize(
    "change",
    [
        change_headline,
        publish_an_annotation,
        unpublish_an_annotation,
        add_a_tag,
        swap_a_tag,
        add_an_author,
        pin_a_related_story,
        edit_a_related_story,
        aside_target_comes_due,
    ],
)
def test_story_etag_changes_when_what_readers_see_changes(
    client, story, change, django_capture_on_commit_callbacks
):
    AnnotationFactory(paragraph=story.blocks.get())
    target = ArticleFactory(
        headline="Scheduled target", published_at=timezone.now() + timedelta(days=1)
    )
    AsideFactory(article=story, target_article=target)
    RelatedStory.objects.create(article=story, related=ArticleFactory(headline="Already related"))
    before = etag(client, story.get_absolute_url())
    assert etag(client, story.get_absolute_url()) == before  # stable while nothing changes

    with django_capture_on_commit_callbacks(execute=True):
        change(story)

    response = client.get(story.get_absolute_url(), headers={"if-none-match": before})
    assert response.status_code == 200
    assert response["ETag"] != before


def test_an_internal_note_never_reaches_a_revalidated_page(client, story):
    """Notes share a table with public ones, so an internal note moves the ETag on; the page
    a reader then gets still shows nothing of it."""
    before = etag(client, story.get_absolute_url())
    AnnotationFactory(
        paragraph=story.blocks.get(),
        body="Editors only: check with the ministry",
        state=Annotation.State.DRAFT,
    )
    response = client.get(story.get_absolute_url(), headers={"if-none-match": before})
    assert response.status_code == 200
    assertNotContains(response, "Editors only")


def test_story_page_for_signed_in_staff_is_never_cached(client, story):
    reader_etag = etag(client, story.get_absolute_url())
    client.force_login(StaffFactory())
    response = client.get(story.get_absolute_url(), headers={"if-none-match": reader_etag})
    assert response.status_code == 200
    assert_never_cached(response)


def test_staff_preview_of_a_draft_is_never_cached(client):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    client.force_login(StaffFactory())
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert_never_cached(response)


def test_draft_is_404_even_with_a_guessed_etag(client):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    response = client.get(draft.get_absolute_url(), headers={"if-none-match": "*"})
    assert response.status_code == 404


def test_cache_lifetimes_come_from_settings(client, story, settings):
    settings.NEWSROOM_CACHE_MAX_AGE = 5
    settings.NEWSROOM_CACHE_STALE_WHILE_REVALIDATE = 30
    response = client.get(story.get_absolute_url())
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {"public", "max-age=5", "stale-while-revalidate=30"}


LIST_PAGES = {
    # name: (url, queries for a 304: the content state alone, before any lookup)
    "front": ("/", 1),
    "section": ("/sections/world/", 1),
    "tag": ("/tags/peru/", 1),
    "author": ("/authors/kayla-ruble/", 1),
    "year": (None, 1),
    "month": (None, 1),
}


def list_url(name, story) -> str:
    url, _ = LIST_PAGES[name]
    if name == "year":
        return reverse("articles:archive-year", args=[timezone.localtime(story.published_at).year])
    if name == "month":
        local = timezone.localtime(story.published_at)
        return reverse("articles:archive-month", args=[local.year, local.month])
    return url


@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_page_answers_a_matching_if_none_match_with_304(
    client, story, name, django_assert_num_queries
):
    url = list_url(name, story)
    first = client.get(url)
    assert first.status_code == 200
    assert_public_cache_headers(first)
    with django_assert_num_queries(LIST_PAGES[name][1]):
        response = client.get(url, headers={"if-none-match": first["ETag"]})
    assert response.status_code == 304
    assert_public_cache_headers(response)


def add_story_like(story):
    ArticleFactory(
        section=story.section,
        authors=[story.bylines.get().author],
        tags=list(story.tags.all()),
        published_at=story.published_at,
    )


def scheduled_story_comes_due(story):
    Article.objects.filter(headline="Coming soon").update(published_at=story.published_at)


def edit_the_story(story):
    change_headline(story)


@pytest.mark.parametrize("change", [add_story_like, scheduled_story_comes_due, edit_the_story])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_page_etag_changes_when_its_stories_change(client, story, name, change):
    ArticleFactory(
        headline="Coming soon",
        section=story.section,
        authors=[story.bylines.get().author],
        tags=list(story.tags.all()),
        published_at=timezone.now() + timedelta(days=1),
    )
    url = list_url(name, story)
    before = etag(client, url)
    change(story)
    response = client.get(url, headers={"if-none-match": before})
    assert response.status_code == 200
    assert response["ETag"] != before


def test_section_etag_changes_when_its_description_changes(client, story):
    before = etag(client, "/sections/world/")
    story.section.description = "News from everywhere."
    story.section.save()
    assert etag(client, "/sections/world/") != before


def test_list_pages_for_signed_in_staff_are_never_cached(client, story):
    client.force_login(StaffFactory())
    for name in LIST_PAGES:
        response = client.get(list_url(name, story))
        assert response.status_code == 200
        assert_never_cached(response)
