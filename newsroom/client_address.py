"""The address of the client a request came from, for sign-in rate limiting.

Behind a load balancer `REMOTE_ADDR` is the balancer's own address, the same for everyone. Each
trusted proxy appends the address it received the request from to `X-Forwarded-For`, so with
`NEWSROOM_TRUSTED_PROXY_COUNT` proxies in front of the app the client is the entry that many
places from the right of "X-Forwarded-For entries, then REMOTE_ADDR". Entries further left were
written by the client itself and are never believed. With a count of 0 (the default) the header
is ignored altogether.

django-axes can do this through django-ipware, but that is another dependency whose counting
(proxies listed in the header, left-most or right-most) is easy to get wrong; these few lines
state the rule once and are tested.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, read through the configured number of trusted proxies."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.NEWSROOM_TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    hops.append(remote or "")
    if len(hops) <= trusted:
        # Fewer hops than trusted proxies: the request did not come the way it should, and the
        # left-most entry may be the client's own words. Only the connection is certain.
        return remote
    try:
        return str(ipaddress.ip_address(hops[-1 - trusted]))
    except ValueError:
        return remote
