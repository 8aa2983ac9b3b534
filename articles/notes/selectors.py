"""What editors' screens read about notes, stated once for whichever screen shows it."""

from django.db.models import QuerySet

from articles.models import Note


def notes_awaiting_review(*, story=None) -> QuerySet[Note]:
    """Notes submitted for review, the longest-waiting first, with their story, author and
    submitter loaded (one query, however many); `story` narrows it to one story."""
    notes = Note.objects.awaiting_review().select_related(
        "story", "paragraph", "author", "submitted_by"
    )
    if story is not None:
        notes = notes.filter(story=story)
    return notes.order_by("submitted_at", "id")
