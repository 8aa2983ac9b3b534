"""Corrections and the story's "Updated" time.

A correction's `corrected_at` must lie between the story's publication (its creation, for a
story never published) and now, give or take `CLOCK_SKEW` for an editor's clock running a little
ahead: every path that writes a note checks it with `correction_time_error`.

What a story's corrections contribute to its "Updated" time is derived, never ratcheted:
`refresh_story_corrected` sets `Story.corrected_at` to the time of its latest *current* public
correction, so publishing, changing, hiding, orphaning or deleting a correction moves it, back
as well as forward. The editor's own "Updated" time (`Story.updated_at`, set in the story form)
is kept apart; readers see the later of the two (`Story.last_updated_at`).
"""

from datetime import datetime, timedelta

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from articles.caching import keys
from articles.caching.invalidation import content_changed
from articles.models import Note, Story

# How far ahead of the server's clock a correction time may be: an editor's "now" is read from
# their own clock, which may run a little fast.
CLOCK_SKEW = timedelta(minutes=1)


def correction_time_error(
    *, corrected_at: datetime | None, story: Story, now: datetime | None = None
) -> str:
    """Why `corrected_at` cannot be a correction time of `story`; "" when it can."""
    if corrected_at is None:
        return ""
    now = now or timezone.now()
    if corrected_at > now + CLOCK_SKEW:
        return "A correction cannot be dated in the future."
    earliest = story.published_at or story.created_at
    if earliest is not None and corrected_at < earliest:
        when = date_format(timezone.localtime(earliest), "DATETIME_FORMAT")
        noun = "published" if story.published_at else "created"
        return f"A correction cannot be dated before the story was {noun} ({when})."
    return ""


def latest_public_correction(*, story_id: int, now: datetime | None = None) -> datetime | None:
    """The time of the story's latest correction that readers can see, in one query.

    A correction saved without a time is dated when it was written, as the story page shows it.
    A time in the future can only come from a file restored around the checks, and is ignored.
    """
    now = now or timezone.now()
    corrections = (
        Note.objects.filter(story_id=story_id, kind=Note.Kind.CORRECTION)
        .published_on_any_story()
        .annotate(when=Coalesce("corrected_at", "created_at"))
        .filter(when__lte=now + CLOCK_SKEW)
    )
    return corrections.aggregate(latest=Max("when"))["latest"]


def refresh_story_corrected(*, story_id: int) -> None:
    """Set the story's `corrected_at` from its current public corrections.

    Call it after any change that can make a correction appear, change or disappear: a note
    created, changed, re-attached, orphaned or deleted (whatever its kind: it may have been a
    correction before). Writes only when the time changes.
    """
    now = timezone.now()
    latest = latest_public_correction(story_id=story_id, now=now)
    # exclude(corrected_at=None) leaves the rows that have a time; exclude(corrected_at=t) keeps
    # those without one: either way only a story whose time differs is written.
    changed = (
        Story.objects.filter(pk=story_id)
        .exclude(corrected_at=latest)
        .update(corrected_at=latest, modified_at=now)
    )
    if changed and Story.objects.published().filter(pk=story_id).exists():
        # "Updated" shows on the story's page and its cards.
        content_changed([keys.story(story_id)])
