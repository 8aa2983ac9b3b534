"""Hostile input: the payload corpus, the stories that carry it, and the checks that it stays text.

Shared by `tests/test_hostile_input.py` (every path to a reader, parsed) and
`tests/browser/test_xss.py` (the same content in Chromium).

A payload that ever ran would call `window.__xss.push('<id>')` or `alert('<id>')`, so the browser
tests can tell which one got through. The checks parse what the site sends with Python's own
`html.parser` and `xml.etree` (no html5lib), and report problems as readable strings rather than
raising, so that a test can list every surface a payload broke at once.
"""

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from xml.etree import ElementTree

from django.utils import timezone

from articles.models import (
    Author,
    Block,
    Note,
    NoteReply,
    RelatedStory,
    Section,
    Story,
    Tag,
)
from articles.notes.editing import save_note_form
from articles.search.index import index_stories
from tests.factories import (
    AsideFactory,
    AuthorFactory,
    ParagraphFactory,
    SectionFactory,
    StoryFactory,
    TagFactory,
    note_on,
)

# A word in every hostile story's text, to find them all with one search.
CANARY = "hostilecanary"


@dataclass(frozen=True)
class Payload:
    id: str
    text: str


def _push(payload_id: str) -> str:
    return f"window.__xss.push('{payload_id}')"


def _corpus() -> list[Payload]:
    def p(payload_id, template):
        # `{js}` is the call that reports the payload ran; `{id}` is its id.
        return Payload(payload_id, template.format(js=_push(payload_id), id=payload_id))

    return [
        # Elements that run script.
        p("script-tag", "<script>{js}</script>"),
        p("script-src-data", '<script src="data:text/javascript,{js}"></script>'),
        p("img-onerror", '<img src=x onerror="{js}">'),
        p("svg-onload", '<svg onload="{js}"></svg>'),
        p("svg-slash", "<svg/onload={js}>"),
        p("uppercase-tags", "<IMG SRC=x OnErRoR={js}>"),
        p("slash-separators", "<img/src=x/onerror={js}>"),
        p("odd-whitespace", "<img src=x\tonerror\n=\n{js} \n>"),
        p("details-ontoggle", "<details open ontoggle={js}><summary>x</summary></details>"),
        # Breaking out of an attribute, a raw-text element, a comment or CDATA.
        p("attr-breakout-double", '"><script>{js}</script>'),
        p("attr-breakout-single", "'><img src=x onerror=alert('{id}')>"),
        p("attr-event-injection", '" autofocus onfocus="{js}" x="'),
        p("script-breakout", "</script><script>{js}</script>"),
        p("json-breakout", '"}}]}}</script><script>{js}</script>'),
        p("textarea-breakout", "</textarea><img src=x onerror={js}>"),
        p("title-breakout", "</title><img src=x onerror={js}>"),
        p("comment-breakout", "--><img src=x onerror={js}><!--"),
        p("cdata-breakout", "]]><img src=x onerror={js}><![CDATA["),
        # Template syntax: data is never evaluated, on the server or in the browser.
        p(
            "django-template",
            "{{{{ 7|add:7 }}}} {{% now 'Y' %}} {{% debug %}} {{{{ request.META }}}}",
        ),
        p("js-template", "${{alert('{id}')}} {{{{constructor.constructor('alert(1)')()}}}}"),
        # Broken markup and elements that load or navigate.
        p("unclosed-anchor", '<a href="'),
        p("unclosed-anchor-js", '<a href="javascript:{js}">read more'),
        p("iframe-js", '<iframe src="javascript:{js}"></iframe>'),
        p(
            "iframe-srcdoc",
            "<iframe srcdoc=\"&lt;script&gt;parent.__xss.push('{id}')&lt;/script&gt;\">",
        ),
        p("object-embed", '<object data="javascript:{js}"></object><embed src="javascript:{js}">'),
        p("style-element", '<style>*{{background:url("javascript:{js}")}}</style>'),
        p("style-attribute", '<p style="background:url(javascript:{js});width:expression({js})">'),
        p(
            "base-form-meta",
            '<base href="https://evil.example/"><form action="https://evil.example/steal">'
            '<button formaction="javascript:{js}">Go</button></form>'
            '<meta http-equiv="refresh" content="0;url=javascript:{js}">',
        ),
        # Namespace confusion (the mXSS family).
        p("math-mglyph", "<math><mtext><table><mglyph><style><img src=x onerror={js}>"),
        p("svg-style", "<svg><style><img src=x onerror={js}></style></svg>"),
        p(
            "svg-animate",
            "<svg><a><animate attributeName=href values=javascript:{js} />"
            "<text x=20 y=20>click</text></a></svg>",
        ),
        # URLs that run script or load a document of their own.
        p("javascript-url", "javascript:{js}"),
        p("javascript-url-mixed-case", "JaVaScRiPt:{js}"),
        p("javascript-url-entities", "&#106;avascript:{js}"),
        p("javascript-url-hex-entities", "&#x6A;&#x61;vascript&#x3A;{js}"),
        p("javascript-url-leading-space", " \n\t javascript:{js}"),
        p("javascript-url-tab-inside", "java\tscri\npt:{js}"),
        p("data-url-html", "data:text/html,<script>{js}</script>"),
        p(
            "data-url-base64",
            "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgnZGF0YS11cmwtYmFzZTY0Jyk8L3NjcmlwdD4=",
        ),
        p("vbscript-url", "vbscript:msgbox('{id}')"),
        p("protocol-relative-url", "//evil.example/{id}"),
        p("http-url-attribute-breakout", 'https://example.org/"onmouseover="{js}"x="'),
        p("http-url-markup", "https://example.org/?q=<script>{js}</script>"),
        # Markdown, which note bodies are written in.
        p("markdown-js-link", "[read the source](javascript:{js})"),
        p("markdown-data-image", "![chart](data:text/html,<script>{js}</script>)"),
        p("markdown-autolink", "<javascript:alert('{id}')>"),
        p("markdown-reference", "[the source][1]\n\n[1]: javascript:{js}"),
        p(
            "markdown-raw-html",
            '**bold** <b onmouseover="{js}">hover</b> <a href="javascript:{js}">x</a>',
        ),
        # Already encoded: shown as typed, never decoded into markup.
        p("percent-encoded", "%3Cscript%3E{js}%3C%2Fscript%3E"),
        p("html-entities", "&lt;script&gt;{js}&lt;/script&gt;"),
        p("double-encoded", "&amp;lt;img src=x onerror={js}&amp;gt;"),
        p("js-escapes", "\\u003cscript\\u003e{js}\\u003c/script\\u003e"),
        # Unicode tricks.
        p("rtl-override", "\u202egnp.exe\u202c <script>{js}</script>"),
        p("zero-width", "<scr\u200bipt>{js}</scr\u200bipt> java\u200bscript:{js} \ufeff"),
        p("line-separators", "\u2028\u2029</script>\u2028<script>{js}</script>"),
        p("fullwidth-brackets", "\uff1cscript\uff1e{js}\uff1c/script\uff1e"),
        # Control characters pasted from a word processor (vertical tab, form feed, escape).
        p("control-characters", "Line one\x0bline two\x0cpage two \x1b[31m<b>{id}</b> \uffff"),
        # Very long: longer than every CharField, so each field keeps only its first part.
        p("very-long", "<script>{js}</script>" + "A very long sentence. " * 400 + "<img src=x>"),
    ]


CORPUS = _corpus()


def fit(model, field_name: str, text: str) -> str:
    """`text` cut to the field's max_length, as a form or PostgreSQL would insist."""
    max_length = model._meta.get_field(field_name).max_length
    return text[:max_length] if max_length else text


def one_line(text: str) -> str:
    """The payload as one line of an import file."""
    return re.sub(r"[\r\n]+", " ", text).strip()


# Building the stories that carry the payloads.


@dataclass
class HostileStory:
    """One payload in every field a reader or an editor sees, and the rows around it."""

    payload: Payload
    story: Story
    neighbour: Story
    section: Section
    author: Author
    tag: Tag
    aside: Block
    notes: dict[str, Note]  # by kind, the internal note included


def build_hostile_story(payload: Payload, *, index: int, editor=None) -> HostileStory:
    """A published story with `payload` in its headline, dek, image text, paragraphs, aside,
    section, author, tag and every kind of note (claim, correction, source title and link),
    an internal note with a reply and history, and a neighbour story relating to it both ways.
    """
    text = payload.text
    section = SectionFactory(name=fit(Section, "name", text), slug=f"hostile-{index}")
    author = AuthorFactory(
        name=fit(Author, "name", text),
        slug=f"hostile-{index}",
        bio=text,
        x_handle=fit(Author, "x_handle", text),
    )
    tag = TagFactory(name=fit(Tag, "name", text), slug=f"hostile-{index}", description=text)
    published_at = timezone.now() - timedelta(days=1, minutes=index)
    story = StoryFactory(
        headline=fit(Story, "headline", text),
        slug=f"hostile-{index}",
        dek=text,
        section=section,
        published_at=published_at,
        lead_image_url="https://example.org/lead.jpg",
        image_alt=fit(Story, "image_alt", text),
        image_credit=fit(Story, "image_credit", text),
        image_caption=fit(Story, "image_caption", text),
        authors=[author],
        tags=[tag],
    )
    kinds = ["context", "source", "factcheck", "correction", "internal"]
    paragraphs = [
        ParagraphFactory(
            story=story, position=n, text=f"Paragraph {n} about the {CANARY}: {text} (end)."
        )
        for n in range(len(kinds))
    ]
    aside = AsideFactory(
        story=story,
        position=len(kinds),
        teaser=fit(Block, "teaser", text),
        target_url=fit(Block, "target_url", text),
    )
    note_fields = {
        "context": {"kind": Note.Kind.CONTEXT},
        "source": {
            "kind": Note.Kind.SOURCE,
            "source_url": fit(Note, "source_url", text),
            "source_title": fit(Note, "source_title", text),
        },
        "factcheck": {
            "kind": Note.Kind.FACT_CHECK,
            "claim": text,
            "verdict": Note.Verdict.FALSE,
        },
        "correction": {
            "kind": Note.Kind.CORRECTION,
            "correction_wrong": fit(Note, "correction_wrong", text),
            "correction_right": fit(Note, "correction_right", text),
            "corrected_at": published_at + timedelta(hours=1),
        },
        "internal": {
            "kind": Note.Kind.INTERNAL,
            "state": Note.State.DRAFT,
        },
    }
    notes = {}
    for kind, paragraph in zip(kinds, paragraphs, strict=True):
        fields = {"body": text, "author": editor, **note_fields[kind]}
        if editor is None:
            fields.pop("author")
        notes[kind] = note_on(paragraph, text, **fields)
    internal = notes["internal"]
    NoteReply.objects.create(note=internal, author=editor, body=text)
    internal.body = text + " (checked)"
    internal.source_title = fit(Note, "source_title", text)
    save_note_form(note=internal, version=internal.version, user=editor)

    neighbour = StoryFactory(
        headline=f"Neighbour of hostile story {index}",
        slug=f"neighbour-{index}",
        section=section,
        published_at=published_at - timedelta(minutes=1),
    )
    ParagraphFactory(story=neighbour, text=f"The neighbour's own words about the {CANARY}.")
    AsideFactory(story=neighbour, teaser="The hostile story.", target_story=story)
    RelatedStory.objects.create(story=neighbour, related=story)
    RelatedStory.objects.create(story=story, related=neighbour)
    index_stories(story_ids=[story.pk, neighbour.pk])
    return HostileStory(
        payload=payload,
        story=story,
        neighbour=neighbour,
        section=section,
        author=author,
        tag=tag,
        aside=aside,
        notes=notes,
    )


# Checking what the site sends.

# Attributes whose value a browser follows or loads as a URL.
URL_ATTRIBUTES = {
    "action",
    "background",
    "cite",
    "data",
    "formaction",
    "href",
    "lowsrc",
    "manifest",
    "ping",
    "poster",
    "src",
    "srcset",
    "xlink:href",
}
DANGEROUS_SCHEMES = {"javascript", "data", "vbscript"}
# Elements the site never sends, and that an injection would use to run or load something.
FORBIDDEN_ELEMENTS = {
    "applet",
    "base",
    "embed",
    "frame",
    "frameset",
    "iframe",
    "math",
    "object",
    "style",
    "svg",
}
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}
# Scripts the site loads: its own static files, and the admin's translation catalogue.
OWN_SCRIPT_PATHS = ("/static/", "/admin/jsi18n/")
SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(value: str) -> str:
    """The scheme a browser would read from an attribute value (already entity-decoded):
    leading and trailing C0 controls and spaces dropped, tabs and newlines removed anywhere."""
    value = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(0x21)))))
    match = SCHEME_RE.match(value)
    return match[1].lower() if match else ""


def is_own_path(value: str) -> bool:
    """A same-site path ("/…", never "//host/…")."""
    return value.startswith("/") and not value.startswith("//") and "\\" not in value[:2]


class _MarkupAudit(HTMLParser):
    def __init__(self, *, own_elements: frozenset[str]):
        super().__init__(convert_charrefs=True)
        self.forbidden = FORBIDDEN_ELEMENTS - own_elements
        self.problems: list[str] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self._check_element(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check_element(tag, attrs)
        if tag == "script":
            self._end_script()

    def _check_element(self, tag, attrs):
        attributes = dict(attrs)
        where = f"<{tag}>"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"{where} has an event handler {name}={value[:60]!r}")
            if name in URL_ATTRIBUTES and url_scheme(value) in DANGEROUS_SCHEMES:
                self.problems.append(f"{where} {name} is a {url_scheme(value)}: URL {value[:60]!r}")
            if name == "srcdoc":
                self.problems.append(f"{where} has a srcdoc document")
            if name == "style" and re.search(r"javascript:|expression\(|url\(", value, re.I):
                self.problems.append(f"{where} style loads or runs something: {value[:60]!r}")
        if tag in self.forbidden:
            self.problems.append(f"{where} element is not the site's")
        if tag == "meta" and "http-equiv" in attributes:
            self.problems.append(f"{where} http-equiv={attributes['http-equiv']!r}")
        if tag == "link" and not is_own_path(attributes.get("href") or "/"):
            rel = (attributes.get("rel") or "").lower()
            if rel in {"stylesheet", "import", "preload", "modulepreload"}:
                self.problems.append(f"{where} loads {attributes.get('href')!r}")
        if tag == "form" and not is_own_path(attributes.get("action") or "/"):
            self.problems.append(f"{where} submits elsewhere: {attributes.get('action')!r}")
        formaction = attributes.get("formaction")
        if formaction is not None and not is_own_path(formaction or "/"):
            self.problems.append(f"{where} formaction={formaction!r}")
        if tag == "script":
            self._script = {"attrs": attributes, "text": []}

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"].append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self._end_script()

    def _end_script(self):
        script, self._script = self._script, None
        attrs, text = script["attrs"], "".join(script["text"])
        src, kind = attrs.get("src"), (attrs.get("type") or "").lower()
        if src is not None:
            if not (is_own_path(src) and src.startswith(OWN_SCRIPT_PATHS)) or text.strip():
                self.problems.append(f"<script src={src!r}> is not one of the site's scripts")
        elif kind in DATA_SCRIPT_TYPES:
            try:
                json.loads(text)
            except ValueError:
                self.problems.append(f"<script type={kind!r}> holds no valid JSON: {text[:80]!r}")
            if "</" in text.lower() or "<!--" in text:
                self.problems.append(f"<script type={kind!r}> holds markup: {text[:80]!r}")
        else:
            self.problems.append(f"inline <script> runs: {text[:80]!r}")


def html_problems(html: str, *, own_elements=frozenset()) -> list[str]:
    """What in this HTML could run script or load something the site did not put there.

    `own_elements` are forbidden elements the page itself uses (the admin's SVG icons).
    """
    audit = _MarkupAudit(own_elements=frozenset(own_elements))
    audit.feed(html)
    audit.close()
    if audit._script is not None:
        audit.problems.append("a <script> element is never closed")
    return audit.problems


def json_problems(value, *, path: str = "$") -> list[str]:
    """Problems in a JSON document: HTML values (`format: text/html`) are audited as HTML,
    and every link (`id`, `source`, `homepage`, `url`) must be an http(s) URL."""
    problems = []
    if isinstance(value, dict):
        if value.get("format") == "text/html" and isinstance(value.get("value"), str):
            problems += [f"{path}.value: {p}" for p in html_problems(value["value"])]
        for key, item in value.items():
            is_link = key in {"id", "@id", "source", "homepage", "url"} and isinstance(item, str)
            if is_link and url_scheme(item) not in {"http", "https"}:
                problems.append(f"{path}.{key} is not an http(s) URL: {item[:60]!r}")
            problems += json_problems(item, path=f"{path}.{key}")
    elif isinstance(value, list):
        for number, item in enumerate(value):
            problems += json_problems(item, path=f"{path}[{number}]")
    return problems


ATOM = "{http://www.w3.org/2005/Atom}"
# Elements of feeds whose text a feed reader renders as HTML.
HTML_IN_FEEDS = {"description", f"{ATOM}summary", f"{ATOM}content"}


def xml_problems(content: bytes) -> list[str]:
    """An XML document (feed or sitemap) must parse; any HTML it carries is audited; every
    link in it is an http(s) URL."""
    try:
        root = ElementTree.fromstring(content)  # noqa: S314 - the site's own response
    except ElementTree.ParseError as error:
        return [f"not well-formed XML: {error}"]
    problems = []
    for element in root.iter():
        text = element.text or ""
        if element.tag in HTML_IN_FEEDS:
            if element.tag.startswith(ATOM) and element.get("type") not in (None, "html", "text"):
                problems.append(f"{element.tag} has type {element.get('type')!r}")
            if element.get("type") != "text":
                problems += [f"{element.tag}: {p}" for p in html_problems(text)]
        is_link = element.tag.endswith("}loc") or element.tag in {"link", "guid", f"{ATOM}id"}
        if is_link and url_scheme(text.strip()) not in {"http", "https"}:
            problems.append(f"{element.tag} is not an http(s) URL: {text[:60]!r}")
        if element.tag == f"{ATOM}link" and url_scheme(element.get("href", "")) not in {
            "http",
            "https",
        }:
            problems.append(f"atom link is not an http(s) URL: {element.get('href')!r}")
    return problems


def response_problems(response, *, own_elements=frozenset()) -> list[str]:
    """Audit a response by its content type; never a server error."""
    problems = []
    if response.status_code >= 500:
        problems.append(f"status {response.status_code}")
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    body = response.content
    if content_type == "text/html":
        problems += html_problems(body.decode(), own_elements=own_elements)
    elif content_type.endswith("xml"):
        problems += xml_problems(body)
    elif content_type.endswith("json"):
        text = body.decode()
        try:
            document = json.loads(text)
        except ValueError:
            return [*problems, f"not valid JSON: {text[:80]!r}"]
        problems += json_problems(document)
    return problems
