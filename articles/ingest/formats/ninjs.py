"""IPTC ninjs, the JSON news agencies deliver (versions 1.x and 2.x): one item or a list.

Headline, bylines, body (`body_html`, or the `bodies` of 2.x), subjects as tags, the feature
image's rendition, caption and credit; the item's `uri` is its identity. An item whose
`pubstatus` is not "usable" (withheld, canceled) is kept as a draft.
"""

import json

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


def _first(values, role: str = "") -> str:
    """The value of the first item of a 2.x list (`headlines`, `descriptions`), by role."""
    if not isinstance(values, list):
        return ""
    items = [v for v in values if isinstance(v, dict) and isinstance(v.get("value"), str)]
    chosen = [v for v in items if role and v.get("role") == role] or items
    return chosen[0]["value"] if chosen else ""


def _str(value) -> str:
    return value if isinstance(value, str) else ""


def is_ninjs(document) -> bool:
    items = document if isinstance(document, list) else [document]
    return bool(items) and all(
        isinstance(item, dict) and "uri" in item and ({"headline", "headlines"} & item.keys())
        for item in items
    )


def _item(item: dict) -> EntryResult:
    headline = clean_text(_str(item.get("headline")) or _first(item.get("headlines"), "main"))
    uri = clean_text(_str(item.get("uri")))[:500]
    label = headline or uri or "an item"
    body = _str(item.get("body_html"))
    if not body:
        bodies = [b for b in item.get("bodies") or [] if isinstance(b, dict)]
        html = [b for b in bodies if b.get("contenttype") == "text/html"]
        body = _first(html, "main") or ""
        if not body:
            text = _first(bodies, "main") or _str(item.get("body_text"))
            body = "".join(f"<p>{line}</p>" for line in text.split("\n") if line.strip())
    bylines = item.get("bylines")
    if isinstance(bylines, list):
        authors = [
            clean_text(_str(b.get("name")) or _str(b.get("byline")))
            for b in bylines
            if isinstance(b, dict)
        ]
    else:
        byline = clean_text(_str(item.get("byline")))
        byline = byline[3:] if byline.lower().startswith("by ") else byline
        authors = [name.strip() for name in byline.replace(" and ", ",").split(",")]
    subjects = item.get("subjects") or item.get("subject") or []
    tags = [clean_text(_str(s.get("name"))) for s in subjects if isinstance(s, dict)]
    image = ((item.get("associations") or {}).get("featureimage")) or {}
    renditions = image.get("renditions") or {} if isinstance(image, dict) else {}
    original = renditions.get("original") or next(iter(renditions.values()), {})
    story = IngestedStory(
        identity=uri,
        source_url=http_url(uri),
        headline=headline,
        blocks=html_fragment_blocks(body),
        format="ninjs",
        dek=clip(
            clean_text(
                _str(item.get("description_text")) or _first(item.get("descriptions"), "summary")
            ),
            "dek",
        ),
        authors=[name for name in authors if name],
        published_at=parse_when(_str(item.get("firstcreated")) or _str(item.get("versioncreated"))),
        updated_at=parse_when(_str(item.get("versioncreated"))),
        section=clean_text(_str(item.get("section"))),
        tags=[tag for tag in tags if tag],
        image_url=http_url(_str(original.get("href"))) if isinstance(original, dict) else "",
        image_caption=clip(
            clean_text(
                _str(image.get("description_text")) or _first(image.get("descriptions"), "caption")
            ),
            "image_caption",
        )
        if isinstance(image, dict)
        else "",
        image_credit=clip(
            clean_text(_str(image.get("copyrightholder")) or _str(image.get("creditline"))),
            "image_credit",
        )
        if isinstance(image, dict)
        else "",
        draft=_str(item.get("pubstatus")) not in ("", "usable"),
    )
    if not uri:
        return EntryResult(label=label, error="a ninjs item without a uri")
    try:
        return EntryResult(label=label, story=check_story(story, what="the item"))
    except IngestError as error:
        return EntryResult(label=label, error=str(error))


def parse_ninjs(text: str) -> list[EntryResult]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise UnknownFormat("JSON that could not be read") from None
    if not is_ninjs(document):
        raise UnknownFormat("JSON that is not a ninjs document (no uri and headline)")
    items = document if isinstance(document, list) else [document]
    return [_item(item) for item in items]
