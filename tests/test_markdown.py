"""Rendering note bodies and replies: CommonMark through markdown-it-py, cleaned by nh3.

The expected HTML below is what the previous renderer (Python-Markdown) produced for the same
source, so the switch changes nothing editors already wrote in the seed notes.
"""

import json

import pytest

from articles.text.markup import render_markdown

SEED_RENDERINGS = {
    "The country is spelled **Colombia**. Columbia is a university, a river and several US"
    " cities.": "<p>The country is spelled <strong>Colombia</strong>. Columbia is a university,"
    " a river and several US cities.</p>",
    "The verb meant here is *elicit*, to draw out a response; *illicit* is an adjective meaning"
    " unlawful.": "<p>The verb meant here is <em>elicit</em>, to draw out a response;"
    " <em>illicit</em> is an adjective meaning unlawful.</p>",
    "The Shining Path (*Sendero Luminoso*) is a Maoist insurgency founded by the philosophy"
    " professor Abimael Guzmán in Ayacucho. It began its armed struggle in 1980. Peru's Truth and"
    " Reconciliation Commission estimated in 2003 that about 69,000 people died in the conflict of"
    " 1980 to 2000, and held the Shining Path responsible for more than half of the deaths. After"
    " Guzmán's capture in 1992 the group shrank to a remnant that operates in the VRAEM.": "<p>The"
    " Shining Path (<em>Sendero Luminoso</em>) is a Maoist insurgency founded by the philosophy"
    " professor Abimael Guzmán in Ayacucho. It began its armed struggle in 1980. Peru's Truth and"
    " Reconciliation Commission estimated in 2003 that about 69,000 people died in the conflict of"
    " 1980 to 2000, and held the Shining Path responsible for more than half of the deaths. After"
    " Guzmán's capture in 1992 the group shrank to a remnant that operates in the VRAEM.</p>",
    "The VRAEM (*Valle de los Ríos Apurímac, Ene y Mantaro*) is a jungle valley that spans parts"
    " of five regions: Ayacucho, Cusco, Junín, Huancavelica and Apurímac. It is Peru's largest"
    " coca-growing area and has been under a state of emergency for years.": "<p>The VRAEM"
    " (<em>Valle de los Ríos Apurímac, Ene y Mantaro</em>) is a jungle valley that spans parts"
    " of five regions: Ayacucho, Cusco, Junín, Huancavelica and Apurímac. It is Peru's largest"
    " coca-growing area and has been under a state of emergency for years.</p>",
    "Supports the 2014 goal of destroying 30,000 hectares of coca, announced by Peru's anti-drug"
    " agency DEVIDA and reported by Andina.": "<p>Supports the 2014 goal of destroying 30,000"
    " hectares of coca, announced by Peru's anti-drug agency DEVIDA and reported by Andina.</p>",
    "One pound is 0.4536 kg, so 660 lb is 299.4 kg. Peruvian authorities report seizures in"
    " kilograms; the figure matches a reported 300 kg.": "<p>One pound is 0.4536 kg, so 660 lb is"
    " 299.4 kg. Peruvian authorities report seizures in kilograms; the figure matches a reported"
    " 300 kg.</p>",
    'Style check: "narco-terrorists" is the government\'s term. Keep the quotation marks and the'
    " attribution, and hyphenate *so-called*.": '<p>Style check: "narco-terrorists" is the'
    " government's term. Keep the quotation marks and the attribution, and hyphenate"
    " <em>so-called</em>.</p>",
    "Agreed. Hyphen added to the style sheet; will fix on the next edit.": "<p>Agreed. Hyphen"
    " added to the style sheet; will fix on the next edit.</p>",
}


def seed_bodies(seed_dir) -> set[str]:
    bodies = set()
    for path in (seed_dir / "notes").glob("*.json"):
        for note in json.loads(path.read_text(encoding="utf-8"))["notes"]:
            bodies.add(note.get("body", ""))
            bodies.update(reply["body"] for reply in note.get("replies", []))
    return bodies - {""}


def test_the_expected_renderings_cover_every_seed_note_and_reply(seed_dir):
    assert seed_bodies(seed_dir) == set(SEED_RENDERINGS)


@pytest.mark.parametrize(("source", "html"), SEED_RENDERINGS.items())
def test_seed_notes_render_as_they_did_before(source, html):
    assert render_markdown(source) == html


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("", ""),
        ("  \n ", ""),
        ("The estimate is the *UN's* own.", "<p>The estimate is the <em>UN's</em> own.</p>"),
        (
            "Only [one step](https://example.org/chemistry) away.",
            '<p>Only <a href="https://example.org/chemistry" rel="noopener noreferrer nofollow">'
            "one step</a> away.</p>",
        ),
        ("para\n\npara2", "<p>para</p>\n<p>para2</p>"),
        ("line1\nline2", "<p>line1\nline2</p>"),
        ("a  \nb", "<p>a<br>\nb</p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
        ("`code`", "<p><code>code</code></p>"),
        ("> quote", "<blockquote>\n<p>quote</p>\n</blockquote>"),
        ("x &amp; y &copy;", "<p>x &amp; y ©</p>"),
        ("snake_case_name and 5 * 3 * 2", "<p>snake_case_name and 5 * 3 * 2</p>"),
        # Pasted markup and anything in angle brackets read as typed, as before.
        ("a <b>bold</b> & co", "<p>a &lt;b&gt;bold&lt;/b&gt; &amp; co</p>"),
        ("<https://example.org>", "<p>&lt;https://example.org&gt;</p>"),
        # Elements outside the allow-list keep their text only.
        ("# Heading", "Heading"),
        ("![a picture](https://example.org/a.png)", "<p></p>"),
    ],
)
def test_ordinary_markdown_renders_as_before(source, html):
    assert render_markdown(source) == html


@pytest.mark.parametrize(
    "source",
    ["[x](javascript:alert(1))", "[x](data:text/html,<script>alert(1)</script>)", "<script>x"],
)
def test_no_script_url_or_tag_survives(source):
    """A refused link stays as its text; no link or tag is made of it."""
    html = render_markdown(source)

    assert "<a" not in html
    assert "<script" not in html
