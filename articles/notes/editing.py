"""Editing notes from the annotate screen: create, update, reply, delete, re-attach.

Each function runs in one transaction and records a revision (who, when, the note before and
after) through `services.record_revision`, and refreshes the story's correction time
(`corrections.refresh_story_corrected`): its "Updated" time follows its current public
corrections. A correction's time must lie between the story's publication and now
(`corrections.correction_time_error`); a note that breaks this raises ValidationError.
Who may change which note is decided in `permissions`, and every function here that changes or
deletes a note asks it, whoever calls (the admin, the annotate screen, a script): annotators
change only their own notes, editors any, and a reply is changed by its author only. A refusal
raises PermissionDenied and writes nothing. Reply edits and deletions are recorded in the note's
history, with the text before and after.

Browsers report a selection in UTF-16 code units, while anchors count code points, so a
`Selection` is converted here, and checked against the block's current text: an editor must not
anchor a note on words that moved since their page was loaded.

Updates are optimistic: the editor sends the `version` they saw, and a note changed by someone
else since raises `EditConflict` with its current state instead of being overwritten.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from articles.caching import keys
from articles.caching.invalidation import content_changed
from articles.editing.versions import VersionConflict, claim_version
from articles.models import Block, Note, NoteReply, NoteRevision
from articles.notes.anchoring import Anchor, make_anchor, utf16_to_codepoint
from articles.notes.corrections import correction_time_error, refresh_story_corrected
from articles.notes.permissions import (
    can_change_note,
    can_change_reply,
    can_delete_note,
    can_delete_reply,
)
from articles.notes.placement import set_anchor
from articles.notes.services import (
    note_snapshot,
    record_reply_revision,
    record_revision,
    reply_snapshot,
)
from articles.notifications import events

# What an editor writes about a passage; the anchor is set from a Selection instead.
# Where it is in review (draft, submitted, published, withdrawn) changes through
# `notes.review` only.
NOTE_FIELDS = ("kind", "body", *Note.KIND_SPECIFIC_FIELDS)


@dataclass(frozen=True)
class Selection:
    """A passage selected in one block, as the browser counts it."""

    start: int  # UTF-16 code units from the start of the block's annotatable text
    end: int
    exact: str  # the selected text, which must still be there


class SelectionError(ValueError):
    """The selection does not fit the block's current text."""


# Someone else changed (or re-anchored) the note since the editor loaded it.
EditConflict = VersionConflict


def anchor_selection(*, text: str, selection: Selection) -> Anchor:
    """The anchor for a browser selection in `text`, or SelectionError saying what is wrong."""
    try:
        start = utf16_to_codepoint(text, selection.start)
        end = utf16_to_codepoint(text, selection.end)
    except ValueError as error:
        raise SelectionError(f"The selection does not fit the paragraph: {error}.") from None
    if end <= start:
        raise SelectionError("The selection is empty.")
    if text[start:end] != selection.exact:
        raise SelectionError(
            "The paragraph has changed since this page was loaded. "
            "Reload the page and select the passage again."
        )
    return make_anchor(text=text, start=start, end=end)


@transaction.atomic
def create_note(*, paragraph: Block, selection: Selection, fields: Mapping, user) -> Note:
    """Annotate the selected passage of `paragraph` with `fields` (a mapping of NOTE_FIELDS)."""
    # Check the text under a lock, so that a paragraph saved meanwhile cannot slip in between.
    block = Block.objects.select_for_update().get(pk=paragraph.pk)
    anchor = anchor_selection(text=block.annotatable_text, selection=selection)
    note = Note(story_id=block.story_id, paragraph=block, author=_editor(user))
    set_anchor(note, anchor)
    _apply_note(note, fields)
    note.save()
    record_revision(note=note, action=NoteRevision.Action.CREATED, user=user)
    refresh_story_corrected(story_id=note.story_id)
    _tell(note, before=None, user=user)
    return note


@transaction.atomic
def update_note(*, note: Note, version: int, fields: Mapping, user) -> Note:
    """Change what the note says (any of NOTE_FIELDS); its anchor stays.

    Raises EditConflict when `version` is not the note's current version, and
    Note.DoesNotExist when it has been deleted. Saving no change records nothing.
    """
    current = _current(note, version)
    _require(can_change_note(user, current))
    before = note_snapshot(current)
    _apply_note(current, fields)
    if note_snapshot(current) == before:
        return current
    return _write(
        current, version=version, action=NoteRevision.Action.UPDATED, before=before, user=user
    )


@transaction.atomic
def save_note_form(*, note: Note, version: int, user) -> Note:
    """Store a note as the admin's change form set it, if that form was loaded at `version`.

    The form has already put its values on `note`; the history records the note as stored
    before, and the story's "Updated" time follows its corrections. Raises VersionConflict when
    someone saved the note since the form was loaded (the form reports it then).
    """
    stored = Note.objects.get(pk=note.pk)
    _require(can_change_note(user, stored))
    before = note_snapshot(stored)
    return _write(
        note,
        version=version,
        action=NoteRevision.Action.UPDATED,
        before=before,
        user=user,
    )


@transaction.atomic
def reply_to_note(*, note: Note, body: str, user) -> NoteReply:
    """Add a message to the note's internal discussion."""
    if not body.strip():
        raise ValueError("A reply needs some text.")
    reply = NoteReply.objects.create(note=note, author=_editor(user), body=body)
    record_revision(note=note, action=NoteRevision.Action.REPLIED, user=user)
    events.reply_added(reply=reply)
    return reply


@transaction.atomic
def edit_reply(*, reply: NoteReply, body: str, user) -> NoteReply:
    """Rewrite a reply, as its author: marks it edited and records its text before and after.

    Raises PermissionDenied for anyone but its author, and NoteReply.DoesNotExist when it
    has been deleted. Saving the same text records nothing.
    """
    current = _current_reply(reply)
    if not can_change_reply(user, current):
        raise PermissionDenied("Only its author may change a reply.")
    if not body.strip():
        raise ValueError("A reply needs some text.")
    if body == current.body:
        return current
    before = reply_snapshot(current)
    current.body = body
    current.edited_at = timezone.now()
    current.save()
    record_reply_revision(
        reply=current,
        action=NoteRevision.Action.REPLY_EDITED,
        user=user,
        before=before,
        after=reply_snapshot(current),
    )
    return current


@transaction.atomic
def delete_reply(*, reply: NoteReply, user) -> None:
    """Delete a reply, as its author; the note's history keeps what it said.

    Raises PermissionDenied for anyone but its author, and NoteReply.DoesNotExist when it
    has been deleted already.
    """
    current = _current_reply(reply)
    if not can_delete_reply(user, current):
        raise PermissionDenied("Only its author may delete a reply.")
    record_reply_revision(
        reply=current,
        action=NoteRevision.Action.REPLY_DELETED,
        user=user,
        before=reply_snapshot(current),
        after=None,
    )
    current.delete()


@transaction.atomic
def delete_note(*, note: Note, version: int, user) -> None:
    """Delete the note and its replies; its history stays, under the note's old id."""
    current = _current(note, version)
    _require(can_delete_note(user, current))
    _claim(current, version)
    before = note_snapshot(current)
    record_revision(note=current, action=NoteRevision.Action.DELETED, user=user, before=before)
    current.delete()
    refresh_story_corrected(story_id=current.story_id)
    if current.state == Note.State.PUBLISHED:
        content_changed(reader_keys(current))


@transaction.atomic
def reattach_note(
    *, note: Note, paragraph: Block, selection: Selection, version: int, user
) -> Note:
    """Anchor the note (typically an orphaned one) on a passage of a block of its story."""
    block = Block.objects.select_for_update().get(pk=paragraph.pk)
    current = _current(note, version)
    _require(can_change_note(user, current))
    if block.story_id != current.story_id:
        raise SelectionError("That paragraph belongs to another story.")
    anchor = anchor_selection(text=block.annotatable_text, selection=selection)
    before = note_snapshot(current)
    current.paragraph = block
    set_anchor(current, anchor)
    current.anchor_state = Note.AnchorState.ANCHORED
    return _write(
        current,
        version=version,
        action=NoteRevision.Action.REATTACHED,
        before=before,
        user=user,
    )


@transaction.atomic
def delete_notes(*, notes: Iterable[Note], user) -> int:
    """Delete notes as they are stored now (the admin's delete page and bulk action).

    Each gets a DELETED revision, as from the annotate screen, and each story's "Updated" time
    follows its remaining corrections. Raises PermissionDenied, deleting nothing, when `user`
    may not delete one of them. Returns how many were deleted.
    """
    pks = [note.pk for note in notes]
    current = list(Note.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    _require(all(can_delete_note(user, note) for note in current))
    for note in current:
        record_revision(
            note=note,
            action=NoteRevision.Action.DELETED,
            user=user,
            before=note_snapshot(note),
        )
    Note.objects.filter(pk__in=[note.pk for note in current]).delete()
    for story_id in sorted({note.story_id for note in current}):
        refresh_story_corrected(story_id=story_id)
    published = [a for a in current if a.state == Note.State.PUBLISHED]
    content_changed(key for note in published for key in reader_keys(note))
    return len(current)


def _require(allowed: bool) -> None:
    """Refuse a change to a note its user may not make (`permissions`), whoever calls."""
    if not allowed:
        raise PermissionDenied("Annotators change only the notes they wrote; editors change any.")


def _editor(user):
    return user if user is not None and user.is_authenticated else None


def _current(note: Note, version: int) -> Note:
    """The note as stored now, if the editor saw this version of it."""
    current = Note.objects.filter(pk=note.pk).select_related("author").first()
    if current is None:
        raise Note.DoesNotExist(f"note {note.pk} has been deleted")
    if current.version != version:
        raise EditConflict(current)
    return current


def claim_current(note: Note, version: int) -> Note:
    """The note as stored now, its `version` claimed: locked until the transaction ends.

    Raises EditConflict when the editor did not see this version, Note.DoesNotExist when
    the note has been deleted.
    """
    current = _current(note, version)
    _claim(current, version)
    return current


def _current_reply(reply: NoteReply) -> NoteReply:
    """The reply as stored now, locked until the change is written."""
    replies = NoteReply.objects.select_for_update(of=("self",))
    return replies.select_related("note", "author").get(pk=reply.pk)


def _claim(note: Note, version: int) -> None:
    """Compare-and-set the version, so that of two concurrent saves exactly one wins."""
    claim_version(note, expected=version)


def _write(note: Note, *, version: int, action: NoteRevision.Action, before: dict, user) -> Note:
    """Claim `version` and save the changed note: recorded, and the story's correction time kept."""
    _claim(note, version)
    note.save()
    record_revision(note=note, action=action, user=user, before=before)
    refresh_story_corrected(story_id=note.story_id)
    if note.state == Note.State.PUBLISHED:
        was_correction = before.get("kind") == Note.Kind.CORRECTION
        content_changed(reader_keys(note, was_correction=was_correction))
    _tell(note, before=before, user=user)
    return note


def reader_keys(note: Note, *, was_correction: bool = False) -> list[str]:
    """The cache keys of what readers see of a published note: its story's page, and the corrections
    list for a correction (or a note that was one before this change)."""
    correction = was_correction or note.kind == Note.Kind.CORRECTION
    return [keys.story_page(note.story_id), *([keys.CORRECTIONS] if correction else [])]


def _tell(note: Note, *, before: dict | None, user) -> None:
    """Notify editors newly @mentioned in the note's text (publication is told by review).

    `before` is the note's snapshot before the change (None for a new note).
    """
    previous_body = before["body"] if before else ""
    if note.body != previous_body:
        events.note_written(note=note, by=_editor(user), previous_body=previous_body)


def _apply_note(note: Note, fields: Mapping) -> None:
    """Set the note's fields, keeping the rules every note follows whoever calls."""
    unknown = set(fields) - set(NOTE_FIELDS)
    if unknown:
        raise TypeError(f"not note fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(note, name, "" if value is None and name != "corrected_at" else value)
    kind = note.kind
    if kind == Note.Kind.INTERNAL and note.state != Note.State.DRAFT:
        # An internal note is for editors only: one in review or seen by readers is not one.
        raise ValidationError(
            {"kind": "Only a draft can become an internal note: withdraw or send it back first."}
        )
    # Fields that mean something for another kind only are emptied.
    own = Note.Kind(kind).own_fields
    for name in Note.KIND_SPECIFIC_FIELDS:
        if name not in own:
            setattr(note, name, None if name == "corrected_at" else "")
    if kind == Note.Kind.CORRECTION and note.corrected_at is None:
        note.corrected_at = timezone.now()
    error = correction_time_error(corrected_at=note.corrected_at, story=note.story)
    if error:
        raise ValidationError({"corrected_at": error})
