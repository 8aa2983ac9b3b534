"""Security headers on reader pages, and login rate limiting."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_story_page_carries_the_security_headers(client):
    response = client.get(ArticleFactory().get_absolute_url())
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["font-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def login(client, username, password, address="203.0.113.7"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_repeated_failed_logins_lock_out_the_account(client, settings):
    get_user_model().objects.create_user("ed", password="the right passphrase", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "ed", "wrong").status_code == 200  # the form again, with an error
    assert login(client, "ed", "wrong").status_code == 429  # the failure that reaches the limit
    # Now even the right password is refused, from another address too.
    response = login(client, "ed", "the right passphrase", address="198.51.100.2")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()


def test_repeated_failed_logins_lock_out_the_address(client, settings):
    get_user_model().objects.create_user("amy", password="the right passphrase", is_staff=True)
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"guess{n}", "wrong")
    assert login(client, "amy", "the right passphrase").status_code == 429
    assert login(client, "amy", "the right passphrase", address="198.51.100.9").status_code == 302


def test_a_few_failures_then_success_still_logs_in(client):
    get_user_model().objects.create_user("bo", password="the right passphrase", is_staff=True)
    login(client, "bo", "wrong")
    login(client, "bo", "wrong")
    assert login(client, "bo", "the right passphrase").status_code == 302


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/admin/articles/article/{story}/annotate/annotations/"),
        ("post", "/admin/articles/article/{story}/change/"),
        ("post", "/admin/articles/article/"),
        ("post", "/admin/logout/"),
    ],
)
def test_editor_writes_without_a_csrf_token_are_refused(editor, method, path):
    """CSRF everywhere: a logged-in editor's browser cannot be made to write from another site."""
    from django.test import Client

    story = ArticleFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = getattr(client, method)(
        path.format(story=story.pk), {"headline": "Forged"}, content_type="application/json"
    )
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.headline != "Forged"
