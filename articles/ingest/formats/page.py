"""A story page: the page's own statements about itself first, trafilatura for the body.

Metadata comes from the page's schema.org JSON-LD (`NewsArticle` and its kin), then its meta
tags (Open Graph, `story:*`, `<link rel=canonical>`), then trafilatura's metadata search; the
body from trafilatura's main-text extraction (no navigation, comments, share buttons), after
the boxes it cannot know about are taken out (newsletter sign-ups, share bars, related lists)
and a publisher's related-link box ("Related: …") is kept as a paragraph, to become an aside.
"""

import json
import re

import lxml.html
import trafilatura
from lxml import etree

from articles.ingest.dates import parse_when
from articles.ingest.formats.fragments import (
    LEADING_LABEL,
    XML_BLOCKS,
    http_url,
    paragraphs_of,
    to_blocks,
)
from articles.ingest.story import (
    EntryResult,
    IngestedStory,
    NotAnStory,
    check_story,
    clean_text,
    clip,
)

STORY_TYPES = {
    "Article",
    "NewsArticle",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BackgroundNewsArticle",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "BlogPosting",
    "Report",
}
ORGANISATIONS = {"Organization", "NewsMediaOrganization", "Corporation"}
# Text for screen readers only ("Image caption, "): not part of a caption or credit.
HIDDEN = re.compile(r"visually-hidden|sr-only|screen-reader-text", re.IGNORECASE)
# Boxes inside a story that are not its text; matched on class, id and data-* names.
NOISE = re.compile(
    r"newsletter|sign-?up|subscribe|share|sharing|social|comment|related-?posts|relatedposts"
    r"|recommend|advert|promo|paywall|cookie|outbrain|taboola",
    re.IGNORECASE,
)
PROTECTED = {"html", "body", "main", "article"}
CREDIT_PATTERNS = (
    re.compile(r"^(?P<caption>.*?)\s*(?:Image via|Photo via)\s+(?P<credit>\S.*)$"),
    re.compile(
        r"^(?P<caption>.*?)\s*(?:Photograph|Photo|Image|Picture|Credit)s?\s*:\s*(?P<credit>\S.*)$"
    ),
    re.compile(r"^(?P<caption>.*?)\s*\((?P<credit>[^()]*(?:Photo|Images?)\b[^()]*)\)\s*$"),
)
# More than this share of the page's words inside links: a list of links, not a story.
BODY_TEXT = "//body//text()[not(ancestor::script)][not(ancestor::style)]"
MAX_LINK_SHARE = 0.5


def _json_ld_objects(tree) -> list[dict]:
    found: list[dict] = []

    def collect(value) -> None:
        if isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            found.append(value)
            if "@graph" in value:
                collect(value["@graph"])

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            collect(json.loads(script.text or "", strict=False))
        except (ValueError, RecursionError):
            continue
    return found


def _types(obj: dict) -> set[str]:
    kind = obj.get("@type", ())
    return {kind} if isinstance(kind, str) else {k for k in kind if isinstance(k, str)}


def _text(value) -> str:
    """A JSON-LD value as text: a string, the first of a list, or an object's name."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("name") or value.get("@id") or ""
    return clean_text(value) if isinstance(value, str | int | float) else ""


def _names(value) -> list[str]:
    """People's names; an organisation given as the author ("BBC News") is not a byline."""
    items = value if isinstance(value, list) else [value]
    people = [
        item for item in items if not (isinstance(item, dict) and _types(item) & ORGANISATIONS)
    ]
    return [name for name in (_text(item) for item in people) if name]


def _split_keywords(values) -> list[str]:
    items = values if isinstance(values, list) else [values]
    keywords: list[str] = []
    for item in items:
        keywords.extend(part for part in (clean_text(p) for p in _text(item).split(",")) if part)
    return keywords


class Meta:
    """The page's meta tags, by `property` or `name`, every value kept."""

    def __init__(self, tree):
        self.values: dict[str, list[str]] = {}
        for meta in tree.iter("meta"):
            key = (meta.get("property") or meta.get("name") or "").strip().lower()
            content = meta.get("content")
            if key and content:
                self.values.setdefault(key, []).append(clean_text(content))

    def first(self, *keys: str) -> str:
        for key in keys:
            for value in self.values.get(key, ()):
                if value:
                    return value
        return ""

    def all(self, key: str) -> list[str]:
        return self.values.get(key, [])


def _person(name: str) -> str:
    """A byline name as a person writes it: wire services' capitals become a name's case."""
    name = re.sub(r"^(?:by)\s+", "", name, flags=re.IGNORECASE).strip()
    return name.title() if name.isupper() else name


def _split_credit(text: str) -> tuple[str, str]:
    for pattern in CREDIT_PATTERNS:
        if match := pattern.match(text):
            return clean_text(match["caption"]), clean_text(match["credit"])
    return text, ""


def _lead_figure(tree, image_url: str) -> tuple[str, str, str]:
    """(caption, credit, alt) of the lead image: where the page shows the image it names as
    its own, else the story's first figure; nothing when the page names no image."""
    if not image_url:
        return "", "", ""
    img = next((img for img in tree.iter("img") if image_url and img.get("src") == image_url), None)
    if img is not None:
        figures = img.xpath("ancestor::figure[1]")
        if not figures:
            return "", "", clean_text(img.get("alt"))
        figure = figures[0]
    else:
        figures = tree.xpath("//story//figure[.//img]") or tree.xpath("//figure[.//img]")
        if not figures:
            return "", "", ""
        figure = figures[0]
        img = figure.xpath(".//img")[0]
    for hidden in figure.xpath(".//*[@class]"):
        if HIDDEN.search(hidden.get("class", "")) and hidden.getparent() is not None:
            hidden.drop_tree()
    caption_el = figure.find(".//figcaption")
    caption = credit = ""
    if caption_el is not None:
        credit_els = caption_el.xpath(".//*[contains(@class, 'credit')]")
        text = clean_text(caption_el.xpath("string()"))
        if credit_els:
            credit = clean_text(credit_els[0].xpath("string()"))
            caption = clean_text(text.replace(credit, "", 1))
            # "Image via AP/…" in a credit element: the credit is what follows "via".
            _, credit = _split_credit(credit) if _split_credit(credit)[1] else ("", credit)
        else:
            caption, credit = _split_credit(text)
    return caption, credit.strip("() "), clean_text(img.get("alt"))


def _drop_noise(tree) -> None:
    """Take out boxes that are not the story's text; keep related-link boxes as paragraphs."""
    for aside in list(tree.iter("aside")):
        text = clean_text(aside.xpath("string()"))
        links = aside.xpath(".//a[@href]")
        if LEADING_LABEL.match(text) and len(links) == 1:
            paragraph = etree.Element("p")
            paragraph.text = text[: len(text) - len(clean_text(links[0].xpath("string()")))]
            anchor = etree.SubElement(paragraph, "a", href=links[0].get("href"))
            anchor.text = clean_text(links[0].xpath("string()"))
            paragraph.tail = aside.tail
            aside.getparent().replace(aside, paragraph)
    doomed = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in PROTECTED:
            continue
        names = " ".join(
            value
            for key, value in element.attrib.items()
            if key in ("class", "id") or key.startswith("data-")
        )
        if names and NOISE.search(names):
            doomed.append(element)
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            # Keep the text that follows the box in its parent.
            if element.tail and element.tail.strip():
                previous = element.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + element.tail
                else:
                    parent.text = (parent.text or "") + element.tail
            parent.remove(element)


def parse_page(html: str, *, url: str = "", label: str = "") -> list[EntryResult]:
    """One story page; `url` is where it was fetched (its canonical URL is preferred)."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        raise NotAnStory("not a story (no HTML document in it)") from None
    label = label or url
    meta = Meta(tree)
    ld = next((obj for obj in _json_ld_objects(tree) if _types(obj) & STORY_TYPES), {})
    canonical = ""
    for link in tree.xpath('//link[@rel="canonical"][@href]'):
        canonical = http_url(link.get("href"), url)
        break
    main_entity = ld.get("mainEntityOfPage")
    canonical = (
        canonical
        or http_url(meta.first("og:url"), url)
        or http_url(_text(ld.get("url")), url)
        or http_url(_text(main_entity) if not isinstance(main_entity, dict) else "", url)
        or http_url(url)
    )
    base = canonical or url
    found = trafilatura.extract_metadata(tree, default_url=base or None, extensive=False)

    headline = clean_text(
        _text(ld.get("headline"))
        or meta.first("og:title", "twitter:title")
        or (found.title if found else "")
    )
    authors = _names(ld.get("author")) or [
        name for name in (meta.first("author"),) if name and not name.startswith("http")
    ]
    if not authors and found and found.author:
        authors = [part.strip() for part in found.author.split(";") if part.strip()]
    tags = (
        _split_keywords(ld.get("keywords"))
        or [tag for value in meta.all("article:tag") for tag in _split_keywords(value)]
        or _split_keywords(meta.first("news_keywords", "keywords"))
        or list(found.tags if found and found.tags else [])
    )
    section = (
        _text(ld.get("articleSection"))
        or meta.first("article:section")
        or (found.categories[0] if found and found.categories else "")
    )
    image = ld.get("image")
    image_obj = image[0] if isinstance(image, list) and image else image
    image_url = ""
    caption = credit = alt = ""
    if isinstance(image_obj, dict):
        image_url = http_url(_text(image_obj.get("url") or image_obj.get("contentUrl")), base)
        caption = clean_text(_text(image_obj.get("caption")))
        credit = clean_text(_text(image_obj.get("creditText") or image_obj.get("copyrightHolder")))
    elif isinstance(image_obj, str):
        image_url = http_url(image_obj, base)
    image_url = image_url or http_url(meta.first("og:image", "twitter:image"), base)
    fig_caption, fig_credit, alt = _lead_figure(tree, image_url)
    caption, credit = caption or fig_caption, credit or fig_credit

    published = parse_when(
        _text(ld.get("datePublished"))
        or meta.first("article:published_time", "og:published_time", "date", "dc.date")
    )
    if published is None:
        times = tree.xpath("//time[@datetime]")
        published = parse_when(times[0].get("datetime")) if times else None
    if published is None and found and found.date:
        published = parse_when(found.date)

    body_words = len(" ".join(tree.xpath(BODY_TEXT)).split())
    link_words = len(" ".join(tree.xpath("//body//a//text()")).split())
    if body_words and link_words / body_words > MAX_LINK_SHARE:
        raise NotAnStory("not a story (mostly links, like an index page)")
    _drop_noise(tree)
    extracted = trafilatura.extract(
        tree,
        url=base or None,
        output_format="xml",
        include_links=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        with_metadata=False,
        deduplicate=False,
    )
    paragraphs = []
    if extracted:
        root = etree.fromstring(extracted.encode("utf-8"), etree.XMLParser(resolve_entities=False))
        main = root.find("main")
        if main is not None:
            paragraphs = paragraphs_of(
                main, block_tags=XML_BLOCKS, link_tag="ref", link_attr="target", base_url=base
            )
    skip = {headline, caption, f"{caption} {credit}".strip()} - {""}
    story = IngestedStory(
        identity=canonical,
        source_url=canonical,
        headline=headline,
        blocks=to_blocks(paragraphs, skip=skip),
        format="page",
        dek=clip(
            clean_text(_text(ld.get("description")) or meta.first("og:description", "description")),
            "dek",
        ),
        authors=[_person(name) for name in authors][:20],
        published_at=published,
        updated_at=parse_when(
            _text(ld.get("dateModified")) or meta.first("article:modified_time", "og:updated_time")
        ),
        section=section,
        tags=tags,
        publisher=_text(ld.get("publisher")) or meta.first("og:site_name"),
        image_url=image_url,
        image_caption=clip(caption, "image_caption"),
        image_credit=clip(credit, "image_credit"),
        image_alt=clip(alt, "image_alt"),
    )
    if not story.identity:
        raise NotAnStory("not a story (the page names no address of its own)")
    return [EntryResult(label=label, story=check_story(story, what="the page"))]
