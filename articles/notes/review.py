"""A note's way to readers: draft, submitted for review, published, withdrawn.

    draft ──submit──▶ submitted ──publish──▶ published ──withdraw──▶ withdrawn
      ▲                  │                       ▲                      │
      └────send back─────┘                       └───────publish────────┘ (or submit again)

Annotators write drafts and submit them; editors publish (a draft of their own too, unless its
kind needs a second person), send a submission back, and withdraw a published note, which takes
it away from readers and keeps it, with its history, for editors. Internal notes never leave the
draft state. Who may do what is decided in `notes.permissions`; each service asks there
itself, so every caller (the annotate screen, tests, a future dashboard or task) gets the same
answer.

Each service is one transaction, claims the `version` the editor saw (`EditConflict` when someone
changed the note since), and records the move in the note's history with who and when. A move
readers see (publishing, withdrawing) names the story, and the corrections list for a
correction, to `content_changed`. Other code that reacts to a move (notifications) calls or
wraps these functions by name: `submit_note`, `publish_note`, `send_back_note`, `withdraw_note`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from articles.caching.invalidation import content_changed
from articles.models import Note, NoteRevision
from articles.notes.corrections import refresh_story_corrected
from articles.notes.editing import EditConflict, claim_current, reader_keys
from articles.notes.permissions import (
    publish_refusal,
    send_back_refusal,
    submit_refusal,
    withdraw_refusal,
)
from articles.notes.services import note_snapshot, record_revision
from articles.notifications import events

__all__ = ["EditConflict", "publish_note", "send_back_note", "submit_note", "withdraw_note"]

State = Note.State
Action = NoteRevision.Action


@dataclass(frozen=True)
class Move:
    """One of the note's moves: the state it leads to, how its history names it, and who may
    make it (a function of the user and the note answering the reason they may not, or "")."""

    to: str
    action: str
    refusal: Callable


SUBMIT = Move(to=State.SUBMITTED, action=Action.SUBMITTED, refusal=submit_refusal)
PUBLISH = Move(to=State.PUBLISHED, action=Action.PUBLISHED, refusal=publish_refusal)
SEND_BACK = Move(to=State.DRAFT, action=Action.SENT_BACK, refusal=send_back_refusal)
WITHDRAW = Move(to=State.WITHDRAWN, action=Action.WITHDRAWN, refusal=withdraw_refusal)


def _move(*, note: Note, version: int, user, move: Move) -> Note:
    current = claim_current(note, version)
    problem = move.refusal(user, current)
    if problem:
        raise PermissionDenied(problem)
    before = note_snapshot(current)
    was_public = current.state == State.PUBLISHED
    current.state = move.to
    if move.to == State.SUBMITTED:
        current.submitted_by = user
        current.submitted_at = timezone.now()
    current.save()
    record_revision(note=current, action=move.action, user=user, before=before)
    if was_public or move.to == State.PUBLISHED:
        refresh_story_corrected(story_id=current.story_id)
        content_changed(reader_keys(current))
    if move.to == State.SUBMITTED:
        events.note_submitted(note=current, by=user)
    elif move.to == State.PUBLISHED:
        events.note_published(note=current, by=user)
    return current


@transaction.atomic
def submit_note(*, note: Note, version: int, user) -> Note:
    """Ask an editor to publish the note (a draft, or a withdrawn note reworked)."""
    return _move(note=note, version=version, user=user, move=SUBMIT)


@transaction.atomic
def publish_note(*, note: Note, version: int, user) -> Note:
    """Show the note to readers (on its story, once the story is public)."""
    return _move(note=note, version=version, user=user, move=PUBLISH)


@transaction.atomic
def send_back_note(*, note: Note, version: int, user) -> Note:
    """Return a submitted note to its author as a draft (or take one's own submission back)."""
    return _move(note=note, version=version, user=user, move=SEND_BACK)


@transaction.atomic
def withdraw_note(*, note: Note, version: int, user) -> Note:
    """Take a published note away from readers; editors keep it, and its history says who."""
    return _move(note=note, version=version, user=user, move=WITHDRAW)
