"""What a page tells search engines and link previews: canonical URL, description, Open Graph,
Twitter card and schema.org JSON-LD.

Built from rows the page already loaded, so it adds no queries. Values are plain text; the
template escapes them (`includes/page_metadata.html`, and the `json_ld` filter for the script).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import Truncator

from articles.models import Block, Byline, Note, PolicyPage, Story, StoryVersion, Tag
from articles.pages.dates import local_time
from articles.text.markup import safe_http_url

DESCRIPTION_LENGTH = 200


@dataclass
class PageMetadata:
    canonical_url: str
    description: str = ""
    open_graph: list[tuple[str, str]] = field(default_factory=list)
    twitter: list[tuple[str, str]] = field(default_factory=list)
    json_ld: dict | None = None
    # Further JSON-LD documents of the page: a story's fact-checks as `ClaimReview`s.
    more_json_ld: list[dict] = field(default_factory=list)


def iso(moment: datetime | None) -> str:
    """ISO 8601 in the site's time zone, whole seconds, as the page's <time> elements write it."""
    local = local_time(moment)
    return local.replace(microsecond=0).isoformat() if local else ""


def story_modified_at(story: Story) -> datetime | None:
    """When readers were told the story changed: its "Updated" time, else its publication."""
    return story.last_updated_at if story.was_updated else story.published_at


def opening(blocks: list[Block]) -> str:
    """The start of a story's first paragraph, for a story without a dek."""
    for block in blocks:
        if block.kind == Block.Kind.PARAGRAPH and block.text.strip():
            return Truncator(block.text).chars(DESCRIPTION_LENGTH)
    return ""


def policy_url(kind: str) -> str:
    """The address of one of the newsroom's policy pages (no query: the address is fixed)."""
    return reverse("articles:policy", kwargs={"kind": kind})


# A fact-check's verdict as a rating from 1 (false) to 5 (true); an unverifiable claim has a
# verdict in words only.
VERDICT_RATINGS = {
    Note.Verdict.FALSE: 1,
    Note.Verdict.MOSTLY_FALSE: 2,
    Note.Verdict.HALF_TRUE: 3,
    Note.Verdict.MOSTLY_TRUE: 4,
    Note.Verdict.TRUE: 5,
}


def publisher(request: HttpRequest) -> dict:
    """The newsroom as schema.org's `NewsMediaOrganization`, with the pages it publishes about
    how it works."""
    return {
        "@type": "NewsMediaOrganization",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": request.build_absolute_uri(reverse("articles:front")),
        "publishingPrinciples": request.build_absolute_uri(
            policy_url(PolicyPage.Kind.PUBLISHING_PRINCIPLES)
        ),
        "correctionsPolicy": request.build_absolute_uri(
            policy_url(PolicyPage.Kind.CORRECTIONS_POLICY)
        ),
    }


def corrections_json_ld(notes, versions: list[StoryVersion], *, canonical: str) -> list[dict]:
    """The story's corrections as `CorrectionComment`s: its correction notes (`notes`, the
    page's `parts.NoteFacts`) and the changes of its text an editor classified as corrections,
    oldest first."""
    entries = []
    for note in notes:
        if note.kind != Note.Kind.CORRECTION:
            continue
        text = ""
        if note.correction_wrong and note.correction_right:
            text = (
                f"An earlier version of this story said “{note.correction_wrong}” where "
                f"it should have said “{note.correction_right}”."
            )
        entries.append(
            (
                note.dated,
                {
                    "@type": "CorrectionComment",
                    "text": text or note.text or "Corrected.",
                    "datePublished": iso(note.dated),
                    "url": f"{canonical}#{note.anchor_id}",
                },
            )
        )
    for version in versions:
        if version.kind == StoryVersion.Kind.CORRECTION and version.number > 1:
            entries.append(
                (
                    version.created_at,
                    {
                        "@type": "CorrectionComment",
                        "text": version.summary or "Corrected.",
                        "datePublished": iso(version.created_at),
                    },
                )
            )
    entries.sort(key=lambda entry: entry[0])
    return [entry for _, entry in entries]


def claim_reviews(notes, *, request: HttpRequest, canonical: str) -> list[dict]:
    """A `ClaimReview` for each published fact-check note (`notes`, the page's
    `parts.NoteFacts`) that names its claim and verdict."""
    reviews = []
    for note in notes:
        if note.kind != Note.Kind.FACT_CHECK:
            continue
        if not (note.claim and note.verdict in Note.Verdict.values):
            continue
        rating = {
            "@type": "Rating",
            "alternateName": Note.Verdict(note.verdict).label,
        }
        if note.verdict in VERDICT_RATINGS:
            rating.update(
                {
                    "ratingValue": VERDICT_RATINGS[note.verdict],
                    "bestRating": 5,
                    "worstRating": 1,
                }
            )
        reviews.append(
            {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": f"{canonical}#{note.anchor_id}",
                "claimReviewed": note.claim,
                "reviewRating": rating,
                "author": publisher(request),
                "datePublished": iso(note.created_at),
                "itemReviewed": {
                    "@type": "Claim",
                    "appearance": {
                        "@type": "CreativeWork",
                        "url": f"{canonical}#{note.fragment}",
                    },
                },
            }
        )
    return reviews


def _pairs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    """Drop the properties that have no value."""
    return [(name, value) for name, value in items if value]


def story_metadata(
    *,
    request: HttpRequest,
    story: Story,
    bylines: list[Byline],
    tags: list[Tag],
    opening: str = "",
    notes=(),
    versions: list[StoryVersion] = (),
) -> PageMetadata:
    """Canonical link, description, Open Graph, Twitter card and NewsArticle JSON-LD of a story.

    The description is the dek, else the `opening` of the story's first paragraph.
    """
    site_name = settings.NEWSROOM_SITE_NAME
    canonical = request.build_absolute_uri(story.get_absolute_url())
    description = story.dek or opening
    image = story.image_src and safe_http_url(request.build_absolute_uri(story.image_src))
    published, modified = iso(story.published_at), iso(story_modified_at(story))
    authors = [byline.author for byline in bylines]
    author_urls = [request.build_absolute_uri(author.get_absolute_url()) for author in authors]
    creator = next((author.x_handle for author in authors if author.x_handle), "")

    open_graph = _pairs(
        ("og:type", "article"),
        ("og:site_name", site_name),
        ("og:title", story.headline),
        ("og:description", description),
        ("og:url", canonical),
        ("og:image", image),
        ("og:image:alt", story.image_alt if image else ""),
        ("article:published_time", published),
        ("article:modified_time", modified),
        ("article:section", story.section.name),
    )
    open_graph += [("article:tag", tag.name) for tag in tags]
    open_graph += [("article:author", url) for url in author_urls]
    twitter = _pairs(
        ("twitter:card", "summary_large_image" if image else "summary"),
        ("twitter:title", story.headline),
        ("twitter:description", description),
        ("twitter:image", image),
        ("twitter:image:alt", story.image_alt if image else ""),
        ("twitter:creator", f"@{creator}" if creator else ""),
    )

    json_ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "headline": story.headline,
        "description": description,
        "datePublished": published or None,
        "dateModified": modified or None,
        "author": [
            {
                "@type": "Person",
                "name": author.name,
                "url": url,
                **({"sameAs": author.x_url} if author.x_url else {}),
            }
            for author, url in zip(authors, author_urls, strict=True)
        ],
        "publisher": publisher(request),
        "publishingPrinciples": request.build_absolute_uri(
            policy_url(PolicyPage.Kind.PUBLISHING_PRINCIPLES)
        ),
        "correction": corrections_json_ld(notes, versions, canonical=canonical) or None,
        "image": [image] if image else None,
        "articleSection": story.section.name,
        "keywords": [tag.name for tag in tags],
        "isAccessibleForFree": True,
    }
    return PageMetadata(
        canonical_url=canonical,
        description=description,
        open_graph=open_graph,
        twitter=twitter,
        json_ld={key: value for key, value in json_ld.items() if value is not None},
        more_json_ld=claim_reviews(notes, request=request, canonical=canonical),
    )


def listing_metadata(
    *, request: HttpRequest, title: str, description: str = "", page: int = 1
) -> PageMetadata:
    """Canonical link, description and Open Graph basics of a list page.

    Each page of a paginated list is its own canonical page (`?page=2`); other query
    parameters are dropped.
    """
    path = request.path if page <= 1 else f"{request.path}?page={page}"
    canonical = request.build_absolute_uri(path)
    return PageMetadata(
        canonical_url=canonical,
        description=description,
        open_graph=_pairs(
            ("og:type", "website"),
            ("og:site_name", settings.NEWSROOM_SITE_NAME),
            ("og:title", title),
            ("og:description", description),
            ("og:url", canonical),
        ),
        twitter=_pairs(
            ("twitter:card", "summary"),
            ("twitter:title", title),
            ("twitter:description", description),
        ),
    )
