"""The story page: every part of the original, asides, drafts, slugs, and its query budget."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from articles.data.plaintext import import_story_file
from articles.models import Block, Note, OldSlug, Story
from articles.pages.dates import age_banner
from tests.factories import (
    AsideFactory,
    AuthorFactory,
    NoteFactory,
    ParagraphFactory,
    StaffFactory,
    StoryFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


@pytest.fixture
def seed_story(seed_dir):
    return import_story_file(seed_dir / "vice-2014-06-20-peruvian-soldier-killed.txt").story


def years_ago(years: int, *, now: datetime) -> datetime:
    return now.replace(year=now.year - years)


class TestAgeBanner:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def test_story_364_days_old_has_no_banner(self):
        assert age_banner(self.now - timedelta(days=364), now=self.now) == ""

    def test_story_a_day_short_of_five_years_says_over_4(self):
        published = years_ago(5, now=self.now) + timedelta(days=1)
        assert age_banner(published, now=self.now) == "This story is over 4 years old"

    def test_story_exactly_five_years_old_says_over_5(self):
        assert (
            age_banner(years_ago(5, now=self.now), now=self.now) == "This story is over 5 years old"
        )

    def test_story_twelve_years_old(self):
        published = datetime(2014, 6, 20, 19, 41, tzinfo=ZoneInfo("America/New_York"))
        assert age_banner(published, now=self.now) == "This story is over 12 years old"

    def test_one_year_is_singular(self):
        assert (
            age_banner(years_ago(1, now=self.now), now=self.now) == "This story is over 1 year old"
        )

    def test_leap_day_story_turns_one_on_march_first(self):
        published = datetime(2024, 2, 29, 12, 0, tzinfo=UTC)
        assert age_banner(published, now=datetime(2025, 2, 28, 12, 0, tzinfo=UTC)) == ""
        assert (
            age_banner(published, now=datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
            == "This story is over 1 year old"
        )


def test_seed_story_page_shows_every_part_of_the_original(client, seed_story, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    response = client.get(seed_story.get_absolute_url())
    assert response.status_code == 200
    author = seed_story.bylines.get().author
    html_parts = [
        '<p class="age-banner">This story is over 11 years old</p>',
        '<h1 class="headline" id="headline">'
        "Peruvian Soldier Killed in Shootout With Drug Smugglers</h1>",
        '<p class="dek">The battle between military forces and the armed drug traffickers resulted'
        " in the seizure of approximately 660 pounds of coca paste.</p>",
        f'<p class="byline">by <a href="{author.get_absolute_url()}" rel="author">'
        "Kayla Ruble</a></p>",
        # No lead image: the credit stays with the dateline, and no empty frame is drawn.
        '<p class="image-credit">Image via AP/Martin Mejia</p>',
        '<p class="follow">Follow Kayla Ruble on Twitter: <a href="https://x.com/RubleKB">@RubleKB</a></p>',
    ]
    for part in html_parts:
        assert part in response.content.decode() or _contains_html(response, part), part
    content = response.content.decode()
    assert (
        '<a href="/sections/news/">News</a> <span class="kicker__brand">by VICE</span>' in content
    )
    assert '<time datetime="2014-06-20T19:41:00-04:00">Jun 20 2014, 7:41pm</time>' in content
    # Paragraphs in order, with the asides between them, unlinked while unresolved.
    texts = [b.annotatable_text for b in seed_story.blocks.all()]
    positions = [
        content.index(text.replace("'", "&#x27;").replace('"', "&quot;")) for text in texts
    ]
    assert positions == sorted(positions)
    assert content.count('<div class="read-more') == 3
    assert "read-more__link" not in content
    # Each aside keeps its "Read more here." as the original shows it, unlinked while unresolved.
    assert content.count('<span class="read-more__label">Read more here.</span>') == 3
    assert '<figure class="lead-image">' not in content


def _contains_html(response, fragment):
    from django.test.html import parse_html

    return parse_html(fragment) in parse_html(response.content.decode())


def test_paragraphs_have_permanent_permalink_ids(client, seed_story):
    response = client.get(seed_story.get_absolute_url())
    for block in seed_story.blocks.all():
        assert f'id="p-{block.key}"' in response.content.decode()


def test_resolved_aside_links_to_its_published_story(client):
    target = StoryFactory(headline="Inside Bolivia's cocaine prison")
    aside = AsideFactory(target_story=target)
    response = client.get(aside.story.get_absolute_url())
    assert (
        f'<a class="read-more__link" href="{target.get_absolute_url()}">Read more here.</a>'
        in response.content.decode()
    )


@pytest.mark.parametrize(
    "target",
    [
        {"target_story": lambda: StoryFactory(status=Story.Status.DRAFT)},
        {"target_story": lambda: StoryFactory(published_at=timezone.now() + timedelta(days=1))},
        {"target_url": "javascript:alert(1)"},
        {},
    ],
    ids=["draft-target", "scheduled-target", "javascript-url", "no-target"],
)
def test_aside_without_a_public_target_is_never_a_link(client, target):
    values = {key: value() if callable(value) else value for key, value in target.items()}
    aside = AsideFactory(**values)
    content = client.get(aside.story.get_absolute_url()).content.decode()
    assert "Meet the man who thrived in Bolivia&#x27;s cocaine prison." in content
    assert "read-more__link" not in content
    assert "javascript:" not in content


def test_external_aside_links_out(client):
    aside = AsideFactory(target_url="https://example.org/story")
    content = client.get(aside.story.get_absolute_url()).content.decode()
    assert 'href="https://example.org/story">Read more here.</a>' in content


def test_tags_link_to_tag_pages(client):
    story = StoryFactory(tags=["Peru", "coca"])
    content = client.get(story.get_absolute_url()).content.decode()
    assert '<a href="/tags/peru/" rel="tag">Peru</a>' in content
    assert '<a href="/tags/coca/" rel="tag">coca</a>' in content


def test_several_authors_are_listed_in_byline_order(client):
    first, second, third = (
        AuthorFactory(name="Zed"),
        AuthorFactory(name="Amy"),
        AuthorFactory(name="Bo"),
    )
    story = StoryFactory(authors=[first, second, third])
    content = client.get(story.get_absolute_url()).content.decode()
    assert content.index(">Zed</a>, ") < content.index(">Amy</a> and ") < content.index(">Bo</a>")


def test_old_slug_redirects_permanently_to_the_new_one(client):
    story = StoryFactory(slug="new-slug")
    OldSlug.objects.create(story=story, slug="old-slug")
    response = client.get(reverse("articles:story", kwargs={"slug": "old-slug"}))
    assert response.status_code == 301
    assert response["Location"] == "/stories/new-slug/"


def test_draft_story_is_404_for_readers(client):
    draft = StoryFactory(status=Story.Status.DRAFT)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_scheduled_story_is_404_until_due(client):
    scheduled = StoryFactory(published_at=timezone.now() + timedelta(hours=2))
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_old_slug_of_a_draft_does_not_leak_its_new_slug(client):
    draft = StoryFactory(status=Story.Status.DRAFT, slug="secret-new-slug")
    OldSlug.objects.create(story=draft, slug="old-public-slug")
    response = client.get("/stories/old-public-slug/")
    assert response.status_code == 404


def test_staff_preview_of_a_draft_is_uncached(client):
    draft = StoryFactory(status=Story.Status.DRAFT, headline="Embargoed scoop")
    client.force_login(StaffFactory())
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Embargoed scoop" in response.content.decode()
    assert "Preview: this story is a draft" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_staff_preview_of_a_draft_shows_the_notes_it_will_have_once_published(client):
    draft = StoryFactory(status=Story.Status.DRAFT)
    NoteFactory(paragraph=ParagraphFactory(story=draft), body="Waiting for the embargo.")
    client.force_login(StaffFactory())
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Waiting for the embargo." in response.content.decode()


def test_only_public_notes_are_on_public_stories_the_wider_set_includes_drafts():
    """`public()` is the readers' set; `published_on_any_story()` also holds drafts' notes."""
    public_note = NoteFactory(paragraph=ParagraphFactory(story=StoryFactory()))
    draft = StoryFactory(status=Story.Status.DRAFT)
    draft_note = NoteFactory(paragraph=ParagraphFactory(story=draft))
    assert list(Note.objects.public()) == [public_note]
    assert list(Note.objects.published_on_any_story().order_by("id")) == [
        public_note,
        draft_note,
    ]


def test_non_staff_user_cannot_preview_a_draft(client):
    draft = StoryFactory(status=Story.Status.DRAFT)
    client.force_login(StaffFactory(is_staff=False, username="reader"))
    assert client.get(draft.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("list_url", ["front", "section", "tag", "author"])
def test_draft_and_scheduled_stories_never_appear_in_lists(client, list_url):
    author = AuthorFactory()
    tag = TagFactory(name="peru", slug="peru")
    public = StoryFactory(headline="Public story", authors=[author], tags=[tag])
    StoryFactory(headline="Draft story", status=Story.Status.DRAFT, authors=[author], tags=[tag])
    StoryFactory(
        headline="Scheduled story",
        published_at=timezone.now() + timedelta(days=1),
        authors=[author],
        tags=[tag],
    )
    url = {
        "front": reverse("articles:front"),
        "section": public.section.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "author": author.get_absolute_url(),
    }[list_url]
    content = client.get(url).content.decode()
    assert "Public story" in content
    assert "Draft story" not in content
    assert "Scheduled story" not in content


def test_front_page_lists_newest_first(client):
    now = timezone.now()
    StoryFactory(headline="Older", published_at=now - timedelta(days=3))
    StoryFactory(headline="Newest", published_at=now - timedelta(hours=1))
    StoryFactory(headline="Middle", published_at=now - timedelta(days=1))
    content = client.get("/").content.decode()
    assert content.index("Newest") < content.index("Middle") < content.index("Older")


def test_story_page_query_count_is_constant(client, django_assert_num_queries):
    """50 paragraphs, 10 asides, 20 tags, 100 public notes: still the same 8 queries."""
    authors = [AuthorFactory(x_handle=f"r{n}") for n in range(3)]
    story = StoryFactory(authors=authors, tags=[f"tag {n}" for n in range(20)])
    paragraphs = [
        ParagraphFactory(story=story, position=n * 2, text=f"Paragraph {n} about coca and Peru.")
        for n in range(50)
    ]
    for n in range(10):
        AsideFactory(story=story, position=n * 10 + 1, target_story=StoryFactory())
    for n in range(100):
        NoteFactory(paragraph=paragraphs[n % 50], start=0, end=9)
    # Internal and orphaned notes exist too, and must not show.
    NoteFactory(paragraph=paragraphs[0], state=Note.State.DRAFT, body="SECRET-1")
    NoteFactory(paragraph=paragraphs[0], kind=Note.Kind.INTERNAL, body="SECRET-2")
    NoteFactory(paragraph=paragraphs[0], anchor_state=Note.AnchorState.ORPHANED, body="SECRET-3")

    # story+section, bylines+authors, tags, blocks+aside targets, notes with their
    # authors, related stories, text versions, section nav
    with django_assert_num_queries(8):
        response = client.get(story.get_absolute_url())
    content = response.content.decode()
    assert content.count('class="paragraph') == 50
    assert content.count('class="read-more__link"') == 10
    assert content.count('rel="tag"') == 20
    assert content.count('class="note note-context"') == 100
    assert "SECRET" not in content


def test_list_pages_query_count_is_constant(client, django_assert_num_queries):
    author = AuthorFactory()
    tag = TagFactory(name="peru", slug="peru")
    for _ in range(25):
        StoryFactory(authors=[author, AuthorFactory()], tags=[tag])
    section = Story.objects.first().section
    # Nothing kept (each page from an empty store): the next scheduled story of the list (how
    # long the page stays true), count, page of stories, bylines with authors, image
    # renditions, section nav
    with django_assert_num_queries(6):
        client.get("/")
    # the same, with the tag or section looked up
    for url in (tag.get_absolute_url(), section.get_absolute_url()):
        caches[settings.NEWSROOM_PAGE_CACHE_ALIAS].clear()
        with django_assert_num_queries(7):
            client.get(url)
    caches[settings.NEWSROOM_PAGE_CACHE_ALIAS].clear()
    with django_assert_num_queries(8):  # the author's social profiles too
        client.get(author.get_absolute_url())


def test_paragraph_text_is_escaped(client):
    paragraph = ParagraphFactory(text='<script>alert("x")</script> & more')
    content = client.get(paragraph.story.get_absolute_url()).content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in content


def test_block_kind_constraint_keeps_text_off_asides():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Block.objects.create(story=StoryFactory(), kind=Block.Kind.ASIDE, text="stray text")


def test_missing_page_is_a_friendly_404_in_the_site_design(client):
    response = client.get("/stories/no-such-story/")
    assert response.status_code == 404
    content = response.content.decode()
    assert "We can’t find that page" in content
    assert 'class="site-header"' in content


def test_server_error_page_renders_without_database_or_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert "/static/css/site.css" in html


def test_stored_non_http_image_and_profile_urls_never_reach_a_page(client):
    from articles.models import SocialProfile

    author = AuthorFactory()
    SocialProfile.objects.create(author=author, network="website", url="javascript:alert(1)")
    story = StoryFactory(authors=[author], lead_image_url="javascript:alert(2)")
    for url in (story.get_absolute_url(), "/", author.get_absolute_url()):
        assert "javascript:" not in client.get(url).content.decode()


def test_a_note_of_unknown_kind_is_escaped_into_the_story_page(client):
    """A kind restored from a file need not be one of the choices; it is text like any other."""
    note = NoteFactory()
    Note.objects.filter(pk=note.pk).update(kind='zz"><i>x')
    response = client.get(note.story.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "<i>x" not in body
    assert 'class="annotated mark-zz&quot;&gt;&lt;i&gt;x"' in body
    assert 'class="note note-zz&quot;&gt;&lt;i&gt;x"' in body


def test_a_note_whose_offsets_miss_its_quote_is_shown_without_a_highlight(client):
    """Highlighting the words now at its offsets would put the note on a passage it never quoted."""
    paragraph = ParagraphFactory(text="The paste is made from coca plants.")
    NoteFactory(paragraph=paragraph, start=4, end=9, quote_exact="pasta")
    response = client.get(paragraph.story.get_absolute_url())
    body = response.content.decode()
    assert "<p>The paste is made from coca plants.</p>" in body
    assert 'class="annotated' not in body
