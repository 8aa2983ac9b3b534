"""The story desk: stories with their bylines, body blocks and old addresses, and publishing.

Publishing is its own permission (`articles.publish_story`): editors without it write and edit
drafts, but the status and publication time are read-only to them and they get no publish actions.

Saving the change form claims the story's version (`articles.editing.conflicts`): a form opened
before someone else's save, or before a bulk action on the story, is refused with what changed.
So the bulk actions and re-anchoring bump the versions of the stories and notes they change.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models.functions import Lower
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from articles.admin.annotate import annotate_urls
from articles.admin.dashboard import (
    ChangedSinceNotesFilter,
    ImportedDraftsFilter,
    UntaggedFilter,
)
from articles.admin.forms import BlockInlineForm, StoryAdminForm
from articles.admin.importing import import_urls
from articles.admin.related import RelatedStoryInline
from articles.admin.tagging import add_tags_to_stories, remove_tags_from_stories
from articles.caching.invalidation import content_changed, story_keys
from articles.editing import publishing
from articles.editing.conflicts import VersionCheckedAdmin
from articles.editing.slug_history import record_slug_change
from articles.editing.stories import shown_before_save, story_saved
from articles.models import Block, Byline, OldSlug, Story, Tag
from articles.notes.services import TextChange, reanchor_story_edit
from articles.pages.selectors import bylines_prefetch
from articles.related.tag_suggestions import suggest_tags

# Django's tabular inline with a name for its first column, which axe requires.
LABELLED_TABULAR = "admin/articles/edit_inline/tabular.html"


class BylineInline(admin.TabularInline):
    model = Byline
    template = LABELLED_TABULAR
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    ordering = ["position", "id"]
    extra = 0


class BlockInline(admin.StackedInline):
    """The story's body in reading order; aside fields are folded away under each block."""

    model = Block
    fk_name = "story"
    form = BlockInlineForm
    verbose_name = "body block"
    verbose_name_plural = "body, in reading order"
    fieldsets = [
        (None, {"fields": [("position", "kind"), "text"]}),
        (
            "Read-more aside",
            {
                "fields": [("teaser", "label"), ("target_story", "target_url")],
                "classes": ["collapse"],
            },
        ),
    ]
    autocomplete_fields = ["target_story"]
    ordering = ["position", "id"]
    extra = 0


class OldSlugInline(admin.TabularInline):
    """Addresses the story had before; each answers with a permanent redirect."""

    model = OldSlug
    template = LABELLED_TABULAR
    fields = ["slug", "created_at"]
    readonly_fields = ["slug", "created_at"]
    verbose_name = "old address"
    verbose_name_plural = "old addresses (they redirect to this story)"
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


def _stories(count: int) -> str:
    return f"{count} stor{pluralize(count, 'y,ies')}"


def _selected_ids(queryset) -> list[int]:
    return list(queryset.select_related(None).prefetch_related(None).values_list("pk", flat=True))


@admin.action(description="Publish selected stories", permissions=["publish"])
def publish_stories(modeladmin, request, queryset):
    """Publish the selection; a story without a publication time is published as of now."""
    story_ids = _selected_ids(queryset)
    published = publishing.publish_stories(story_ids=story_ids, user=request.user)
    modeladmin.message_user(request, f"Published {_stories(len(published))}.", messages.SUCCESS)


@admin.action(description="Unpublish selected stories", permissions=["publish"])
def unpublish_stories(modeladmin, request, queryset):
    """Return the selection to drafts; publication times stay, for when they come back."""
    unpublished = publishing.unpublish_stories(story_ids=_selected_ids(queryset), user=request.user)
    modeladmin.message_user(request, f"Unpublished {_stories(len(unpublished))}.", messages.SUCCESS)


@admin.register(Story)
class StoryAdmin(VersionCheckedAdmin, admin.ModelAdmin):
    form = StoryAdminForm
    list_display = [
        "headline",
        "status",
        "section",
        "published_at",
        "byline",
        "tag_list",
        "annotate_link",
    ]
    list_filter = [
        "status",
        "section",
        "published_at",
        "tags",
        UntaggedFilter,
        ChangedSinceNotesFilter,
        ImportedDraftsFilter,
    ]
    search_fields = ["headline", "dek", "slug", "authors__name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("headline",)}
    list_select_related = ["section"]
    readonly_fields = [
        "canonical_url",
        "import_key",
        "import_source",
        "read_more_asides",
        "suggested_tags",
        "lead_image_copy_status",
    ]
    inlines = [BylineInline, BlockInline, OldSlugInline, RelatedStoryInline]
    actions = [publish_stories, unpublish_stories, add_tags_to_stories, remove_tags_from_stories]
    fieldsets = [
        ("Story", {"fields": ["headline", "slug", "dek", "section", "tags"]}),
        ("Publication", {"fields": ["status", "published_at", "updated_at"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_url",
                    "lead_image_copy_status",
                    "image_credit",
                    "image_caption",
                    "image_alt",
                ],
                "classes": ["collapse"],
            },
        ),
        (
            "Provenance",
            {
                "fields": ["source_url", "canonical_url", "import_key", "import_source"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(bylines_prefetch(), "tags")

    def get_urls(self):
        # Before the admin's own: its `<path:object_id>/` would swallow `<id>/annotate/`.
        return [*import_urls(self), *annotate_urls(self), *super().get_urls()]

    class Media:
        js = ["admin-story/story-form.js"]
        css = {"all": ["admin-story/story-form.css"]}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        story, *rest = fieldsets
        name, options = story
        story = (name, {**options, "fields": [*options["fields"], "suggested_tags"]})
        return [(None, {"fields": ["read_more_asides"]}), story, *rest]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            # Left out of the form, a new story keeps the model's defaults: a draft, no time.
            readonly += ["status", "published_at"]
        return readonly

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.publish_story")

    def has_view_permission(self, request, obj=None):
        # Annotators hold `view_story` so that annotating can show them drafts, but the story
        # desk is for those who may change stories.
        return self.has_change_permission(request, obj)

    def save_related(self, request, form, formsets, change):
        tag_names = form.cleaned_data.get("tags") or []
        existing = set(
            Tag.objects.annotate(lowered=Lower("name"))
            .filter(lowered__in=[name.lower() for name in tag_names])
            .values_list("lowered", flat=True)
        )
        super().save_related(request, form, formsets, change)
        # taggit made the new tags; the tags' history says who did.
        story_saved(
            story=form.instance,
            user=request.user,
            changed_fields=form.changed_data,
            shown_before=form.newsroom_shown_before,
            bylines_changed=any(fs.model is Byline and fs.has_changed() for fs in formsets),
            created_tag_names=[name for name in tag_names if name.lower() not in existing],
        )

    def save_model(self, request, obj, form, change):
        # What readers see of the story before this save (the form holds the new values).
        form.newsroom_shown_before = (
            shown_before_save(story_id=obj.pk, changed_fields=form.changed_data)
            if change
            else set()
        )
        super().save_model(request, obj, form, change)
        if change and "slug" in form.changed_data:
            record_slug_change(story=obj, old_slug=form.initial["slug"])

    def delete_model(self, request, obj):
        shown = story_keys([obj.pk], scheduled=True)
        super().delete_model(request, obj)
        content_changed(shown)

    def delete_queryset(self, request, queryset):
        shown = story_keys(queryset.values_list("pk", flat=True), scheduled=True)
        super().delete_queryset(request, queryset)
        content_changed(shown)

    def save_formset(self, request, form, formset, change):
        """Save the body inline and re-anchor notes to the edited texts.

        Runs inside the change view's transaction. By now the forms' instances hold the posted
        values, so the old texts are read from the rows before they are saved; deleted blocks
        go to `reanchor_story_edit` before their rows go, so that their notes move into blocks
        edited in the same save (a split paragraph) or are orphaned, never silently detached.
        """
        if formset.model is not Block:
            super().save_formset(request, form, formset, change)
            return
        formset.save(commit=False)
        edited = [
            block
            for block, changed_fields in formset.changed_objects
            if {"kind", "text", "teaser"} & set(changed_fields)
        ]
        stored = Block.objects.only("kind", "text", "teaser").in_bulk([b.pk for b in edited])
        for block in [*formset.new_objects, *(block for block, _ in formset.changed_objects)]:
            block.save()
        formset.save_m2m()
        result = reanchor_story_edit(
            story=form.instance,
            changes=[TextChange(block=b, old_text=stored[b.pk].annotatable_text) for b in edited],
            created_blocks=formset.new_objects,
            deleted_blocks=formset.deleted_objects,
            user=request.user,
        )
        for block in formset.deleted_objects:
            block.delete()
        if orphaned := len(result.orphaned):
            query = urlencode(
                {"story__id__exact": form.instance.pk, "anchor_state__exact": "orphaned"}
            )
            self.message_user(
                request,
                format_html(
                    "{} note{} lost {} passage and {} hidden from readers: "
                    '<a href="{}?{}">review {}</a>.',
                    orphaned,
                    pluralize(orphaned),
                    pluralize(orphaned, "its,their"),
                    pluralize(orphaned, "is,are"),
                    reverse("admin:articles_note_changelist"),
                    query,
                    pluralize(orphaned, "it,them"),
                ),
                messages.WARNING,
            )

    @admin.display(description="bylines")
    def byline(self, story: Story) -> str:
        return ", ".join(byline.author.name for byline in story.bylines.all())

    @admin.display(description="tags")
    def tag_list(self, story: Story) -> str:
        return ", ".join(sorted((tag.name for tag in story.tags.all()), key=str.lower))

    @admin.display(description="notes")
    def annotate_link(self, story: Story) -> str:
        url = reverse("admin:articles_story_annotate", args=[story.pk])
        return format_html(
            '<a href="{}">Annotate<span class="visually-hidden"> “{}”</span></a>',
            url,
            story.headline,
        )

    @admin.display(description="suggested tags")
    def suggested_tags(self, story: Story) -> str:
        suggestions = suggest_tags(story=story)
        if not suggestions:
            return "No suggestions: save the story's text first, or every likely tag is there."
        buttons = format_html_join(
            "",
            '<li><button type="button" class="button tag-suggestion" data-tag-name="{}">'
            'Add “{}”</button><span class="tag-suggestion-reason">{}</span></li>',
            ((s.tag.name, s.tag.name, s.reason) for s in suggestions),
        )
        return format_html(
            '<ul class="tag-suggestions">{}</ul><div id="tag-suggestions-status" '
            'class="tag-status" role="status"></div>',
            buttons,
        )

    @admin.display(description="copy of the image at the address")
    def lead_image_copy_status(self, story: Story) -> str:
        """What readers are shown of the image given by address: the newsroom's copy, or the
        publisher's file, and why."""
        if not story.lead_image_url:
            return "No image address."
        if story.lead_image:
            return "Not used: the uploaded file is shown."
        if story.lead_image_file:
            return format_html(
                '<span class="lead-image-copy"><a href="{}">A copy kept on this site</a> is '
                "shown, not the file at the address.</span>",
                story.lead_image_copy.url,
            )
        if story.lead_image_copy_error:
            return format_html(
                "Not copied: {}. Readers are shown the file at the address; "
                "<code>manage.py copy_lead_images</code> tries again.",
                story.lead_image_copy_error,
            )
        return (
            "Being copied by the task worker; until then readers are shown the file at the address."
        )

    @admin.display(description="read-more asides")
    def read_more_asides(self, story: Story) -> str:
        unresolved = Block.objects.unresolved_asides().filter(story=story).count()
        if not unresolved:
            return "Every read-more aside links somewhere."
        url = reverse("admin:articles_readmoreaside_changelist")
        query = urlencode({"story__id__exact": story.pk, "link": "unresolved"})
        return format_html(
            '<a href="{}?{}">{} unresolved read-more aside{}</a> (no story or link yet).',
            url,
            query,
            unresolved,
            pluralize(unresolved),
        )
