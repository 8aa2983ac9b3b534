"""Signed webhooks: a JSON POST to every configured URL when something is published.

The URLs and their secrets come from the environment (`NEWSROOM_WEBHOOKS`, "URL SECRET" pairs),
not from an admin screen: a secret belongs with the deployment's other secrets, and a URL staff
could type in would let any admin make the server POST to addresses inside its own network.

Each event makes one `WebhookDelivery` per URL, written in the editor's transaction; once that
commits, the task queue makes the attempts (`tasks.deliver_webhook`). Every attempt POSTs the
same body with ``X-Newsroom-Signature: sha256=<hex HMAC-SHA256 of the body with the URL's
secret>``. An answer other than 2xx, a redirect, a timeout or a refused connection is a failure:
the delivery is tried again after ``NEWSROOM_WEBHOOK_RETRY_DELAY`` seconds, then twice that, and
so on (at most an hour between attempts), until ``NEWSROOM_WEBHOOK_MAX_ATTEMPTS`` attempts have
failed. Every attempt's outcome is kept on the delivery, which admins see.
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.notifications.models import WebhookDelivery

SIGNATURE_HEADER = "X-Newsroom-Signature"
TIMEOUT_SECONDS = 10
LONGEST_DELAY_SECONDS = 3600


def sign(body: bytes, secret: str) -> str:
    """The signature header's value for `body`: ``sha256=`` and the hex HMAC-SHA256."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def secret_for(url: str) -> str | None:
    return dict(settings.NEWSROOM_WEBHOOKS).get(url)


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: doubling, at most an hour."""
    delay = settings.NEWSROOM_WEBHOOK_RETRY_DELAY * 2 ** (attempts - 1)
    return min(delay, LONGEST_DELAY_SECONDS)


def queue_webhooks(*, event: str, payload: dict) -> list[WebhookDelivery]:
    """Record a delivery of `payload` to each configured URL; they are sent once committed."""
    if not settings.NEWSROOM_WEBHOOKS:
        return []
    body = json.dumps(
        {"event": event, "occurred_at": timezone.now().isoformat(), **payload},
        ensure_ascii=False,
        sort_keys=True,
    )
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, url=url, body=body) for url, _ in settings.NEWSROOM_WEBHOOKS
    )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def _enqueue(delivery_ids: list[int], *, run_after=None) -> None:
    # Imported here: the task module imports this one to run the attempts.
    from articles.notifications.tasks import deliver_webhook

    task = deliver_webhook if run_after is None else deliver_webhook.using(run_after=run_after)
    for delivery_id in delivery_ids:
        task.enqueue(delivery_id=delivery_id)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver that moved must be reconfigured; following it would re-send the signed body."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def post(*, url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to `url`; returns the status code, raises OSError when there is no answer."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an HTTP URL: {url!r}")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def attempt_delivery(*, delivery_id: int) -> WebhookDelivery | None:
    """Make the next attempt at a delivery and record it; schedules the retry a failure earns."""
    delivery = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (
        WebhookDelivery.Status.DELIVERED,
        WebhookDelivery.Status.FAILED,
    ):
        return delivery
    secret = secret_for(delivery.url)
    if secret is None:
        delivery.attempts += 1
        return _give_up(delivery, error="This URL is no longer in NEWSROOM_WEBHOOKS.")
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Newsroom-Webhooks/1",
        "X-Newsroom-Event": delivery.event,
        "X-Newsroom-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(body, secret),
    }
    delivery.attempts += 1
    try:
        status = post(url=delivery.url, body=body, headers=headers)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except (OSError, ValueError) as failure:
        error = f"{type(failure).__name__}: {failure}"
    if not error:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.last_error = ""
        delivery.save()
        return delivery
    if delivery.attempts >= settings.NEWSROOM_WEBHOOK_MAX_ATTEMPTS:
        return _give_up(delivery, error=error)
    delay = retry_delay(delivery.attempts)
    delivery.status = WebhookDelivery.Status.RETRYING
    delivery.last_error = error[:500]
    delivery.retry_delays = [*delivery.retry_delays, delay]
    delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    with transaction.atomic():
        delivery.save()
        # The database queue writes the retry in this same transaction: it is never lost.
        _enqueue([delivery.pk], run_after=delivery.next_attempt_at)
    return delivery


def _give_up(delivery: WebhookDelivery, *, error: str) -> WebhookDelivery:
    delivery.status = WebhookDelivery.Status.FAILED
    delivery.last_error = error[:500]
    delivery.next_attempt_at = None
    delivery.save()
    return delivery
