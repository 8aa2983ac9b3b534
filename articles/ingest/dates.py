"""Publication times as sources write them: ISO 8601, RFC 822, WordPress's GMT column."""

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(settings.NEWSROOM_IMPORT_TIME_ZONE))
    # Whole seconds: the archive's times are shown and compared to the second.
    return value.replace(microsecond=0)


def parse_when(value) -> datetime | None:
    """A time from text (ISO 8601, RFC 822, a bare date) or a `time.struct_time`; None if none.

    A time without a zone is read in `NEWSROOM_IMPORT_TIME_ZONE`, as the plain-text layout's.
    """
    if value is None or value == "":
        return None
    if isinstance(value, time.struct_time):
        return datetime(*value[:6], tzinfo=UTC)
    if isinstance(value, datetime):
        return _aware(value)
    text = str(value).strip()
    if not text or text.startswith(("0000-00-00", "-0001")):
        return None
    try:
        parsed = parse_datetime(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        parsed = None
    if parsed is not None:
        return _aware(parsed)
    try:
        day = parse_date(text[:10])
    except ValueError:
        day = None
    if day is not None and len(text) <= 10:
        return _aware(datetime(day.year, day.month, day.day))
    try:
        return _aware(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
