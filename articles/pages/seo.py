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

from articles.models import Article, Block, Byline, Tag
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


def iso(moment: datetime | None) -> str:
    """ISO 8601 in the site's time zone, whole seconds, as the page's <time> elements write it."""
    local = local_time(moment)
    return local.replace(microsecond=0).isoformat() if local else ""


def story_modified_at(article: Article) -> datetime | None:
    """When readers were told the story changed: its "Updated" time, else its publication."""
    return article.last_updated_at if article.was_updated else article.published_at


def story_description(article: Article) -> str:
    """The dek; for a story without one, the start of its first paragraph (already prefetched)."""
    if article.dek:
        return article.dek
    for block in article.blocks.all():
        if block.kind == Block.Kind.PARAGRAPH and block.text.strip():
            return Truncator(block.text).chars(DESCRIPTION_LENGTH)
    return ""


def _pairs(*items: tuple[str, str]) -> list[tuple[str, str]]:
    """Drop the properties that have no value."""
    return [(name, value) for name, value in items if value]


def story_metadata(
    *, request: HttpRequest, article: Article, bylines: list[Byline], tags: list[Tag]
) -> PageMetadata:
    """Canonical link, description, Open Graph, Twitter card and NewsArticle JSON-LD of a story."""
    site_name = settings.NEWSROOM_SITE_NAME
    canonical = request.build_absolute_uri(article.get_absolute_url())
    description = story_description(article)
    image = article.image_src and safe_http_url(request.build_absolute_uri(article.image_src))
    published, modified = iso(article.published_at), iso(story_modified_at(article))
    authors = [byline.author for byline in bylines]
    author_urls = [request.build_absolute_uri(author.get_absolute_url()) for author in authors]
    creator = next((author.x_handle for author in authors if author.x_handle), "")

    open_graph = _pairs(
        ("og:type", "article"),
        ("og:site_name", site_name),
        ("og:title", article.headline),
        ("og:description", description),
        ("og:url", canonical),
        ("og:image", image),
        ("og:image:alt", article.image_alt if image else ""),
        ("article:published_time", published),
        ("article:modified_time", modified),
        ("article:section", article.section.name),
    )
    open_graph += [("article:tag", tag.name) for tag in tags]
    open_graph += [("article:author", url) for url in author_urls]
    twitter = _pairs(
        ("twitter:card", "summary_large_image" if image else "summary"),
        ("twitter:title", article.headline),
        ("twitter:description", description),
        ("twitter:image", image),
        ("twitter:image:alt", article.image_alt if image else ""),
        ("twitter:creator", f"@{creator}" if creator else ""),
    )

    json_ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "url": canonical,
        "headline": article.headline,
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
        "publisher": {
            "@type": "Organization",
            "name": site_name,
            "url": request.build_absolute_uri(reverse("articles:front")),
        },
        "image": [image] if image else None,
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in tags],
        "isAccessibleForFree": True,
    }
    return PageMetadata(
        canonical_url=canonical,
        description=description,
        open_graph=open_graph,
        twitter=twitter,
        json_ld={key: value for key, value in json_ld.items() if value is not None},
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
