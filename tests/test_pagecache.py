"""The page cache for anonymous readers: hits ask no database, and every change an editor makes
to what a page shows (a headline, a public note, a tag, a related story's headline, a new story
on a list), through the services and screens that make it, is seen on the very next request.

Changes run their on-commit callbacks as production does (`django_capture_on_commit_callbacks
(execute=True)`): the purge happens after the commit, and a test without it would see none."""

import time
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.editing.publishing import publish_stories, unpublish_stories
from articles.editing.tagging import add_tags
from articles.models import Note, RelatedStory, Story
from articles.notes.review import publish_note
from tests.factories import (
    AuthorFactory,
    NoteFactory,
    ParagraphFactory,
    SectionFactory,
    StaffFactory,
    StoryFactory,
    TagFactory,
)
from tests.test_admin import change_url, form_data
from tests.tools import LOCAL_REDIS, require_redis

pytestmark = pytest.mark.django_db

CACHE_HEADER = "X-Page-Cache"


@pytest.fixture(autouse=True)
def empty_page_cache(settings):
    """Each test starts with an empty page cache, switched on whatever the environment says."""
    settings.NEWSROOM_PAGE_CACHE = True
    caches[settings.NEWSROOM_PAGE_CACHE_ALIAS].clear()
    yield
    caches[settings.NEWSROOM_PAGE_CACHE_ALIAS].clear()


@pytest.fixture
def reader():
    """An anonymous reader with a client of their own (the editor has another)."""
    return Client()


@pytest.fixture
def editor_browser(db):
    client = Client()
    client.force_login(StaffFactory(username="desk-editor", groups=["Editors"]))
    return client


@pytest.fixture
def related():
    return StoryFactory(
        headline="Coca growers march on Lima",
        slug="coca-growers-march",
        published_at=timezone.now() - timedelta(days=3),
    )


@pytest.fixture
def story(related):
    """A story with a dozen paragraphs, a byline, two tags, a public note and a related story."""
    story = StoryFactory(
        headline="Peruvian soldier killed in shootout",
        slug="peruvian-soldier-killed",
        section=SectionFactory(name="World", slug="world"),
        authors=[AuthorFactory(name="Kayla Ruble", slug="kayla-ruble")],
        tags=[TagFactory(name="Peru", slug="peru"), TagFactory(name="VRAEM", slug="vraem")],
        published_at=timezone.now() - timedelta(days=2),
    )
    paragraphs = [
        ParagraphFactory(story=story, position=n, text=f"Paragraph {n} of the story text.")
        for n in range(12)
    ]
    NoteFactory(paragraph=paragraphs[0], body="Background for readers.")
    RelatedStory.objects.create(story=story, related=related, position=0)
    return story


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response


def assert_miss_then_hit(client, url, django_assert_num_queries):
    """The first request renders and stores the page; the second is a hit, answered before the
    view runs, that asks the database nothing."""
    first = get(client, url)
    assert first[CACHE_HEADER] == "miss"
    with django_assert_num_queries(0):
        second = get(client, url)
    assert second[CACHE_HEADER] == "hit"
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second["Last-Modified"] == first["Last-Modified"]
    assert second["Cache-Control"] == first["Cache-Control"]
    return second


def test_story_page_hit_asks_no_database(reader, story, django_assert_num_queries):
    hit = assert_miss_then_hit(reader, story.get_absolute_url(), django_assert_num_queries)
    assertContains(
        hit,
        '<h1 class="headline" id="headline">Peruvian soldier killed in shootout</h1>',
        html=True,
    )
    # Headers added by middleware are added to hits too.
    assert "default-src 'self'" in hit["Content-Security-Policy"]
    assert "Cookie" in hit["Vary"]


def test_head_request_is_served_from_the_cache(reader, story):
    get(reader, story.get_absolute_url())
    response = reader.head(story.get_absolute_url())
    assert response.status_code == 200
    assert response[CACHE_HEADER] == "hit"


@pytest.mark.parametrize(
    "name", ["front", "section", "tag", "author", "archive-year", "archive-month"]
)
def test_list_pages_hit_asks_no_database(reader, story, name, django_assert_num_queries):
    url = list_url(name, story)
    hit = assert_miss_then_hit(reader, url, django_assert_num_queries)
    assertContains(hit, story.headline)


@pytest.mark.parametrize(
    "url",
    [
        "/feed/rss/",
        "/sections/world/feed/atom/",
        "/tags/peru/feed/rss/",
        "/authors/kayla-ruble/feed/atom/",
        "/sitemap.xml",
        "/sitemap-stories.xml",
        "/news-sitemap.xml",
        "/search/?q=soldier",
    ],
)
def test_feeds_sitemaps_and_search_hit_asks_no_database(
    reader, story, url, django_assert_num_queries
):
    hit = assert_miss_then_hit(reader, url, django_assert_num_queries)
    assert hit["Surrogate-Key"]


def list_url(name: str, story: Story) -> str:
    published = timezone.localtime(story.published_at)
    kwargs = {
        "front": {},
        "section": {"slug": "world"},
        "tag": {"slug": "peru"},
        "author": {"slug": "kayla-ruble"},
        "archive-year": {"year": published.year},
        "archive-month": {"year": published.year, "month": published.month},
    }[name]
    return reverse(f"articles:{name}", kwargs=kwargs)


def save_in_admin(client, obj, form_id: str, **changes) -> None:
    """Post the object's admin change form with `changes`, committing as a browser's save does
    (the purge runs after the commit)."""
    data = form_data(client.get(change_url(obj)), form_id)
    data.update(changes)
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_editor_saving_a_headline_in_the_admin_is_seen_at_once(
    reader, editor_browser, story, django_capture_on_commit_callbacks
):
    get(reader, story.get_absolute_url())
    assert get(reader, story.get_absolute_url())[CACHE_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        save_in_admin(
            editor_browser, story, "story_form", headline="Soldier killed in the coca valley"
        )

    response = get(reader, story.get_absolute_url())
    assert response[CACHE_HEADER] == "miss"
    assertContains(
        response,
        '<h1 class="headline" id="headline">Soldier killed in the coca valley</h1>',
        html=True,
    )
    assertNotContains(response, "Peruvian soldier killed in shootout")


def publish_a_note(story: Story, editor) -> str:
    note = NoteFactory(
        paragraph=story.blocks.paragraphs().get(position=3),
        body="Figures from the defense ministry.",
        state=Note.State.DRAFT,
    )
    publish_note(note=note, version=note.version, user=editor)
    return "Figures from the defense ministry."


def add_a_tag(story: Story, editor) -> str:
    # The admin's bulk action: the story row itself is not saved.
    add_tags(story_ids=[story.pk], names=["Coca farming"], user=editor)
    return "Coca farming"


def rename_the_related_story(story: Story, editor) -> str:
    related = Story.objects.get(slug="coca-growers-march")
    client = Client()
    client.force_login(editor)
    save_in_admin(client, related, "story_form", headline="Coca growers end their march")
    return "Coca growers end their march"


def change_the_headline(story: Story, editor) -> str:
    client = Client()
    client.force_login(editor)
    save_in_admin(client, story, "story_form", headline="Soldier killed in the coca valley")
    return "Soldier killed in the coca valley"


@pytest.mark.parametrize(
    "change", [change_the_headline, publish_a_note, add_a_tag, rename_the_related_story]
)
def test_a_change_to_what_the_story_shows_makes_the_next_request_a_miss(
    reader, story, change, editor, django_capture_on_commit_callbacks
):
    get(reader, story.get_absolute_url())
    assert get(reader, story.get_absolute_url())[CACHE_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        shown = change(story, editor)

    response = get(reader, story.get_absolute_url())
    assert response[CACHE_HEADER] == "miss"
    assertContains(response, shown)
    assert get(reader, story.get_absolute_url())[CACHE_HEADER] == "hit"


@pytest.mark.parametrize("name", ["front", "section", "tag", "author", "archive-month"])
def test_a_newly_published_story_shows_on_cached_lists_at_once(
    reader, story, name, editor, django_capture_on_commit_callbacks
):
    url = list_url(name, story)
    get(reader, url)
    assert get(reader, url)[CACHE_HEADER] == "hit"
    draft = StoryFactory(
        headline="Second soldier dies of his wounds",
        status=Story.Status.DRAFT,
        section=story.section,
        authors=[story.bylines.get().author],
        tags=[story.tags.get(slug="peru")],
        published_at=story.published_at + timedelta(minutes=1),
    )
    assert get(reader, url)[CACHE_HEADER] == "hit"  # a draft is on no page

    with django_capture_on_commit_callbacks(execute=True):
        publish_stories(story_ids=[draft.pk], user=editor)

    response = get(reader, url)
    assert response[CACHE_HEADER] == "miss"
    assertContains(response, "Second soldier dies of his wounds")


@pytest.mark.parametrize("name", ["front", "section", "tag", "author"])
def test_unpublished_story_is_gone_at_once(
    reader, story, name, editor, django_capture_on_commit_callbacks
):
    for url in (story.get_absolute_url(), list_url(name, story)):
        get(reader, url)
        assert get(reader, url)[CACHE_HEADER] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        unpublish_stories(story_ids=[story.pk], user=editor)

    assert reader.get(story.get_absolute_url()).status_code == 404
    # A tag or author only drafts carry is a 404 too.
    response = reader.get(list_url(name, story))
    assert response.status_code in (200, 404)
    assert story.headline not in response.content.decode()


def test_staff_pages_are_never_cached_nor_served_from_the_cache(reader, editor_browser, story):
    get(reader, story.get_absolute_url())  # a cached copy for readers exists
    for url in (story.get_absolute_url(), reverse("articles:front")):
        response = get(editor_browser, url)
        assert CACHE_HEADER not in response
        assert "no-store" in response["Cache-Control"]


def test_draft_preview_is_never_cached(editor_browser, story):
    draft = StoryFactory(headline="Unpublished scoop", status=Story.Status.DRAFT)
    ParagraphFactory(story=draft)
    response = get(editor_browser, draft.get_absolute_url())
    assert CACHE_HEADER not in response
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_requests_with_a_session_cookie_skip_the_cache(reader, story, settings):
    get(reader, story.get_absolute_url())
    reader.cookies[settings.SESSION_COOKIE_NAME] = "not-a-real-session"
    response = get(reader, story.get_absolute_url())
    assert CACHE_HEADER not in response


def test_query_parameters_the_page_reads_and_host_are_part_of_the_key(reader, story):
    url = reverse("articles:front")
    get(reader, url)
    assert get(reader, url + "?page=1")[CACHE_HEADER] == "miss"
    # Parameters no page reads reuse the page instead of filling the cache.
    assert get(reader, url + "?utm_source=newsletter")[CACHE_HEADER] == "hit"
    assert get(reader, url + "?x=2&page=1")[CACHE_HEADER] == "hit"
    assert get(reader, story.get_absolute_url())[CACHE_HEADER] == "miss"
    assert get(reader, story.get_absolute_url() + "?page=3")[CACHE_HEADER] == "hit"
    # Canonical links are absolute: another host name renders its own copy.
    assert get(reader, url, host="localhost")[CACHE_HEADER] == "miss"
    assert get(reader, url)[CACHE_HEADER] == "hit"


def test_a_conditional_request_gets_a_304_from_a_hit_without_the_database(
    reader, story, django_assert_num_queries
):
    first = get(reader, story.get_absolute_url())
    with django_assert_num_queries(0):
        response = reader.get(story.get_absolute_url(), headers={"if-none-match": first["ETag"]})
        since = reader.get(
            story.get_absolute_url(), headers={"if-modified-since": first["Last-Modified"]}
        )
    assert response.status_code == 304
    assert since.status_code == 304


def test_entries_expire_after_the_ttl(reader, story, settings):
    settings.NEWSROOM_PAGE_CACHE_TTL = 1
    get(reader, story.get_absolute_url())
    assert get(reader, story.get_absolute_url())[CACHE_HEADER] == "hit"
    time.sleep(1.1)
    assert get(reader, story.get_absolute_url())[CACHE_HEADER] == "miss"


def test_setting_turns_the_page_cache_off(reader, story, settings, django_assert_num_queries):
    settings.NEWSROOM_PAGE_CACHE = False
    get(reader, story.get_absolute_url())
    # The full page (see test_story_page) and the section menu: in local memory nothing is kept
    # while the page cache is off (`store.in_use`).
    with django_assert_num_queries(8):
        response = get(reader, story.get_absolute_url())
    assert CACHE_HEADER not in response


def test_two_app_hosts_share_pages_through_redis_and_see_an_edit_at_once(
    story, settings, django_capture_on_commit_callbacks
):
    """Two hosts (two cache connections, as two processes have) share one Redis: a page one
    renders is a hit on the other, and an editor's change is seen by both on the next request.
    Skipped where no Redis runs, except under CI, which starts one."""
    require_redis()
    from django.core.cache.backends.redis import RedisCache

    options = {"KEY_PREFIX": f"test-pages-{time.monotonic_ns()}"}
    settings.CACHES = {
        **settings.CACHES,
        "host-a": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": LOCAL_REDIS,
            **options,
        },
        "host-b": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": LOCAL_REDIS,
            **options,
        },
    }
    assert isinstance(caches["host-a"], RedisCache) and caches["host-a"] is not caches["host-b"]
    url = story.get_absolute_url()
    try:
        settings.NEWSROOM_PAGE_CACHE_ALIAS = "host-a"
        assert get(Client(), url)[CACHE_HEADER] == "miss"
        settings.NEWSROOM_PAGE_CACHE_ALIAS = "host-b"
        assert get(Client(), url)[CACHE_HEADER] == "hit"

        with django_capture_on_commit_callbacks(execute=True):
            change_the_headline(story, StaffFactory(username="desk", groups=["Editors"]))

        for alias in ("host-a", "host-b"):
            settings.NEWSROOM_PAGE_CACHE_ALIAS = alias
            response = get(Client(), url)
            assertContains(response, "Soldier killed in the coca valley")
        assert response[CACHE_HEADER] == "hit"  # host-a rendered it, host-b was served it
    finally:
        caches["host-a"].clear()
