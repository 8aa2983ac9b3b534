"""The admin's Import page: permission, preview of what was read, then the import itself."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article
from tests.factories import StaffFactory
from tests.ingest_fixtures import fixture

pytestmark = pytest.mark.django_db

URL = reverse("admin:articles_article_import")


def upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else fixture(name))


def test_annotators_may_not_import(annotator_client):
    assert annotator_client.get(URL).status_code == 403
    assert annotator_client.post(URL, {"addresses": "https://x.example/"}).status_code == 403


def test_readers_are_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_the_story_list_links_to_the_import_page(editor_client):
    response = editor_client.get(reverse("admin:articles_article_changelist"))
    assert f'href="{URL}"' in response.content.decode()


def test_preview_shows_what_was_read_and_writes_nothing(editor_client):
    response = editor_client.post(
        URL,
        {
            "files": [
                upload("guardian-coca-eradication.html"),
                upload("wordpress-export.xml"),
                upload("notes.bin", b"\x00\x01\x02binary"),
            ]
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 of 4 stories can be imported" in page
    assert "Peru’s coca growers brace for a record eradication drive" in page
    assert "Dan Collyns" in page
    assert "Drugs trade" in page
    assert "A farmer dries coca leaves near Pichari" in page
    assert "Ernesto Benavides/AFP/Getty Images" in page
    assert "Peruvian soldier killed in shootout with drug traffickers" in page  # an aside
    assert "→ https://www.theguardian.example/world/2014/jun/20/peru-soldier-killed" in page
    assert "kept as a draft" in page
    assert "Not imported: binary data, not a story" in page
    assert 'value="Import 3 stories"' in page
    assert not Article.objects.exists()


def test_import_saves_what_was_previewed(editor_client):
    response = editor_client.post(URL, {"files": [upload("ninjs-wire.json")]})
    token = response.context["token"]
    response = editor_client.post(URL, {"token": token, "import": "1"})
    assert response.status_code == 200
    article = Article.objects.get()
    assert article.headline == "UN coca census: Peru's crop shrinks for a third year"
    page = response.content.decode()
    assert "Created" in page
    assert reverse("admin:articles_article_change", args=[article.pk]) in page
    version = article.text_versions.get()
    assert version.user.username == "editor"
    # A token is used once.
    response = editor_client.post(URL, {"token": token, "import": "1"}, follow=True)
    assert "That preview has expired" in response.content.decode()


def test_a_preview_belongs_to_the_editor_who_made_it(editor_client, client):
    token = editor_client.post(URL, {"files": [upload("ninjs-wire.json")]}).context["token"]
    other = StaffFactory(username="other", groups=["Editors"])
    client.force_login(other)
    response = client.post(URL, {"token": token, "import": "1"}, follow=True)
    assert "That preview has expired" in response.content.decode()
    assert not Article.objects.exists()


def test_addresses_must_be_http_and_private_ones_are_refused(editor_client):
    response = editor_client.post(URL, {"addresses": "file:///etc/passwd"})
    assert "Line 1 is not an http(s) address." in response.content.decode()
    response = editor_client.post(URL, {"addresses": "http://127.0.0.1:9/story"})
    page = response.content.decode()
    assert "Not imported: refused: 127.0.0.1 is on a private or local network" in page


def test_an_empty_form_says_what_to_do(editor_client):
    response = editor_client.post(URL, {})
    assert "Choose files or paste addresses to import." in response.content.decode()


def test_the_preview_never_shows_the_page_s_markup(editor_client):
    page = (
        fixture("guardian-coca-eradication.html")
        .replace(
            b"<h1>Peru\xe2\x80\x99s coca growers",
            b"<h1><script>alert(1)</script>Peru\xe2\x80\x99s coca growers",
        )
        .replace(
            b'"headline":"Peru\xe2\x80\x99s coca growers brace',
            b'"headline":"<img src=x onerror=alert(1)>Peru\xe2\x80\x99s coca growers brace',
        )
    )
    response = editor_client.post(URL, {"files": [upload("g.html", page)]})
    html = response.content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
