"""Turning untrusted editor text into safe HTML.

Note bodies and replies are written in Markdown, rendered by markdown-it-py (CommonMark),
whose time grows linearly with the input: the previous renderer took 46 s over 20,000 "[". Raw
HTML in the source is shown as text, never interpreted, and the HTML produced is cleaned by nh3
(the Ammonia sanitiser) with a short allow-list, so no script, event handler, style or
`javascript:`/`data:` URL can reach a reader, whatever the editor typed or pasted.

Feeds and sitemaps are XML, which cannot hold most control characters at all: `xml_text` keeps
one pasted from a word processor from breaking them.
"""

import json
import re

import nh3
from django.core.serializers.json import DjangoJSONEncoder
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "cite",
    "code",
    "em",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "strong",
    "sub",
    "sup",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes; links open safely."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# CommonMark with raw HTML off: pasted tags show as text rather than being half-stripped. Autolinks
# ("<https://…>") stay off too, as before: anything between angle brackets reads as typed.
MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable("autolink")


def render_markdown(text: str) -> str:
    """Render light Markdown to sanitised HTML."""
    if not text.strip():
        return ""
    return sanitize_html(MARKDOWN.render(text).rstrip("\n"))


def safe_http_url(value: str) -> str:
    """`value` if it is an http(s) URL, else "" (no javascript:, data: or relative tricks)."""
    value = (value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


# XML 1.0 allows tab, newline and carriage return, and no other C0 control, surrogate, U+FFFE or
# U+FFFF. A word processor's line and page breaks (vertical tab, form feed) read as spaces.
XML_BREAKS_RE = re.compile("[\x0b\x0c]")
XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """`value` with only the characters an XML document may hold."""
    return XML_ILLEGAL_RE.sub("", XML_BREAKS_RE.sub(" ", value))


# The same escapes as Django's `json_script`: with no "<", ">" or "&" left in the JSON, nothing
# in a string can close a script element or open a comment inside it.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_safe_json(data, *, ensure_ascii: bool = True) -> str:
    """`data` as JSON holding no "<", ">" or "&", so safe inside HTML and inert as markup."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=ensure_ascii).translate(
        JSON_SCRIPT_ESCAPES
    )
