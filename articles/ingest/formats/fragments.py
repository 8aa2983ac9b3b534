"""A story body given as HTML (a feed's `content:encoded`, a WordPress post, ninjs `body_html`,
or trafilatura's extraction of a page) reduced to paragraphs and read-more asides.

Only text and link addresses come out: the markup is read, never kept. A paragraph that is only
a link to another story, introduced or followed by a "Read more" label ("… Read more here.",
"READ MORE: …", "Related: …"), becomes an aside pointing at that address.
"""

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from articles.ingest.blocks import ASIDE_LABEL, ParsedBlock
from articles.ingest.story import clean_text
from articles.models import Block

TEASER_LIMIT = Block._meta.get_field("teaser").max_length
LABEL_LIMIT = Block._meta.get_field("label").max_length

# "Meet the man who thrived in Bolivia's cocaine prison. Read more here."
TRAILING_LABEL = re.compile(
    r"^(?P<teaser>\S.*?)\s*(?P<label>read (?:more|the (?:full )?story|on)(?: here)?[.!]?)$",
    re.IGNORECASE,
)
# "READ MORE: Peru election campaign marred by violence", "Related: …", "See also: …"
LEADING_LABEL = re.compile(
    r"^(?:read more|related|related story|see also|also read|more|read also|further reading)"
    r"\s*[:\-–—]\s*(?P<teaser>\S.*)$",
    re.IGNORECASE,
)
# Lines that publishers' software adds to every post, never the story's text.
BOILERPLATE = (
    re.compile(r"^The post .+ appeared first on .+\.?$"),
    re.compile(r"^Follow .{1,200} on (?:Twitter|X)(?:/Twitter)?: @\w{1,15}$"),
    re.compile(r"^(?:Advertisement|ADVERTISEMENT|Continue reading( below)?\.*)$"),
)
HAS_WORD = re.compile(r"[^\W_]")

# HTML's own block elements, and trafilatura's XML names for them.
HTML_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt"}
XML_BLOCKS = {"p", "head", "item", "quote", "code"}
SKIPPED = {"script", "style", "noscript", "figure", "figcaption", "iframe", "form", "button"}


@dataclass
class Paragraph:
    text: str
    links: list[tuple[str, str]]  # (link text, absolute http(s) address)
    heading: bool = False


def http_url(href: str | None, base: str = "") -> str:
    """`href` made absolute against `base`, or "" unless it is an http(s) address."""
    if not href:
        return ""
    address = urljoin(base, href.strip()) if base else href.strip()
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return address[:500]


def _text_of(element) -> str:
    """The element's text, leaving out what is not prose (captions, scripts, forms)."""
    parts: list[str] = []

    def collect(node) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in SKIPPED:
                collect(child)
            if child.tail:
                parts.append(child.tail)

    collect(element)
    return clean_text("".join(parts))


def _has_block_inside(element, block_tags: set[str]) -> bool:
    return any(
        isinstance(child.tag, str) and child.tag in block_tags
        for child in element.iterdescendants()
    )


def paragraphs_of(
    root, *, block_tags: set[str], link_tag: str, link_attr: str, base_url: str = ""
) -> list[Paragraph]:
    """The innermost block elements under `root`, in document order, as text with links."""
    found: list[Paragraph] = []

    def walk(element) -> None:
        for child in element:
            if not isinstance(child.tag, str) or child.tag in SKIPPED:
                continue
            if child.tag in block_tags and not _has_block_inside(child, block_tags):
                text = _text_of(child)
                links = []
                for link in child.iter(link_tag):
                    address = http_url(link.get(link_attr), base_url)
                    if address:
                        links.append((clean_text(link.xpath("string()")), address))
                if text:
                    found.append(
                        Paragraph(text=text, links=links, heading=child.tag in ("head", "h2"))
                    )
            else:
                walk(child)

    walk(root)
    return found


def as_aside(paragraph: Paragraph) -> ParsedBlock | None:
    """The aside this paragraph is, or None: one link, and a read-more label before or after."""
    targets = {address for _, address in paragraph.links}
    if len(targets) != 1:
        return None
    (target,) = targets
    if match := TRAILING_LABEL.match(paragraph.text):
        teaser, label = match["teaser"], match["label"]
    elif match := LEADING_LABEL.match(paragraph.text):
        teaser, label = match["teaser"], ASIDE_LABEL
    else:
        return None
    teaser = teaser.strip()
    if not teaser or len(teaser) > TEASER_LIMIT or len(label) > LABEL_LIMIT:
        return None
    return ParsedBlock(kind=Block.Kind.ASIDE, teaser=teaser, label=label, target_url=target)


def to_blocks(paragraphs: list[Paragraph], *, skip: set[str] = frozenset()) -> list[ParsedBlock]:
    """Paragraphs and asides, without boilerplate, wordless lines or the texts in `skip`
    (the headline, an image caption: what a page repeats outside its body)."""
    blocks: list[ParsedBlock] = []
    for paragraph in paragraphs:
        text = paragraph.text
        if not HAS_WORD.search(text) or text in skip:
            continue
        if any(pattern.match(text) for pattern in BOILERPLATE):
            continue
        aside = as_aside(paragraph)
        blocks.append(aside or ParsedBlock(kind=Block.Kind.PARAGRAPH, text=text))
    return blocks


def html_fragment_blocks(fragment: str, *, base_url: str = "") -> list[ParsedBlock]:
    """The blocks of a body given as an HTML fragment."""
    if not fragment or not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    paragraphs = paragraphs_of(
        root, block_tags=HTML_BLOCKS, link_tag="a", link_attr="href", base_url=base_url
    )
    # Text outside any block element (a body without <p>) is one paragraph per run.
    if not paragraphs:
        text = clean_text(root.xpath("string()"))
        paragraphs = [Paragraph(text=text, links=[])] if text else []
    return to_blocks(paragraphs)
