"""Who may change which note, and which reply, and who may move a note through review:
the one place that decides.

Django's model permissions say what a role may do to notes at all (Annotators and Editors
may change and delete them); ownership narrows that to a note. Annotators change only the notes
they wrote; Editors, who hold `change_any_note`, and superusers change any, including a
note whose author has left. A reply is someone's words under their name, so only its author may
rewrite or delete it, whatever their role.

Review (`notes.review`): whoever may change a note may submit it; only holders of
`publish_note` (Editors) publish, send back and withdraw. A published note is what readers
read, so changing or deleting it needs `publish_note` too: an annotator cannot rewrite a
note after its review. For the kinds named in `settings.NEWSROOM_NOTES_SECOND_PERSON` (fact-checks
and corrections unless configured otherwise) a second person publishes: never the note's author
or whoever submitted it.

The note admin, the annotate screen's endpoints and what that screen offers all ask here;
the services ask too, so no caller can forget.
"""

from django.conf import settings

from articles.models import Note, NoteReply

CHANGE_PERMISSION = "articles.change_note"
DELETE_PERMISSION = "articles.delete_note"
CHANGE_ANY_PERMISSION = "articles.change_any_note"
PUBLISH_PERMISSION = "articles.publish_note"
CHANGE_REPLY_PERMISSION = "articles.change_notereply"
DELETE_REPLY_PERMISSION = "articles.delete_notereply"

State = Note.State


def _is_author(user, author_id: int | None) -> bool:
    return user.is_authenticated and author_id is not None and author_id == user.pk


def _owns_or_may_change_any(user, note: Note) -> bool:
    return user.has_perm(CHANGE_ANY_PERMISSION) or _is_author(user, note.author_id)


def _may_touch_what_readers_read(user, note: Note) -> bool:
    return note.state != State.PUBLISHED or user.has_perm(PUBLISH_PERMISSION)


def can_change_note(user, note: Note) -> bool:
    """Whether `user` may edit the note: its text, kind, or its passage."""
    return (
        user.has_perm(CHANGE_PERMISSION)
        and _owns_or_may_change_any(user, note)
        and _may_touch_what_readers_read(user, note)
    )


def can_delete_note(user, note: Note) -> bool:
    """Whether `user` may delete the note (and with it, its discussion)."""
    return (
        user.has_perm(DELETE_PERMISSION)
        and _owns_or_may_change_any(user, note)
        and _may_touch_what_readers_read(user, note)
    )


def needs_second_person(note: Note) -> bool:
    """Whether someone other than its author and its submitter must publish this note."""
    return note.kind in settings.NEWSROOM_NOTES_SECOND_PERSON


def submit_refusal(user, note: Note) -> str:
    """Why `user` may not submit the note for review; "" when they may."""
    if note.kind == Note.Kind.INTERNAL:
        return "An internal note is for editors only: it is never submitted or published."
    if note.state not in (State.DRAFT, State.WITHDRAWN):
        return f"Only a draft or a withdrawn note is submitted; this one is {_state(note)}."
    if not can_change_note(user, note):
        return "Annotators submit only the notes they wrote."
    return ""


def publish_refusal(user, note: Note) -> str:
    """Why `user` may not publish the note; "" when they may."""
    if note.kind == Note.Kind.INTERNAL:
        return "An internal note is for editors only: it is never submitted or published."
    if not user.has_perm(PUBLISH_PERMISSION):
        return "Only editors publish notes: submit it for review instead."
    if note.state == State.PUBLISHED:
        return "This note is published already."
    if note.anchor_state != Note.AnchorState.ANCHORED or not note.paragraph_id:
        return "Re-attach this note to a passage before publishing it."
    if needs_second_person(note) and (
        _is_author(user, note.author_id) or _is_author(user, note.submitted_by_id)
    ):
        return (
            f"A second person publishes a {note.get_kind_display().lower()}: "
            "you wrote or submitted this one."
        )
    return ""


def send_back_refusal(user, note: Note) -> str:
    """Why `user` may not return the submitted note to a draft; "" when they may.

    Editors send a submission back; whoever submitted it may take it back.
    """
    if note.state != State.SUBMITTED:
        return f"Only a submitted note can be sent back; this one is {_state(note)}."
    if user.has_perm(PUBLISH_PERMISSION) or (
        _is_author(user, note.submitted_by_id) and can_change_note(user, note)
    ):
        return ""
    return "Only editors, or whoever submitted it, return a submitted note to a draft."


def withdraw_refusal(user, note: Note) -> str:
    """Why `user` may not withdraw the published note from readers; "" when they may."""
    if note.state != State.PUBLISHED:
        return f"Only a published note can be withdrawn; this one is {_state(note)}."
    if not user.has_perm(PUBLISH_PERMISSION):
        return "Only editors withdraw published notes."
    return ""


def _state(note: Note) -> str:
    return note.get_state_display().lower()


def can_change_reply(user, reply: NoteReply) -> bool:
    """Whether `user` may rewrite the reply: its author only."""
    return user.has_perm(CHANGE_REPLY_PERMISSION) and _is_author(user, reply.author_id)


def can_delete_reply(user, reply: NoteReply) -> bool:
    """Whether `user` may delete the reply: its author only."""
    return user.has_perm(DELETE_REPLY_PERMISSION) and _is_author(user, reply.author_id)
