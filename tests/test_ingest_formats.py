"""Each fixture format imported and checked part by part: pages, feeds, exports, ninjs."""

from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from articles.ingest.documents import read_document
from articles.ingest.importing import import_bytes, import_path
from articles.ingest.story import MIN_BODY_WORDS
from articles.models import Block, Section, Story
from tests.factories import SectionFactory, StoryFactory
from tests.ingest_fixtures import FIXTURES, fixture

pytestmark = pytest.mark.django_db

VICE_URL = (
    "https://www.vice.example/en/article/peruvian-soldier-killed-in-shootout-with-drug-smugglers"
)


def imported(name: str) -> list:
    outcomes = import_path(FIXTURES / name)
    assert [o.status for o in outcomes if o.failed] == [], [str(o) for o in outcomes]
    return [o.story for o in outcomes]


def reference(name: str) -> list[str]:
    return (FIXTURES / "reference" / f"{name}.body").read_text(encoding="utf-8").splitlines()


def body(story: Story) -> list[str]:
    return [b.annotatable_text for b in story.blocks.order_by("position")]


def test_vice_page_imports_every_part_with_its_three_asides():
    (story,) = imported("vice-peruvian-soldier.html")
    assert story.canonical_url == VICE_URL
    assert story.source_url == VICE_URL
    assert story.headline == "Peruvian Soldier Killed in Shootout With Drug Smugglers"
    assert story.dek.startswith("The battle between military forces")
    assert story.section.name == "News"
    assert story.published_at == datetime(2014, 6, 20, 23, 41, tzinfo=UTC)
    assert [b.author.name for b in story.bylines.select_related("author")] == ["Kayla Ruble"]
    assert sorted(story.tags.names()) == ["Drugs", "Peru", "Shining Path"]
    assert story.lead_image_url.endswith("/peru-soldier/lead.jpg")
    assert story.image_credit == "AP/Martin Mejia"
    assert story.image_alt == "Peruvian soldiers on patrol in the VRAEM valley"
    assert body(story) == reference("vice-peruvian-soldier")
    asides = list(story.blocks.filter(kind=Block.Kind.ASIDE).order_by("position"))
    assert [a.position for a in asides] == [3, 7, 11]
    assert [a.label for a in asides] == ["Read more here."] * 3
    assert asides[0].target_url == (
        "https://www.vice.example/en/article/meet-the-man-who-thrived-in-bolivias-cocaine-prison"
    )
    # Not the story's text: the age banner, the footer, the newsletter box, the share bar.
    text = " ".join(body(story))
    for boilerplate in ("years old", "Follow Kayla", "INBOX", "Tweet", "More like this"):
        assert boilerplate not in text
    assert story.status == Story.Status.PUBLISHED
    assert story.text_versions.count() == 1


def test_guardian_page_takes_its_metadata_from_json_ld():
    (story,) = imported("guardian-coca-eradication.html")
    assert story.headline == "Peru’s coca growers brace for a record eradication drive"
    assert story.section.name == "World news"
    assert sorted(story.tags.names()) == ["Americas", "Drugs trade", "Peru"]
    assert story.published_at == datetime(2015, 3, 4, 10, 0, 1, tzinfo=UTC)
    assert story.updated_at == datetime(2015, 3, 4, 16, 30, tzinfo=UTC)
    assert story.image_caption == "A farmer dries coca leaves near Pichari, in the Apurímac valley."
    assert story.image_credit == "Ernesto Benavides/AFP/Getty Images"
    assert body(story) == reference("guardian-coca-eradication")
    text = " ".join(body(story))
    # The newsletter box, an in-body photo's caption and the comments are not body text.
    for boilerplate in ("Sign up", "Privacy Notice", "Eradication workers pull up", "cocaleaf99"):
        assert boilerplate not in text
    (aside,) = story.blocks.filter(kind=Block.Kind.ASIDE)
    assert aside.teaser == "Peruvian soldier killed in shootout with drug traffickers"
    assert aside.target_url.endswith("/2014/jun/20/peru-soldier-killed-drug-raid")


def test_ap_page_in_windows_1252_with_capitalised_byline():
    (story,) = imported("ap-peru-emergency.html")
    assert [b.author.name for b in story.bylines.select_related("author")] == ["Franklin Briceño"]
    assert story.image_credit == "AP Photo/Rodrigo Abd"
    assert body(story) == reference("ap-peru-emergency")
    assert body(story)[0].startswith("LIMA, Peru (AP) — Peru’s government")
    (aside,) = story.blocks.filter(kind=Block.Kind.ASIDE)
    assert aside.teaser == "Peru election campaign marred by violence in coca region"


def test_wordpress_page_leaves_out_comments_and_share_buttons():
    (story,) = imported("wordpress-river-patrol.html")
    assert story.section.name == "Features"
    assert sorted(story.tags.names()) == ["Ene", "police", "rivers"]
    assert [b.author.name for b in story.bylines.select_related("author")] == ["María Huamán"]
    assert body(story) == reference("wordpress-river-patrol")
    text = " ".join(body(story))
    for boilerplate in ("Share this", "Leave a Reply", "My cousin", "Recent Posts"):
        assert boilerplate not in text


def test_full_text_feed_makes_a_story_of_each_entry():
    first, second = imported("feed-full-text.xml")
    assert first.canonical_url.endswith("/coca-prices-fall-for-the-third-year/")
    assert first.section.name == "News"
    assert sorted(first.tags.names()) == ["coca", "markets"]
    assert [b.author.name for b in first.bylines.select_related("author")] == ["Luis Quispe"]
    assert first.published_at == datetime(2016, 6, 1, 12, tzinfo=UTC)
    assert body(first) + body(second) == reference("feed-full-text")
    # WordPress's "The post … appeared first on …" line is not the story's.
    assert not any("appeared first" in line for line in body(first))


def test_summary_only_feed_entry_is_refused_without_fetch():
    (outcome,) = import_path(FIXTURES / "feed-summaries.xml")
    assert outcome.failed
    assert "no full text" in outcome.message and "--fetch" in outcome.message
    assert not Story.objects.exists()


def test_wordpress_export_keeps_drafts_drafts_and_skips_pages():
    published, draft = imported("wordpress-export.xml")
    assert published.status == Story.Status.PUBLISHED
    assert published.dek == "Eleven letters, two answers, no police."
    assert published.section.name == "News"
    assert sorted(published.tags.names()) == ["government", "police"]
    assert [b.author.name for b in published.bylines.select_related("author")] == ["Luis Quispe"]
    assert draft.status == Story.Status.DRAFT
    assert draft.headline == "What the floods left behind"
    assert body(published) + body(draft) == reference("wordpress-export")
    assert not Story.objects.filter(headline__in=["About", "letters"]).exists()
    assert draft not in Story.objects.published()
    # Drafts have no text history.
    assert not draft.text_versions.exists()


def test_ninjs_document_imports_with_its_uri_as_identity():
    (story,) = imported("ninjs-wire.json")
    assert story.canonical_url == "urn:newsml:wire.example:20160415:peru-coca-census"
    assert story.headline == "UN coca census: Peru's crop shrinks for a third year"
    assert [b.author.name for b in story.bylines.select_related("author")] == [
        "Ana Torres",
        "Miguel Salas",
    ]
    assert sorted(story.tags.names()) == ["Agriculture", "Drug trafficking", "Peru"]
    assert story.image_caption == "A coca field near Pichari, Peru, in March 2016."
    assert story.image_credit == "Wire Photo/Ana Torres"
    assert body(story) == reference("ninjs-wire")


def test_aside_to_a_story_in_the_archive_links_to_it():
    target = StoryFactory(
        canonical_url="https://valleydispatch.example/2016/04/02/the-ministry-that-never-answers/"
    )
    (story,) = imported("wordpress-river-patrol.html")
    (aside,) = story.blocks.filter(kind=Block.Kind.ASIDE)
    assert aside.target_story == target


def test_story_imported_later_resolves_the_asides_waiting_for_it():
    (patrol,) = imported("wordpress-river-patrol.html")
    (aside,) = patrol.blocks.filter(kind=Block.Kind.ASIDE)
    assert aside.target_story is None
    ministry, _ = imported("wordpress-export.xml")
    aside.refresh_from_db()
    assert aside.target_story == ministry


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"just some words", "unknown format"),
        (b'{"name": "not news"}', "not a ninjs document"),
        (
            b'<html><head><meta charset="utf-8"><link rel="canonical" href="https://x.example/a">'
            b"<title>Page not found</title></head><body><h1>Page not found</h1>"
            b"<p>Sorry, we could not find that page.</p></body></html>",
            "not a story",
        ),
        (
            b'<html><head><meta charset="utf-8"></head><body><h1>\xff\xfe bad</h1></body></html>',
            "not valid utf-8",
        ),
    ],
)
def test_bad_documents_are_refused_with_one_line(data, reason):
    (outcome,) = import_bytes(data, name="upload.html")
    assert outcome.failed
    assert reason in outcome.message.lower()
    assert "\n" not in str(outcome)
    assert not Story.objects.exists()


def test_paywall_stub_and_index_page_are_not_stories():
    stub = (
        b'<html><head><link rel="canonical" href="https://x.example/paywalled">'
        b'<meta property="og:title" content="A scoop"></head><body><article><h1>A scoop</h1>'
        b"<p>The minister resigned on Tuesday after a week of reports.</p>"
        b"<p>Subscribe to read the rest of this story.</p></article></body></html>"
    )
    (outcome,) = import_bytes(stub, name="stub.html")
    assert outcome.failed and "not a story" in outcome.message
    links = "".join(
        f'<li><a href="/story-{n}">A headline for story number {n} about the valley</a></li>'
        for n in range(40)
    )
    index = (
        '<html><head><link rel="canonical" href="https://x.example/"><title>Home</title></head>'
        f"<body><main><ul>{links}</ul></main></body></html>"
    ).encode()
    (outcome,) = import_bytes(index, name="index.html")
    assert outcome.failed and "not a story" in outcome.message
    assert MIN_BODY_WORDS > 20


def test_one_bad_feed_entry_does_not_stop_the_others():
    data = fixture("feed-full-text.xml").replace(
        b"<link>https://valleydispatch.example/2016/06/08/a-school-on-the-water/</link>", b""
    )
    data = data.replace(
        b'<guid isPermaLink="false">https://valleydispatch.example/?p=440</guid>', b""
    )
    data = data.replace(
        data[data.index(b"<content:encoded><![CDATA[<p>Forty") : data.rindex(b"</content:encoded>")]
        + b"</content:encoded>",
        b"",
    )
    outcomes = import_bytes(data, name="feed.xml")
    assert [o.status for o in outcomes] == ["created", "failed"]
    assert "a feed entry without a link or text" in outcomes[1].message
    assert Story.objects.count() == 1


def test_nothing_from_the_page_is_stored_as_html():
    page = fixture("vice-peruvian-soldier.html").replace(
        b"Peru\xe2\x80\x99s Joint Command has reportedly",
        b"<script>alert(1)</script><b onclick=x>Peru\xe2\x80\x99s</b> Joint Command has reportedly",
    )
    (outcome,) = import_bytes(page, name="vice.html")
    texts = body(outcome.story)
    assert not any("<" in text or "alert" in text for text in texts)
    assert "Peru’s Joint Command has reportedly sent backup forces" in texts[4]


def test_command_imports_a_folder_of_any_format(tmp_path, capsys):
    for name in ("guardian-coca-eradication.html", "ninjs-wire.json", "feed-full-text.xml"):
        (tmp_path / name).write_bytes(fixture(name))
    (tmp_path / "notes.json").write_text('{"not": "a story"}')
    call_command("import_stories", str(tmp_path))
    out = capsys.readouterr().out
    assert "4 created, 0 updated, 0 unchanged, 0 failed" in out
    call_command("import_stories", str(tmp_path))
    assert "0 created, 0 updated, 4 unchanged, 0 failed" in capsys.readouterr().out


def test_command_names_an_unknown_file_it_was_given(tmp_path, capsys):
    path = tmp_path / "notes.json"
    path.write_text('{"not": "a story"}')
    with pytest.raises(CommandError, match="0 created, 0 updated, 0 unchanged, 1 failed"):
        call_command("import_stories", str(path))
    assert "notes.json: JSON that is not a ninjs document" in capsys.readouterr().err


def test_documents_read_without_the_database_are_the_same_as_imported():
    entries = read_document(fixture("guardian-coca-eradication.html"), name="g.html")
    assert entries[0].story.body_text.splitlines() == reference("guardian-coca-eradication")


def test_an_organisation_named_as_author_is_not_a_byline():
    page = fixture("guardian-coca-eradication.html").replace(
        b'"author":[{"@type":"Person","name":"Dan Collyns"',
        b'"author":[{"@type":"NewsMediaOrganization","name":"Guardian staff"}'
        b',{"@type":"Person","name":"Dan Collyns"',
    )
    (entry,) = read_document(page, name="g.html")
    assert entry.story.authors == ["Dan Collyns"]


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    from articles.ingest.documents import MAX_DOCUMENT_BYTES

    path = tmp_path / "huge.html"
    path.write_bytes(b"<html><body>" + b"x" * MAX_DOCUMENT_BYTES)
    (outcome,) = import_path(path)
    assert outcome.failed
    assert outcome.message == f"larger than {MAX_DOCUMENT_BYTES:,} bytes"


def test_a_section_named_in_another_case_is_the_newsrooms_own(django_capture_on_commit_callbacks):
    """The Guardian files its story under "World news": it joins the newsroom's "World News",
    and no second section differing by a capital appears in the menu."""
    world = SectionFactory(name="World News", slug="world")
    with django_capture_on_commit_callbacks(execute=True):
        (outcome,) = import_path(FIXTURES / "guardian-coca-eradication.html")
    assert outcome.story.section == world
    assert list(Section.objects.values_list("name", flat=True)) == ["World News"]
