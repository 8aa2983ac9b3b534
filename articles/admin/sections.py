"""Sections, in the order the site shows them."""

from django import forms
from django.contrib import admin
from django.db.models import Count

from articles.models import Section


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["name", "slug", "description", "position"]

    def clean_name(self) -> str:
        """One section per name whatever its capitals, as the importer files them (a second
        "World news" beside "World News" would split the section and its readers)."""
        name = self.cleaned_data["name"]
        same = Section.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if same is not None:
            raise forms.ValidationError(
                "There is already a section “%(name)s”: sections differ by more than capitals.",
                code="duplicate",
                params={"name": same.name},
            )
        return name


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    form = SectionForm
    list_display = ["name", "slug", "position", "story_count"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ("name",)}
    ordering = ["position", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(story_count=Count("stories"))

    @admin.display(description="stories", ordering="story_count")
    def story_count(self, section: Section) -> int:
        return section.story_count
