"""Who may change which annotation, and which reply, and who may move a note through review:
the one place that decides.

Django's model permissions say what a role may do to annotations at all (Annotators and Editors
may change and delete them); ownership narrows that to a note. Annotators change only the notes
they wrote; Editors, who hold `change_any_annotation`, and superusers change any, including a
note whose author has left. A reply is someone's words under their name, so only its author may
rewrite or delete it, whatever their role.

Review (`annotations.review`): whoever may change a note may submit it; only holders of
`publish_annotation` (Editors) publish, send back and withdraw. A published note is what readers
read, so changing or deleting it needs `publish_annotation` too: an annotator cannot rewrite a
note after its review. For the kinds named in `settings.NEWSROOM_NOTES_SECOND_PERSON` (fact-checks
and corrections unless configured otherwise) a second person publishes: never the note's author
or whoever submitted it.

The annotation admin, the annotate screen's endpoints and what that screen offers all ask here;
the services ask too, so no caller can forget.
"""

from django.conf import settings

from articles.models import Annotation, AnnotationReply

CHANGE_PERMISSION = "articles.change_annotation"
DELETE_PERMISSION = "articles.delete_annotation"
CHANGE_ANY_PERMISSION = "articles.change_any_annotation"
PUBLISH_PERMISSION = "articles.publish_annotation"
CHANGE_REPLY_PERMISSION = "articles.change_annotationreply"
DELETE_REPLY_PERMISSION = "articles.delete_annotationreply"

State = Annotation.State


def _is_author(user, author_id: int | None) -> bool:
    return user.is_authenticated and author_id is not None and author_id == user.pk


def _owns_or_may_change_any(user, annotation: Annotation) -> bool:
    return user.has_perm(CHANGE_ANY_PERMISSION) or _is_author(user, annotation.author_id)


def _may_touch_what_readers_read(user, annotation: Annotation) -> bool:
    return annotation.state != State.PUBLISHED or user.has_perm(PUBLISH_PERMISSION)


def can_change_annotation(user, annotation: Annotation) -> bool:
    """Whether `user` may edit the note: its text, kind, or its passage."""
    return (
        user.has_perm(CHANGE_PERMISSION)
        and _owns_or_may_change_any(user, annotation)
        and _may_touch_what_readers_read(user, annotation)
    )


def can_delete_annotation(user, annotation: Annotation) -> bool:
    """Whether `user` may delete the note (and with it, its discussion)."""
    return (
        user.has_perm(DELETE_PERMISSION)
        and _owns_or_may_change_any(user, annotation)
        and _may_touch_what_readers_read(user, annotation)
    )


def needs_second_person(annotation: Annotation) -> bool:
    """Whether someone other than its author and its submitter must publish this note."""
    return annotation.kind in settings.NEWSROOM_NOTES_SECOND_PERSON


def submit_refusal(user, annotation: Annotation) -> str:
    """Why `user` may not submit the note for review; "" when they may."""
    if annotation.kind == Annotation.Kind.INTERNAL:
        return "An internal note is for editors only: it is never submitted or published."
    if annotation.state not in (State.DRAFT, State.WITHDRAWN):
        return f"Only a draft or a withdrawn note is submitted; this one is {_state(annotation)}."
    if not can_change_annotation(user, annotation):
        return "Annotators submit only the notes they wrote."
    return ""


def publish_refusal(user, annotation: Annotation) -> str:
    """Why `user` may not publish the note; "" when they may."""
    if annotation.kind == Annotation.Kind.INTERNAL:
        return "An internal note is for editors only: it is never submitted or published."
    if not user.has_perm(PUBLISH_PERMISSION):
        return "Only editors publish notes: submit it for review instead."
    if annotation.state == State.PUBLISHED:
        return "This note is published already."
    if annotation.anchor_state != Annotation.AnchorState.ANCHORED or not annotation.paragraph_id:
        return "Re-attach this note to a passage before publishing it."
    if needs_second_person(annotation) and (
        _is_author(user, annotation.author_id) or _is_author(user, annotation.submitted_by_id)
    ):
        return (
            f"A second person publishes a {annotation.get_kind_display().lower()}: "
            "you wrote or submitted this one."
        )
    return ""


def send_back_refusal(user, annotation: Annotation) -> str:
    """Why `user` may not return the submitted note to a draft; "" when they may.

    Editors send a submission back; whoever submitted it may take it back.
    """
    if annotation.state != State.SUBMITTED:
        return f"Only a submitted note can be sent back; this one is {_state(annotation)}."
    if user.has_perm(PUBLISH_PERMISSION) or (
        _is_author(user, annotation.submitted_by_id) and can_change_annotation(user, annotation)
    ):
        return ""
    return "Only editors, or whoever submitted it, return a submitted note to a draft."


def withdraw_refusal(user, annotation: Annotation) -> str:
    """Why `user` may not withdraw the published note from readers; "" when they may."""
    if annotation.state != State.PUBLISHED:
        return f"Only a published note can be withdrawn; this one is {_state(annotation)}."
    if not user.has_perm(PUBLISH_PERMISSION):
        return "Only editors withdraw published notes."
    return ""


def _state(annotation: Annotation) -> str:
    return annotation.get_state_display().lower()


def can_change_reply(user, reply: AnnotationReply) -> bool:
    """Whether `user` may rewrite the reply: its author only."""
    return user.has_perm(CHANGE_REPLY_PERMISSION) and _is_author(user, reply.author_id)


def can_delete_reply(user, reply: AnnotationReply) -> bool:
    """Whether `user` may delete the reply: its author only."""
    return user.has_perm(DELETE_REPLY_PERMISSION) and _is_author(user, reply.author_id)
