"""The synthetic corpus: the shape of a real archive, the same stories for the same seed, and
pages, search and related lists that work on it."""

import io
import statistics
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from articles.data.corpus import YEARS, Zipf, author_names, generate_corpus, tag_names
from articles.models import (
    Author,
    Block,
    Note,
    RelatedStory,
    Section,
    Story,
    Tag,
    TaggedStory,
)

STORIES = 60
NOW = timezone.now().replace(minute=0, second=0, microsecond=0)


@pytest.fixture
def corpus(db):
    return generate_corpus(stories=STORIES, seed=7, batch_size=25, now=NOW)


def test_it_writes_the_stories_with_authors_sections_and_tags(corpus):
    assert Story.objects.count() == corpus.stories == STORIES
    assert Section.objects.count() == 12
    assert Author.objects.count() == corpus.authors == 3  # one per 40 stories, at least 3
    assert Tag.objects.count() == corpus.tags == 30
    assert Block.objects.count() == corpus.blocks
    assert Note.objects.count() == corpus.notes
    assert all(story.bylines.exists() for story in Story.objects.all())


def test_mostly_published_over_fifteen_years_with_a_few_drafts_or_scheduled(corpus):
    published = Story.objects.published()
    assert published.count() >= STORIES * 0.9
    assert corpus.published == Story.objects.filter(status=Story.Status.PUBLISHED).count()
    dates = sorted(published.values_list("published_at", flat=True))
    assert dates[0] >= NOW - timedelta(days=YEARS * 366)
    assert dates[-1] <= NOW
    assert dates[-1] - dates[0] > timedelta(days=5 * 365)


def test_every_story_has_8_to_40_paragraphs(corpus):
    counts = Story.objects.annotate(
        paragraphs=Count("blocks", filter=Q(blocks__kind=Block.Kind.PARAGRAPH))
    ).values_list("paragraphs", flat=True)
    assert min(counts) >= 8
    assert max(counts) <= 40
    assert max(counts) - min(counts) >= 10  # spread, not one length


def test_block_keys_are_unique_in_each_story(corpus):
    assert not (
        Block.objects.values("story", "key").annotate(n=Count("id")).filter(n__gt=1).exists()
    )


def test_asides_mostly_link_earlier_stories(corpus):
    asides = Block.objects.asides()
    assert asides.count() >= STORIES // 2
    linked = asides.filter(target_story__isnull=False)
    assert linked.count() >= asides.count() // 3
    assert all(aside.target_story_id < aside.story_id for aside in linked)


def test_notes_are_in_every_review_state_and_anchored_on_their_text(corpus):
    notes = Note.objects.select_related("paragraph")
    states = Counter(notes.values_list("state", flat=True))
    assert set(states) == set(Note.State.values)
    for note in notes:
        assert note.paragraph.text[note.start : note.end] == note.quote_exact
        assert note.body_html.startswith("<p>")


def test_tags_are_long_tailed(corpus):
    counts = sorted(
        TaggedStory.objects.values("tag").annotate(n=Count("id")).values_list("n", flat=True),
        reverse=True,
    )
    assert counts[0] >= 4 * statistics.median(counts)


def test_at_full_size_a_few_tags_are_on_tens_of_thousands_of_stories_and_most_on_a_few():
    """The tag distribution at 100,000 stories (about 3.5 tags each), drawn without the database."""
    import random

    rng = random.Random(1)
    zipf = Zipf(4000, 1.1)
    stories_per_tag = Counter()
    for _ in range(100_000):
        stories_per_tag.update(
            {zipf.draw(rng) for _ in range(rng.choice([1, 2, 3, 3, 4, 4, 5, 6]))}
        )
    counts = sorted(stories_per_tag.values(), reverse=True)
    assert counts[0] > 30_000
    assert sum(1 for n in counts if n >= 10_000) <= 10
    assert statistics.median(counts) < 30


def test_names_are_distinct_and_plausible():
    import random

    names = author_names(2500, random.Random(1))
    assert len(set(names)) == 2500
    assert all(" " in name for name in names)
    tags = tag_names(4000, random.Random(1))
    assert len({tag.lower() for tag in tags}) == 4000


def snapshot() -> list:
    return [
        (
            story.headline,
            story.slug,
            story.status,
            story.published_at,
            sorted(story.tags.names()),
            [author.name for author in story.authors.order_by("bylines__position")],
            list(story.blocks.order_by("position").values_list("key", "text", "teaser")),
        )
        for story in Story.objects.order_by("id")
    ]


@pytest.mark.django_db
def test_the_same_seed_writes_the_same_stories():
    generate_corpus(stories=12, seed=3, now=NOW, related=0)
    first = snapshot()
    Story.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()

    generate_corpus(stories=12, seed=3, now=NOW, related=0)

    assert snapshot() == first
    Story.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    generate_corpus(stories=12, seed=4, now=NOW, related=0)
    assert snapshot() != first


def test_stories_are_searchable_and_have_related_lists(client, corpus):
    assert RelatedStory.objects.exists()
    story = Story.objects.published().order_by("-published_at").first()
    response = client.get(reverse("articles:search"), {"q": story.headline})
    assert response.status_code == 200
    assert story.get_absolute_url() in response.content.decode()


def test_pages_render_on_the_corpus(client, corpus):
    story = Story.objects.published().order_by("-published_at").first()
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    for paragraph in story.blocks.paragraphs()[:3]:
        assert paragraph.text.replace("“", "").split(" ")[0] in body

    tag = story.tags.first()
    author = story.authors.first()
    for url in (
        reverse("articles:front"),
        reverse("articles:section", kwargs={"slug": story.section.slug}),
        reverse("articles:tag", kwargs={"slug": tag.slug}),
        reverse("articles:author", kwargs={"slug": author.slug}),
        reverse(
            "articles:archive-year", kwargs={"year": timezone.localtime(story.published_at).year}
        ),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert story.headline.replace("'", "&#x27;") in response.content.decode(), url


def test_a_batch_is_written_again_when_the_connection_drops(db, monkeypatch):
    """A long load outlives a database restart: the failed batch rolls back and is retried."""
    real_bulk_create = Block.objects.bulk_create.__func__
    failures = []

    def flaky_bulk_create(manager, objs, *args, **kwargs):
        if not failures:
            failures.append(1)
            raise OperationalError("server closed the connection unexpectedly")
        return real_bulk_create(manager, objs, *args, **kwargs)

    monkeypatch.setattr(type(Block.objects), "bulk_create", flaky_bulk_create)
    monkeypatch.setattr("articles.data.corpus.time.sleep", lambda seconds: None)
    monkeypatch.setattr("articles.data.corpus.connection.close", lambda: None)

    report = generate_corpus(stories=8, seed=5, now=NOW, related=0)

    assert failures == [1]
    assert Story.objects.count() == 8
    assert Block.objects.count() == report.blocks
    assert not Block.objects.exclude(story__in=Story.objects.all()).exists()
    assert Note.objects.count() == report.notes
    for note in Note.objects.select_related("paragraph"):
        assert note.paragraph.story_id == note.story_id


def test_command_reports_what_it_wrote(db):
    out = io.StringIO()
    call_command(
        "generate_corpus", "--stories", "5", "--seed", "2", "--related", "none", stdout=out
    )
    assert "Wrote 5 stories" in out.getvalue()
    assert Story.objects.count() == 5
    assert not RelatedStory.objects.exists()


@pytest.mark.parametrize(
    "arguments",
    [
        ["--stories", "0"],
        ["--stories", "5", "--batch", "0"],
        ["--stories", "5", "--related", "some"],
    ],
)
def test_command_refuses_nonsense(db, arguments):
    with pytest.raises(CommandError):
        call_command("generate_corpus", *arguments)
