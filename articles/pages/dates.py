"""Date helpers for story pages."""

from datetime import MAXYEAR, datetime

from django.utils import timezone


def local_time(value: datetime | None) -> datetime | None:
    """`value` in the site's time zone, or None when it has no place there.

    A time stored near the ends of the calendar (year 1, year 9999) can fall outside it once
    shifted into the site's zone; every page formats its times through here, so such a value
    (which the checks on input keep out, but a restored file might not) shows as no time
    rather than taking the page down.
    """
    if not value:
        return None
    try:
        return timezone.localtime(value)
    except (OverflowError, ValueError):
        return None


def whole_years_between(start: datetime, end: datetime) -> int:
    """Complete calendar years from `start` to `end` (a birthday-style count)."""
    years = end.year - start.year
    # Compare (month, day, time) so that the anniversary itself counts as a whole year.
    if (end.month, end.day, end.time()) < (start.month, start.day, start.time()):
        years -= 1
    return max(years, 0)


def age_banner(published_at: datetime | None, *, now: datetime) -> str:
    """The banner old stories carry: "This story is over 5 years old"; empty under a year."""
    if published_at is None:
        return ""
    years = whole_years_between(published_at, now.astimezone(published_at.tzinfo))
    if years < 1:
        return ""
    return f"This story is over {years} year{'s' if years != 1 else ''} old"


def next_banner_change(published_at: datetime | None, *, now: datetime) -> datetime | None:
    """When `age_banner` next reads differently: the story's next anniversary after `now`.

    A leap-day story turns a year older on March 1st in other years (see `whole_years_between`).
    """
    if published_at is None:
        return None
    local_now = now.astimezone(published_at.tzinfo)
    year = published_at.year + max(whole_years_between(published_at, local_now), 0) + 1
    if local_now < published_at:
        year = published_at.year + 1
    if year > MAXYEAR:
        return None
    try:
        return published_at.replace(year=year)
    except ValueError:
        march_first = published_at.replace(year=year, month=3, day=1)
        return march_first.replace(hour=0, minute=0, second=0, microsecond=0)
