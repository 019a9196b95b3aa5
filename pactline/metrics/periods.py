"""Reporting periods as local calendar dates: a day, a Monday-to-Sunday week, a month or a
quarter, and the instants that bound them in the client's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pactline.metrics.intervals import local_midnight

FREQUENCIES = ("daily", "weekly", "monthly", "quarterly")


def period_of(frequency: str, day: date) -> tuple[date, date]:
    """The first and last day of the period of `frequency` holding `day`."""
    if frequency == "daily":
        return day, day
    if frequency == "weekly":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=6)
    if frequency == "monthly":
        first = day.replace(day=1)
    elif frequency == "quarterly":
        first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    else:
        raise ValueError(f"unknown frequency {frequency!r}")
    months = 1 if frequency == "monthly" else 3
    year, month = divmod(first.month - 1 + months, 12)
    return first, date(first.year + year, month + 1, 1) - timedelta(days=1)


def previous_period(frequency: str, first: date) -> tuple[date, date]:
    return period_of(frequency, first - timedelta(days=1))


def period_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC of the local days `first`..`last`."""
    return local_midnight(first, zone), local_midnight(last + timedelta(days=1), zone)
