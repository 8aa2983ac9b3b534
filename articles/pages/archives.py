"""Date archives: the paths' converters, a year's or month's bounds, and a year's months.

Archives follow the newsroom's own calendar (the site's time zone, which datelines use too): a
story published at 11pm on December 31st in New York is in that year's archive.
"""

from datetime import datetime

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from articles.models import Story


class YearConverter:
    """Four digits, 1000 to 2999: the years a datetime (and the next year) can hold."""

    regex = "[12][0-9]{3}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


class MonthConverter:
    """Two digits, 01 to 12, so each month has exactly one URL."""

    regex = "0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):02d}"


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of `year` and of the next, in the site's time zone."""
    return timezone.make_aware(datetime(year, 1, 1)), timezone.make_aware(datetime(year + 1, 1, 1))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The first instant of the month and of the next, in the site's time zone."""
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return (
        timezone.make_aware(datetime(year, month, 1)),
        timezone.make_aware(datetime(*following, 1)),
    )


def published_between(start: datetime, end: datetime) -> QuerySet[Story]:
    return Story.objects.published().filter(published_at__gte=start, published_at__lt=end)


def months_with_stories(year: int) -> list[dict]:
    """The months of `year` with published stories, oldest first, as {"month", "stories"}.

    One aggregate query; "month" is the first instant of the month in the site's time zone.
    """
    return list(
        published_between(*year_bounds(year))
        .order_by()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(stories=Count("pk"))
        .order_by("month")
    )
