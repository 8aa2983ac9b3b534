"""The editors' inbox: what is unread, and marking it read."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles.notifications.models import Notification


def unread_count(*, user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(*, user, notification_ids=None) -> int:
    """Mark `user`'s notifications read (all of them when `notification_ids` is None).

    Another person's notifications are never touched, whatever ids are given. Returns how many
    were unread.
    """
    notifications = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        notifications = notifications.filter(pk__in=list(notification_ids))
    return notifications.update(read_at=timezone.now())


@transaction.atomic
def mark_unread(*, user, notification_ids) -> int:
    notifications = Notification.objects.filter(recipient=user, pk__in=list(notification_ids))
    return notifications.exclude(read_at__isnull=True).update(read_at=None)


def target_path(notification: Notification) -> str:
    """Where a notification leads: its note on the Annotate screen, else its story's form."""
    if notification.note_id is not None:
        screen = reverse("admin:articles_story_annotate", args=[notification.story_id])
        return f"{screen}?note={notification.note_id}"
    if notification.story_id is not None:
        return reverse("admin:articles_story_change", args=[notification.story_id])
    return reverse("admin:articles_notification_changelist")
