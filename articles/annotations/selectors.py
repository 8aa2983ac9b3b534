"""What editors' screens read about notes, stated once for whichever screen shows it."""

from django.db.models import QuerySet

from articles.models import Annotation


def notes_awaiting_review(*, article=None) -> QuerySet[Annotation]:
    """Notes submitted for review, the longest-waiting first, with their story, author and
    submitter loaded (one query, however many); `article` narrows it to one story."""
    notes = Annotation.objects.awaiting_review().select_related(
        "article", "paragraph", "author", "submitted_by"
    )
    if article is not None:
        notes = notes.filter(article=article)
    return notes.order_by("submitted_at", "id")
