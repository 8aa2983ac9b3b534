"""The guard over every model whose rows readers see: creating, changing and deleting one
through the admin purges exactly the pages that show it, and no others.

A small newsroom (two sections, two authors, two tags, two stories, a public note) has every
reader page cached; then one admin operation runs, committing as a browser's save does, and
each page is asked for again: a page that shows what changed must be rendered anew (a miss, or
a 404 for what is gone), every other page must still be a hit.
"""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Author, Note, Section, SocialProfile, Story, Tag
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

pytestmark = pytest.mark.django_db

PAGES = {
    "story-a": "/stories/coca-raid/",
    "story-b": "/stories/chess-final/",
    "front": "/",
    "section-world": "/sections/world/",
    "section-sport": "/sections/sport/",
    "tag-peru": "/tags/peru/",
    "tag-chess": "/tags/chess/",
    "author-kayla": "/authors/kayla-ruble/",
    "author-ana": "/authors/ana-perez/",
    "feed-world": "/sections/world/feed/rss/",
    "feed-sport": "/sections/sport/feed/rss/",
}
HTML = {name for name in PAGES if not name.startswith("feed")}
SHOWS_A = {"story-a", "front", "section-world", "tag-peru", "author-kayla", "feed-world"}
SHOWS_B = {"story-b", "front", "section-sport", "tag-chess", "author-ana", "feed-sport"}


@pytest.fixture
def newsroom(settings):
    settings.NEWSROOM_PAGE_CACHE = True
    caches[settings.NEWSROOM_PAGE_CACHE_ALIAS].clear()
    world = SectionFactory(name="World", slug="world", position=1)
    sport = SectionFactory(name="Sport", slug="sport", position=2)
    kayla = AuthorFactory(name="Kayla Ruble", slug="kayla-ruble")
    ana = AuthorFactory(name="Ana Perez", slug="ana-perez")
    published = timezone.now().replace(microsecond=0) - timedelta(days=2)
    a = StoryFactory(
        headline="Soldier killed in coca raid",
        slug="coca-raid",
        section=world,
        authors=[kayla],
        tags=[TagFactory(name="Peru", slug="peru")],
        published_at=published,
    )
    b = StoryFactory(
        headline="Chess final ends in a draw",
        slug="chess-final",
        section=sport,
        authors=[ana],
        tags=[TagFactory(name="Chess", slug="chess")],
        published_at=published - timedelta(hours=1),
    )
    ParagraphFactory(story=a, position=0, text="A soldier was killed on Saturday.")
    ParagraphFactory(story=b, position=0, text="The players agreed a draw.")
    NoteFactory(paragraph=a.blocks.get(), body="Figures from the ministry.")
    return {"a": a, "b": b, "world": world, "sport": sport, "kayla": kayla, "ana": ana}


@pytest.fixture
def admin(db):
    client = Client()
    client.force_login(StaffFactory(username="chief", is_superuser=True))
    return client


def warm(reader):
    for url in PAGES.values():
        reader.get(url)
        response = reader.get(url)
        assert response.status_code == 200, url
        assert response["X-Page-Cache"] == "hit", url


def purged_pages(reader) -> set[str]:
    """The pages rendered anew (or gone) since `warm`."""
    purged = set()
    for name, url in PAGES.items():
        response = reader.get(url)
        if response.status_code != 200 or response["X-Page-Cache"] != "hit":
            purged.add(name)
    return purged


def post(client, url, form_id: str, **changes):
    data = form_data(client.get(url), form_id)
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def delete(client, obj):
    url = reverse(f"admin:articles_{obj._meta.model_name}_delete", args=[obj.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:3000]


def add_url(model) -> str:
    return reverse(f"admin:articles_{model._meta.model_name}_add")


# Each case: an admin operation on the newsroom, and the pages that show what it changes.


def rename_section(admin, n):
    post(admin, change_url(n["world"]), "section_form", name="Americas")


def create_section(admin, n):
    post(admin, add_url(Section), "section_form", name="Opinion", slug="opinion", position="3")


def delete_section(admin, n):
    delete(admin, SectionFactory(name="Empty", slug="empty"))


def change_author(admin, n):
    post(admin, change_url(n["kayla"]), "author_form", name="Kayla R. Ruble")


def create_author(admin, n):
    post(admin, add_url(Author), "author_form", name="New Hire", slug="new-hire")


def delete_author(admin, n):
    delete(admin, AuthorFactory(name="Left the paper", slug="left"))


def add_social_profile(admin, n):
    post(
        admin,
        change_url(n["kayla"]),
        "author_form",
        **{
            "social_profiles-0-network": "mastodon",
            "social_profiles-0-url": "https://example.social/@kayla",
            "social_profiles-0-position": "0",
            "social_profiles-TOTAL_FORMS": "1",
        },
    )


def rename_tag(admin, n):
    post(admin, change_url(Tag.objects.get(slug="peru")), "tag_form", name="Perú")


def create_tag(admin, n):
    post(admin, add_url(Tag), "tag_form", name="Coca", slug="coca")


def delete_tag(admin, n):
    delete(admin, Tag.objects.get(slug="peru"))


def change_story(admin, n):
    post(admin, change_url(n["a"]), "story_form", dek="A new standfirst.")


def create_draft(admin, n):
    post(
        admin,
        add_url(Story),
        "story_form",
        headline="Scoop in progress",
        slug="scoop",
        section=str(n["sport"].pk),
        status="draft",
    )


def create_published_story(admin, n):
    when = timezone.localtime(timezone.now() - timedelta(hours=1))
    post(
        admin,
        add_url(Story),
        "story_form",
        headline="Second chess final",
        slug="second-chess-final",
        section=str(n["sport"].pk),
        status="published",
        published_at_0=when.strftime("%Y-%m-%d"),
        published_at_1=when.strftime("%H:%M:%S"),
    )


def change_draft(admin, n):
    draft = StoryFactory(status=Story.Status.DRAFT, section=n["world"], slug="draft")
    post(admin, change_url(draft), "story_form", headline="Still a draft")


def delete_story(admin, n):
    delete(admin, n["b"])


def change_public_note(admin, n):
    note = Note.objects.get(state=Note.State.PUBLISHED)
    post(admin, change_url(note), "note_form", body="Figures from the defence ministry.")


def change_internal_note(admin, n):
    note = NoteFactory(paragraph=n["a"].blocks.get(), kind=Note.Kind.INTERNAL)
    post(admin, change_url(note), "note_form", body="Editors only: call back.")


def delete_public_note(admin, n):
    delete(admin, Note.objects.get(state=Note.State.PUBLISHED))


CASES = {
    # The section menu is in every page's header; a feed names its section too.
    rename_section: HTML | {"feed-world"},
    create_section: HTML,
    delete_section: HTML,
    change_author: SHOWS_A,
    create_author: set(),
    delete_author: set(),
    add_social_profile: SHOWS_A,
    # A story's tag names are on its page and in its feed items; cards show none.
    rename_tag: {"story-a", "tag-peru", "feed-world"},
    create_tag: set(),
    delete_tag: {"story-a", "tag-peru", "feed-world"},
    change_story: SHOWS_A,
    create_draft: set(),
    create_published_story: {"front", "section-sport", "feed-sport"},
    change_draft: set(),
    delete_story: SHOWS_B,
    change_public_note: {"story-a"},
    change_internal_note: set(),
    delete_public_note: {"story-a"},
}


@pytest.mark.parametrize("operation", CASES, ids=[case.__name__ for case in CASES])
def test_an_admin_change_purges_exactly_the_pages_that_show_it(
    newsroom, admin, operation, django_capture_on_commit_callbacks
):
    reader = Client()
    warm(reader)

    with django_capture_on_commit_callbacks(execute=True):
        operation(admin, newsroom)

    assert purged_pages(reader) == CASES[operation]


def test_changing_and_deleting_a_social_profile_purges_its_authors_pages(
    newsroom, admin, django_capture_on_commit_callbacks
):
    profile = SocialProfile.objects.create(
        author=newsroom["ana"], network="mastodon", url="https://example.social/@ana"
    )
    reader = Client()
    warm(reader)
    with django_capture_on_commit_callbacks(execute=True):
        post(
            admin,
            change_url(newsroom["ana"]),
            "author_form",
            **{"social_profiles-0-url": "https://example.social/@ana.perez"},
        )
    assert purged_pages(reader) == SHOWS_B
    warm(reader)
    with django_capture_on_commit_callbacks(execute=True):
        post(
            admin, change_url(newsroom["ana"]), "author_form", **{"social_profiles-0-DELETE": "on"}
        )
    assert not SocialProfile.objects.filter(pk=profile.pk).exists()
    assert purged_pages(reader) == SHOWS_B


def test_a_social_profile_written_outside_the_admin_purges_its_authors_pages(
    newsroom, django_capture_on_commit_callbacks
):
    """The admin also saves the author, which purges the same pages; a script does not."""
    reader = Client()
    warm(reader)
    with django_capture_on_commit_callbacks(execute=True):
        SocialProfile.objects.create(
            author=newsroom["ana"], network="mastodon", url="https://example.social/@ana"
        )
    assert purged_pages(reader) == SHOWS_B
