"""Intervals and local days: 15-minute UTC slots tile every zone's days, across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pactline.metrics.intervals import INTERVAL, interval_of, local_day_bounds
from pactline.metrics.periods import period_of, previous_period


@pytest.mark.parametrize(
    ("zone", "day", "hours", "start"),
    [
        ("America/New_York", date(2026, 3, 8), 23, "2026-03-08T05:00:00+00:00"),
        ("America/New_York", date(2026, 11, 1), 25, "2026-11-01T04:00:00+00:00"),
        ("Asia/Kathmandu", date(2026, 3, 8), 24, "2026-03-07T18:15:00+00:00"),
        ("Asia/Kolkata", date(2026, 3, 8), 24, "2026-03-07T18:30:00+00:00"),
        ("Pacific/Chatham", date(2026, 4, 5), 25, "2026-04-04T10:15:00+00:00"),
        # Santiago's clocks go from 24:00 to 01:00: the day starts at 01:00 local.
        ("America/Santiago", date(2026, 9, 6), 23, "2026-09-06T04:00:00+00:00"),
    ],
)
def test_local_days_are_whole_intervals(zone: str, day: date, hours: int, start: str) -> None:
    begin, end = local_day_bounds(day, ZoneInfo(zone))
    assert begin.isoformat() == start
    assert end - begin == timedelta(hours=hours)
    assert interval_of(begin) == begin and interval_of(end) == end
    assert (end - begin) / INTERVAL == hours * 4


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_interval_of_floors_to_a_quarter_hour(naive: datetime) -> None:
    at = naive.replace(tzinfo=UTC)
    start = interval_of(at)
    assert start <= at < start + INTERVAL
    assert start.minute % 15 == 0 and start.second == 0 and start.microsecond == 0


@pytest.mark.parametrize(
    ("frequency", "day", "first", "last"),
    [
        ("daily", date(2026, 2, 28), date(2026, 2, 28), date(2026, 2, 28)),
        ("weekly", date(2026, 3, 1), date(2026, 2, 23), date(2026, 3, 1)),
        ("monthly", date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29)),
        ("monthly", date(2026, 12, 31), date(2026, 12, 1), date(2026, 12, 31)),
        ("quarterly", date(2026, 11, 22), date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_periods(frequency: str, day: date, first: date, last: date) -> None:
    assert period_of(frequency, day) == (first, last)
    assert previous_period(frequency, first)[1] == first - timedelta(days=1)


def test_unknown_frequency() -> None:
    with pytest.raises(ValueError, match="hourly"):
        period_of("hourly", date(2026, 1, 1))
