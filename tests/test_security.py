"""Security headers on reader pages, and login rate limiting."""

import pytest
from django.contrib.auth import get_user_model

from newsroom.client_address import client_address
from tests.factories import StoryFactory

pytestmark = pytest.mark.django_db


def test_story_page_carries_the_security_headers(client):
    response = client.get(StoryFactory().get_absolute_url())
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


def login(client, username, password, address="203.0.113.7", forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        **extra,
    )


PROXY = "10.0.0.5"  # the load balancer: every request behind it arrives from this address


def test_repeated_failed_logins_lock_out_that_account_from_that_address(client, settings):
    get_user_model().objects.create_user("ed", password="the right passphrase", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "ed", "wrong").status_code == 200  # the form again, with an error
    assert login(client, "ed", "wrong").status_code == 429  # the failure that reaches the limit
    # Now even the right password is refused from that address...
    response = login(client, "ed", "the right passphrase")
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    # ...while the editor, from another address, still gets in.
    assert login(client, "ed", "the right passphrase", address="198.51.100.2").status_code == 302


def test_failures_for_made_up_usernames_do_not_lock_out_real_editors(client, settings):
    """Without a proxy count every request shares the proxy's address: guessing names from it
    must not lock out the editors who sign in through the same proxy."""
    get_user_model().objects.create_user("amy", password="the right passphrase", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        login(client, "no-such-editor", "wrong", address=PROXY)
    assert login(client, "amy", "the right passphrase", address=PROXY).status_code == 302


def test_behind_a_trusted_proxy_a_guesser_does_not_lock_out_an_editor_elsewhere(client, settings):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    get_user_model().objects.create_user("amy", password="the right passphrase", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        login(client, "amy", "wrong", address=PROXY, forwarded="192.0.2.66")
    assert login(client, "amy", "wrong", address=PROXY, forwarded="192.0.2.66").status_code == 429
    response = login(client, "amy", "the right passphrase", address=PROXY, forwarded="198.51.100.4")
    assert response.status_code == 302


def test_a_spoofed_forwarded_for_does_not_escape_the_lockout(client, settings):
    """With one trusted proxy only the address the proxy appended counts: entries the client
    wrote itself, further left, change nothing."""
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = 1
    get_user_model().objects.create_user("ed", password="the right passphrase", is_staff=True)
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ed", "wrong", address=PROXY, forwarded=f"198.51.100.{n}, 192.0.2.66")
    response = login(
        client, "ed", "the right passphrase", address=PROXY, forwarded="203.0.113.99, 192.0.2.66"
    )
    assert response.status_code == 429


def test_forwarded_for_is_ignored_without_trusted_proxies(client, settings):
    get_user_model().objects.create_user("ed", password="the right passphrase", is_staff=True)
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, "ed", "wrong", forwarded=f"198.51.100.{n}")
    response = login(client, "ed", "the right passphrase", forwarded="198.51.100.200")
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        (0, "203.0.113.7", None, "203.0.113.7"),
        (1, PROXY, "192.0.2.66", "192.0.2.66"),
        (1, PROXY, "6.6.6.6, 192.0.2.66", "192.0.2.66"),
        (1, PROXY, "6.6.6.6,192.0.2.66 , ", "192.0.2.66"),
        (2, "10.0.0.6", "6.6.6.6, 192.0.2.66, 10.0.0.5", "192.0.2.66"),
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
        # Fewer hops than proxies configured: only the connection's own address is certain.
        (2, PROXY, None, PROXY),
        (2, PROXY, "192.0.2.66", PROXY),
        # A value that is not an address falls back to the connection's own address.
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, "<script>", PROXY),
    ],
)
def test_client_address_reads_through_the_trusted_proxies_only(
    rf, settings, proxies, remote, forwarded, expected
):
    settings.NEWSROOM_TRUSTED_PROXY_COUNT = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_address(rf.get("/", **extra)) == expected


def test_a_few_failures_then_success_still_logs_in(client):
    get_user_model().objects.create_user("bo", password="the right passphrase", is_staff=True)
    login(client, "bo", "wrong")
    login(client, "bo", "wrong")
    assert login(client, "bo", "the right passphrase").status_code == 302


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/admin/articles/story/{story}/annotate/notes/"),
        ("post", "/admin/articles/story/{story}/change/"),
        ("post", "/admin/articles/story/"),
        ("post", "/admin/logout/"),
    ],
)
def test_editor_writes_without_a_csrf_token_are_refused(editor, method, path):
    """CSRF everywhere: a logged-in editor's browser cannot be made to write from another site."""
    from django.test import Client

    story = StoryFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = getattr(client, method)(
        path.format(story=story.pk), {"headline": "Forged"}, content_type="application/json"
    )
    assert response.status_code == 403
    story.refresh_from_db()
    assert story.headline != "Forged"
