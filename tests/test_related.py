"""Related stories: rarity-weighted tags, text similarity and recency; what readers see; the
editors' pins, exclusions and reasons; recomputing on import and in bulk; aside suggestions.

Every test runs on the database the suite runs on: PostgreSQL (the stored weighted tsvector) or
SQLite (FTS5); `articles.related.matching` picks the engine by `connection.vendor`.
"""

import html
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from articles.data.plaintext import import_story_file
from articles.editing.refresh import stories_changed_on_commit
from articles.models import Block, RelatedStory, Section, Story
from articles.related import scoring
from articles.related.compute import recompute_related
from articles.related.suggest import suggest_targets
from articles.search.index import index_stories
from tests.factories import AsideFactory, ParagraphFactory, SectionFactory, StoryFactory
from tests.tasks import queued, run_worker
from tests.test_admin import change_url, form_data, messages_of
from tests.tools import html_errors

pytestmark = pytest.mark.django_db

PINNED, COMPUTED, EXCLUDED = (
    RelatedStory.Source.PINNED,
    RelatedStory.Source.COMPUTED,
    RelatedStory.Source.EXCLUDED,
)
COCA_TEXT = (
    "The battle between military forces and armed drug traffickers in the VRAEM valley "
    "resulted in the seizure of coca paste hidden in backpacks."
)


@pytest.fixture(autouse=True)
def render_every_page(settings):
    """These tests are about what a render shows, after writes made straight to the rows: the
    page cache (purged by the services, see test_invalidation) stays out of the way."""
    settings.NEWSROOM_PAGE_CACHE = False


def story(headline: str, *, body=(), tags=(), days_ago: float = 1, **fields) -> Story:
    """A story with paragraphs `body` and tags `tags`, published `days_ago` days ago."""
    fields.setdefault("published_at", timezone.now() - timedelta(days=days_ago))
    story = StoryFactory(headline=headline, tags=list(tags), **fields)
    for position, text in enumerate(body):
        ParagraphFactory(story=story, position=position, text=text)
    return story


def everyday_stories(count: int = 6, **fields) -> list[Story]:
    """Stories about something else, so that words and tags have frequencies to compare."""
    return [
        story(
            f"Council approves library budget {n}",
            body=["The city council voted on the library budget after a long public meeting."],
            **fields,
        )
        for n in range(count)
    ]


def index_everything() -> None:
    index_stories(story_ids=Story.objects.values_list("pk", flat=True))


def recompute(story: Story) -> list[RelatedStory]:
    index_everything()
    return recompute_related(story=story)


def related_on_page(client, story: Story) -> list[str]:
    """The headlines a reader sees under "Related stories", in order."""
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return [
        html.unescape(headline)
        for headline in re.findall(
            r'<a class="related-story__headline" href="[^"]*">([^<]*)</a>',
            response.content.decode(),
        )
    ]


# Scoring ------------------------------------------------------------------------------------


def test_a_tag_on_few_stories_weighs_more_than_one_on_many():
    rare = scoring.tag_weight(doc_freq=3, corpus_size=100_000)
    common = scoring.tag_weight(doc_freq=30_000, corpus_size=100_000)
    assert rare == pytest.approx(0.90, abs=0.01)
    assert common == pytest.approx(0.10, abs=0.01)


def test_text_as_similar_as_the_story_is_old_cancels_the_age_penalty():
    old = scoring.recency(days=5 * 365)
    assert old == pytest.approx(7.87e-7, rel=0.01)  # 0.5 ** (1825 / 90)
    # An old story keeps little more than the floor of its relevance: 0.5 × 0.2.
    assert scoring.related_score(tags=0.5, text=0.0, recency=old) == pytest.approx(0.1, abs=0.001)
    # Text 0.9 stands in for recency: 0.9 × (0.2 + 0.8 × 0.9).
    assert scoring.related_score(tags=0.0, text=0.9, recency=old) == pytest.approx(0.828)


def test_reason_names_shared_tags_in_the_order_given_and_the_text():
    reason = scoring.reason(tag_names=["Peru", "coca"], text=0.3, days=2)
    assert reason == "shares tags Peru, coca; similar text"


def test_reason_names_four_shared_tags_and_counts_the_rest():
    reason = scoring.reason(tag_names=["e", "d", "c", "b", "a", "z"], text=0.0, days=2)
    assert reason == "shares tags e, d, c, b and 2 more"


# Computing the list -------------------------------------------------------------------------


def test_a_rare_shared_tag_outranks_a_common_one(client):
    everyday_stories(3, tags=["World"])
    subject = story("Soldier killed in the Andes", tags=["Ayacucho", "World"])
    rare = story("Farmers protest new road", tags=["Ayacucho"])
    common = story("Markets rally on trade news", tags=["World"])

    recompute(subject)

    page = related_on_page(client, subject)
    assert page[0] == rare.headline
    assert common.headline in page[1:]


def test_the_reason_names_the_shared_tags_rarest_first():
    """Neither alphabetical nor the order the tags were added: "Vraem" is on two stories,
    "Andes" on six."""
    everyday_stories(4, tags=["Andes"])
    subject = story("Soldier killed in the valley", tags=["Andes", "Vraem"])
    story("Farmers protest a new road", tags=["Andes", "Vraem"])

    entries = recompute(subject)

    assert [entry.reason for entry in entries] == ["shares tags Vraem, Andes"]


def test_very_similar_text_relates_stories_without_shared_tags(client):
    everyday_stories()
    subject = story("Peruvian soldier killed in shootout with drug smugglers", body=[COCA_TEXT])
    twin = story(
        "Soldier dies as Peruvian troops battle coca smugglers",
        body=["Military forces fought armed traffickers in the VRAEM and seized coca paste."],
    )
    story("Mayor opens a new swimming pool", body=["Children swam all afternoon."])

    entries = recompute(subject)

    assert related_on_page(client, subject) == [twin.headline]
    assert [entry.reason for entry in entries] == ["very similar text"]


def test_among_equally_related_stories_the_newer_comes_first(client):
    everyday_stories()
    subject = story("Flooding closes the Lima highway", tags=["Lima floods"], days_ago=0.1)
    older = story("Rain swamps coastal farms", tags=["Lima floods"], days_ago=400)
    newer = story("Rescuers reach stranded drivers", tags=["Lima floods"], days_ago=3)

    entries = recompute(subject)

    assert related_on_page(client, subject) == [newer.headline, older.headline]
    assert entries[0].score > entries[1].score  # Not merely a tie broken by date.


def test_a_very_similar_old_story_still_makes_the_list(client, settings):
    settings.NEWSROOM_RELATED_COUNT = 3
    everyday_stories()
    subject = story(
        "Peruvian soldier killed in shootout with drug smugglers",
        body=[COCA_TEXT],
        tags=["Peru"],
        days_ago=0.1,
    )
    for n in range(4):
        story(f"Peru news roundup {n}", tags=["Peru"], days_ago=2)
    old = story(
        "Peruvian soldier killed in VRAEM shootout with drug smugglers",
        body=[COCA_TEXT],
        days_ago=6 * 365,
    )

    entries = recompute(subject)

    assert old.headline in related_on_page(client, subject)
    assert [e.reason for e in entries if e.related_id == old.pk] == [
        "very similar text; published 6 years apart"
    ]


def test_a_story_is_never_related_to_itself(client):
    everyday_stories()
    subject = story("Coca growers march on Lima", body=[COCA_TEXT], tags=["coca"])
    other = story("Coca growers block roads", body=[COCA_TEXT], tags=["coca"])

    entries = recompute(subject)

    assert [entry.related_id for entry in entries] == [other.pk]
    assert related_on_page(client, subject) == [other.headline]


def test_drafts_and_scheduled_stories_are_never_computed_as_related(client):
    everyday_stories()
    subject = story("Coca growers march on Lima", body=[COCA_TEXT], tags=["coca"])
    story("Coca growers march (draft)", body=[COCA_TEXT], tags=["coca"], status="draft")
    story("Coca growers march (scheduled)", body=[COCA_TEXT], tags=["coca"], days_ago=-1)
    public = story("Coca growers block roads", body=[COCA_TEXT], tags=["coca"])

    entries = recompute(subject)

    assert [entry.related_id for entry in entries] == [public.pk]


@pytest.mark.parametrize("change", ["unpublished", "rescheduled"])
def test_a_related_story_unpublished_later_vanishes_without_a_recompute(client, change):
    everyday_stories()
    subject = story("Coca growers march on Lima", body=[COCA_TEXT], tags=["coca"])
    first = story("Coca growers block roads", body=[COCA_TEXT], tags=["coca"])
    second = story("Coca prices fall", body=[COCA_TEXT], tags=["coca"])
    recompute(subject)
    assert sorted(related_on_page(client, subject)) == sorted([first.headline, second.headline])

    if change == "unpublished":
        Story.objects.filter(pk=first.pk).update(status=Story.Status.DRAFT)
    else:
        Story.objects.filter(pk=first.pk).update(published_at=timezone.now() + timedelta(days=1))

    assert related_on_page(client, subject) == [second.headline]


def test_readers_see_at_most_the_configured_number_pins_included(client, settings):
    settings.NEWSROOM_RELATED_COUNT = 3
    everyday_stories()
    subject = story("Coca growers march on Lima", tags=["coca"])
    others = [story(f"Coca story {n}", tags=["coca"], days_ago=n + 1) for n in range(6)]

    assert len(recompute(subject)) == 3
    assert related_on_page(client, subject) == [s.headline for s in others[:3]]

    pins = [story("Pinned one"), story("Pinned two")]
    for position, pinned in enumerate(pins):
        RelatedStory.objects.create(story=subject, related=pinned, position=position)
    recompute(subject)

    assert related_on_page(client, subject) == [pins[0].headline, pins[1].headline, "Coca story 0"]


def test_a_changed_headline_shows_on_the_related_list_at_once(client):
    subject = story("Coca growers march on Lima", tags=["coca"])
    other = story("Coca growers block roads", tags=["coca"])
    recompute(subject)

    Story.objects.filter(pk=other.pk).update(headline="Coca growers lift road blocks")

    assert related_on_page(client, subject) == ["Coca growers lift road blocks"]


def test_recomputing_costs_the_same_queries_however_many_stories_match(
    django_assert_num_queries,
):
    """A handful of index-driven queries, each with a LIMIT: never a pass per candidate."""
    everyday_stories(3)
    subject = story("Coca growers march on Lima", body=[COCA_TEXT], tags=["coca", "Peru"])
    story("Coca growers block roads", body=[COCA_TEXT], tags=["coca"])
    index_everything()
    # savepoint, count, editors' entries, tags, tag candidates, body, word frequencies, text
    # candidates, own and tag candidates' text rank, publication times, shared tags, the list
    # as it was (a changed list purges the story's page), delete, insert, release
    with django_assert_num_queries(15) as few:
        recompute_related(story=subject)
    for n in range(30):
        story(f"Coca story {n}", body=[COCA_TEXT], tags=["coca", "Peru"])
    index_everything()
    with django_assert_num_queries(len(few.captured_queries)):
        recompute_related(story=subject)


# Editors ------------------------------------------------------------------------------------


def test_reasons_are_stored_and_shown_to_editors_in_the_admin(editor_client):
    everyday_stories(tags=["coca"])
    subject = story("Coca growers march on Lima", body=[COCA_TEXT], tags=["Peru", "coca"])
    other = story("Coca growers block roads", body=[COCA_TEXT], tags=["Peru", "coca"])

    [entry] = recompute(subject)

    assert entry.related_id == other.pk
    assert entry.reason == "shares tags Peru, coca; very similar text"
    response = editor_client.get(change_url(subject))
    assertContains(response, "shares tags Peru, coca; very similar text")
    assertContains(response, "Related stories (pin to keep a story at the top")


def test_pinned_stories_survive_recompute_and_come_first_in_the_editors_order(client):
    everyday_stories()
    subject = story("Coca growers march on Lima", body=[COCA_TEXT], tags=["coca"])
    computed = story("Coca growers block roads", body=[COCA_TEXT], tags=["coca"])
    second, first = story("An editor's second choice"), story("An editor's first choice")
    RelatedStory.objects.create(story=subject, related=second, source=PINNED, position=2)
    RelatedStory.objects.create(story=subject, related=first, source=PINNED, position=1)

    recompute(subject)
    recompute(subject)

    assert related_on_page(client, subject) == [first.headline, second.headline, computed.headline]


def test_editor_excludes_a_story_and_it_is_never_suggested_again(client, editor_client):
    everyday_stories()
    subject = story("Coca growers march on Lima", body=[COCA_TEXT], tags=["coca"])
    unwanted = story("Coca growers block roads", body=[COCA_TEXT], tags=["coca"])
    kept = story("Coca prices fall", body=[COCA_TEXT], tags=["coca"])
    recompute(subject)
    data = form_data(editor_client.get(change_url(subject)), "story_form")
    row = next(
        key.removesuffix("-related")
        for key, values in data.items()
        if key.startswith("related_entries-") and values == [str(unwanted.pk)]
    )
    data[f"{row}-source"] = [EXCLUDED]

    response = editor_client.post(change_url(subject), data)

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert related_on_page(client, subject) == [kept.headline]  # Gone before any recompute.
    recompute(subject)
    assert related_on_page(client, subject) == [kept.headline]
    assert RelatedStory.objects.get(story=subject, related=unwanted).source == EXCLUDED


def test_editors_cannot_relate_a_story_to_itself(editor_client):
    subject = story("Coca growers march on Lima")
    data = form_data(editor_client.get(change_url(subject)), "story_form")
    data |= {
        "related_entries-TOTAL_FORMS": ["1"],
        "related_entries-0-related": [str(subject.pk)],
        "related_entries-0-source": [PINNED],
        "related_entries-0-position": ["0"],
    }

    response = editor_client.post(change_url(subject), data)

    assertContains(response, "A story cannot be related to itself.")
    assert not RelatedStory.objects.exists()


# Recomputing: importer, on commit, management command ---------------------------------------


def test_importing_a_story_computes_its_related_list(
    client, seed_dir, django_capture_on_commit_callbacks
):
    everyday_stories()
    earlier = story(
        "Peruvian troops seize coca paste from drug traffickers in the VRAEM",
        body=[COCA_TEXT, "The Shining Path rebels are linked to the coca trade in the region."],
        published_at=datetime(2014, 6, 18, 12, tzinfo=ZoneInfo("UTC")),
    )
    index_everything()

    with django_capture_on_commit_callbacks(execute=True):
        imported = import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").story
    run_worker(django_capture_on_commit_callbacks)

    assert earlier.headline in related_on_page(client, imported)


def test_a_change_queues_the_recompute_after_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    subject = story("Coca growers march on Lima", tags=["coca"])
    other = story("Coca growers block roads", tags=["coca"])
    index_everything()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        stories_changed_on_commit(story_ids=[subject.pk, subject.pk])
    assert len(callbacks) == 1
    assert queued() == []  # Nothing before the commit.

    callbacks[0]()
    assert queued() == [("refresh_stories", {"story_ids": [subject.pk]})]
    assert not RelatedStory.objects.exists()
    run_worker(django_capture_on_commit_callbacks)
    assert list(RelatedStory.objects.values_list("story", "related")) == [(subject.pk, other.pk)]


def test_management_command_recomputes_every_published_story():
    first = story("Coca growers march on Lima", tags=["coca"])
    second = story("Coca growers block roads", tags=["coca"])
    story("Coca draft", tags=["coca"], status="draft")
    index_everything()
    out = io.StringIO()

    call_command("recompute_related", "--all", "--batch-size", "1", stdout=out)

    assert "Recomputed related stories of 2 stories." in out.getvalue()
    assert set(RelatedStory.objects.values_list("story", "related")) == {
        (first.pk, second.pk),
        (second.pk, first.pk),
    }


def test_management_command_since_recomputes_only_recent_stories():
    recent = story("Coca growers march on Lima", tags=["coca"], days_ago=2)
    story("Coca growers block roads", tags=["coca"], days_ago=30)
    index_everything()
    out = io.StringIO()

    call_command("recompute_related", "--since", "7", stdout=out)

    assert "Recomputed related stories of 1 story." in out.getvalue()
    assert set(RelatedStory.objects.values_list("story", flat=True)) == {recent.pk}


def test_management_command_asks_which_stories():
    with pytest.raises(CommandError, match="--all --since"):
        call_command("recompute_related")


# The story page -----------------------------------------------------------------------------


def test_story_page_shows_related_stories_in_one_extra_query(client, django_assert_num_queries):
    everyday_stories()
    subject = story("Coca growers march on Lima", tags=["coca"])
    related = [
        story(
            f"Coca story {n}",
            tags=["coca"],
            section=SectionFactory(name=f"Desk {n}", slug=f"desk-{n}"),
        )
        for n in range(5)
    ]
    recompute(subject)

    # story+section, bylines, tags, blocks, notes, related stories with their
    # sections, text versions, section nav
    with django_assert_num_queries(8):
        response = client.get(subject.get_absolute_url())

    assertContains(response, '<h2 id="related-stories-heading">Related stories</h2>', html=True)
    for other in related:
        section = Section.objects.get(pk=other.section_id)
        day = timezone.localtime(other.published_at)
        assertContains(
            response,
            f'<li class="related-story"><a class="related-story__headline" '
            f'href="{other.get_absolute_url()}">{other.headline}</a>'
            f'<p class="related-story__meta"><a href="{section.get_absolute_url()}">'
            f'{section.name}</a><span aria-hidden="true"> · </span>'
            f'<time datetime="{day.isoformat(timespec="seconds")}">'
            f"{day:%b} {day.day} {day.year}</time></p></li>",
            html=True,
        )


def test_story_page_with_related_stories_is_valid_html(client, tmp_path):
    everyday_stories()
    subject = story("Coca growers march on Lima", tags=["coca"])
    story('A "quoted" & <odd> coca headline', tags=["coca"])
    recompute(subject)
    page = tmp_path / "story.html"
    page.write_bytes(client.get(subject.get_absolute_url()).content)
    assert '<h2 id="related-stories-heading">Related stories</h2>' in page.read_text()

    assert html_errors([page]) == []


def test_story_without_related_stories_has_no_related_section(client):
    subject = story("A story about nothing else")
    assert "Related stories" not in client.get(subject.get_absolute_url()).content.decode()


# Aside suggestions --------------------------------------------------------------------------


@pytest.fixture
def prison_aside():
    """An unresolved aside about Bolivia's cocaine prison, and the stories it could mean."""
    everyday_stories()
    own = story(
        "Bolivia's prisons are overflowing",
        body=[
            "Inmates in La Paz pay rent for their cells inside San Pedro prison.",
            "Officials say the prison population has doubled in ten years.",
        ],
    )
    aside = AsideFactory(
        story=own, position=1, teaser="Meet the man who thrived in Bolivia's cocaine prison."
    )
    Block.objects.filter(story=own, kind=Block.Kind.PARAGRAPH, position=1).update(position=2)
    stories = {
        "target": story(
            "The man who thrived inside San Pedro, Bolivia's cocaine prison",
            body=["He ran tours of San Pedro prison in La Paz, where inmates sell cocaine."],
        ),
        "bolivia": story("Bolivia elects a new president", body=["Voters in La Paz queued."]),
        "cocaine": story(
            "Cocaine seizures rise at European ports",
            body=["Customs officers found cocaine in banana shipments."],
        ),
        "draft": story(
            "The man who thrived in Bolivia's cocaine prison (draft)",
            body=["He ran tours of San Pedro prison in La Paz, where inmates sell cocaine."],
            status="draft",
        ),
    }
    index_everything()
    return aside, stories


def test_aside_suggestions_rank_the_story_it_means_first(prison_aside):
    aside, stories = prison_aside

    suggestions = suggest_targets(aside=aside)

    assert suggestions[0] == stories["target"]
    assert len(suggestions) <= 3
    assert stories["draft"] not in suggestions
    assert aside.story not in suggestions


def test_editor_accepts_a_suggestion_in_one_click_and_readers_get_the_link(
    client, editor_client, prison_aside
):
    aside, stories = prison_aside
    target = stories["target"]
    use_url = reverse("admin:articles_readmoreaside_use_target", args=[aside.pk])

    page = editor_client.get(change_url(aside)).content.decode()
    suggestions = page.split('<ol class="aside-suggestions">')[1].split("</ol>")[0]
    assert suggestions.index(html.escape(target.headline)) < suggestions.index("Bolivia elects")
    assert (
        f'<button type="submit" class="button" formaction="{use_url}" name="use_target" '
        f'value="{target.pk}">Use this</button>'
    ) in suggestions

    response = editor_client.post(use_url, {"use_target": target.pk})

    assert response.status_code == 302
    assert messages_of(response) == [f"The aside now links to “{target.headline}”."]
    aside.refresh_from_db()
    assert aside.target_story == target
    assert (
        f'<a class="read-more__link" href="{target.get_absolute_url()}">Read more here.</a>'
        in client.get(aside.story.get_absolute_url()).content.decode()
    )


def test_an_aside_cannot_be_linked_to_a_draft_in_one_click(editor_client, prison_aside):
    aside, stories = prison_aside
    use_url = reverse("admin:articles_readmoreaside_use_target", args=[aside.pk])

    response = editor_client.post(use_url, {"use_target": stories["draft"].pk})

    assert messages_of(response) == ["An aside can only be linked to a published story."]
    aside.refresh_from_db()
    assert aside.target_story is None
    assert editor_client.get(use_url).status_code == 405


@pytest.mark.parametrize("value", ["²", "٠", "１", "01", "-1", "", "x"])
def test_a_use_target_that_is_not_a_plain_id_is_refused_with_a_message(
    editor_client, prison_aside, value
):
    aside, _ = prison_aside
    use_url = reverse("admin:articles_readmoreaside_use_target", args=[aside.pk])

    response = editor_client.post(use_url, {"use_target": value})

    assert messages_of(response) == ["That story no longer exists."]
    aside.refresh_from_db()
    assert aside.target_story is None
