"""Who may change which annotation, and which reply: the one place that decides.

Django's model permissions say what a role may do to annotations at all (Annotators and Editors
may change and delete them); ownership narrows that to a note. Annotators change only the notes
they wrote; Editors, who hold `change_any_annotation`, and superusers change any, including a
note whose author has left. A reply is someone's words under their name, so only its author may
rewrite or delete it, whatever their role.

The annotation admin, the annotate screen's endpoints and what that screen offers all ask here;
the reply services ask too, so no caller can forget.
"""

from articles.models import Annotation, AnnotationReply

CHANGE_PERMISSION = "articles.change_annotation"
DELETE_PERMISSION = "articles.delete_annotation"
CHANGE_ANY_PERMISSION = "articles.change_any_annotation"
CHANGE_REPLY_PERMISSION = "articles.change_annotationreply"
DELETE_REPLY_PERMISSION = "articles.delete_annotationreply"


def _is_author(user, author_id: int | None) -> bool:
    return user.is_authenticated and author_id is not None and author_id == user.pk


def _owns_or_may_change_any(user, annotation: Annotation) -> bool:
    return user.has_perm(CHANGE_ANY_PERMISSION) or _is_author(user, annotation.author_id)


def can_change_annotation(user, annotation: Annotation) -> bool:
    """Whether `user` may edit the note: its text, kind, visibility, status, or its passage."""
    return user.has_perm(CHANGE_PERMISSION) and _owns_or_may_change_any(user, annotation)


def can_delete_annotation(user, annotation: Annotation) -> bool:
    """Whether `user` may delete the note (and with it, its discussion)."""
    return user.has_perm(DELETE_PERMISSION) and _owns_or_may_change_any(user, annotation)


def can_change_reply(user, reply: AnnotationReply) -> bool:
    """Whether `user` may rewrite the reply: its author only."""
    return user.has_perm(CHANGE_REPLY_PERMISSION) and _is_author(user, reply.author_id)


def can_delete_reply(user, reply: AnnotationReply) -> bool:
    """Whether `user` may delete the reply: its author only."""
    return user.has_perm(DELETE_REPLY_PERMISSION) and _is_author(user, reply.author_id)
