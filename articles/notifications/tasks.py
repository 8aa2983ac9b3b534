"""The background work of notifications, run by the task queue's worker (`manage.py db_worker`).

Tasks take ids, not objects: they run later, in another process, on committed rows.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from articles.notifications import webhooks
from articles.notifications.inbox import target_path
from articles.notifications.models import Notification


@task()
def deliver_webhook(*, delivery_id: int) -> str:
    """One attempt at a webhook delivery (a failure schedules the next one itself)."""
    delivery = webhooks.attempt_delivery(delivery_id=delivery_id)
    return "" if delivery is None else delivery.status


@task()
def email_notification(*, notification_id: int) -> bool:
    """Send a notification to its recipient's e-mail address, once; False when there is none."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    address = notification.recipient.email
    if not address or not notification.recipient.is_active:
        return False
    link = f"{settings.NEWSROOM_BASE_URL}{target_path(notification)}"
    send_mail(
        subject=f"[{settings.NEWSROOM_SITE_NAME}] {notification.message}"[:200],
        message=f"{notification.message}\n\n{link}\n",
        from_email=None,
        recipient_list=[address],
    )
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True
