"""Followed sources: the feeds and story pages the task worker imports on a schedule.

Editors who may import (add, change and publish stories, as on the Import page) may follow
sources. Adding one, resuming it or "Check now" queues a check at once; changing its interval
moves its next check; pausing it cancels the check queued (`articles.ingest.sources`).
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from articles.admin.dashboard import ProblemsFilter
from articles.admin.importing import PERMISSIONS as IMPORT_PERMISSIONS
from articles.ingest import sources
from articles.ingest.models import FollowedSource


class FollowedSourceForm(forms.ModelForm):
    url = forms.URLField(
        label="Address",
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "vURLField"}),
        help_text="A feed (RSS, Atom) or a story page, http(s).",
    )

    class Meta:
        model = FollowedSource
        fields = ["url", "every", "fetch_pages", "new_as_drafts", "active"]


def short_time(moment) -> str:
    """A time in the editor's zone, without the year when it is this year's."""
    local = timezone.localtime(moment)
    same_year = local.year == timezone.localtime().year
    return date_format(local, "N j, P" if same_year else "N j, Y, P")


@admin.action(description="Check now")
def check_now(modeladmin, request, queryset):
    active = list(queryset.filter(active=True))
    with transaction.atomic():
        for source in active:
            sources.schedule_check(source)
    modeladmin.message_user(
        request,
        f"{len(active)} source{pluralize(len(active))} will be checked as soon as the task "
        "worker is free (paused sources are not checked).",
        messages.SUCCESS,
    )


@admin.register(FollowedSource)
class FollowedSourceAdmin(admin.ModelAdmin):
    form = FollowedSourceForm
    list_display = ["url", "every", "active", "last_check", "next_check"]
    list_filter = ["active", "every", ProblemsFilter]
    search_fields = ["url"]
    actions = [check_now]
    readonly_fields = [
        "added_by",
        "created_at",
        "next_check_at",
        "last_checked_at",
        "checks",
        "last_summary",
        "problems",
    ]
    fieldsets = [
        (None, {"fields": ["url", "every", "fetch_pages", "new_as_drafts", "active"]}),
        (
            "Checks",
            {
                "fields": [
                    "next_check_at",
                    "last_checked_at",
                    "last_summary",
                    "problems",
                    "checks",
                    "added_by",
                    "created_at",
                ]
            },
        ),
    ]

    class Media:
        css = {"all": ["admin-lists/filters.css"]}

    @admin.display(description="last check", ordering="last_checked_at")
    def last_check(self, source: FollowedSource) -> str:
        """When, and what it found: "Dec. 6, 10:56 a.m.: 2 created, 14 unchanged"."""
        if source.last_checked_at is None:
            return "Not yet"
        return f"{short_time(source.last_checked_at)}: {source.last_summary}"

    @admin.display(description="next check", ordering="next_check_at")
    def next_check(self, source: FollowedSource) -> str:
        if source.next_check_at is None:
            return "Paused" if not source.active else "Not scheduled"
        return short_time(source.next_check_at)

    @admin.display(description="problems")
    def problems(self, source: FollowedSource) -> str:
        if not source.last_error:
            return "None in the last check."
        return format_html_join(
            mark_safe("<br>"), "{}", ((line,) for line in source.last_error.splitlines())
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
        changed = set(form.changed_data)
        if not change or {"active", "url"} & changed:
            # New, resumed, paused or pointed elsewhere: checked now (or not at all if paused).
            sources.schedule_check(obj)
        elif "every" in changed and obj.active:
            sources.schedule_check(obj, at=sources.rescheduled_moment(obj))

    def _may_import(self, request) -> bool:
        return request.user.is_active and request.user.has_perms(IMPORT_PERMISSIONS)

    def has_module_permission(self, request):
        return self._may_import(request)

    def has_view_permission(self, request, obj=None):
        return self._may_import(request)

    def has_add_permission(self, request):
        return self._may_import(request)

    def has_change_permission(self, request, obj=None):
        return self._may_import(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_import(request)
