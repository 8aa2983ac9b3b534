"""The read side of the Web Annotation Protocol: headers, validators, methods, negotiation,
paging, `Prefer`, what stays private, and how many queries a container costs."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Note, OldSlug, Story
from tests.factories import (
    CorrectionNoteFactory,
    FactCheckNoteFactory,
    NoteFactory,
    ParagraphFactory,
    SourceNoteFactory,
    StaffFactory,
    StoryFactory,
)

JSON_LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
ALLOW = "GET, HEAD, OPTIONS"
LDP_RESOURCE = '<http://www.w3.org/ns/ldp#Resource>; rel="type"'
LDP_BASIC_CONTAINER = '<http://www.w3.org/ns/ldp#BasicContainer>; rel="type"'
CONSTRAINED_BY = (
    '<http://www.w3.org/TR/annotation-protocol/>; rel="http://www.w3.org/ns/ldp#constrainedBy"'
)
PREFER = 'return=representation; include="{}"'
IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"


def annotation_url(note) -> str:
    return reverse("articles:annotation", kwargs={"pk": note.pk})


def container_url(story) -> str:
    return reverse("articles:annotation-container", kwargs={"slug": story.slug})


def absolute(path: str) -> str:
    return f"http://testserver{path}"


def vary(response) -> set[str]:
    return {value.strip() for value in response["Vary"].split(",")}


@pytest.fixture
def story(db):
    return StoryFactory(slug="peru-coca")


@pytest.fixture
def note(story):
    return NoteFactory(paragraph=ParagraphFactory(story=story))


def public_notes(story, count: int, *, paragraphs: int = 1, authors: int = 1) -> list:
    """`count` public notes spread over a story's paragraphs and several editors."""
    blocks = [ParagraphFactory(story=story) for _ in range(paragraphs)]
    editors = [StaffFactory() for _ in range(authors)]
    factories = [
        NoteFactory,
        SourceNoteFactory,
        FactCheckNoteFactory,
        CorrectionNoteFactory,
    ]
    return [
        factories[n % 4](paragraph=blocks[n % paragraphs], author=editors[n % authors])
        for n in range(count)
    ]


# -- Headers ---------------------------------------------------------------------------------


def set_modified(story, note, *, story_at: datetime, note_at: datetime) -> None:
    """Distinct whole seconds, so a Last-Modified taken from the wrong row shows."""
    Story.objects.filter(pk=story.pk).update(modified_at=story_at)
    Note.objects.filter(pk=note.pk).update(modified_at=note_at)


NOTE_EDITED = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
STORY_EDITED_BEFORE = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
STORY_EDITED_AFTER = datetime(2025, 2, 3, 10, 20, 30, tzinfo=UTC)


def test_note_is_json_ld_with_protocol_headers(client, story, note):
    set_modified(story, note, story_at=STORY_EDITED_BEFORE, note_at=NOTE_EDITED)

    response = client.get(annotation_url(note))

    assert response.status_code == 200
    assert response["Content-Type"] == JSON_LD
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Last-Modified"] == "Thu, 02 Jan 2025 03:04:05 GMT"
    assert response["Link"] == LDP_RESOURCE
    assert response["Allow"] == ALLOW
    assert "Accept" in vary(response)
    assert response.json()["id"] == absolute(annotation_url(note))


def test_an_note_changes_when_its_story_does(client, story, note):
    """The document carries the story's URL and title."""
    set_modified(story, note, story_at=STORY_EDITED_AFTER, note_at=NOTE_EDITED)

    response = client.get(annotation_url(note))

    assert response["Last-Modified"] == "Mon, 03 Feb 2025 10:20:30 GMT"


@pytest.mark.parametrize(
    ("story_at", "expected"),
    [
        (STORY_EDITED_BEFORE, "Thu, 02 Jan 2025 03:04:05 GMT"),
        (STORY_EDITED_AFTER, "Mon, 03 Feb 2025 10:20:30 GMT"),
    ],
    ids=["note-edited-last", "story-edited-last"],
)
def test_container_last_modified_is_the_latest_edit_of_the_story_or_its_notes(
    client, story, note, story_at, expected
):
    set_modified(story, note, story_at=story_at, note_at=NOTE_EDITED)

    response = client.get(container_url(story))

    assert response["Last-Modified"] == expected


def test_container_is_an_ldp_basic_container(client, story, note):
    response = client.get(container_url(story))

    assert response.status_code == 200
    assert response["Content-Type"] == JSON_LD
    assert [link.strip() for link in response["Link"].split(", <")] == [
        LDP_BASIC_CONTAINER,
        CONSTRAINED_BY.removeprefix("<"),
    ]
    assert response["Allow"] == ALLOW
    assert vary(response) >= {"Accept", "Prefer"}
    assert response["ETag"]
    assert response["Last-Modified"]
    document = response.json()
    assert document["type"] == ["BasicContainer", "AnnotationCollection"]
    assert document["id"] == absolute(container_url(story))


# -- Conditional GET -------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["note", "container"])
def test_unchanged_resource_answers_304_to_its_etag(client, story, note, resource):
    url = annotation_url(note) if resource == "note" else container_url(story)
    etag = client.get(url)["ETag"]

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_edited_note_has_a_new_etag(client, note):
    url = annotation_url(note)
    etag = client.get(url)["ETag"]
    note.body = "Rewritten background."
    note.save()

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Rewritten background." in response.json()["body"][0]["value"]


def test_note_answers_304_to_if_modified_since(client, note):
    last_modified = client.get(annotation_url(note))["Last-Modified"]

    response = client.get(annotation_url(note), headers={"If-Modified-Since": last_modified})

    assert response.status_code == 304


def test_container_with_a_removed_note_is_not_304(client, story):
    """A removal leaves no newer timestamp, so If-Modified-Since must not claim "unchanged"."""
    first, second = public_notes(story, 2)
    before = client.get(container_url(story))
    second.delete()

    by_date = client.get(
        container_url(story), headers={"If-Modified-Since": before["Last-Modified"]}
    )
    by_etag = client.get(container_url(story), headers={"If-None-Match": before["ETag"]})

    assert by_date.status_code == by_etag.status_code == 200
    assert by_etag.json()["total"] == 1


# -- Methods ---------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", ["note", "container", "page"])
def test_head_has_the_headers_of_get_and_no_body(client, story, note, resource):
    url = {
        "note": annotation_url(note),
        "container": container_url(story),
        "page": f"{container_url(story)}?page=0",
    }[resource]
    got = client.get(url)

    headed = client.head(url)

    assert headed.status_code == 200
    assert headed.content == b""
    for header in ("Content-Type", "ETag", "Last-Modified", "Allow", "Vary", "Content-Length"):
        assert headed[header] == got[header], header
    assert int(headed["Content-Length"]) == len(got.content)


@pytest.mark.parametrize("resource", ["note", "container"])
def test_options_answers_with_allow(client, story, note, resource):
    url = annotation_url(note) if resource == "note" else container_url(story)

    response = client.options(url)

    assert response.status_code == 200
    assert response["Allow"] == ALLOW
    assert response.content == b""


def test_options_on_a_private_note_is_404(client, note):
    Note.objects.filter(pk=note.pk).update(state=Note.State.DRAFT)

    assert client.options(annotation_url(note)).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("resource", ["note", "container"])
def test_writing_methods_are_405_with_allow(story, note, method, resource):
    """Read-only: even without a CSRF token the answer is 405, not 403."""
    url = annotation_url(note) if resource == "note" else container_url(story)
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(url, data="{}", content_type="application/ld+json")

    assert response.status_code == 405
    assert response["Allow"] == ALLOW
    assert Note.objects.filter(pk=note.pk).exists()


# -- Content negotiation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        None,
        JSON_LD,
        "application/ld+json",
        "application/json",
        "*/*",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    ],
)
@pytest.mark.parametrize("resource", ["note", "container"])
def test_json_ld_is_served_to_json_clients(client, story, note, accept, resource):
    url = annotation_url(note) if resource == "note" else container_url(story)
    headers = {"Accept": accept} if accept else {}

    response = client.get(url, headers=headers)

    assert response.status_code == 200
    assert response["Content-Type"] == JSON_LD


@pytest.mark.parametrize("accept", ["text/turtle", "text/html", "application/json;q=0, text/*"])
@pytest.mark.parametrize("resource", ["note", "container"])
def test_client_that_accepts_only_other_formats_gets_406(client, story, note, accept, resource):
    url = annotation_url(note) if resource == "note" else container_url(story)

    response = client.get(url, headers={"Accept": accept})

    assert response.status_code == 406
    assert "Accept" in vary(response)


# -- Paging ----------------------------------------------------------------------------------


def test_long_container_is_paged_a_hundred_to_a_page(client, story):
    notes = public_notes(story, 250, paragraphs=3)
    url = absolute(container_url(story))
    page_url = f"{url}?page={{}}"

    container = client.get(container_url(story)).json()
    pages = [client.get(f"{container_url(story)}?page={n}").json() for n in range(3)]

    assert container["total"] == 250
    assert container["first"]["id"] == page_url.format(0)
    assert container["first"]["next"] == page_url.format(1)
    assert len(container["first"]["items"]) == 100
    assert container["last"] == page_url.format(2)
    assert [page["startIndex"] for page in pages] == [0, 100, 200]
    assert [len(page["items"]) for page in pages] == [100, 100, 50]
    assert [page.get("prev") for page in pages] == [None, page_url.format(0), page_url.format(1)]
    assert [page.get("next") for page in pages] == [page_url.format(1), page_url.format(2), None]
    assert all(page["partOf"]["id"] == url and page["partOf"]["total"] == 250 for page in pages)
    served = [item["id"] for page in pages for item in page["items"]]
    assert sorted(served) == sorted(absolute(annotation_url(n)) for n in notes)
    assert container["first"]["items"] == pages[0]["items"]


def test_page_size_comes_from_settings(client, story, settings):
    settings.NEWSROOM_ANNOTATION_PAGE_SIZE = 2
    public_notes(story, 5)

    container = client.get(container_url(story)).json()

    assert len(container["first"]["items"]) == 2
    assert container["last"].endswith("?page=2")


@pytest.mark.parametrize("query", ["?page=3", "?page=-1", "?page=one", "?iris=2&page=0"])
def test_page_that_does_not_exist_is_404(client, story, settings, query):
    settings.NEWSROOM_ANNOTATION_PAGE_SIZE = 2
    public_notes(story, 5)

    assert client.get(f"{container_url(story)}{query}").status_code == 404


def test_empty_container_has_no_pages(client, story):
    container = client.get(container_url(story)).json()

    assert container["total"] == 0
    assert "first" not in container and "last" not in container
    assert client.get(f"{container_url(story)}?page=0").status_code == 404


# -- Prefer ----------------------------------------------------------------------------------


def test_container_prefer_iris_lists_note_urls(client, story, settings):
    settings.NEWSROOM_ANNOTATION_PAGE_SIZE = 2
    notes = public_notes(story, 3)
    described = client.get(container_url(story))

    response = client.get(container_url(story), headers={"Prefer": PREFER.format(IRIS)})

    document = response.json()
    assert response["Preference-Applied"] == "return=representation"
    assert "Prefer" in vary(response)
    assert document["first"]["items"] == [absolute(annotation_url(n)) for n in notes[:2]]
    assert document["first"]["next"] == absolute(f"{container_url(story)}?iris=1&page=1")
    assert document["last"] == absolute(f"{container_url(story)}?iris=1&page=1")
    assert response["ETag"] != described["ETag"]
    page = client.get(f"{container_url(story)}?iris=1&page=1").json()
    assert page["items"] == [absolute(annotation_url(notes[2]))]


def test_container_prefer_descriptions_embeds_notes(client, story):
    notes = public_notes(story, 2)

    response = client.get(container_url(story), headers={"Prefer": PREFER.format(DESCRIPTIONS)})

    assert response["Preference-Applied"] == "return=representation"
    items = response.json()["first"]["items"]
    assert [item["id"] for item in items] == [absolute(annotation_url(n)) for n in notes]
    assert items[0]["type"] == "Annotation" and items[0]["target"]


def test_container_without_prefer_embeds_descriptions(client, story):
    public_notes(story, 2)

    response = client.get(container_url(story))

    assert not response.has_header("Preference-Applied")
    assert response.json()["first"]["items"][0]["type"] == "Annotation"


def test_minimal_container_links_its_pages_only(client, story):
    public_notes(story, 2)
    prefer = PREFER.format(f"{MINIMAL} {IRIS}")

    response = client.get(container_url(story), headers={"Prefer": prefer})

    document = response.json()
    assert response["Preference-Applied"] == "return=representation"
    assert document["first"] == absolute(f"{container_url(story)}?iris=1&page=0")
    assert document["last"] == document["first"]
    assert document["total"] == 2
    assert "items" not in str(document)


# -- What stays private ----------------------------------------------------------------------


def hide(note, how: str) -> None:
    changes = {
        "draft": {"state": Note.State.DRAFT},
        "submitted": {"state": Note.State.SUBMITTED},
        "withdrawn": {"state": Note.State.WITHDRAWN},
        "internal note": {"kind": Note.Kind.INTERNAL, "state": Note.State.DRAFT},
        "orphaned": {"anchor_state": Note.AnchorState.ORPHANED},
        "paragraph deleted": {"paragraph": None},
    }[how]
    Note.objects.filter(pk=note.pk).update(**changes)


@pytest.mark.parametrize(
    "how", ["draft", "submitted", "withdrawn", "internal note", "orphaned", "paragraph deleted"]
)
def test_note_readers_may_not_see_is_404_and_not_listed(client, story, note, how):
    hidden = NoteFactory(paragraph=note.paragraph)
    hide(hidden, how)

    assert client.get(annotation_url(hidden)).status_code == 404
    container = client.get(container_url(story)).json()
    assert container["total"] == 1
    assert [item["id"] for item in container["first"]["items"]] == [absolute(annotation_url(note))]


@pytest.mark.parametrize(
    "story_change",
    [
        {"status": Story.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
        {"published_at": None},
    ],
    ids=["draft", "scheduled", "undated"],
)
def test_story_readers_may_not_see_has_no_notes_or_container(client, story, note, story_change):
    Story.objects.filter(pk=story.pk).update(**story_change)

    assert client.get(annotation_url(note)).status_code == 404
    assert client.get(container_url(story)).status_code == 404
    assert client.head(container_url(story)).status_code == 404


def test_unknown_story_container_is_404(client, db):
    url = reverse("articles:annotation-container", kwargs={"slug": "no-such-story"})

    assert client.get(url).status_code == 404


def test_old_slug_container_redirects_to_the_current_one(client, story, note):
    OldSlug.objects.create(story=story, slug="peru-coca-old")
    old = reverse("articles:annotation-container", kwargs={"slug": "peru-coca-old"})

    response = client.get(f"{old}?page=0")

    assert response.status_code == 301
    assert response["Location"] == f"{container_url(story)}?page=0"


def test_old_slug_of_a_draft_does_not_reveal_its_container(client, story):
    OldSlug.objects.create(story=story, slug="peru-coca-old")
    Story.objects.filter(pk=story.pk).update(status=Story.Status.DRAFT)
    old = reverse("articles:annotation-container", kwargs={"slug": "peru-coca-old"})

    assert client.get(old).status_code == 404


# -- Queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefer", "query", "queries"),
    [
        ("", "", 3),  # story, total and modified, first page with paragraphs and authors
        (PREFER.format(IRIS), "", 3),
        (PREFER.format(MINIMAL), "", 2),
        ("", "?page=1", 3),
    ],
    ids=["descriptions", "iris", "minimal", "page"],
)
def test_container_queries_do_not_grow_with_notes(
    client, story, django_assert_num_queries, prefer, query, queries
):
    public_notes(story, 150, paragraphs=10, authors=5)
    headers = {"Prefer": prefer} if prefer else {}

    with django_assert_num_queries(queries):
        response = client.get(f"{container_url(story)}{query}", headers=headers)

    document = response.json()
    assert (document["partOf"] if query else document)["total"] == 150


def test_note_is_one_query(client, note, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(annotation_url(note))

    assert response.json()["creator"]["name"].endswith(" editor")


# Values from storage that are not among the choices ------------------------------------------

UNKNOWN_KIND = 'zz"><i>x'  # fits the column (12 characters), as a restored file might hold


def test_a_note_of_unknown_kind_is_left_out_of_its_container_page_and_logged(client, story, caplog):
    """A data error on our side: the story's other notes are still exported."""
    paragraph = ParagraphFactory(story=story)
    good = NoteFactory(paragraph=paragraph)
    bad = NoteFactory(paragraph=paragraph, start=10, end=14)
    Note.objects.filter(pk=bad.pk).update(kind=UNKNOWN_KIND)

    for url in (container_url(story), f"{container_url(story)}?page=0"):
        response = client.get(url)
        assert response.status_code == 200, url
        document = response.json()
        page = document.get("first", document)
        assert [item["id"] for item in page["items"]] == [absolute(annotation_url(good))]
    assert f"Note {bad.pk} has the unknown kind" in caplog.text


def test_a_note_of_unknown_kind_answers_a_clear_error_of_its_own(client, note, caplog):
    Note.objects.filter(pk=note.pk).update(kind=UNKNOWN_KIND)
    response = client.get(annotation_url(note))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "This note cannot be exported"
    assert "no-store" in response["Cache-Control"]
    assert f"Note {note.pk} has the unknown kind" in caplog.text
