"""WordPress eXtended RSS (WXR) exports: posts with their authors, categories and tags.

Posts only (pages, attachments and menu items are not stories); a published post is published,
a scheduled one published at its time, anything else (draft, pending, private) a draft. The
first category is the section, `post_tag`s are tags. A post body keeps WordPress's habit of
separating paragraphs with blank lines rather than `<p>`, which is read as paragraphs.
"""

import re

from lxml import etree

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

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
BLOCK_TAG = re.compile(r"<(?:p|div|h[1-6]|ul|ol|blockquote|figure|table|pre)\b", re.IGNORECASE)
BLANK_LINE = re.compile(r"\n\s*\n")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
WP_NAMESPACE = re.compile(r"https?://wordpress\.org/export/1\.\d+/$")


def autop(content: str) -> str:
    """WordPress's `wpautop`, in short: text between blank lines is a paragraph."""
    parts = []
    for chunk in BLANK_LINE.split(COMMENT.sub("", content)):
        chunk = chunk.strip()
        if not chunk:
            continue
        parts.append(chunk if BLOCK_TAG.match(chunk) else f"<p>{chunk}</p>")
    return "\n".join(parts)


def _parser() -> etree.XMLParser:
    # No entities, no DTDs, no network: an export is data, never instructions to the parser.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )


def parse_wxr(data: bytes, *, url: str = "") -> list[EntryResult]:
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError:
        raise UnknownFormat("a WordPress export that is not well-formed XML") from None
    channel = root.find("channel")
    if channel is None:
        raise UnknownFormat("a WordPress export without a channel")
    wp = next(
        (
            ns
            for ns in root.nsmap.values()
            if ns and re.match(r"https?://wordpress\.org/export/1\.\d+/$", ns)
        ),
        "http://wordpress.org/export/1.2/",
    )
    excerpt = next(
        (ns for ns in root.nsmap.values() if ns and "/export/" in ns and ns.endswith("excerpt/")),
        "",
    )

    def wp_text(element, name: str) -> str:
        return (element.findtext(f"{{{wp}}}{name}") or "").strip()

    names = {
        wp_text(author, "author_login"): clean_text(wp_text(author, "author_display_name"))
        for author in channel.findall(f"{{{wp}}}author")
    }
    base = http_url(channel.findtext("link"), url) or url
    results = []
    for item in channel.findall("item"):
        if wp_text(item, "post_type") != "post":
            continue
        title = clean_text(item.findtext("title"))
        label = title or f"post {wp_text(item, 'post_id')}"
        status = wp_text(item, "status")
        link = http_url(item.findtext("link"), base)
        guid = clean_text(item.findtext("guid"))[:500]
        creator = clean_text(item.findtext(DC_CREATOR))
        categories = [
            clean_text(c.text) for c in item.findall("category") if c.get("domain") == "category"
        ]
        tags = [
            clean_text(c.text) for c in item.findall("category") if c.get("domain") == "post_tag"
        ]
        published = parse_when(wp_text(item, "post_date_gmt").replace(" ", "T") + "+00:00")
        if published is None:
            published = parse_when(wp_text(item, "post_date").replace(" ", "T"))
        story = IngestedStory(
            identity=link or guid,
            source_url=link,
            headline=title,
            blocks=html_fragment_blocks(autop(item.findtext(CONTENT) or ""), base_url=link or base),
            format="wxr",
            dek=clip(clean_text(item.findtext(f"{{{excerpt}}}encoded") if excerpt else ""), "dek"),
            authors=[names.get(creator) or creator] if creator else [],
            published_at=published,
            updated_at=parse_when(wp_text(item, "post_modified_gmt").replace(" ", "T") + "+00:00"),
            section=categories[0] if categories else "",
            tags=[tag for tag in tags if tag],
            draft=status not in ("publish", "future"),
        )
        if not story.identity:
            results.append(EntryResult(label=label, error="a post without a link or GUID"))
            continue
        try:
            results.append(EntryResult(label=label, story=check_story(story, what="the post")))
        except IngestError as error:
            results.append(EntryResult(label=label, error=str(error)))
    return results
