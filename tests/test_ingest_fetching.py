"""Fetching stories from a local web site: redirects, timeouts, 404s, huge bodies, robots.txt,
private addresses refused unless allowed, feeds that need their pages, following a story."""

import socket

import pytest
from django.core.management import CommandError, call_command

from articles.ingest.fetching import Fetcher, FetchError, FetchPolicy, resolve
from articles.ingest.following import follow_stories
from articles.ingest.importing import import_url
from articles.ingest.story import TooLarge
from articles.models import Note, Story
from tests.factories import note_on
from tests.ingest_fixtures import Site, endless, fixture, slow

pytestmark = pytest.mark.django_db

HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = "/2016/05/12/on-patrol-with-the-river-police-of-the-ene/"


@pytest.fixture
def site():
    site = Site()
    site.routes[PAGE] = (200, HTML, fixture("wordpress-river-patrol.html"))
    yield site
    site.close()


def fetcher(**policy) -> Fetcher:
    return Fetcher(FetchPolicy(allow_private=True, **policy))


def test_a_page_is_fetched_with_the_projects_user_agent_and_imported(site):
    (outcome,) = import_url(site.url(PAGE), fetcher=fetcher())
    assert outcome.status == "created", str(outcome)
    assert outcome.story.headline == "On patrol with the river police of the Ene"
    user_agents = {headers.get("User-Agent") for _, headers in site.requests}
    assert user_agents == {"NewsroomImporter/1.0 (+https://github.com/newsroom; story importer)"}
    assert site.requests[0][0] == "/robots.txt"


def test_a_local_address_is_refused_without_allow_private(site):
    (outcome,) = import_url(site.url(PAGE), fetcher=Fetcher())
    assert outcome.failed
    assert "private or local network" in outcome.message and "--allow-private" in outcome.message
    assert site.requests == []
    assert not Story.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:10.0.0.1",
    ],
)
def test_every_kind_of_private_address_is_refused(monkeypatch, address):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    answers = [(socket.AF_INET, 1, 6, "", ("93.184.216.34", 80)), (family, 1, 6, "", (address, 80))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(FetchError, match="private or local network"):
        resolve("news.example", 80, allow_private=False)
    assert resolve("news.example", 80, allow_private=True) == "93.184.216.34"


def test_a_redirect_to_a_private_address_is_refused(site, monkeypatch):
    """The address after a redirect is checked again: a public host may send us inward."""
    checked = []
    real_resolve = resolve

    def lookup(host, port, *, allow_private):
        checked.append(host)
        if host == "public.example":  # a public site, served here by the local one
            return "127.0.0.1"
        return real_resolve(host, port, allow_private=allow_private)

    monkeypatch.setattr("articles.ingest.fetching.resolve", lookup)
    port = site.server.server_address[1]
    site.routes["/go"] = (302, {"Location": site.url(PAGE)}, b"")
    with pytest.raises(FetchError, match="private or local network"):
        Fetcher(FetchPolicy(respect_robots=False)).fetch(f"http://public.example:{port}/go")
    assert checked == ["public.example", "127.0.0.1"]
    assert [path for path, _ in site.requests] == ["/go"]


def test_redirects_are_followed_a_few_times_only(site):
    site.routes["/a"] = (301, {"Location": "/b"}, b"")
    site.routes["/b"] = (302, {"Location": PAGE}, b"")
    fetched = fetcher().fetch(site.url("/a"))
    assert fetched.url == site.url(PAGE)
    assert fetched.redirects == [site.url("/a"), site.url("/b")]
    for n in range(5):
        site.routes[f"/loop{n}"] = (302, {"Location": f"/loop{n + 1}"}, b"")
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetcher().fetch(site.url("/loop0"))


def test_only_http_and_https_are_fetched():
    for address in ("file:///etc/passwd", "ftp://example.org/x", "gopher://x/"):
        with pytest.raises(FetchError, match="only http and https"):
            fetcher().fetch(address)


def test_a_404_page_is_reported_not_imported(site):
    (outcome,) = import_url(site.url("/gone"), fetcher=fetcher())
    assert outcome.failed and "404" in outcome.message
    assert not Story.objects.exists()


def test_a_slow_server_times_out(site):
    site.routes["/slow"] = slow(3)
    with pytest.raises(FetchError, match="no answer within 0.5 seconds"):
        fetcher(timeout=0.5, respect_robots=False).fetch(site.url("/slow"))


def test_a_huge_body_is_cut_off_at_the_size_cap(site):
    site.routes["/huge"] = endless
    with pytest.raises(TooLarge, match="larger than 100,000 bytes"):
        fetcher(max_bytes=100_000, respect_robots=False).fetch(site.url("/huge"))
    site.routes["/declared"] = (200, HTML, b"x" * 200_000)
    with pytest.raises(TooLarge):
        fetcher(max_bytes=100_000, respect_robots=False).fetch(site.url("/declared"))


def test_robots_txt_is_respected(site):
    site.routes["/robots.txt"] = (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: NewsroomImporter\nDisallow: /2016/\n",
    )
    (outcome,) = import_url(site.url(PAGE), fetcher=fetcher())
    assert outcome.failed and "robots.txt" in outcome.message
    assert [path for path, _ in site.requests] == ["/robots.txt"]


def test_charset_comes_from_the_http_header(site):
    page = fixture("ap-peru-emergency.html").replace(b'<meta charset="windows-1252">', b"")
    site.routes["/ap"] = (200, {"Content-Type": "text/html; charset=windows-1252"}, page)
    (outcome,) = import_url(site.url("/ap"), fetcher=fetcher())
    assert "Peru’s government extended" in outcome.story.blocks.first().text


def test_summary_feed_entries_fetch_their_pages_with_fetch(site, capsys):
    feed = fixture("feed-summaries.xml").replace(
        b"https://valleydispatch.example" + PAGE.encode(), site.url(PAGE).encode()
    )
    site.routes["/features.atom"] = (200, {"Content-Type": "application/atom+xml"}, feed)
    with pytest.raises(CommandError, match="1 failed"):
        call_command("import_stories", site.url("/features.atom"), "--allow-private")
    call_command("import_stories", site.url("/features.atom"), "--allow-private", "--fetch")
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in capsys.readouterr().out
    story = Story.objects.get()
    assert story.canonical_url.endswith(PAGE)
    assert len(story.blocks.all()) == 8


def test_following_records_what_the_publisher_changed(site, capsys):
    call_command(
        "import_stories",
        "--url",
        site.url(PAGE),
        "--every",
        "1s",
        "--rounds",
        "1",
        "--allow-private",
    )
    story = Story.objects.get()
    paragraph = story.blocks.get(position=1)
    note = note_on(paragraph, "Our job is to find the rest.")
    # The publisher edits the page; following picks it up and keeps the note on its words.
    site.routes[PAGE] = (
        200,
        HTML,
        fixture("wordpress-river-patrol.html").replace(
            b"Most of it is bananas and cocoa.", b"Most of it is bananas, cocoa and coffee."
        ),
    )
    outcomes = follow_stories(urls=[site.url(PAGE)], policy=FetchPolicy(allow_private=True))
    assert [o.status for o in outcomes] == ["updated"]
    note.refresh_from_db()
    assert note.anchor_state == Note.AnchorState.ANCHORED
    assert note.quote_exact == "Our job is to find the rest."
    assert story.text_versions.count() == 2
    assert (
        follow_stories(urls=[site.url(PAGE)], policy=FetchPolicy(allow_private=True))[0].status
        == "unchanged"
    )
    assert story.text_versions.count() == 2
    assert "round 1: 1 followed, 1 changed, 0 failed" in capsys.readouterr().out


def test_every_needs_addresses_not_files(tmp_path):
    with pytest.raises(CommandError, match="--every follows addresses"):
        call_command("import_stories", str(tmp_path), "--every", "1h")
    with pytest.raises(CommandError):
        call_command("import_stories", "--url", "https://x.example/", "--every", "soon")
