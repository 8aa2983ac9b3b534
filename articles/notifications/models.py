"""The rows notifications leave behind: one per person told, one per webhook delivery.

Kept beside the code that writes them, and imported by `articles.models` so that Django finds
them in the `articles` app (their tables are `articles_notification`, `articles_webhookdelivery`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """Something an editor should know about, waiting in their inbox (and sent by e-mail)."""

    class Reason(models.TextChoices):
        REPLY = "reply", "Reply"
        MENTION = "mention", "Mention"
        REVIEW_REQUEST = "review-request", "Review request"
        PUBLISHED = "published", "Published"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who did it.",
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    story = models.ForeignKey(
        "articles.Story",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="story",
    )
    note = models.ForeignKey(
        "articles.Note",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="note",
    )
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx"),
        ]
        verbose_name = "notification"
        verbose_name_plural = "inbox"

    def __str__(self) -> str:
        return self.message

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class WebhookDelivery(models.Model):
    """One event POSTed to one configured URL, with every attempt's outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        RETRYING = "retrying", "Failed, will try again"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed, given up"

    event = models.CharField(max_length=40)
    url = models.URLField("URL", max_length=500)
    # The exact bytes signed and sent, so that every attempt sends (and signs) the same body.
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    # Seconds waited before each retry, in order: the backoff as it happened.
    retry_delays = models.JSONField(default=list, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.url}"
