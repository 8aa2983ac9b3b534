"""The triggers: the editing services call these when something worth telling happens.

Each function decides who is concerned, writes their inbox notifications in the caller's
transaction, and once it commits queues the e-mail (and, for a publication readers can see, the
webhooks). Nobody is told about what they did themselves, and only active staff have an inbox.

    reply_added        a reply in a note's discussion: the note's author and earlier repliers
    note_written       a note created or its text changed: the editors it newly @mentions
    note_submitted     a note sent for review: the editors who may publish it
    note_published     a note made public: its author and discussion; webhooks when readers see it
    story_published    a story published: its authors' logins; webhooks
"""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from articles.models import Note, NoteReply, Story
from articles.notifications.mentions import mentioned_users
from articles.notifications.models import Notification
from articles.notifications.tasks import email_notification
from articles.notifications.webhooks import queue_webhooks
from articles.text.people import display_name

Reason = Notification.Reason
# Who may publish notes, and so reviews them: the Editors group and superusers.
REVIEWER_PERMISSION = "articles.publish_note"


def reply_added(*, reply: NoteReply) -> list[Notification]:
    """Tell the note's author and its earlier repliers; whoever the reply @mentions is told so."""
    note = reply.note
    by = reply.author
    mentioned = set(mentioned_users(reply.body))
    earlier = NoteReply.objects.filter(note=note).exclude(pk=reply.pk)
    participant_ids = {note.author_id, *earlier.values_list("author_id", flat=True)}
    participants = _staff().filter(pk__in=[pk for pk in participant_ids if pk is not None])
    what = f"the {_kind(note)} on “{_quote(note)}”"
    return [
        *_notify(
            mentioned,
            reason=Reason.MENTION,
            actor=by,
            note=note,
            message=f"{display_name(by)} mentioned you in a reply on {what}",
        ),
        *_notify(
            set(participants) - mentioned,
            reason=Reason.REPLY,
            actor=by,
            note=note,
            message=f"{display_name(by)} replied on {what}",
        ),
    ]


def note_written(*, note: Note, by, previous_body: str = "") -> list[Notification]:
    """Tell the editors the note's text @mentions and its previous text did not."""
    already = {user.pk for user in mentioned_users(previous_body)} if previous_body else set()
    mentioned = {user for user in mentioned_users(note.body) if user.pk not in already}
    return _notify(
        mentioned,
        reason=Reason.MENTION,
        actor=by,
        note=note,
        message=f"{display_name(by)} mentioned you in the {_kind(note)} on “{_quote(note)}”",
    )


def note_submitted(*, note: Note, by) -> list[Notification]:
    """Ask the editors who may publish notes to review this one."""
    reviewers = get_user_model().objects.with_perm(
        REVIEWER_PERMISSION, is_active=True, backend="django.contrib.auth.backends.ModelBackend"
    )
    return _notify(
        set(reviewers.filter(is_staff=True)),
        reason=Reason.REVIEW_REQUEST,
        actor=by,
        note=note,
        message=f"{display_name(by)} asks you to review the {_kind(note)} on “{_quote(note)}”",
    )


def note_published(*, note: Note, by) -> list[Notification]:
    """Tell the note's author and discussion; POST the webhooks when readers can see it."""
    repliers = NoteReply.objects.filter(note=note).values_list("author_id", flat=True)
    concerned = _staff().filter(Q(pk=note.author_id) | Q(pk__in=repliers))
    notifications = _notify(
        set(concerned),
        reason=Reason.PUBLISHED,
        actor=by,
        note=note,
        message=f"{display_name(by)} published the {_kind(note)} on “{_quote(note)}”",
    )
    if Note.objects.public().filter(pk=note.pk).exists():
        is_correction = note.kind == Note.Kind.CORRECTION
        queue_webhooks(
            event="correction.published" if is_correction else "note.published",
            payload={"story": _story_json(note.story), "note": _note_json(note)},
        )
    return notifications


def story_published(*, story: Story, by) -> list[Notification]:
    """Tell the story's authors (those with a login); POST the webhooks."""
    authors = _staff().filter(author_profile__bylines__story=story)
    notifications = _notify(
        set(authors),
        reason=Reason.PUBLISHED,
        actor=by,
        story=story,
        message=f"{display_name(by)} published “{_clip(story.headline, 120)}”",
    )
    queue_webhooks(event="story.published", payload={"story": _story_json(story)})
    return notifications


def _staff():
    return get_user_model().objects.filter(is_active=True, is_staff=True)


def _notify(
    recipients, *, reason, actor, message: str, note: Note | None = None, story=None
) -> list[Notification]:
    """Write one notification per recipient (never the actor); e-mail them once committed."""
    actor_pk = getattr(actor, "pk", None)
    people = sorted((user for user in recipients if user.pk != actor_pk), key=lambda u: u.pk)
    if not people:
        return []
    story_id = note.story_id if note is not None else story.pk
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            actor=actor if actor_pk is not None else None,
            reason=reason,
            story_id=story_id,
            note=note,
            message=_clip(message, 300),
        )
        for user in people
    )
    ids = [notification.pk for notification in notifications if notification.recipient.email]
    transaction.on_commit(lambda: _email(ids))
    return notifications


def _email(notification_ids: list[int]) -> None:
    for notification_id in notification_ids:
        email_notification.enqueue(notification_id=notification_id)


def _kind(note: Note) -> str:
    return note.get_kind_display().lower()


def _quote(note: Note) -> str:
    return _clip(note.quote_exact, 60)


def _clip(text: str, length: int) -> str:
    """`text` on one line, cut to `length` characters with an ellipsis."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _story_json(story: Story) -> dict:
    return {
        "id": story.pk,
        "headline": story.headline,
        "url": f"{settings.NEWSROOM_BASE_URL}{story.get_absolute_url()}",
    }


def _note_json(note: Note) -> dict:
    path = reverse("articles:annotation", args=[note.pk])
    return {
        "id": note.pk,
        "kind": note.kind,
        "quote": note.quote_exact,
        "body": note.body,
        "url": f"{settings.NEWSROOM_BASE_URL}{path}",
    }
