"""Forms for the editors' admin: the story and note forms, body blocks, bulk tag actions.

The story and note change forms are `VersionCheckedForm`s: they refuse to save over a
change someone else made since they were loaded (see `articles.editing.conflicts`).
"""

from datetime import UTC, datetime, timedelta

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from taggit.forms import TagWidget

from articles.editing.conflicts import (
    VersionCheckedForm,
    note_edits_since,
    note_state,
    story_edits_since,
    story_form_snapshot,
)
from articles.editing.tagging import canonical_names
from articles.models import Block, Note, Story, Tag, TagSynonym
from articles.notes.corrections import CLOCK_SKEW, correction_time_error
from articles.notes.editing import NOTE_FIELDS
from articles.text.slugs import visible_name, visible_names
from articles.text.tag_names import SEPARATOR, split_tag_names

TAG_NAMES_HELP = "Separate tags with commas; a name with spaces is one tag (Latin America, Peru)."

# A story's times stay inside the calendar every page, feed and date archive can show: from the
# earliest year the search form accepts to a schedule a few years ahead.
EARLIEST_STORY_TIME = datetime(1800, 1, 1, tzinfo=UTC)
LONGEST_SCHEDULE = timedelta(days=5 * 366)

STORY_FIELDS = [
    "headline",
    "slug",
    "dek",
    "section",
    "tags",
    "status",
    "published_at",
    "updated_at",
    "lead_image",
    "lead_image_url",
    "image_credit",
    "image_caption",
    "image_alt",
    "source_url",
]


class TagNamesInput(TagWidget):
    """Comma-separated tag names, offering existing tags as the editor types (a combobox)."""

    class Media:
        js = ["admin-tags/tag-input.js"]
        css = {"all": ["admin-tags/tags.css"]}

    def __init__(self, attrs=None):
        super().__init__(
            attrs={
                "class": "vTextField tag-names-input",
                "autocomplete": "off",
                "data-tag-names-url": reverse_lazy("admin:articles_tag_names"),
                **(attrs or {}),
            }
        )


class StoryAdminForm(VersionCheckedForm):
    noun = "story"

    class Meta:
        model = Story
        fields = STORY_FIELDS
        widgets = {"tags": TagNamesInput()}
        help_texts = {"tags": TAG_NAMES_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin's split date and time inputs share one label, for the date: name both.
        for name in ("published_at", "updated_at"):
            if name in self.fields and hasattr(self.fields[name].widget, "widgets"):
                label = self.fields[name].label or name
                date, time = self.fields[name].widget.widgets
                date.attrs["aria-label"] = f"{label}: date"
                time.attrs["aria-label"] = f"{label}: time"

    def state_of(self, instance):
        # All of the story's fields, also those read-only to this editor (a publish shows).
        return story_form_snapshot(instance, fields=STORY_FIELDS)

    def edits_since(self, instance, since):
        return story_edits_since(instance, since)

    def clean_tags(self) -> list[str]:
        # taggit compares the field's value with the stored names sorted, to see a change.
        names = canonical_names(visible_names(self.cleaned_data.get("tags") or []))
        return sorted(names)

    def clean(self):
        cleaned_data = super().clean()
        # Only present for editors who may publish (the fields are read-only for others).
        if (
            "published_at" in self.fields
            and cleaned_data.get("status") == Story.Status.PUBLISHED
            and not cleaned_data.get("published_at")
        ):
            cleaned_data["published_at"] = timezone.now()
        now = timezone.now()
        published_at = cleaned_data.get("published_at")
        if published_at is not None and published_at < EARLIEST_STORY_TIME:
            self.add_error("published_at", "A story cannot be published before 1800.")
        if published_at is not None and published_at > now + LONGEST_SCHEDULE:
            self.add_error("published_at", "A story can be scheduled at most five years ahead.")
        updated_at = cleaned_data.get("updated_at")
        if updated_at is not None and updated_at > now + CLOCK_SKEW:
            self.add_error("updated_at", "A story cannot be updated in the future.")
        if updated_at is not None and published_at is not None and updated_at < published_at:
            self.add_error("updated_at", "A story cannot be updated before it was published.")
        return cleaned_data


class NoteAdminForm(VersionCheckedForm):
    """What the notes admin may change of a note: what it says, never its anchor."""

    noun = "note"

    class Meta:
        model = Note
        fields = list(NOTE_FIELDS)

    def state_of(self, instance):
        return note_state(instance, fields=NOTE_FIELDS)

    def edits_since(self, instance, since):
        return note_edits_since(instance, since)

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("kind") == Note.Kind.CORRECTION:
            error = correction_time_error(
                corrected_at=cleaned_data.get("corrected_at"), story=self.instance.story
            )
            if error:
                self.add_error("corrected_at", error)
        return cleaned_data


class BlockInlineForm(forms.ModelForm):
    class Meta:
        model = Block
        fields = ["position", "kind", "text", "teaser", "label", "target_story", "target_url"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 90})}

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("kind") == Block.Kind.ASIDE and cleaned_data.get("text"):
            self.add_error("text", "Only paragraphs have text; an aside's words go in its teaser.")
        return cleaned_data


class TagNamesForm(forms.Form):
    """The tags to add to, or remove from, the selected stories."""

    tags = forms.CharField(
        widget=TagNamesInput(attrs={"autofocus": True}), help_text=TAG_NAMES_HELP
    )

    def clean_tags(self) -> list[str]:
        names = split_tag_names(self.cleaned_data["tags"])
        if not names:
            raise forms.ValidationError("Enter at least one tag.")
        max_length = Tag._meta.get_field("name").max_length
        too_long = [name for name in names if len(name) > max_length]
        if too_long:
            raise forms.ValidationError(
                f"Tags are at most {max_length} characters long: {', '.join(too_long)}"
            )
        return names


class TagAdminForm(forms.ModelForm):
    """A tag's own page in the admin: its name loses what nobody can see before it is checked."""

    class Meta:
        model = Tag
        fields = ["name", "slug", "description"]

    def clean_name(self) -> str:
        name = clean_tag_name(self.cleaned_data["name"])
        if TagSynonym.objects.filter(name__iexact=name).exclude(tag=self.instance.pk).exists():
            raise forms.ValidationError(
                f"“{name}” is another tag's synonym; merge this tag into that one instead."
            )
        return name


def clean_tag_name(value: str) -> str:
    """A tag's (or synonym's) name as typed by hand: visible, and without the separator."""
    name = visible_name(value)
    if not name:
        raise forms.ValidationError("A tag needs a name readers can see.")
    if SEPARATOR in name:
        raise forms.ValidationError("Commas separate tags, so a tag's name cannot hold one.")
    return name


class TagSynonymForm(forms.ModelForm):
    class Meta:
        model = TagSynonym
        fields = ["name"]

    def clean_name(self) -> str:
        name = clean_tag_name(self.cleaned_data["name"])
        if Tag.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                f"A tag is called “{name}”: merge it into this one instead of adding a synonym."
            )
        return name


class MergeTagsForm(forms.Form):
    """Which of the selected tags the others are merged into."""

    target = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        widget=forms.RadioSelect,
        label="Merge into",
        empty_label=None,
        help_text="The other tags' stories move to this tag, their names become its synonyms "
        "and their pages and feeds redirect to its own.",
    )

    def __init__(self, *args, tags: list[Tag], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["target"]
        field.queryset = Tag.objects.filter(pk__in=[tag.pk for tag in tags]).order_by("name")
        # The most used tag is the likely keeper.
        field.initial = max(tags, key=lambda tag: tag.story_count).pk
        counts = {tag.pk: tag.story_count for tag in tags}
        field.label_from_instance = lambda tag: (
            f"{tag.name} ({counts[tag.pk]} stor{'y' if counts[tag.pk] == 1 else 'ies'})"
        )
