"""The content generation: every committed change readers could see moves it on, once per
transaction and only after the commit; editors' own rows and rolled-back work do not."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.caching import generation
from articles.models import AnnotationReply, Article, Section, Tag
from articles.pages.dates import age_banner, next_banner_change
from tests.factories import (
    AnnotationFactory,
    ArticleFactory,
    AuthorFactory,
    ParagraphFactory,
    StaffFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def current() -> generation.State:
    return generation.read_state()


@pytest.fixture
def story():
    story = ArticleFactory(headline="Soldier killed in coca raid")
    ParagraphFactory(article=story, text="A soldier was killed on Saturday.")
    return story


def test_a_write_outside_a_transaction_moves_the_generation_at_once():
    before = current()
    Section.objects.create(name="Opinion", slug="opinion")
    after = current()
    assert after.generation == before.generation + 1
    assert after.changed_at >= before.changed_at


def test_a_transaction_moves_it_once_and_only_after_commit(
    story, django_capture_on_commit_callbacks
):
    before = current().generation
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        story.headline = "Second soldier dies"
        story.save()
        ParagraphFactory(article=story, position=2)
        story.tags.add(TagFactory(name="Peru", slug="peru"))
        assert current().generation == before  # not before the commit
    assert len([c for c in callbacks if isinstance(c, generation._BumpAfterCommit)]) == 1
    assert current().generation == before + 1


def test_a_rolled_back_transaction_does_not_move_it(story, django_capture_on_commit_callbacks):
    before = current().generation
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        story.headline = "Never saved"
        story.save()
        raise RuntimeError("the editor's request failed")
    assert current().generation == before


def test_a_write_in_a_rolled_back_savepoint_still_bumps_once_for_the_rest(
    story, django_capture_on_commit_callbacks
):
    before = current().generation
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            story.headline = "Undone"
            story.save()
            raise RuntimeError
        # The first callback went with the savepoint; this write needs one of its own.
        ParagraphFactory(article=story, position=2)
    assert current().generation == before + 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda story: Section.objects.update(name="World news"), id="section-renamed"),
        pytest.param(lambda story: Tag.objects.create(name="Coca", slug="coca"), id="tag-created"),
        pytest.param(
            lambda story: AuthorFactory(name="Kayla Ruble", slug="kayla-ruble"), id="author"
        ),
        pytest.param(
            lambda story: Article.objects.filter(pk=story.pk).update(status="draft"),
            id="bulk-unpublish",
        ),
        pytest.param(lambda story: story.blocks.all().delete(), id="blocks-deleted"),
        pytest.param(
            lambda story: AnnotationFactory(paragraph=story.blocks.get()), id="note-added"
        ),
    ],
)
def test_writes_to_what_readers_see_move_it(story, change, django_capture_on_commit_callbacks):
    before = current().generation
    with django_capture_on_commit_callbacks(execute=True):
        change(story)
    assert current().generation > before


def test_editors_discussion_and_history_do_not_move_it(story):
    note = AnnotationFactory(paragraph=story.blocks.get())
    before = current().generation
    AnnotationReply.objects.create(
        annotation=note, author=StaffFactory(), body="Checked with the ministry."
    )
    assert current().generation == before


def test_raw_sql_writes_are_seen_too(story):
    before = current().generation
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_block SET text = %s WHERE article_id = %s", ["Edited", story.pk]
        )
    assert current().generation == before + 1


def test_reads_do_not_move_it(story, client):
    before = current().generation
    client.get(story.get_absolute_url())
    client.get("/")
    assert current().generation == before


def test_a_scheduled_story_coming_due_changes_the_state_without_a_write(story):
    due = ArticleFactory(published_at=timezone.now() + timedelta(seconds=1))
    before = current()
    Article.objects.filter(pk=due.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    after = current()
    assert after.latest_due == Article.objects.get(pk=due.pk).published_at
    assert after.token != before.token


def test_state_survives_a_missing_row():
    """A flush (between transactional tests) removes the row; the next write recreates it."""
    from articles.models import ContentState

    ContentState.objects.all().delete()
    assert current().generation == 0
    Section.objects.create(name="Sport", slug="sport")
    assert current().generation == 1


def test_an_etag_from_one_page_is_not_honoured_on_another(story):
    client = Client()
    front = client.get("/")
    other = ArticleFactory(status=Article.Status.DRAFT)
    response = client.get(other.get_absolute_url(), headers={"if-none-match": front["ETag"]})
    assert response.status_code == 404
    tag = TagFactory(name="Peru", slug="peru")
    story.tags.add(tag)
    response = client.get(tag.get_absolute_url(), headers={"if-none-match": front["ETag"]})
    assert response.status_code == 200


def test_renaming_a_section_shows_on_every_cached_page_at_once(story, settings):
    settings.NEWSROOM_PAGE_CACHE = True
    reader = Client()
    reader.get(story.get_absolute_url())
    assert reader.get(story.get_absolute_url())["X-Page-Cache"] == "hit"
    story.section.name = "Americas"
    story.section.save()
    response = reader.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assertContains(response, "Americas")


# The age banner's own clock ------------------------------------------------------------------

PUBLISHED = datetime(2014, 6, 20, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "change", "until_then", "from_then"),
    [
        (
            datetime(2014, 6, 21, tzinfo=UTC),
            datetime(2015, 6, 20, 14, 30, tzinfo=UTC),
            "",
            "This story is over 1 year old",
        ),
        (
            datetime(2026, 6, 20, 14, 29, tzinfo=UTC),
            datetime(2026, 6, 20, 14, 30, tzinfo=UTC),
            "This story is over 11 years old",
            "This story is over 12 years old",
        ),
        (
            datetime(2026, 6, 20, 14, 30, tzinfo=UTC),
            datetime(2027, 6, 20, 14, 30, tzinfo=UTC),
            "This story is over 12 years old",
            "This story is over 13 years old",
        ),
        (
            datetime(2026, 11, 26, tzinfo=UTC),
            datetime(2027, 6, 20, 14, 30, tzinfo=UTC),
            "This story is over 12 years old",
            "This story is over 13 years old",
        ),
    ],
)
def test_next_banner_change_is_the_next_anniversary(now, change, until_then, from_then):
    assert next_banner_change(PUBLISHED, now=now) == change
    assert age_banner(PUBLISHED, now=now) == until_then
    assert age_banner(PUBLISHED, now=change - timedelta(microseconds=1)) == until_then
    assert age_banner(PUBLISHED, now=change) == from_then


def test_a_leap_day_story_ages_on_march_first_in_other_years():
    leap = datetime(2016, 2, 29, 9, 0, tzinfo=UTC)
    change = next_banner_change(leap, now=datetime(2016, 3, 1, tzinfo=UTC))
    assert change == datetime(2017, 3, 1, tzinfo=UTC)
    assert age_banner(leap, now=change - timedelta(microseconds=1)) == ""
    assert age_banner(leap, now=change) == "This story is over 1 year old"


def test_a_cached_story_page_is_not_served_past_its_banner_change(settings, monkeypatch):
    settings.NEWSROOM_PAGE_CACHE = True
    story = ArticleFactory(published_at=datetime(2024, 6, 20, 14, 30, tzinfo=UTC))
    ParagraphFactory(article=story)
    reader = Client()
    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 6, 20, 14, 29, 59, tzinfo=UTC))
    first = reader.get(story.get_absolute_url())
    assertNotContains(first, 'class="age-banner"')
    assert reader.get(story.get_absolute_url())["X-Page-Cache"] == "hit"

    monkeypatch.setattr(timezone, "now", lambda: datetime(2025, 6, 20, 14, 30, 1, tzinfo=UTC))
    response = reader.get(story.get_absolute_url())

    assert response["X-Page-Cache"] == "miss"
    assertContains(response, '<p class="age-banner">This story is over 1 year old</p>', html=True)


def test_the_section_menu_is_read_once_per_state_and_follows_a_rename(
    story, settings, django_assert_num_queries
):
    settings.NEWSROOM_PAGE_CACHE = False
    reader = Client()
    assertContains(reader.get("/"), f">{story.section.name}</a>")
    # state, page, bylines, image renditions: the count and menu are kept
    with django_assert_num_queries(4):
        reader.get("/")
    story.section.name = "Americas"
    story.section.save()
    response = reader.get("/")
    assertContains(response, ">Americas</a>")


@pytest.mark.django_db(transaction=True)
def test_migrating_moves_the_generation_on():
    """A data migration may change what readers see; pages cached before it must not survive."""
    from django.core.management import call_command

    before = current().generation
    call_command("migrate", verbosity=0)
    assert current().generation == before + 1
