"""Search: ranking, web-search syntax, highlighted snippets, deep links, filters, pagination,
keeping the index current, hostile input and the query budget.

Every test runs on the database the suite runs on: PostgreSQL (weighted tsvector) or SQLite
(FTS5); `articles.search.backends` picks the engine by `connection.vendor`.
"""

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from articles.data.plaintext import import_story_file
from articles.editing.tagging import add_tags, remove_tags
from articles.models import Block, Story
from articles.search import backends
from articles.search.index import (
    index_stories,
    index_stories_come_due,
    index_story,
    refresh_search_index_on_commit,
)
from articles.search.query import MAX_QUERY_LENGTH, MAX_WORDS, parse_query
from tests.factories import (
    AsideFactory,
    AuthorFactory,
    ParagraphFactory,
    SectionFactory,
    StoryFactory,
    TagFactory,
)
from tests.tasks import run_worker

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def index_everything() -> None:
    index_stories(story_ids=Story.objects.values_list("pk", flat=True))


def search(client, q="", **filters):
    response = client.get("/search/", {"q": q, **filters})
    assert response.status_code == 200
    return response


def headlines(response) -> list[str]:
    """The headlines of the hits, in the order a reader sees them."""
    return re.findall(
        r'<h2 class="story-card__headline"><a href="[^"]*">([^<]*)</a></h2>',
        response.content.decode(),
    )


def snippets(response) -> list[tuple[str, str]]:
    """Each hit's snippet as (link, inner HTML)."""
    return re.findall(
        r'<p class="search-hit__snippet"><a href="([^"]*)">(.*?)</a></p>',
        response.content.decode(),
        flags=re.S,
    )


# The search box -----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["front", "story"])
def test_every_page_has_a_labelled_search_box_in_its_header(client, page):
    story = ParagraphFactory().story
    url = {"front": "/", "story": story.get_absolute_url()}[page]
    response = client.get(url)
    header = response.content.decode().split('<header class="site-header">')[1]
    header = header.split("</header>")[0]
    assert '<form class="site-search" role="search" aria-label="Site" action="/search/"' in header
    assert '<label class="visually-hidden" for="site-search-q">Search stories</label>' in header
    assert 'id="site-search-q" type="search" name="q"' in header


def test_search_page_has_one_search_box_its_own(client):
    """A phone showed two boxes, the header's and the page's, above the results."""
    content = client.get("/search/", {"q": "coca"}).content.decode()
    header = content.split('<header class="site-header">')[1].split("</header>")[0]
    assert 'type="search"' not in header
    assert content.count('type="search"') == 1


def test_empty_search_shows_the_form_and_runs_no_search(client, django_assert_num_queries):
    ParagraphFactory(text="Coca paste seized.")
    index_everything()
    # the section filter's choices, the section nav
    with django_assert_num_queries(2):
        response = search(client, q="   ")
    assertContains(response, '<h1 class="page-title">Search the news</h1>', html=True)
    assertContains(response, 'name="q"')
    assertNotContains(response, "No stories match")
    assert headlines(response) == []


# Ranking and syntax --------------------------------------------------------------------------


def test_headline_match_outranks_body_only_match(client):
    now = timezone.now()
    body_only = StoryFactory(headline="Markets rally", published_at=now - timedelta(hours=1))
    ParagraphFactory(story=body_only, text="Traders cited avocado exports among the reasons.")
    in_headline = StoryFactory(
        headline="Avocado growers fear drought", published_at=now - timedelta(days=30)
    )
    ParagraphFactory(story=in_headline, text="Rain has not fallen on the orchards since May.")
    index_everything()
    response = search(client, q="avocado")
    assert headlines(response) == ["Avocado growers fear drought", "Markets rally"]
    assertContains(response, '<p class="search-count">2 stories match.</p>', html=True)


@pytest.fixture
def andean_stories():
    stories = {
        "peru": StoryFactory(headline="Peru seizes coca paste"),
        "bolivia": StoryFactory(headline="Bolivia grows coca leaves"),
        "chile": StoryFactory(headline="Chile opens a copper mine"),
    }
    ParagraphFactory(story=stories["peru"], text="Soldiers found coca paste in backpacks.")
    ParagraphFactory(story=stories["bolivia"], text="The paste is made from the coca leaf.")
    ParagraphFactory(story=stories["chile"], text="Copper prices lifted the economy.")
    index_everything()
    return stories


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"coca paste"', ["Peru seizes coca paste"]),
        ("paste coca", ["Bolivia grows coca leaves", "Peru seizes coca paste"]),
        ("coca -bolivia", ["Peru seizes coca paste"]),
        ('coca -"coca leaves"', ["Peru seizes coca paste"]),
        ("bolivia OR chile", ["Bolivia grows coca leaves", "Chile opens a copper mine"]),
        ("bolivia chile", []),
        ("copper OR paste -peru", ["Bolivia grows coca leaves", "Chile opens a copper mine"]),
    ],
    ids=["phrase", "all-words", "exclusion", "excluded-phrase", "or", "and", "or-exclusion"],
)
def test_web_search_syntax(client, andean_stories, q, expected):
    assert sorted(headlines(search(client, q=q))) == expected


def test_parsed_query_renders_safely_for_both_engines():
    terms = parse_query('"coca paste" -peru bolivia OR chile:copper *')
    assert terms.required == ((("coca", "paste"),), (("bolivia",), ("chile", "copper")))
    assert terms.excluded == (("peru",),)
    assert terms.websearch() == '"coca paste" "bolivia" OR "chile copper" -"peru"'
    assert terms.fts5() == '(("coca paste") AND ("bolivia" OR "chile copper")) NOT ("peru")'
    assert terms.fts5_any() == '"coca paste" OR "bolivia" OR "chile copper"'


def test_long_queries_are_cut_to_size():
    terms = parse_query("word " * 5_000)
    assert sum(len(phrase) for phrase in terms.phrases) == MAX_WORDS
    assert len(parse_query("x" * 10_000).phrases[0][0]) == MAX_QUERY_LENGTH


# Snippets and deep links ---------------------------------------------------------------------


def test_snippet_highlights_the_match_and_escapes_everything_else(client):
    paragraph = ParagraphFactory(
        text='The <script>alert("x")</script> smugglers & their mules fled.'
    )
    index_everything()
    response = search(client, q="smugglers")
    [(link, html)] = snippets(response)
    assert link == f"{paragraph.story.get_absolute_url()}#p-{paragraph.key}"
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<mark>smugglers</mark> &amp; their mules fled." in html
    assert re.sub(r"</?mark>", "", html).count("<") == 0  # <mark> is the only markup
    assertNotContains(response, '<script>alert("x")')


def test_hit_links_to_its_best_matching_paragraph(client):
    story = StoryFactory(headline="Harvest report")
    ParagraphFactory(story=story, position=0, text="The rains came late to the valley.")
    ParagraphFactory(
        story=story,
        position=1,
        text="Farmers grew potatoes, maize and a little quinoa on the terraces by the river.",
    )
    best = ParagraphFactory(
        story=story,
        position=2,
        text="Quinoa prices tripled; quinoa exports now outstrip the quinoa eaten at home.",
    )
    AsideFactory(story=story, position=3, teaser="Why the world fell for quinoa.")
    index_everything()
    [(link, html)] = snippets(search(client, q="quinoa"))
    assert link == f"/stories/{story.slug}/#p-{best.key}"
    assert "<mark>Quinoa</mark> prices tripled" in html


def test_aside_teaser_is_searchable_and_linked(client):
    aside = AsideFactory(teaser="Meet the man who thrived in a prison made of adobe.")
    ParagraphFactory(story=aside.story, text="Nothing to see here.")
    index_everything()
    [(link, html)] = snippets(search(client, q="adobe"))
    assert link == f"{aside.story.get_absolute_url()}#p-{aside.key}"
    assert "<mark>adobe</mark>" in html


def test_headline_only_match_links_to_the_story(client):
    story = StoryFactory(headline="Llamas return to the altiplano")
    ParagraphFactory(story=story, text="Herders counted more animals than last year.")
    StoryFactory(headline="Something else")
    index_everything()
    response = search(client, q="llamas")
    assert headlines(response) == ["Llamas return to the altiplano"]
    assert snippets(response) == []
    assertContains(
        response,
        f'<h2 class="story-card__headline"><a href="{story.get_absolute_url()}">'
        "Llamas return to the altiplano</a></h2>",
        html=True,
    )


def test_no_match_page_says_so_and_echoes_the_query_escaped(client):
    ParagraphFactory(text="Coca paste seized.")
    index_everything()
    response = search(client, q="zebra <b>stripes</b>")
    assertContains(response, "<h2>No stories match “zebra &lt;b&gt;stripes&lt;/b&gt;”.</h2>")
    assertNotContains(response, "<b>stripes</b>")
    assert headlines(response) == []


# Filters and pagination ----------------------------------------------------------------------


@pytest.fixture
def harvest_stories():
    """Two stories about the harvest that differ in every filterable way."""
    peru_reporter = AuthorFactory(name="Ana Pérez", slug="ana-perez")
    tech_reporter = AuthorFactory(name="Li Wei", slug="li-wei")
    late_evening = StoryFactory(
        headline="Peru harvest",
        section=SectionFactory(name="News"),
        # 23:30 in New York is already June 21 in UTC: days are the site's days.
        published_at=datetime(2014, 6, 20, 23, 30, tzinfo=NEW_YORK),
        authors=[peru_reporter],
        tags=[TagFactory(name="Peru")],
    )
    next_year = StoryFactory(
        headline="Harvest robots",
        section=SectionFactory(name="Tech"),
        published_at=datetime(2015, 3, 3, 9, 5, tzinfo=NEW_YORK),
        authors=[tech_reporter],
        tags=[TagFactory(name="Bolivia")],
    )
    for story in (late_evening, next_year):
        ParagraphFactory(story=story, text="The harvest was the largest in a decade.")
    index_everything()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Harvest robots", "Peru harvest"]),
        ({"section": "tech"}, ["Harvest robots"]),
        ({"tag": "peru"}, ["Peru harvest"]),
        ({"tag": "BOLIVIA"}, ["Harvest robots"]),
        ({"author": "ana-perez"}, ["Peru harvest"]),
        ({"author": "Li Wei"}, ["Harvest robots"]),
        ({"since": "2015-01-01"}, ["Harvest robots"]),
        ({"until": "2014-12-31"}, ["Peru harvest"]),
        ({"since": "2014-06-20", "until": "2014-06-20"}, ["Peru harvest"]),
        ({"since": "2014-06-21", "until": "2014-06-21"}, []),
        ({"section": "news", "tag": "bolivia"}, []),
    ],
    ids=[
        "none",
        "section",
        "tag-slug",
        "tag-name",
        "author-slug",
        "author-name",
        "since",
        "until",
        "one-day-in-site-time",
        "next-day-in-utc-only",
        "combined",
    ],
)
def test_filters_narrow_the_results(client, harvest_stories, filters, expected):
    assert sorted(headlines(search(client, q="harvest", **filters))) == expected


BOTH = ["Harvest robots", "Peru harvest"]


@pytest.mark.parametrize(
    ("filters", "error", "expected"),
    [
        ({"tag": "nope"}, "No tag is called “nope”.", BOTH),
        ({"author": "nobody"}, "No author is called “nobody”.", BOTH),
        ({"section": "sport"}, "Select a valid choice.", BOTH),
        ({"since": "2014-13-45"}, "Enter a valid date.", BOTH),
        # The end date is the one refused: the start date still narrows the results.
        (
            {"since": "2015-01-01", "until": "2014-01-01"},
            "The end date is before the start date.",
            ["Harvest robots"],
        ),
    ],
    ids=["tag", "author", "section", "date", "range"],
)
def test_invalid_filter_is_reported_and_left_out(client, harvest_stories, filters, error, expected):
    response = search(client, q="harvest", **filters)
    assertContains(response, error)
    assert sorted(headlines(response)) == expected


def test_a_tag_only_drafts_carry_is_unknown_to_the_tag_filter(client, harvest_stories):
    """Accepting it would tell a reader the tag exists; its own page is a 404 too."""
    draft = StoryFactory(status=Story.Status.DRAFT, tags=["embargoed merger"])
    ParagraphFactory(story=draft, text="The harvest merger is embargoed.")
    index_everything()
    response = search(client, q="harvest", tag="embargoed merger")
    assertContains(response, "No tag is called “embargoed merger”.")
    assertNotContains(response, draft.headline)


@pytest.mark.parametrize("status", ["draft", "scheduled"])
def test_an_author_only_unpublished_stories_carry_is_unknown_to_the_author_filter(
    client, harvest_stories, status
):
    """Accepting them would tell a reader the author exists; their page is a 404 too."""
    newcomer = AuthorFactory(name="Zora Quill", slug="zora-quill", bio="Joins us next week.")
    fields = (
        {"status": Story.Status.DRAFT}
        if status == "draft"
        else {"published_at": timezone.now() + timedelta(hours=1)}
    )
    story = StoryFactory(headline="Harvest embargo", authors=[newcomer], **fields)
    ParagraphFactory(story=story, text="The harvest was embargoed.")
    index_everything()
    for value in ("zora-quill", "Zora Quill"):
        response = search(client, q="harvest", author=value)
        assertContains(response, f"No author is called “{value}”.")
        assertNotContains(response, "Harvest embargo")


def test_pagination_keeps_the_query_and_filters(client):
    news = SectionFactory(name="News")
    for n in range(25):
        story = StoryFactory(section=news, published_at=timezone.now() - timedelta(hours=n))
        ParagraphFactory(story=story, text=f"Lithium mine number {n} opened.")
    elsewhere = StoryFactory(section=SectionFactory(name="Tech"), headline="Lithium elsewhere")
    ParagraphFactory(story=elsewhere, text="A lithium battery plant.")
    index_everything()

    first = search(client, q="lithium", section="news")
    assert len(headlines(first)) == 20
    assertContains(first, "25 stories match; showing 1–20.")
    assertContains(first, '<a rel="next" href="?q=lithium&amp;section=news&amp;page=2">')
    second = search(client, q="lithium", section="news", page="2")
    assert len(headlines(second)) == 5
    assert "Lithium elsewhere" not in headlines(first) + headlines(second)
    assertContains(second, '<a rel="prev" href="?q=lithium&amp;section=news&amp;page=1">')


def test_drafts_and_scheduled_stories_never_appear(client):
    ParagraphFactory(story=StoryFactory(headline="Public cobalt story"), text="Cobalt.")
    ParagraphFactory(
        story=StoryFactory(headline="Draft cobalt story", status=Story.Status.DRAFT),
        text="Cobalt.",
    )
    ParagraphFactory(
        story=StoryFactory(
            headline="Scheduled cobalt story", published_at=timezone.now() + timedelta(hours=1)
        ),
        text="Cobalt.",
    )
    index_everything()
    response = search(client, q="cobalt")
    assert headlines(response) == ["Public cobalt story"]
    assertContains(response, "1 story matches.")


# Keeping the index current -------------------------------------------------------------------

STORY_FILE = """News by VICE

Tin miners strike in Potosí

Miners walked out over pay.

by Ana Pérez
Mar 3 2015, 9:05am

The strike began at dawn in the Cerro Rico mines.

Union leaders said talks with the cooperative had failed.
"""


def test_reimporting_a_changed_paragraph_updates_the_index(
    client, tmp_path: Path, django_capture_on_commit_callbacks
):
    path = tmp_path / "potosi-strike.txt"
    path.write_text(STORY_FILE, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        story = import_story_file(path).story
    run_worker(django_capture_on_commit_callbacks)
    assert headlines(search(client, q="cooperative")) == ["Tin miners strike in Potosí"]
    assert headlines(search(client, q="ministry")) == []

    path.write_text(STORY_FILE.replace("the cooperative", "the mining ministry"), "utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        import_story_file(path)
    run_worker(django_capture_on_commit_callbacks)
    edited = Block.objects.get(story=story, text__contains="ministry")
    assert headlines(search(client, q="cooperative")) == []
    [(link, html)] = snippets(search(client, q="ministry"))
    assert link == f"{story.get_absolute_url()}#p-{edited.key}"
    assert "<mark>ministry</mark>" in html


def test_tagging_services_refresh_search_once_committed(
    client, editor, django_capture_on_commit_callbacks
):
    """`add_tags`/`remove_tags`, which the admin's bulk tag actions call, re-index what changed."""
    story = ParagraphFactory(text="Prices rose again.").story
    index_everything()
    assert headlines(search(client, q="inflation")) == []

    with django_capture_on_commit_callbacks(execute=True):
        add_tags(story_ids=[story.pk], names=["Inflation"], user=editor)
    run_worker(django_capture_on_commit_callbacks)
    assert headlines(search(client, q="inflation")) == [story.headline]

    with django_capture_on_commit_callbacks(execute=True):
        remove_tags(story_ids=[story.pk], names=["Inflation"], user=editor)
    run_worker(django_capture_on_commit_callbacks)
    assert headlines(search(client, q="inflation")) == []


def test_edited_story_and_deleted_paragraph_are_reindexed(
    client, django_capture_on_commit_callbacks
):
    """As the admin's story form will: save the story and its blocks, then re-index it (which
    purges the cached results once committed)."""
    story = StoryFactory(headline="Glacier retreats")
    doomed = ParagraphFactory(story=story, text="Scientists measured the moraine.")
    index_story(story_id=story.pk)
    assert headlines(search(client, q="moraine")) == ["Glacier retreats"]

    doomed.delete()
    Story.objects.filter(pk=story.pk).update(headline="Glacier vanishes")
    with django_capture_on_commit_callbacks(execute=True):
        index_story(story_id=story.pk)
    assert headlines(search(client, q="moraine")) == []
    assert headlines(search(client, q="vanishes")) == ["Glacier vanishes"]


def test_refresh_waits_for_the_transaction_to_commit(client, django_capture_on_commit_callbacks):
    # The first search on SQLite adds any public story missing from the index (see
    # `index_stories_come_due`); it has run before this story exists.
    assert headlines(search(client, q="salt")) == []
    story = ParagraphFactory(text="Salt flats shimmer.").story
    with django_capture_on_commit_callbacks() as callbacks:
        refresh_search_index_on_commit(story_ids=[story.pk])
        assert headlines(search(client, q="salt")) == []
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the refresh's own commit
        callbacks[0]()
    assert headlines(search(client, q="salt")) == [story.headline]


def test_rebuild_command_indexes_every_story(client):
    for n in range(3):
        ParagraphFactory(text=f"Volcano number {n} erupted.")
    output = io.StringIO()
    call_command("rebuild_search_index", "--batch-size", "2", stdout=output)
    assert output.getvalue() == "Indexed 3 stories.\n"
    assert len(headlines(search(client, q="volcano"))) == 3


# Hostile input -------------------------------------------------------------------------------

HOSTILE_QUERIES = [
    '"',
    '""',
    '"""',
    "-",
    "--",
    "- -coca",
    "-coca",
    "OR",
    "OR OR",
    "coca OR",
    "OR coca",
    "AND",
    "NOT coca",
    "coca NOT",
    "NEAR(coca paste)",
    "*",
    "coca*",
    "(",
    ")",
    "(coca",
    ":",
    "headline:coca",
    "^coca",
    "+coca",
    "!coca",
    "&|!<->",
    "coca & | ! paste",
    "'",
    "'; DROP TABLE articles_story; --",
    "\\",
    "%",
    "_",
    "{}[]",
    '"unterminated coca',
    "co\x00ca",
    "\x00",
    "\x01\x02\x1b[31m",
    "x" * 10_240,
    "coca " * 2_048,
    '"' * 10_240,
    "😀 coca",
    "مرحبا",
    "<script>alert(1)</script>",
    "coca -the",
    "the OR coca",
    '"the of"',
    "coca _ __init__",
    "cafe\u0301 e\u0301",
]


@pytest.mark.parametrize("q", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_hostile_queries_never_fail(client, q):
    ParagraphFactory(text="Soldiers found coca paste in backpacks.")
    index_everything()
    response = search(client, q=q)
    assert "\x00" not in response.content.decode()
    assertNotContains(response, "<script>alert(1)")


@pytest.mark.parametrize(
    ("filters", "error"),
    [
        ({"section": "\x00"}, None),
        (
            {"section": "x" * 5_000},
            f"Select a valid choice. {'x' * 5_000} is not one of the available choices.",
        ),
        ({"tag": "\x00"}, None),
        ({"tag": "x" * 5_000}, "Ensure this value has at most 100 characters (it has 5000)."),
        ({"author": "'; --"}, "No author is called “&#x27;; --”."),
        ({"since": "99999-01-01"}, "Enter a valid date."),
        ({"since": "0001-01-01"}, "Ensure this value is greater than or equal to 1800-01-01."),
        ({"until": "9999-12-31"}, "Ensure this value is less than or equal to 2999-12-31."),
        ({"until": "2014-02-30"}, "Enter a valid date."),
        ({"since": "\x00"}, None),
    ],
    ids=lambda value: repr(value)[:30],
)
def test_hostile_filters_are_reported_or_ignored_and_the_search_still_answers(
    client, filters, error
):
    """Page numbers have their own table, for every paginated URL: tests/test_pagination.py."""
    ParagraphFactory(
        story=StoryFactory(headline="Coca paste seized"),
        text="Soldiers found coca paste in backpacks.",
    )
    index_everything()

    response = search(client, q="coca", **filters)

    assert headlines(response) == ["Coca paste seized"]
    assert re.findall(r"<li>(.*?)</li>", errors_of(response)) == ([error] if error else [])


def errors_of(response) -> str:
    """The search form's error lists, together."""
    return "".join(
        re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    )


# Query budget --------------------------------------------------------------------------------


def test_results_page_query_count_is_constant(client, django_assert_num_queries):
    """35 matching stories with two bylines and many paragraphs: the same queries per page."""
    tag = TagFactory(name="Mining")
    author = AuthorFactory(slug="ana-perez")
    for n in range(35):
        story = StoryFactory(authors=[author, AuthorFactory()], tags=[tag])
        for position in range(4):
            ParagraphFactory(story=story, position=position, text=f"Silver seam {n}.{position}")
    index_everything()
    # On SQLite, a process's first search checks the index for every public story (1 query).
    index_stories_come_due(latest_due=None)

    # section choices, count, page of cards, bylines with authors, image renditions, best
    # paragraphs; the first time, the next scheduled story (how long the page stays true) and
    # the section nav, both kept until they change; on SQLite, whose index holds public stories
    # only, the latest publication (what came due)
    due = int(backends.current().PUBLIC_ONLY)
    for page, queries, shown in (("1", 8 + due, 20), ("2", 6 + due, 15)):
        with django_assert_num_queries(queries):
            response = search(client, q="silver seam", page=page)
        assert len(headlines(response)) == shown
        assert len(snippets(response)) == shown
    # + the tag and the author looked up by the filters
    with django_assert_num_queries(8 + due):
        response = search(
            client,
            q="silver",
            tag="mining",
            author="ana-perez",
            since="2000-01-01",
            until="2999-01-01",
        )
    assert len(headlines(response)) == 20


def test_engine_matches_the_database():
    from articles.search import backends, postgres, sqlite

    expected = {"postgresql": postgres, "sqlite": sqlite}[connection.vendor]
    assert backends.current() is expected


# Ranking over public stories only ------------------------------------------------------------


@pytest.fixture
def either_word_stories():
    """Three public stories matching `alpha OR beta`, and ten that match neither: alpha is the
    rarer word among public stories, so its story ranks first (on SQLite, bm25's weight)."""
    now = timezone.now()
    for days, headline, text in (
        (3, "First report", "The alpha survey came in on Monday."),
        (2, "Second report", "The beta survey came in on Monday."),
        (1, "Third report", "A beta sighting was noted on Tuesday."),
    ):
        story = StoryFactory(headline=headline, published_at=now - timedelta(days=days))
        ParagraphFactory(story=story, text=text)
    for n in range(10):
        ParagraphFactory(
            story=StoryFactory(published_at=now - timedelta(days=10 + n)),
            text=f"Nothing of note in filler number {n}.",
        )
    index_everything()


# Without drafts. On SQLite bm25 puts the rarer word's story first; PostgreSQL's ts_rank knows
# no rarity, scores the three alike, and shows the newest first.
PUBLIC_ORDER = {
    "sqlite": ["First report", "Third report", "Second report"],
    "postgresql": ["Third report", "Second report", "First report"],
}


def ranked(client) -> list[str]:
    return headlines(search(client, q="alpha OR beta"))


def unpublished_alpha_stories(status: str) -> list[Story]:
    """Six stories readers cannot see, each full of the word alpha."""
    fields = (
        {"status": Story.Status.DRAFT}
        if status == "draft"
        else {"published_at": timezone.now() + timedelta(hours=1)}
    )
    stories = [StoryFactory(headline=f"Embargoed {n}", **fields) for n in range(6)]
    for story in stories:
        ParagraphFactory(story=story, text="Alpha alpha alpha: the alpha memo.")
    return stories


@pytest.mark.parametrize("status", ["draft", "scheduled"])
def test_words_of_unpublished_stories_do_not_change_the_order_of_results(
    client, either_word_stories, status
):
    """Otherwise `A OR B` would tell a reader whether an unpublished story holds the word A.

    SQLite's bm25 weighs words by statistics over its whole table, so its index holds public
    stories only; PostgreSQL's ts_rank scores each story from its own vector, with no such
    statistic, so there this holds by construction.
    """
    before = ranked(client), snippets(search(client, q="alpha OR beta"))
    unpublished_alpha_stories(status)
    index_everything()
    assert ranked(client) == before[0] == PUBLIC_ORDER[connection.vendor]
    assert snippets(search(client, q="alpha OR beta")) == before[1]


def test_unpublishing_a_story_takes_its_words_out_of_the_ranking(
    editor_client, client, either_word_stories, django_capture_on_commit_callbacks
):
    stories = unpublished_alpha_stories("draft")
    Story.objects.filter(pk__in=[s.pk for s in stories]).update(status=Story.Status.PUBLISHED)
    index_everything()
    # Public, they make alpha the common word: on SQLite its story drops behind the other two.
    reports = [headline for headline in ranked(client) if headline.endswith(" report")]
    assert reports == ["Third report", "Second report", "First report"]

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            "/admin/articles/story/",
            {"action": "unpublish_stories", "_selected_action": [s.pk for s in stories]},
        )
    assert response.status_code == 302
    run_worker(django_capture_on_commit_callbacks)
    assert ranked(client) == PUBLIC_ORDER[connection.vendor]


def test_a_scheduled_story_is_found_once_it_comes_due(client, monkeypatch):
    """It becomes public by time passing alone, with no write to re-index it."""
    story = StoryFactory(
        headline="Gallium prices soar", published_at=timezone.now() + timedelta(hours=1)
    )
    ParagraphFactory(story=story, text="Gallium is scarce.")
    index_everything()
    assert headlines(search(client, q="gallium")) == []

    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert headlines(search(client, q="gallium")) == ["Gallium prices soar"]
