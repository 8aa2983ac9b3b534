"""The inbox link in the admin's header, with the signed-in editor's unread count."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from articles.notifications.inbox import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_link(context) -> str:
    """ "Inbox (3 unread)" for the signed-in editor: one count query, on admin pages only."""
    request = context.get("request")
    user = getattr(request, "user", None)
    url = reverse("admin:articles_notification_changelist")
    count = unread_count(user=user)
    if not count:
        return format_html('<a href="{}" class="inbox-link">Inbox</a>', url)
    return format_html(
        '<a href="{}" class="inbox-link">Inbox <strong>({} unread)</strong></a>',
        url,
        count,
    )
