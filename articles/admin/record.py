"""The record: classifying changes of stories' text, and the newsroom's policy pages.

A story's versions are recorded by the code that changes its text (`editing.history`); here an
editor only says what each change was (typo fix, correction, update) and, for readers, what it
changed. The text of a version is history and is never edited.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from articles.models import PolicyPage, StoryVersion
from articles.record.services import classification_error, classify_version, save_policy_page


class StoryVersionForm(forms.ModelForm):
    class Meta:
        model = StoryVersion
        fields = ["kind", "summary"]

    def clean(self):
        cleaned = super().clean()
        error = classification_error(
            version=self.instance, kind=cleaned.get("kind", ""), summary=cleaned.get("summary", "")
        )
        if error:
            raise ValidationError(error)
        return cleaned


@admin.register(StoryVersion)
class StoryVersionAdmin(admin.ModelAdmin):
    form = StoryVersionForm
    list_display = ["story", "number", "kind", "created_at", "user", "changes_page"]
    list_filter = ["kind", "origin"]
    search_fields = ["story__headline", "summary"]
    list_select_related = ["story", "user"]
    ordering = ["-created_at", "-id"]
    fields = ["story", "number", "created_at", "user", "origin", "kind", "summary", "headline"]
    readonly_fields = ["story", "number", "created_at", "user", "origin", "headline"]

    def has_add_permission(self, request):
        return False  # versions are recorded by the code that changes a story's text

    def has_delete_permission(self, request, obj=None):
        return False  # the record readers check is never rewritten

    @admin.display(description="changes page")
    def changes_page(self, version: StoryVersion) -> str:
        if not version.story.is_public:
            return "—"
        url = reverse("articles:story-changes", kwargs={"slug": version.story.slug})
        url += f"#v{version.number}"
        return format_html('<a href="{}">View</a>', url)

    def save_model(self, request, obj, form, change):
        classify_version(version=obj, kind=obj.kind, summary=obj.summary)


@admin.register(PolicyPage)
class PolicyPageAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "updated_at"]
    fields = ["kind", "title", "body", "updated_at"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # Each kind is linked from every story's structured data: its address never changes.
        return [*self.readonly_fields, "kind"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        save_policy_page(page=obj)
