"""Tags in the admin: the tag list, and the bulk "add/remove tags" actions on stories.

The actions ask for the tag names, then call the services in `articles.editing.tagging`.
"""

from contextlib import suppress

import taggit.models
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.db.models import Count
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.utils.text import Truncator

from articles.admin.forms import TagAdminForm, TagNamesForm
from articles.editing.tagging import add_tags, delete_tags, quoted_names, remove_tags, save_tag
from articles.models import Tag

# Our stories use `articles.Tag`; taggit's own tag table stays empty, so hide its admin.
with suppress(NotRegistered):
    admin.site.unregister(taggit.models.Tag)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug", "short_description", "story_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    fields = ["name", "slug", "description"]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("tagged_articles"))

    def save_model(self, request, obj, form, change):
        save_tag(tag=obj, renamed=change and "name" in form.changed_data)

    def delete_model(self, request, obj):
        delete_tags(tags=Tag.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        delete_tags(tags=queryset)

    @admin.display(description="description")
    def short_description(self, tag: Tag) -> str:
        return Truncator(tag.description).chars(80)

    @admin.display(description="stories", ordering="story_count")
    def story_count(self, tag: Tag) -> int:
        return tag.story_count


def _bulk_tag_step(
    modeladmin, request, queryset, *, action, title, submit_label, apply, verb, preposition
):
    """Show the tags form for the selected stories; on submit, apply it and report."""
    form = TagNamesForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        names = form.cleaned_data["tags"]
        article_ids = list(queryset.prefetch_related(None).values_list("pk", flat=True))
        changed = apply(article_ids=article_ids, names=names, user=request.user)
        count = len(changed)
        modeladmin.message_user(
            request,
            f"{verb} {quoted_names(names)} {preposition} {count} stor{pluralize(count, 'y,ies')}.",
            messages.SUCCESS,
        )
        return None  # The admin redirects back to the changelist.

    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.opts,
        "form": form,
        "stories": queryset.select_related(None).prefetch_related(None).only("pk", "headline"),
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "submit_label": submit_label,
        # The changelist with its filters, which actions are posted to.
        "changelist_url": request.get_full_path(),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/articles/article/bulk_tags.html", context)


@admin.action(description="Add tags to selected stories", permissions=["change"])
def add_tags_to_stories(modeladmin, request, queryset):
    return _bulk_tag_step(
        modeladmin,
        request,
        queryset,
        action="add_tags_to_stories",
        title="Add tags to stories",
        submit_label="Add tags",
        apply=add_tags,
        verb="Added",
        preposition="to",
    )


@admin.action(description="Remove tags from selected stories", permissions=["change"])
def remove_tags_from_stories(modeladmin, request, queryset):
    return _bulk_tag_step(
        modeladmin,
        request,
        queryset,
        action="remove_tags_from_stories",
        title="Remove tags from stories",
        submit_label="Remove tags",
        apply=remove_tags,
        verb="Removed",
        preposition="from",
    )
