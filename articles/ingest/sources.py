"""Following sources on a schedule: the task worker checks each active `FollowedSource`
every `every` minutes and imports what it finds (`following.follow_stories`): new entries become
stories, and the publisher's changes to stories already here become dated versions.

Each source has one queued check, for the moment in `next_check_at`. A check first claims that
moment, moving it to the following one and queueing the check for it, and only then fetches:
a check that fails, or a worker that stops in the middle, leaves the schedule going. A queued
check whose moment is no longer the source's (it was paused, resumed, rescheduled, or checked
now) does nothing, so no source is ever checked twice at once or on two schedules.

Fetches are those of the admin's Import page: never private or local network addresses.
"""

import logging
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles.ingest.fetching import COMMAND_HINT, FetchPolicy
from articles.ingest.following import follow_stories
from articles.ingest.importing import count_outcomes
from articles.ingest.models import FollowedSource

logger = logging.getLogger(__name__)

PROBLEMS_SHOWN = 10
PROBLEMS_MAX_CHARS = 4000


def _now() -> datetime:
    return timezone.now().replace(microsecond=0)


def _enqueue(source_id: int, moment: datetime) -> None:
    from articles.ingest.tasks import check_followed_source

    check_followed_source.using(run_after=moment).enqueue(
        source_id=source_id, due=moment.isoformat()
    )


def schedule_check(source: FollowedSource, *, at: datetime | None = None) -> None:
    """Make `at` (now by default) the source's next check, queued once the change commits; a
    paused source gets none. Any check queued before for another moment will do nothing."""
    moment = (at or _now()).replace(microsecond=0) if source.active else None
    FollowedSource.objects.filter(pk=source.pk).update(next_check_at=moment)
    source.next_check_at = moment
    if moment is not None:
        transaction.on_commit(partial(_enqueue, source.pk, moment), robust=True)


def rescheduled_moment(source: FollowedSource) -> datetime:
    """When a source whose interval changed is next due: its new interval after its last
    check, or now if that has passed (or it was never checked)."""
    now = _now()
    if source.last_checked_at is None:
        return now
    return max(now, source.last_checked_at + timedelta(minutes=source.every))


def summarise(outcomes) -> tuple[str, str]:
    """The check in one line ("2 created, 14 unchanged, 1 failed": the counts that are not
    zero), and its problems, one per line (the first `PROBLEMS_SHOWN`)."""
    counts = count_outcomes(outcomes)
    summary = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    summary = summary or "no stories found"
    failed = [str(outcome).replace(COMMAND_HINT, "") for outcome in outcomes if outcome.failed]
    problems = failed[:PROBLEMS_SHOWN]
    if len(failed) > PROBLEMS_SHOWN:
        problems.append(f"… and {len(failed) - PROBLEMS_SHOWN} more")
    return summary, "\n".join(problems)[:PROBLEMS_MAX_CHARS]


def check_source(*, source_id: int, due: str) -> str:
    """The worker's check of a source for the moment `due` (see the module); returns what it
    did, for the worker's log."""
    source = FollowedSource.objects.filter(pk=source_id).select_related("added_by").first()
    moment = datetime.fromisoformat(due)
    if source is None or not source.active or source.next_check_at != moment:
        return "not due: removed, paused or rescheduled"
    following = max(_now(), moment) + timedelta(minutes=source.every)
    with transaction.atomic():
        # The claim and the next check's task are written together, or neither is.
        claimed = FollowedSource.objects.filter(pk=source_id, next_check_at=moment).update(
            next_check_at=following
        )
        if not claimed:
            return "not due: another check claimed it"
        _enqueue(source_id, following)

    try:
        outcomes = follow_stories(
            urls=[source.url],
            policy=FetchPolicy(allow_private=False),
            fetch_pages=source.fetch_pages,
            user=source.added_by,
            new_as_drafts=source.new_as_drafts,
        )
    except Exception as error:
        # Recorded for the editors, then raised for the worker's log; the next check stands.
        FollowedSource.objects.filter(pk=source_id).update(
            last_checked_at=_now(),
            checks=F("checks") + 1,
            last_summary="the check stopped with an error",
            last_error=f"{type(error).__name__}: the worker's log has the details",
        )
        raise
    summary, problems = summarise(outcomes)
    FollowedSource.objects.filter(pk=source_id).update(
        last_checked_at=_now(), checks=F("checks") + 1, last_summary=summary, last_error=problems
    )
    logger.info("Followed %s: %s", source.url, summary)
    return summary
