"""The annotations list, with each annotation's discussion and history.

Annotations are made on the story text, in the annotate screen (its own issue); here editors
find them, follow their threads, and change what does not move the anchor.

Saving a change to the note claims its version, as the annotate screen does: a form opened before
someone else changed or re-anchored the note is refused with what changed
(`articles.concurrency`). A save that only adds replies leaves the note, and its version, alone.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from ..annotations.corrections import refresh_story_corrected
from ..annotations.services import annotation_snapshot, record_revision
from ..concurrency import VersionCheckedAdmin
from ..forms import AnnotationAdminForm
from ..models import Annotation, AnnotationReply, AnnotationRevision

ANCHOR_FIELDS = [
    "article",
    "paragraph_text",
    "quote_exact",
    "quote_prefix",
    "quote_suffix",
    "start",
    "end",
    "anchor_state",
]
HISTORY_FIELDS = ["author", "created_at", "modified_at", "version"]


class AnnotationReplyInline(admin.StackedInline):
    model = AnnotationReply
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class AnnotationRevisionInline(admin.TabularInline):
    """The annotation's history, as recorded when it changed: read only."""

    model = AnnotationRevision
    fk_name = "annotation"
    fields = ["created_at", "user", "action", "before", "after"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnnotationChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list shows a short quote; leave the wide text columns in the database.
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("body", "body_html", "claim", "paragraph__text")
        )


@admin.register(Annotation)
class AnnotationAdmin(VersionCheckedAdmin, admin.ModelAdmin):
    form = AnnotationAdminForm
    list_display = [
        "kind",
        "quote",
        "article",
        "paragraph_position",
        "visibility",
        "status",
        "anchor_state",
        "author",
        "modified_at",
        "annotate_link",
    ]
    list_display_links = ["kind", "quote"]
    list_filter = [
        "kind",
        "status",
        "visibility",
        "anchor_state",
        ("article", admin.RelatedOnlyFieldListFilter),
        ("author", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["quote_exact", "body"]
    list_select_related = ["article", "paragraph", "author"]
    readonly_fields = [*ANCHOR_FIELDS, *HISTORY_FIELDS]
    fieldsets = [
        ("Note", {"fields": ["kind", "body", "visibility", "status"]}),
        ("Anchor", {"fields": ANCHOR_FIELDS}),
        ("Source", {"fields": ["source_url", "source_title"], "classes": ["collapse"]}),
        ("Fact-check", {"fields": ["claim", "verdict"], "classes": ["collapse"]}),
        (
            "Correction",
            {
                "fields": ["correction_wrong", "correction_right", "corrected_at"],
                "classes": ["collapse"],
            },
        ),
        ("History", {"fields": HISTORY_FIELDS, "classes": ["collapse"]}),
    ]
    inlines = [AnnotationReplyInline, AnnotationRevisionInline]

    def get_changelist(self, request, **kwargs):
        return AnnotationChangeList

    def has_add_permission(self, request):
        # An annotation needs a passage chosen in the story text: the annotate screen's job.
        return False

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            # Nothing of the note to write (replies are saved with the inlines); as on the
            # annotate screen, saving a note unchanged neither bumps its version nor records.
            return
        # Every change to an annotation is recorded in its history, as the services do.
        before = annotation_snapshot(Annotation.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if before is not None:
            record_revision(
                annotation=obj,
                action=AnnotationRevision.Action.UPDATED,
                user=request.user,
                before=before,
            )
        refresh_story_corrected(article_id=obj.article_id)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_story_corrected(article_id=obj.article_id)

    def delete_queryset(self, request, queryset):
        article_ids = set(queryset.values_list("article_id", flat=True))
        super().delete_queryset(request, queryset)
        for article_id in article_ids:
            refresh_story_corrected(article_id=article_id)

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            replying = isinstance(instance, AnnotationReply) and instance.pk is None
            if replying:
                instance.author = request.user
            instance.save()
            if replying:
                record_revision(
                    annotation=form.instance,
                    action=AnnotationRevision.Action.REPLIED,
                    user=request.user,
                )
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()

    @admin.display(description="quote", ordering="quote_exact")
    def quote(self, annotation: Annotation) -> str:
        return Truncator(annotation.quote_exact).chars(60)

    @admin.display(description="story text")
    def annotate_link(self, annotation: Annotation) -> str:
        # Orphans are re-attached there, by selecting the passage they now belong to.
        url = reverse("admin:articles_article_annotate", args=[annotation.article_id])
        return format_html('<a href="{}">Annotate</a>', url)

    @admin.display(description="paragraph", ordering="paragraph__position")
    def paragraph_position(self, annotation: Annotation) -> int | None:
        return annotation.paragraph.position if annotation.paragraph else None

    @admin.display(description="paragraph")
    def paragraph_text(self, annotation: Annotation) -> str | None:
        if annotation.paragraph is None:
            return None
        return Truncator(annotation.paragraph.text).chars(300)
