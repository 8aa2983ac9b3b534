"""The editors' inbox and, for administrators, the webhook deliveries.

The inbox lists the signed-in editor's own notifications only, whoever they are: no model
permission is needed to read one's own (every staff user has an inbox), and nobody sees anyone
else's. Opening one marks it read and goes to its note on the Annotate screen (or its story).
Notifications are written by `articles.notifications.events`, never here: the inbox has no add
or change form.

Webhook deliveries are a read-only log for those who may view them (superusers): status,
attempts, the last error and the backoff as it happened.
"""

from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.urls import path, reverse
from django.utils.html import format_html

from articles.admin.readonly import ReadOnlyAdminMixin
from articles.models import Notification, WebhookDelivery
from articles.notifications import inbox


class ReadFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("unread", "Unread"), ("read", "Read")]

    def queryset(self, request, queryset):
        if self.value() == "unread":
            return queryset.filter(read_at__isnull=True)
        if self.value() == "read":
            return queryset.filter(read_at__isnull=False)
        return queryset


@admin.action(description="Mark selected notifications as read")
def mark_read(modeladmin, request, queryset):
    count = inbox.mark_read(user=request.user, notification_ids=queryset.values("pk"))
    modeladmin.message_user(request, f"Marked {count} notification{pluralize(count)} as read.")


@admin.action(description="Mark selected notifications as unread")
def mark_unread(modeladmin, request, queryset):
    count = inbox.mark_unread(user=request.user, notification_ids=queryset.values("pk"))
    modeladmin.message_user(request, f"Marked {count} notification{pluralize(count)} as unread.")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["summary", "reason", "actor", "created_at", "read"]
    list_display_links = None
    list_filter = [ReadFilter, "reason"]
    list_select_related = ["actor"]
    actions = [mark_read, mark_unread]
    list_per_page = 50

    class Media:
        css = {"all": ["admin-lists/filters.css", "admin-notifications/inbox.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).filter(recipient=request.user)

    # Every staff user reads their own inbox; nobody adds, changes or deletes notifications.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if obj is not None and obj.recipient_id != request.user.pk:
            return False
        return self.has_module_permission(request)

    def get_urls(self):
        open_view = self.admin_site.admin_view(self.open_view)
        return [
            path("<int:notification_id>/open/", open_view, name="articles_notification_open"),
            path(
                "read-all/",
                self.admin_site.admin_view(self.read_all_view),
                name="articles_notification_read_all",
            ),
            *super().get_urls(),
        ]

    def open_view(self, request, notification_id):
        """Mark the notification read and go to what it is about."""
        notification = get_object_or_404(
            Notification.objects.filter(recipient=request.user), pk=notification_id
        )
        inbox.mark_read(user=request.user, notification_ids=[notification.pk])
        return redirect(inbox.target_path(notification))

    def read_all_view(self, request):
        if request.method == "POST":
            count = inbox.mark_read(user=request.user)
            self.message_user(
                request, f"Marked {count} notification{pluralize(count)} as read.", messages.INFO
            )
        return redirect("admin:articles_notification_changelist")

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": "Inbox",
            "unread_count": inbox.unread_count(user=request.user),
        }
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="notification")
    def summary(self, notification: Notification) -> str:
        url = reverse("admin:articles_notification_open", args=[notification.pk])
        if notification.is_read:
            return format_html('<a href="{}">{}</a>', url, notification.message)
        return format_html(
            '<a href="{}"><strong>{}</strong></a> <span class="unread-badge">unread</span>',
            url,
            notification.message,
        )

    @admin.display(description="read", boolean=True)
    def read(self, notification: Notification) -> bool:
        return notification.is_read


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["event", "url", "status", "attempts", "last_error", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["url", "event"]
    readonly_fields = [
        "event",
        "url",
        "status",
        "attempts",
        "last_error",
        "retry_delays",
        "next_attempt_at",
        "created_at",
        "delivered_at",
        "body",
    ]
