"""What a document is: its bytes read within a limit, decoded, and handed to its format.

The format is sniffed from the content (a file's name only decides for the plain-text layout's
`.txt`): a ninjs JSON object, a WordPress export, an RSS/Atom feed, an HTML page. The charset
comes from the byte-order mark, then the HTTP header, then the document's own declaration
(`<meta charset>`, the XML declaration); text that is not valid in it is refused, not guessed at.
"""

import codecs
import re
from collections.abc import Callable
from pathlib import Path

from articles.ingest.formats.feed import parse_feed
from articles.ingest.formats.ninjs import parse_ninjs
from articles.ingest.formats.page import parse_page
from articles.ingest.formats.wxr import parse_wxr
from articles.ingest.story import EntryResult, TooLarge, Undecodable, UnknownFormat

MAX_DOCUMENT_BYTES = 5_000_000  # a WordPress export of a few thousand posts; pages are < 1 MB

PLAINTEXT = "plaintext"
PAGE = "page"
FEED = "feed"
WXR = "wxr"
NINJS = "ninjs"

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_limited(path: Path, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    if not path.is_file():
        raise UnknownFormat("not a regular file")
    with path.open("rb") as stream:
        data = stream.read(max_bytes + 1)  # a link to /dev/zero must not fill memory
    if len(data) > max_bytes:
        raise TooLarge(f"larger than {max_bytes:,} bytes")
    return data


def charset_of(data: bytes, *, declared: str = "") -> str:
    for bom, name in BOMS:
        if data.startswith(bom):
            return name
    if declared:
        return declared
    head = data[:4096]
    for pattern in (XML_ENCODING, META_CHARSET):
        if match := pattern.search(head):
            return match.group(1).decode("ascii").lower()
    return "utf-8"


def decode(data: bytes, *, declared: str = "") -> str:
    charset = charset_of(data, declared=declared)
    try:
        codec = codecs.lookup(charset)
    except LookupError:
        raise Undecodable(f"an unknown character set ({charset[:40]})") from None
    name = "utf-8-sig" if codec.name == "utf-8" else codec.name
    try:
        return data.decode(name)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise Undecodable(f"not valid {codec.name} text, line {line}") from None


def sniff(data: bytes, *, name: str = "", content_type: str = "") -> str:
    """The format of a document, from its first bytes (and `.txt` for the plain-text layout)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnknownFormat("binary data, not a story")
    if head.startswith((b"{", b"[")):
        return NINJS
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return WXR if b"wordpress.org/export/" in head else FEED
    if b"<html" in head or b"<!doctype html" in head or b"<body" in head or b"<head" in head:
        return PAGE
    if name.endswith(".txt") or content_type == "text/plain":
        return PLAINTEXT
    if "xml" in content_type:
        return FEED
    raise UnknownFormat("an unknown format (not an HTML page, feed, WordPress export or ninjs)")


def read_document(
    data: bytes,
    *,
    name: str = "",
    url: str = "",
    content_type: str = "",
    charset: str = "",
    fetch_page: Callable[[str], list[EntryResult]] | None = None,
) -> list[EntryResult]:
    """The entries of a document other than the plain-text layout (see `sniff`)."""
    kind = sniff(data, name=name, content_type=content_type)
    if kind == PAGE:
        return parse_page(decode(data, declared=charset), url=url, label=url or name)
    if kind == FEED:
        return parse_feed(data, url=url, fetch_page=fetch_page)
    if kind == WXR:
        return parse_wxr(data, url=url)
    if kind == NINJS:
        return parse_ninjs(decode(data, declared=charset))
    raise UnknownFormat("the plain-text layout is read by articles.data.plaintext")
