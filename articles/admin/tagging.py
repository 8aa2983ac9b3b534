"""Tags in the admin: tag management, and the bulk "add/remove tags" actions on stories.

Tag management (the tag list and each tag's page): rename (a new slug leaves the old address
redirecting), synonyms, merging selected tags into one (their addresses answer 301 to its own),
near-duplicates (case, accents, plurals) listed for merging, usage counts, and the tags' history.
Every change goes through the services in `articles.editing.tagging`, which record who and when.

The tag fields of the story form and of the bulk actions take comma-separated names and offer
the existing tags as the editor types (`names_view`, read by `static/admin-tags/tag-input.js`).
"""

from contextlib import suppress

import taggit.models
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower
from django.http import JsonResponse
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET

from articles.admin.forms import MergeTagsForm, TagAdminForm, TagNamesForm, TagSynonymForm
from articles.admin.readonly import ReadOnlyAdminMixin
from articles.editing.tagging import (
    add_synonym,
    add_tags,
    delete_tags,
    merge_tags,
    quoted_names,
    remove_synonym,
    remove_tags,
    save_tag,
)
from articles.models import Tag, TagChange, TagSynonym
from articles.text.tag_names import duplicate_key

# Our stories use `articles.Tag`; taggit's own tag table stays empty, so hide its admin.
with suppress(NotRegistered):
    admin.site.unregister(taggit.models.Tag)

# How many existing tags the tags field offers as the editor types.
AUTOCOMPLETE_LIMIT = 10


class TagSynonymInline(admin.StackedInline):
    """Other names for the tag: a story given one of them is given the tag."""

    model = TagSynonym
    form = TagSynonymForm
    fields = ["name"]
    extra = 1
    verbose_name = "synonym"
    verbose_name_plural = "synonyms (entering one of these names tags a story with this tag)"


@admin.action(description="Merge selected tags into one…", permissions=["change", "delete"])
def merge_selected_tags(modeladmin, request, queryset):
    """Ask which of the selected tags the others merge into, then merge them."""
    tags = list(queryset.annotate(story_count=Count("tagged_stories")).order_by("name"))
    if len(tags) < 2:
        modeladmin.message_user(request, "Select at least two tags to merge.", messages.WARNING)
        return None
    form = MergeTagsForm(
        request.POST if "apply" in request.POST else None,
        tags=tags,
    )
    if form.is_valid():
        target = form.cleaned_data["target"]
        sources = [tag for tag in tags if tag.pk != target.pk]
        moved = merge_tags(sources=sources, target=target, user=request.user)
        modeladmin.message_user(
            request,
            f"Merged {quoted_names([tag.name for tag in sources])} into “{target.name}”: "
            f"{moved} stor{pluralize(moved, 'y,ies')} moved; the old addresses redirect there.",
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Merge tags",
        "opts": modeladmin.opts,
        "form": form,
        "tags": tags,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "changelist_url": reverse("admin:articles_tag_changelist"),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/articles/tag/merge.html", context)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagAdminForm
    list_display = ["name", "slug", "story_count", "synonym_list", "short_description"]
    search_fields = ["name", "slug", "synonyms__name"]
    prepopulated_fields = {"slug": ("name",)}
    fields = ["name", "slug", "description", "old_addresses", "history"]
    readonly_fields = ["old_addresses", "history"]
    ordering = ["name"]
    actions = [merge_selected_tags]
    inlines = [TagSynonymInline]
    list_per_page = 50

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(story_count=Count("tagged_stories"))
            .prefetch_related(Prefetch("synonyms", TagSynonym.objects.only("tag", "name")))
        )

    def get_urls(self):
        names = self.admin_site.admin_view(require_GET(self.names_view))
        duplicates = self.admin_site.admin_view(require_GET(self.near_duplicates_view))
        return [
            path("names/", names, name="articles_tag_names"),
            path("near-duplicates/", duplicates, name="articles_tag_near_duplicates"),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        save_tag(
            tag=obj,
            user=request.user,
            old_name=form.initial.get("name") if change else None,
            old_slug=form.initial.get("slug") if change else None,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not TagSynonym:
            super().save_formset(request, form, formset, change)
            return
        # Through the services, which record each synonym added or removed.
        for synonym in formset.save(commit=False):
            if synonym.pk is None:
                add_synonym(tag=form.instance, name=synonym.name, user=request.user)
            else:
                synonym.save()
        for synonym in formset.deleted_objects:
            remove_synonym(synonym=synonym, user=request.user)

    def delete_model(self, request, obj):
        delete_tags(tags=Tag.objects.filter(pk=obj.pk), user=request.user)

    def delete_queryset(self, request, queryset):
        delete_tags(tags=queryset, user=request.user)

    def names_view(self, request):
        """Existing tags (and synonyms) whose name starts with, then contains, what was typed."""
        if not (
            self.has_view_permission(request) or request.user.has_perm("articles.change_story")
        ):
            raise PermissionDenied
        typed = " ".join(request.GET.get("q", "").split())[:100]
        if not typed:
            return JsonResponse({"results": []})
        matches = (
            Tag.objects.filter(Q(name__icontains=typed) | Q(synonyms__name__icontains=typed))
            .annotate(
                story_count=Count("tagged_stories", distinct=True),
                starts=Count("pk", filter=Q(name__istartswith=typed)),
            )
            .order_by("-starts", "-story_count", Lower("name"))
            .values("name", "story_count")[:AUTOCOMPLETE_LIMIT]
        )
        return JsonResponse(
            {"results": [{"name": m["name"], "stories": m["story_count"]} for m in matches]}
        )

    def near_duplicates_view(self, request):
        """Tags whose names differ only in case, accents or a plural, grouped for merging."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Near-duplicate tags",
            "opts": self.opts,
            "groups": near_duplicate_groups(),
            "can_merge": self.has_change_permission(request)
            and self.has_delete_permission(request),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": reverse("admin:articles_tag_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/articles/tag/near_duplicates.html", context)

    @admin.display(description="description")
    def short_description(self, tag: Tag) -> str:
        return Truncator(tag.description).chars(80)

    @admin.display(description="stories", ordering="story_count")
    def story_count(self, tag: Tag) -> int:
        return tag.story_count

    @admin.display(description="old addresses")
    def old_addresses(self, tag: Tag) -> str:
        """Merged tags' addresses and this tag's old slugs: each redirects here."""
        redirects = list(tag.redirects.all()) if tag.pk else []
        if not redirects:
            return "None: no tag was merged into this one and its slug never changed."
        items = format_html_join(
            "",
            "<li><code>/tags/{}/</code> (was “{}”)</li>",
            ((r.slug, r.old_name) for r in redirects),
        )
        return format_html('<ul class="tag-redirects">{}</ul>', items)

    @admin.display(description="history")
    def history(self, tag: Tag) -> str:
        """Every change to the tag, newest first, with who and when."""
        changes = list(tag.changes.select_related("user")[:50]) if tag.pk else []
        if not changes:
            return "No changes recorded yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(localtime(change.created_at), "DATETIME_FORMAT"),
                    change.user or "—",
                    change.get_action_display(),
                    change.detail or change.tag_name,
                )
                for change in changes
            ),
        )
        return format_html(
            '<table class="tag-history"><thead><tr><th scope="col">When</th>'
            '<th scope="col">Who</th><th scope="col">What</th><th scope="col">Detail</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="synonyms")
    def synonym_list(self, tag: Tag) -> str:
        return ", ".join(synonym.name for synonym in tag.synonyms.all())


def near_duplicate_groups() -> list[list[Tag]]:
    """Tags that look like one (`duplicate_key`), most used first in each group; one query."""
    tags = Tag.objects.annotate(story_count=Count("tagged_stories")).only("pk", "name", "slug")
    groups: dict[str, list[Tag]] = {}
    for tag in tags:
        groups.setdefault(duplicate_key(tag.name), []).append(tag)
    return sorted(
        (
            sorted(group, key=lambda tag: (-tag.story_count, tag.name.casefold()))
            for group in groups.values()
            if len(group) > 1
        ),
        key=lambda group: group[0].name.casefold(),
    )


@admin.register(TagChange)
class TagChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The tags' history: who changed which tag, when and how. Read only."""

    list_display = ["created_at", "tag_name", "action", "detail", "user"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["tag_name", "detail"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


def _bulk_tag_step(
    modeladmin, request, queryset, *, action, title, submit_label, apply, verb, preposition
):
    """Show the tags form for the selected stories; on submit, apply it and report."""
    form = TagNamesForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        names = form.cleaned_data["tags"]
        story_ids = list(queryset.prefetch_related(None).values_list("pk", flat=True))
        changed = apply(story_ids=story_ids, names=names, user=request.user)
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
    return TemplateResponse(request, "admin/articles/story/bulk_tags.html", context)


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
