"""15-minute UTC intervals, and the local days and periods built from them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

INTERVAL = timedelta(minutes=15)
_INTERVAL_SECONDS = int(INTERVAL.total_seconds())


def interval_of(at: datetime) -> datetime:
    """The start of the 15-minute UTC interval holding `at`."""
    at = at.astimezone(UTC)
    seconds = int(at.timestamp())
    return datetime.fromtimestamp(seconds - seconds % _INTERVAL_SECONDS, UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant a local day starts (in UTC). Where midnight does not exist (a DST change
    at 00:00), the day starts at the first local time that does."""
    start = datetime.combine(day, time(0), zone)
    # zoneinfo maps a missing wall time forward by the gap; normalising through UTC makes it
    # an instant that exists.
    return start.astimezone(UTC)


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local day in UTC: 24 hours, or 23/25 across a DST change."""
    return local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)


def local_days(start: date, end: date) -> Iterator[date]:
    """Local dates from `start` up to but not including `end`."""
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)
