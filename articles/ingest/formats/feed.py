"""RSS and Atom feeds (feedparser): each entry a story.

An entry's full text comes from `content:encoded` / Atom `content` when the feed carries it;
otherwise the linked page is fetched and read as a story page when the import is asked to
(`fetch_page`), and the entry is refused, saying so, when it is not. An entry's first category is
its section, the others its tags (WordPress and most CMSs list the category first).
"""

import io
from collections.abc import Callable

import feedparser

from articles.ingest.dates import parse_when
from articles.ingest.formats.fragments import html_fragment_blocks, http_url
from articles.ingest.story import (
    EntryResult,
    IngestedStory,
    IngestError,
    UnknownFormat,
    check_story,
    clean_text,
    clip,
)

FetchPage = Callable[[str], list[EntryResult]]


def _text_of(value: str) -> str:
    blocks = html_fragment_blocks(value)
    return " ".join(block.annotatable_text for block in blocks)


def _entry(entry, *, base: str, fetch_page: FetchPage | None) -> EntryResult:
    title = clean_text(entry.get("title"))
    link = http_url(entry.get("link"), base)
    guid = clean_text(entry.get("id"))[:500]
    label = title or link or guid or "an entry"
    contents = [c for c in entry.get("content", []) if c.get("value")]
    body = max(contents, key=lambda c: len(c["value"]))["value"] if contents else ""
    blocks = html_fragment_blocks(body, base_url=link or base) if body else []
    if not blocks:
        if not link:
            return EntryResult(label=label, error="a feed entry without a link or text")
        if fetch_page is None:
            return EntryResult(
                label=label,
                error="the feed gives no full text for this entry (fetch its linked page: "
                "--fetch, or the Import page's option)",
            )
        try:
            results = fetch_page(link)
        except IngestError as error:
            return EntryResult(label=label, error=f"{link}: {error}")
        return results[0] if results else EntryResult(label=label, error="nothing to import")
    terms = [clean_text(tag.get("term")) for tag in entry.get("tags", [])]
    terms = [term for term in terms if term]
    authors = [clean_text(a.get("name")) for a in entry.get("authors", []) if a.get("name")]
    if not authors and entry.get("author"):
        authors = [clean_text(entry["author"])]
    summary = _text_of(entry.get("summary", "")) if contents else ""
    # Asked for only when present: feedparser maps a missing one to the publication time.
    updated = entry["updated_parsed"] if "updated_parsed" in entry else None  # noqa: SIM401
    image = ""
    for media in entry.get("media_content", []) + entry.get("media_thumbnail", []):
        image = http_url(media.get("url"), base)
        if image:
            break
    story = IngestedStory(
        identity=link or guid,
        source_url=link,
        headline=title,
        blocks=blocks,
        format="feed",
        dek=clip(summary, "dek") if summary and not body.startswith(summary) else "",
        authors=authors,
        published_at=parse_when(entry.get("published_parsed") or updated),
        updated_at=parse_when(updated),
        section=terms[0] if terms else "",
        tags=terms[1:],
        image_url=image,
    )
    if not story.identity:
        return EntryResult(label=label, error="a feed entry without a link or GUID")
    try:
        return EntryResult(label=label, story=check_story(story, what="the entry"))
    except IngestError as error:
        return EntryResult(label=label, error=str(error))


def parse_feed(
    data: bytes, *, url: str = "", fetch_page: FetchPage | None = None
) -> list[EntryResult]:
    """Every entry of an RSS or Atom feed, each a story or the reason it is not one."""
    # A stream, never a string: feedparser would fetch a string that looks like an address.
    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        raise UnknownFormat("not a feed that could be read")
    base = http_url(parsed.feed.get("link"), url) or url
    return [_entry(entry, base=base, fetch_page=fetch_page) for entry in parsed.entries]
