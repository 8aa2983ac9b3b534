"""A story's related stories on its change page: the stored list with the reason for each entry.

Editors override the computation here: an entry marked "Pinned" stays at the top of the list in
the editors' order whatever recomputes; one marked "Excluded" is never suggested for this story.
A row added by hand is a pin. Computed rows are rewritten by each recompute. The rows need no
permissions of their own: whoever may change the story may curate its list.
"""

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from articles.models import RelatedStory


class RelatedStoryForm(forms.ModelForm):
    class Meta:
        model = RelatedStory
        fields = ["related", "source", "position"]

    def clean_related(self):
        related = self.cleaned_data["related"]
        if related is not None and related.pk == self.instance.story_id:
            raise forms.ValidationError("A story cannot be related to itself.")
        return related


class RelatedStoryInline(admin.TabularInline):
    model = RelatedStory
    # Django's tabular inline with a name for its first column, which axe requires.
    template = "admin/articles/edit_inline/tabular.html"
    fk_name = "story"
    form = RelatedStoryForm
    fields = ["related", "source", "position", "why", "published"]
    readonly_fields = ["why", "published"]
    autocomplete_fields = ["related"]
    verbose_name = "related story"
    verbose_name_plural = (
        "related stories (pin to keep a story at the top; exclude to never suggest it here)"
    )
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("related")

    # The list is part of the story: whoever may change the story may curate it.
    def _may_change_story(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.change_story")

    def has_view_permission(self, request, obj=None):
        return self._may_change_story(request)

    def has_add_permission(self, request, obj=None):
        return self._may_change_story(request)

    def has_change_permission(self, request, obj=None):
        return self._may_change_story(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_change_story(request)

    @admin.display(description="why")
    def why(self, entry: RelatedStory) -> str:
        if entry.source == RelatedStory.Source.COMPUTED:
            return format_html("{} <small>(score {})</small>", entry.reason, f"{entry.score:.2f}")
        if entry.pk and entry.source == RelatedStory.Source.PINNED:
            return "Pinned by an editor"
        return "—"

    @admin.display(description="published?", boolean=True)
    def published(self, entry: RelatedStory) -> bool | None:
        """Readers see only published related stories (the first N of the list)."""
        return entry.related.is_public if entry.pk else None
