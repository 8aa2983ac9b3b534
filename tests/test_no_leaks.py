"""Nothing unpublished leaks: every public surface, checked for every kind of secret.

One matrix, surface × secret. Each secret carries its own marker word in every field it has
(headline, dek, body, tags, quote, note body, claim, source title, reply), and is woven into the
public site the way real secrets are: the draft and the scheduled story share their section,
tag and author with public stories, public stories' asides and related lists point at them
(`RelatedStory` rows inserted directly, to prove the filter applied when the list is read),
and every story is in the search index. Each surface is fetched by an anonymous reader and by
a signed-in reader who is not staff; both must get the expected status and no marker.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Note, NoteReply, OldSlug, RelatedStory, Story
from articles.pages.archives import month_bounds, year_bounds
from articles.search.index import index_stories
from tests.factories import (
    AsideFactory,
    AuthorFactory,
    ParagraphFactory,
    SectionFactory,
    StoryFactory,
    TagFactory,
    UserFactory,
    note_on,
)

pytestmark = pytest.mark.django_db


@dataclass
class Secret:
    """Something readers must not see, and where it lives."""

    marker: str
    story: Story  # the story it is on (itself, for a secret story)
    note_ids: list[int] = field(default_factory=list)
    tag_slug: str = ""  # a tag only this secret has
    author_slug: str = ""  # an author only this secret has
    old_slug: str = ""  # a slug the secret story had before

    @property
    def story_is_secret(self) -> bool:
        return not self.story.is_public


SECRETS = [
    "draft story",
    "scheduled story",
    "internal note",
    "orphaned note",
    "public note on a draft",
    "editors' reply",
]


def secret_story(marker: str, *, section, tag, author, **fields) -> Story:
    """A story with `marker` in its headline, slug, dek, body, tags, a second author's name and
    bio, and one public note."""
    newcomer = AuthorFactory(name=f"{marker} Writer", slug=f"{marker}-writer", bio=f"{marker} bio")
    story = StoryFactory(
        headline=f"Embargoed {marker} scoop",
        slug=f"{marker}-scoop",
        dek=f"The {marker} standfirst.",
        section=section,
        authors=[author, newcomer],
        tags=[tag, TagFactory(name=f"{marker}tag", slug=f"{marker}tag")],
        **fields,
    )
    OldSlug.objects.create(story=story, slug=f"old-{story.pk}-scoop")
    paragraph = ParagraphFactory(story=story, text=f"Only the {marker} paragraph says this.")
    note_on(paragraph, marker, body=f"A public note about {marker}.")
    return story


def story_secret(marker: str, story: Story) -> Secret:
    """The secret a `secret_story(marker, ...)` is: itself, its notes, tag, author and old slug."""
    return Secret(
        marker,
        story,
        note_ids=list(story.notes.values_list("pk", flat=True)),
        tag_slug=f"{marker}tag",
        author_slug=f"{marker}-writer",
        old_slug=story.old_slugs.get().slug,
    )


@pytest.fixture
def newsroom():
    """Public stories and the secrets woven among them; every story in the search index."""
    now = timezone.now()
    section = SectionFactory(name="World", slug="world")
    tag = TagFactory(name="Peru", slug="peru")
    author = AuthorFactory(name="Kayla Ruble", slug="kayla-ruble")
    shared = {"section": section, "tag": tag, "author": author}

    public = StoryFactory(
        headline="Soldier killed in coca raid",
        slug="soldier-killed",
        section=section,
        authors=[author],
        tags=[tag],
        published_at=now - timedelta(minutes=2),
    )
    for days in (1, 2):
        StoryFactory(
            section=section, authors=[author], tags=[tag], published_at=now - timedelta(days=days)
        )
    paragraph = ParagraphFactory(
        story=public, position=0, text="Troops seized coca paste in the valley on Wednesday."
    )

    draft = secret_story(
        "zqdraftmark",
        status=Story.Status.DRAFT,
        published_at=now - timedelta(minutes=1),
        **shared,
    )
    scheduled = secret_story("zqschedmark", published_at=now + timedelta(hours=1), **shared)
    for position, target in enumerate([draft, scheduled], start=1):
        AsideFactory(story=public, position=position, teaser="More.", target_story=target)
    RelatedStory.objects.create(story=public, related=draft, source=RelatedStory.Source.PINNED)
    RelatedStory.objects.create(
        story=public, related=scheduled, source=RelatedStory.Source.COMPUTED, score=9.0
    )

    internal_marker = "zqinternalmark"
    internal = [
        note_on(
            paragraph,
            "coca paste",
            body=f"Check with the desk: {internal_marker}.",
            state=Note.State.DRAFT,
        ),
        note_on(
            paragraph,
            "valley",
            kind=Note.Kind.INTERNAL,
            body=f"An internal note: {internal_marker}.",
        ),
        note_on(
            paragraph,
            "Troops",
            kind=Note.Kind.SOURCE,
            body=f"Unconfirmed source {internal_marker}.",
            source_title=f"Leaked memo {internal_marker}",
            source_url=f"https://example.org/{internal_marker}",
            # Waiting for an editor: not published yet.
            state=Note.State.SUBMITTED,
        ),
        note_on(
            paragraph,
            "Wednesday",
            kind=Note.Kind.FACT_CHECK,
            claim=f"The claim {internal_marker} under review.",
            verdict=Note.Verdict.FALSE,
            body=f"Still checking {internal_marker}.",
            # Taken away from readers after publication.
            state=Note.State.WITHDRAWN,
        ),
    ]
    orphan_marker = "zqorphanmark"
    orphaned = note_on(paragraph, "seized", body=f"The {orphan_marker} note.")
    # Its words were edited away: the quote is gone from the paragraph, the note kept its place.
    orphaned.anchor_state = Note.AnchorState.ORPHANED
    orphaned.quote_exact = f"seized {orphan_marker} words"
    orphaned.save()

    draft_note = note_on(
        draft.blocks.get(),
        "paragraph",
        kind=Note.Kind.CORRECTION,
        body="The zqdraftnotemark correction.",
        correction_wrong="zqdraftnotemark wrong",
        correction_right="zqdraftnotemark right",
    )
    public_note = note_on(paragraph, "Troops", body="Soldiers of the army's 4th brigade.")
    NoteReply.objects.create(note=public_note, body="Desk says zqreplymark, hold it.")

    index_stories(story_ids=Story.objects.values_list("pk", flat=True))
    month = timezone.localtime(scheduled.published_at)
    starts = {"year": year_bounds(month.year)[0], "month": month_bounds(month.year, month.month)[0]}
    secrets = {
        "draft story": story_secret("zqdraftmark", draft),
        "scheduled story": story_secret("zqschedmark", scheduled),
        "internal note": Secret(internal_marker, public, note_ids=[note.pk for note in internal]),
        "orphaned note": Secret(orphan_marker, public, note_ids=[orphaned.pk]),
        "public note on a draft": Secret("zqdraftnotemark", draft, note_ids=[draft_note.pk]),
        # Replies are never public; the note they discuss is.
        "editors' reply": Secret("zqreplymark", public),
    }
    return {
        "public": public,
        "public_note": public_note,
        "section": section,
        "tag": tag,
        "author": author,
        "secrets": secrets,
        # The scheduled story's year and month, which have public stories unless brand new.
        "archive": month,
        "archive_status": {
            kind: 200 if start <= public.published_at else 404 for kind, start in starts.items()
        },
    }


# The surfaces: where a reader might see each secret, and the status they must get there.

FEEDS = [
    f"{scope} {kind} feed"
    for scope in ("site", "section", "tag", "author")
    for kind in ("rss", "atom")
]
SITEMAPS = [
    "sitemap index",
    *(f"{name} sitemap" for name in ("front", "stories", "sections", "tags", "authors")),
    "news sitemap",
]
PUBLIC_PAGES = [
    "front page",
    "section page",
    "tag page",
    "author page",
    "year archive",
    "month archive",
    "search for the marker",
    *FEEDS,
    *SITEMAPS,
    "public story: related stories, asides and notes",
    "JSON-LD and Open Graph of the public story",
    "robots.txt",
]
STORY_SECRETS = {"draft story", "scheduled story"}
NOTE_SECRETS = {"internal note", "orphaned note", "editors' reply"}
OWN_PLACES = {
    # Where the secret itself lives, for which secrets it exists.
    "the secret's story page": set(SECRETS),
    "the secret story's old slug": STORY_SECRETS,
    "the note container of the secret's story": set(SECRETS),
    "a page of the public story's note container": NOTE_SECRETS,
    "the secret's note URLs": set(SECRETS),
    "the secret tag's page": STORY_SECRETS,
    "the secret tag's RSS feed": STORY_SECRETS,
    "the secret tag's Atom feed": STORY_SECRETS,
    "the secret author's page": STORY_SECRETS,
    "the secret author's RSS feed": STORY_SECRETS,
    "the secret author's Atom feed": STORY_SECRETS,
}


def requests_for(surface: str, site: dict, secret: Secret) -> list[tuple[str, int]]:
    """The URLs to fetch for this surface and secret, each with the status readers must get."""
    story, public = secret.story, site["public"]
    hidden = 404 if secret.story_is_secret else 200
    if surface in FEEDS:
        scope, kind, _ = surface.split()
        if scope == "site":
            return [(reverse(f"articles:feed-{kind}"), 200)]
        return [(reverse(f"articles:{scope}-feed-{kind}", args=[site[scope].slug]), 200)]
    if surface in SITEMAPS:
        name = surface.removesuffix(" sitemap")
        path = {"sitemap index": "/sitemap.xml", "news sitemap": "/news-sitemap.xml"}
        return [(path.get(surface, f"/sitemap-{name}.xml"), 200)]
    if surface in ("year archive", "month archive"):
        kind, month = surface.split()[0], site["archive"]
        kwargs = {"year": month.year, **({"month": month.month} if kind == "month" else {})}
        return [(reverse(f"articles:archive-{kind}", kwargs=kwargs), site["archive_status"][kind])]
    if surface == "the secret's note URLs":
        if not secret.note_ids:  # a reply: the note it discusses is public
            return [(reverse("articles:annotation", args=[site["public_note"].pk]), 200)]
        return [(reverse("articles:annotation", args=[pk]), 404) for pk in secret.note_ids]
    container = reverse("articles:annotation-container", args=[story.slug])
    url, status = {
        "front page": (reverse("articles:front"), 200),
        "section page": (site["section"].get_absolute_url(), 200),
        "tag page": (site["tag"].get_absolute_url(), 200),
        "author page": (site["author"].get_absolute_url(), 200),
        "search for the marker": (f"/search/?{urlencode({'q': secret.marker})}", 200),
        "public story: related stories, asides and notes": (public.get_absolute_url(), 200),
        "JSON-LD and Open Graph of the public story": (public.get_absolute_url(), 200),
        "robots.txt": ("/robots.txt", 200),
        "the secret's story page": (story.get_absolute_url(), hidden),
        "the secret story's old slug": (f"/stories/{secret.old_slug}/", 404),
        "the note container of the secret's story": (container, hidden),
        "a page of the public story's note container": (f"{container}?page=0", 200),
        "the secret tag's page": (f"/tags/{secret.tag_slug}/", 404),
        "the secret tag's RSS feed": (f"/tags/{secret.tag_slug}/feed/rss/", 404),
        "the secret tag's Atom feed": (f"/tags/{secret.tag_slug}/feed/atom/", 404),
        "the secret author's page": (f"/authors/{secret.author_slug}/", 404),
        "the secret author's RSS feed": (f"/authors/{secret.author_slug}/feed/rss/", 404),
        "the secret author's Atom feed": (f"/authors/{secret.author_slug}/feed/atom/", 404),
    }[surface]
    return [(url, status)]


def matrix() -> list:
    cells = []
    for surface in [*PUBLIC_PAGES, *OWN_PLACES]:
        for secret in SECRETS:
            if secret not in OWN_PLACES.get(surface, {secret}):
                continue
            cells.append(pytest.param(surface, secret, id=f"{surface} | {secret}"))
    return cells


def metadata(body: str) -> str:
    """The page's JSON-LD and Open Graph/Twitter properties, as one text."""
    ld = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    meta = re.findall(r"<meta (?:property|name)=\"(?:og|twitter|story):[^>]*>", body)
    assert ld and meta, "the page has no JSON-LD or Open Graph"
    return json.dumps([json.loads(document) for document in ld]) + "\n".join(meta)


def without_query_echo(body: str, query: str) -> str:
    """The search page minus the places it repeats what the reader typed."""
    for echo in (f"“{query}”", f'value="{query}"', f'<span class="search-query">{query}</span>'):
        body = body.replace(echo, "")
    return body


@pytest.fixture
def reader(db):
    """A signed-in reader who is not staff."""
    return UserFactory(username="subscriber", is_staff=False)


def readable(response, surface: str, secret: Secret) -> str:
    """What of the response a reader reads on this surface (all of it, mostly)."""
    body = response.content.decode()
    if surface == "search for the marker":
        body = without_query_echo(body, secret.marker)
        assert "No stories match" in body
    if surface.startswith("JSON-LD"):
        body = metadata(body)
    return body + response.get("Location", "")


@pytest.mark.parametrize(("surface", "secret_name"), matrix())
def test_no_public_surface_shows_an_unpublished_secret(
    client, reader, newsroom, surface, secret_name
):
    """Anonymous or signed in (not staff), a reader gets the right status and no marker; the
    signed-in reader sees exactly what the anonymous one does."""
    secret = newsroom["secrets"][secret_name]
    signed_in = Client()
    signed_in.force_login(reader)
    for url, status in requests_for(surface, newsroom, secret):
        anonymous_response, reader_response = client.get(url), signed_in.get(url)
        assert anonymous_response.status_code == status, url
        assert reader_response.status_code == status, url
        seen = readable(anonymous_response, surface, secret)
        assert secret.marker not in seen.lower(), url
        assert readable(reader_response, surface, secret) == seen, url
