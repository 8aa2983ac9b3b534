"""The notes list, with each note's discussion and history.

Notes are made on the story text, in the annotate screen (its own issue); here editors
find them, follow their threads, and change what does not move the anchor.

Saving a change to the note claims its version, as the annotate screen does: a form opened before
someone else changed or re-anchored the note is refused with what changed
(`articles.editing.conflicts`). A save that only adds replies leaves the note, and its version,
alone.

Annotators change and delete only their own notes, and everyone only their own replies
(`notes.permissions`); deleting, from the delete page or the bulk action, is recorded in
each note's history like every other change.
"""

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from articles.admin.dashboard import AwaitingReviewFilter, CitesNoSourceFilter
from articles.admin.forms import NoteAdminForm
from articles.admin.readonly import ReadOnlyAdminMixin
from articles.editing.conflicts import VersionCheckedAdmin
from articles.models import Note, NoteReply, NoteRevision
from articles.notes.editing import (
    delete_notes,
    delete_reply,
    edit_reply,
    reply_to_note,
    save_note_form,
)
from articles.notes.permissions import (
    can_change_note,
    can_change_reply,
    can_delete_note,
    can_delete_reply,
)
from articles.notes.placement import PLACEMENT_COLUMNS

# The anchor as the change form shows it, read-only: re-anchoring alone moves it.
ANCHOR_DISPLAY_FIELDS = ["story", "paragraph_text", *PLACEMENT_COLUMNS]
HISTORY_FIELDS = ["author", "created_at", "modified_at", "version"]
# Review moves on the annotate screen (Submit, Publish, Send back, Withdraw), each recorded.
REVIEW_FIELDS = ["state", "submitted_by"]


class NoteReplyFormSet(BaseInlineFormSet):
    """The note's replies, of which the signed-in editor may rewrite or delete their own only.

    Others' replies are shown with their text and deletion box disabled, so that whatever is
    posted for them is ignored; the reply services refuse them as well.
    """

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        reply = form.instance
        if reply.pk is None:
            return
        if not can_change_reply(self.user, reply):
            form.fields["body"].disabled = True
        if self.can_delete and not can_delete_reply(self.user, reply):
            form.fields[DELETION_FIELD_NAME].disabled = True


class NoteReplyInline(admin.StackedInline):
    model = NoteReply
    formset = NoteReplyFormSet
    fields = ["body", "author", "created_at", "edited_at"]
    readonly_fields = ["author", "created_at", "edited_at"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class NoteRevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The note's history, as recorded when it changed: read only."""

    model = NoteRevision
    fk_name = "note"
    fields = ["created_at", "user", "action", "before", "after"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class NoteChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # The list shows a short quote; leave the wide text columns in the database.
        return (
            super()
            .get_queryset(request, exclude_parameters)
            .defer("body", "body_html", "claim", "paragraph__text")
        )


@admin.register(Note)
class NoteAdmin(VersionCheckedAdmin, admin.ModelAdmin):
    form = NoteAdminForm
    list_display = [
        "kind",
        "quote",
        "story",
        "paragraph_position",
        "state",
        "anchor_state",
        "author",
        "modified_at",
        "annotate_link",
    ]
    list_display_links = ["kind", "quote"]
    list_filter = [
        "kind",
        "state",
        "anchor_state",
        ("story", admin.RelatedOnlyFieldListFilter),
        ("author", admin.RelatedOnlyFieldListFilter),
        # The desk dashboard's lists (`dashboard`).
        AwaitingReviewFilter,
        CitesNoSourceFilter,
    ]
    search_fields = ["quote_exact", "body"]
    list_select_related = ["story", "paragraph", "author"]
    readonly_fields = [*REVIEW_FIELDS, *ANCHOR_DISPLAY_FIELDS, *HISTORY_FIELDS]
    fieldsets = [
        ("Note", {"fields": ["kind", "body", *REVIEW_FIELDS]}),
        ("Anchor", {"fields": ANCHOR_DISPLAY_FIELDS}),
        # One folded group per kind that has fields of its own, named after the kind.
        *(
            (kind.label, {"fields": list(kind.own_fields), "classes": ["collapse"]})
            for kind in Note.Kind
            if kind.own_fields
        ),
        ("History", {"fields": HISTORY_FIELDS, "classes": ["collapse"]}),
    ]
    inlines = [NoteReplyInline, NoteRevisionInline]

    def get_changelist(self, request, **kwargs):
        return NoteChangeList

    def has_add_permission(self, request):
        # A note needs a passage chosen in the story text: the annotate screen's job.
        return False

    # Annotators change and delete their own notes only; the others they may view.

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return can_change_note(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return can_delete_note(request.user, obj)

    def get_deleted_objects(self, objs, request):
        # The delete page and the bulk action both ask here; a missing permission makes the
        # confirmation say so, and confirming anyway is refused (403).
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not all(can_delete_note(request.user, note) for note in objs):
            perms_needed = {*perms_needed, "notes written by someone else"}
        return deleted, counts, perms_needed, protected

    def delete_model(self, request, obj):
        delete_notes(notes=[obj], user=request.user)

    def delete_queryset(self, request, queryset):
        delete_notes(notes=queryset, user=request.user)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, NoteReplyInline):
            kwargs["user"] = request.user
        return kwargs

    def save_model(self, request, obj, form, change):
        # Notes are only changed here (see has_add_permission), so a save is always a change.
        if not form.has_changed():
            # Nothing of the note to write (replies are saved with the inlines); as on the
            # annotate screen, saving a note unchanged neither bumps its version nor records.
            return
        save_note_form(note=obj, version=form.cleaned_data["edit_version"], user=request.user)

    def save_formset(self, request, form, formset, change):
        if not isinstance(formset, NoteReplyFormSet):
            super().save_formset(request, form, formset, change)
            return
        # Through the services, which record each change and let only authors change replies.
        for reply in formset.save(commit=False):
            if reply.pk is None:
                reply_to_note(note=form.instance, body=reply.body, user=request.user)
            else:
                edit_reply(reply=reply, body=reply.body, user=request.user)
        for reply in formset.deleted_objects:
            delete_reply(reply=reply, user=request.user)

    @admin.display(description="quote", ordering="quote_exact")
    def quote(self, note: Note) -> str:
        return Truncator(note.quote_exact).chars(60)

    @admin.display(description="story text")
    def annotate_link(self, note: Note) -> str:
        # Orphans are re-attached there, by selecting the passage they now belong to.
        url = reverse("admin:articles_story_annotate", args=[note.story_id])
        return format_html('<a href="{}">Annotate</a>', url)

    @admin.display(description="paragraph", ordering="paragraph__position")
    def paragraph_position(self, note: Note) -> int | None:
        # Editors count paragraphs from 1.
        return note.paragraph.position + 1 if note.paragraph else None

    @admin.display(description="paragraph")
    def paragraph_text(self, note: Note) -> str | None:
        if note.paragraph is None:
            return None
        return Truncator(note.paragraph.text).chars(300)
