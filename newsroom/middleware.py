"""Response headers that every page carries: the content security policy and friends.

Django 5.2 has no CSP support of its own, and the policy is one fixed string, so a few lines
here do the job. Scripts, styles and fonts come from this origin only, and no inline script
runs: the templates load every script from `static/`. Images may come from any https origin
because a story's lead image may be a URL.
"""

import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

DEFAULT_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DEFAULT_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)
        self.permissions_policy = getattr(
            settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


# The cookie the admin's script sets to the editor's browser time zone (an IANA name).
EDITOR_TIME_ZONE_COOKIE = "newsroom_tz"


class EditorTimeZoneMiddleware:
    """Editors see and enter times in their own time zone in the admin.

    The admin's script (`static/admin-newsroom/time-zone.js`) stores the browser's zone in a
    cookie; admin pages are rendered, and their forms read, in that zone, so Django's "You are N
    hours ahead of server time" never shows. Reader pages keep the newsroom's zone: they are
    cached for everyone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = None
        if request.path.startswith(admin_prefix()):
            zone = editor_time_zone(request.COOKIES.get(EDITOR_TIME_ZONE_COOKIE, ""))
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)


def admin_prefix() -> str:
    return reverse("admin:index")


def editor_time_zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone called `name`, or None for anything that is not a known zone's name."""
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
