"""No lost updates: two editors who start from the same version of a story or note cannot both save.

Stories and notes carry a `version`. A change form remembers the version it was loaded at
(the hidden `edit_version`) and what it showed (`edit_state`, signed), and saving it claims that
version with one compare-and-set (:func:`claim_version`); the annotate screen's services do the
same with their own `version` (`notes.editing`). Whoever saves second from a stale form
gets it back, their input kept and nothing of it written, with who changed what since they
opened it; saving that form again, once they have merged by hand, is then a deliberate choice.

The check happens twice, for two reasons:

1. Validation (:meth:`VersionCheckedForm.clean`) compares the posted version with the row the
   admin has just loaded for this save: the usual case, reported on the form like any error.
2. Saving (:meth:`VersionCheckedAdmin.save_model`) claims the version with a conditional UPDATE
   before anything is written. It fails only when another save commits between this one's
   validation and its write; the exception rolls the change view's transaction back, and the
   view runs once more, so that step 1 reports the conflict from the row that won.

For this to hold, every path that changes a story or a note bumps its version: both change
forms, the publish/unpublish and tag actions, aside edits (for the story they belong to), and
re-anchoring. A note that re-anchoring moved gets a new version even when its words stay the
same, so an editor with the note open is told to look again: the passage it annotates changed
under them, and a save from the old form must not write the old anchor back.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from taggit.managers import TaggableManager

from articles.editing.versions import VersionConflict, claim_version
from articles.models import Block, Note, NoteRevision, RelatedStory, Story
from articles.text.people import display_name

VERSION_FIELDS = ("edit_version", "edit_state")
STATE_SALT = "articles.editing.conflicts.edit-state"
# Enough to say who has been at it; a longer story of the row is in its history page.
MAX_EDITS_SHOWN = 5


# What an editor saw: labelled values, compared when the row moved on


@dataclass(frozen=True)
class Change:
    """One thing that differs between what the editor loaded and what is stored now."""

    label: str
    before: str | None  # None: not there when the editor loaded the form
    after: str | None  # None: gone since


@dataclass(frozen=True)
class Edit:
    """One save by someone else since the editor loaded the form."""

    who: str
    when: datetime
    what: str


def _display(instance: models.Model, name: str) -> str:
    """A field's value as an editor reads it in the form."""
    field = instance._meta.get_field(name)
    if isinstance(field, TaggableManager):
        return ", ".join(sorted((tag.name for tag in getattr(instance, name).all()), key=str.lower))
    value = getattr(instance, name)
    if field.choices and value:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(field, models.FileField):
        return value.name or ""
    return "" if value is None else str(value)


def field_state(instance: models.Model, names: Iterable[str]) -> dict[str, list[str]]:
    """`{name: [label, value]}` for the model fields `names`, in that order."""
    return {
        name: [str(capfirst(instance._meta.get_field(name).verbose_name)), _display(instance, name)]
        for name in names
    }


def story_form_snapshot(story: Story, *, fields: Iterable[str]) -> dict[str, list[str]]:
    """What the story's change form shows: its fields, bylines, body and curated related list.

    Body blocks are keyed by their permanent `key`, so an edited paragraph shows as one change
    wherever it moved. Computed related stories are left out: recomputing them is no edit.
    """
    state = field_state(story, fields)
    state["bylines"] = ["Bylines", ", ".join(b.author.name for b in story.bylines.all())]
    blocks = Block.objects.filter(story=story).select_related("target_story")
    for number, block in enumerate(blocks.order_by("position", "id"), start=1):
        state[f"block-{block.key}"] = [f"{block.get_kind_display()} {number}", _block_text(block)]
    curated = (
        RelatedStory.objects.filter(story=story)
        .exclude(source=RelatedStory.Source.COMPUTED)
        .select_related("related")
    )
    state["related"] = [
        "Related stories",
        "; ".join(f"{entry.related.headline} ({entry.source})" for entry in curated),
    ]
    return state


def _block_text(block: Block) -> str:
    if block.kind == Block.Kind.PARAGRAPH:
        return block.text
    target = block.target_story.headline if block.target_story_id else block.target_url
    return f"{block.teaser} [{block.label} → {target or 'no link yet'}]"


def note_state(note: Note, *, fields: Iterable[str]) -> dict[str, list[str]]:
    """What the note's change form shows: its note fields and where it is anchored."""
    state = field_state(note, fields)
    state["quote"] = ["Quote", note.quote_exact]
    state["place"] = [
        "Place in its paragraph",
        f"characters {note.start + 1}–{note.end}"
        if note.anchor_state == Note.AnchorState.ANCHORED
        else "orphaned: hidden from readers until re-attached",
    ]
    return state


def changes_between(loaded: dict, current: dict) -> list[Change]:
    """What differs now from what the editor loaded, in the form's order."""
    changes = []
    for key in [*loaded, *(key for key in current if key not in loaded)]:
        before, after = loaded.get(key), current.get(key)
        if before == after:
            continue
        label = (after or before)[0]
        changes.append(Change(label, before[1] if before else None, after[1] if after else None))
    return changes


def dump_state(state: dict) -> str:
    """The form's record of what it showed, and when; signed, so that nobody forges it."""
    return signing.dumps(
        {"at": timezone.now().isoformat(), "state": state}, salt=STATE_SALT, compress=True
    )


def load_state(value: str) -> tuple[datetime, dict] | None:
    """(loaded at, state) from `dump_state`, or None for a missing or tampered record."""
    try:
        record = signing.loads(value, salt=STATE_SALT)
        return parse_datetime(record["at"]), record["state"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def story_edits_since(story: Story, since: datetime | None) -> list[Edit]:
    """Admin saves and bulk actions on the story since `since` (the latest one without it)."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Story), object_id=str(story.pk)
    ).select_related("user")
    return _oldest_first(
        [
            Edit(display_name(entry.user), entry.action_time, entry.get_change_message())
            for entry in _since(entries, "action_time", since)
        ]
    )


def note_edits_since(note: Note, since: datetime | None) -> list[Edit]:
    """Changes in the note's history since `since`: admin, annotate screen and re-anchoring."""
    revisions = NoteRevision.objects.filter(note=note).select_related("user")
    return _oldest_first(
        [
            Edit(display_name(revision.user), revision.created_at, revision.get_action_display())
            for revision in _since(revisions, "created_at", since)
        ]
    )


def _since(queryset, field: str, since: datetime | None):
    if since is None:
        return queryset.order_by(f"-{field}", "-id")[:1]
    return queryset.filter(**{f"{field}__gt": since}).order_by(f"-{field}", "-id")[:MAX_EDITS_SHOWN]


def _oldest_first(edits: list[Edit]) -> list[Edit]:
    return edits[::-1]  # as they happened


def _quoted(value: str | None, *, missing: str) -> SafeString:
    if value is None:
        return format_html("<em>{}</em>", missing)
    if value == "":
        return format_html("<em>{}</em>", "(empty)")
    return format_html("“{}”", value)


def conflict_message(
    *, noun: str, edits: list[Edit], changes: list[Change] | None, modified_at: datetime
) -> SafeString:
    """The form error that tells a stale form's editor who changed what, and what to do."""
    if edits:
        who = format_html_join(
            "; ",
            "{} ({}: {})",
            (
                (
                    edit.who,
                    date_format(timezone.localtime(edit.when), "DATETIME_FORMAT"),
                    edit.what.rstrip("."),
                )
                for edit in edits
            ),
        )
        intro = format_html("Someone else saved this {} after you opened it: {}.", noun, who)
    else:
        when = date_format(timezone.localtime(modified_at), "DATETIME_FORMAT")
        intro = format_html("This {} was changed at {}, after you opened it.", noun, when)
    if changes is None:
        what = format_html("<p>{}</p>", "Reload the page in another tab to see the stored version.")
    elif changes:
        items = format_html_join(
            "",
            "<li>{}: {} → {}</li>",
            (
                (
                    change.label,
                    _quoted(change.before, missing="(not there)"),
                    _quoted(change.after, missing="(removed)"),
                )
                for change in changes
            ),
        )
        what = format_html(
            "<p>What is stored now differs from what you loaded:</p><ul>{}</ul>", items
        )
    else:
        what = format_html("<p>{}</p>", "Nothing shown on this page differs from what you loaded.")
    return format_html(
        "<p>{} Your changes below have not been saved.</p>{}"
        "<p>Merge their changes into yours, then save again: saving now replaces their version "
        "with yours.</p>",
        intro,
        what,
    )


# The form and the admin


class _RecordOfLoad:
    """A hidden record of what the form was loaded with: never itself a change to the row."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data) -> bool:
        return False


class LoadedVersionField(_RecordOfLoad, forms.IntegerField):
    pass


class LoadedStateField(_RecordOfLoad, forms.CharField):
    pass


class VersionCheckedForm(forms.ModelForm):
    """A change form that refuses to save over changes made since it was loaded.

    Subclasses say what an editor sees of the row (`state_of`), whose saves to name
    (`edits_since`), and what to call the row in messages (`noun`).
    """

    noun = "page"

    edit_version = LoadedVersionField(required=False, min_value=1)
    edit_state = LoadedStateField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.initial["edit_version"] = self.instance.version
            # Computed when the hidden field is drawn, not for every form made.
            self.initial["edit_state"] = functools.partial(self._dump_state, self.instance)

    def state_of(self, instance) -> dict[str, list[str]]:
        raise NotImplementedError

    def edits_since(self, instance, since: datetime | None) -> list[Edit]:
        raise NotImplementedError

    def _dump_state(self, instance) -> str:
        return dump_state(self.state_of(instance))

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None:
            self._check_version(cleaned_data)
        return cleaned_data

    def _check_version(self, cleaned_data) -> None:
        """Refuse a form loaded at another version than the row's, saying what changed.

        `self.instance` is the row as the admin loaded it for this save: what is stored now.
        """
        expected = cleaned_data.get("edit_version")
        current = self.instance
        if expected == current.version:
            return
        if expected is None:
            raise ValidationError(
                f"This form does not say which version of the {self.noun} it was opened at. "
                "Reload the page and make your changes again.",
                code="no_version",
            )
        loaded = load_state(cleaned_data.get("edit_state") or "")
        state = self.state_of(current)
        message = conflict_message(
            noun=self.noun,
            edits=self.edits_since(current, loaded[0] if loaded else None),
            changes=changes_between(loaded[1], state) if loaded else None,
            modified_at=current.modified_at,
        )
        # The redisplayed form is based on what is stored now: once the editor has merged,
        # saving it again is their informed choice, not another conflict.
        data = self.data.copy()
        data[self.add_prefix("edit_version")] = str(current.version)
        data[self.add_prefix("edit_state")] = dump_state(state)
        self.data = data
        raise ValidationError(message, code="edit_conflict")


class VersionCheckedAdmin:
    """ModelAdmin mixin for a `VersionCheckedForm`: a save claims the version it was loaded at."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        # A hidden line at the end of the first fieldset carries the record of what was loaded.
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION_FIELDS]}), *rest]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (VersionConflict, self.model.DoesNotExist):
            # Another save committed after this one was validated; everything this one wrote
            # is rolled back. Run again: validating against the row that won reports it.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            claim_version(obj, expected=form.cleaned_data["edit_version"])
        super().save_model(request, obj, form, change)
