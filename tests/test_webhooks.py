"""Signed webhooks: sent by the task queue's worker, never in the request, retried with backoff.

A real HTTP receiver runs in a thread; the database queue's own worker runs in the test process.
"""

import hashlib
import hmac
import json

import pytest
from django.test import override_settings

from articles.editing.publishing import publish_stories
from articles.models import Note, Story, WebhookDelivery
from articles.notes.review import publish_note
from tests.factories import (
    CorrectionNoteFactory,
    NoteFactory,
    StaffFactory,
    StoryFactory,
)
from tests.tasks import Receiver, run_worker_until_idle

# Transactional: the worker commits, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "a-webhook-secret-of-some-length"
DELAY = 0.2


def hooked(receiver, **extra):
    return override_settings(
        NEWSROOM_WEBHOOKS=[(receiver.url, SECRET)],
        NEWSROOM_WEBHOOK_RETRY_DELAY=DELAY,
        **extra,
    )


def verifies(request, secret=SECRET) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"]["X-Newsroom-Signature"], expected)


def test_publishing_a_story_posts_a_signed_webhook_from_the_worker_not_the_request():
    editor = StaffFactory(is_superuser=True)
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None, headline="Coca fields")
    with Receiver() as receiver, hooked(receiver):
        publish_stories(story_ids=[story.pk], user=editor)
        assert receiver.requests == []  # committed, queued, not sent
        assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PENDING
        run_worker_until_idle()
    (request,) = receiver.requests
    body = json.loads(request["body"])
    assert body["event"] == "story.published"
    assert body["story"]["headline"] == "Coca fields"
    assert body["story"]["url"].endswith(story.get_absolute_url())
    assert request["headers"]["X-Newsroom-Event"] == "story.published"
    assert verifies(request)
    assert not verifies(request, secret="another-secret-entirely")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 1, "")


def test_a_failing_receiver_gets_the_same_signed_body_again_after_doubling_delays():
    editor = StaffFactory(is_superuser=True)
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    with Receiver(statuses=[500, 503, 204]) as receiver, hooked(receiver):
        publish_stories(story_ids=[story.pk], user=editor)
        run_worker_until_idle()
    assert len(receiver.requests) == 3
    assert len({request["body"] for request in receiver.requests}) == 1
    assert all(verifies(request) for request in receiver.requests)
    first, second, third = (request["at"] for request in receiver.requests)
    assert second - first >= DELAY
    assert third - second >= 2 * DELAY
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert delivery.retry_delays == [DELAY, 2 * DELAY]


def test_a_delivery_gives_up_after_its_last_attempt_and_says_why():
    editor = StaffFactory(is_superuser=True)
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    with Receiver(statuses=[500]) as receiver, hooked(receiver, NEWSROOM_WEBHOOK_MAX_ATTEMPTS=3):
        publish_stories(story_ids=[story.pk], user=editor)
        run_worker_until_idle()
    assert len(receiver.requests) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.last_error == "HTTP 500"


def test_a_receiver_that_is_down_is_a_recorded_failure():
    editor = StaffFactory(is_superuser=True)
    story = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    with Receiver() as receiver:
        url = receiver.url
    with override_settings(
        NEWSROOM_WEBHOOKS=[(url, SECRET)],
        NEWSROOM_WEBHOOK_RETRY_DELAY=0.01,
        NEWSROOM_WEBHOOK_MAX_ATTEMPTS=2,
    ):
        publish_stories(story_ids=[story.pk], user=editor)
        run_worker_until_idle()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert "Connection refused" in delivery.last_error


def test_making_a_correction_public_posts_a_correction_webhook():
    editor = StaffFactory(is_superuser=True)
    note = CorrectionNoteFactory(state=Note.State.DRAFT, author=StaffFactory())
    with Receiver() as receiver, hooked(receiver):
        publish_note(note=note, version=note.version, user=editor)
        run_worker_until_idle()
    (request,) = receiver.requests
    body = json.loads(request["body"])
    assert body["event"] == "correction.published"
    assert body["note"]["id"] == note.pk
    assert verifies(request)


def test_a_note_on_a_draft_story_posts_nothing():
    editor = StaffFactory(is_superuser=True)
    draft = StoryFactory(status=Story.Status.DRAFT, published_at=None)
    note = NoteFactory(paragraph__story=draft, state=Note.State.DRAFT)
    with Receiver() as receiver, hooked(receiver):
        publish_note(note=note, version=note.version, user=editor)
        run_worker_until_idle()
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()
