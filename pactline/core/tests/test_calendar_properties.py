"""Property tests of business-time arithmetic over calendars chosen to be awkward.

Offset zones (+05:30, +05:45, +08:45, +10:30/+09:30), DST edges inside intervals, overnight
shifts, holidays by local date, China's make-up working days, years-away deadlines.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pactline.core.calendar import BusinessCalendar, from_micros, to_micros

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALENDARS = {
    "berlin-split-de": BusinessCalendar.from_spec(
        {
            "timezone": "Europe/Berlin",
            "hours": {d: ["09:00-12:00", "13:00-17:00"] for d in WEEKDAYS},
            "holidays": {"country": "DE", "subdivision": "BY"},
        }
    ),
    "new-york-nights-dst": BusinessCalendar.from_spec(
        {
            "timezone": "America/New_York",
            "hours": {
                **{d: ["00:00-06:00", "22:00-24:00"] for d in WEEKDAYS},
                "sun": ["01:00-04:00", "22:00-24:00"],
                "sat": ["02:30-03:30"],
            },
            "holidays": {"country": "US", "subdivision": "NY"},
        }
    ),
    "kolkata-24-7-closed-dates": BusinessCalendar.from_spec(
        {
            "timezone": "Asia/Kolkata",
            "hours": "24/7",
            "holidays": {"country": "IN", "dates": ["2025-08-15", "2026-01-26"]},
        }
    ),
    "adelaide-overnight": BusinessCalendar.from_spec(
        {
            "timezone": "Australia/Adelaide",
            "hours": {**{d: ["08:30-17:00"] for d in WEEKDAYS}, "sat": ["22:00-03:30"]},
            "holidays": {"country": "AU", "subdivision": "SA"},
        }
    ),
    "kathmandu-split": BusinessCalendar.from_spec(
        {
            "timezone": "Asia/Kathmandu",
            "hours": {d: ["09:45-13:15", "14:00-18:30"] for d in WEEKDAYS},
        }
    ),
    "eucla-nights-overrides": BusinessCalendar.from_spec(
        {
            "timezone": "Australia/Eucla",
            "hours": {d: ["22:00-06:00"] for d in ("sun", "mon", "tue", "wed", "thu")},
            "overrides": {"2025-12-24": ["10:00-12:00", "20:00-04:00"], "2025-12-28": []},
        }
    ),
    "shanghai-make-up-days": BusinessCalendar.from_spec(
        {
            "timezone": "Asia/Shanghai",
            "hours": {d: ["09:00-12:00", "13:00-18:00"] for d in WEEKDAYS},
            "holidays": {"country": "CN"},
        }
    ),
}

BASE = to_micros(datetime(2024, 6, 1, tzinfo=UTC))
SPAN = to_micros(datetime(2027, 6, 1, tzinfo=UTC)) - BASE

calendars = st.sampled_from(sorted(CALENDARS)).map(CALENDARS.__getitem__)
instants = st.integers(min_value=0, max_value=SPAN).map(lambda offset: from_micros(BASE + offset))
# Whole milliseconds up to ~ a year of 24/7 time, plus tiny and zero durations.
durations = st.one_of(
    st.just(0.0),
    st.integers(min_value=1, max_value=999).map(lambda us: us / 1_000_000),
    st.integers(min_value=0, max_value=366 * 86_400_000).map(lambda ms: ms / 1000),
)

properties = settings(max_examples=150, deadline=None, database=None)


@properties
@given(calendars, instants, durations)
def test_between_inverts_add(calendar: BusinessCalendar, start: datetime, seconds: float) -> None:
    due = calendar.add(start, seconds)
    assert due >= start
    assert abs(calendar.between(start, due) - seconds) <= 1e-6
    if seconds > 0:  # the deadline is the first instant with that much elapsed
        assert calendar.between(start, due - timedelta(microseconds=1)) < seconds


@properties
@given(calendars, instants, durations, durations)
def test_add_is_monotonic(calendar: BusinessCalendar, start: datetime, a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert calendar.add(start, low) <= calendar.add(start, high)


@properties
@given(calendars, instants, durations, durations)
def test_add_is_additive(calendar: BusinessCalendar, start: datetime, a: float, b: float) -> None:
    if b > 0:
        assert calendar.add(calendar.add(start, a), b) == calendar.add(start, a + b)
    else:  # a deadline on a closing instant, plus nothing, counts from the next opening
        assert calendar.add(calendar.add(start, a), b) == calendar.next_open(calendar.add(start, a))


@properties
@given(calendars, instants)
def test_adding_zero_is_the_next_opening(calendar: BusinessCalendar, start: datetime) -> None:
    """A start outside working time counts from the next opening, for a zero target too."""
    due = calendar.add(start, 0)
    assert due == calendar.next_open(start)
    assert calendar.is_open(due)
    assert calendar.between(start, due) == 0


@properties
@given(calendars, instants, instants, instants)
def test_between_adds_up(calendar: BusinessCalendar, a: datetime, b: datetime, c: datetime) -> None:
    first, middle, last = sorted((a, b, c))
    whole = calendar.between(first, last)
    assert abs(whole - calendar.between(first, middle) - calendar.between(middle, last)) <= 1e-6
    assert 0 <= calendar.between(first, last) <= (last - first).total_seconds()


@properties
@given(calendars, instants)
def test_next_open_is_open_and_nothing_is_open_before_it(
    calendar: BusinessCalendar, at: datetime
) -> None:
    opening = calendar.next_open(at)
    assert opening >= at
    assert calendar.is_open(opening)
    assert calendar.between(at, opening) == 0
    assert calendar.is_open(at) == (opening == at)


@properties
@given(calendars, st.lists(st.tuples(instants, durations), min_size=1, max_size=40))
def test_batch_equals_scalar(
    calendar: BusinessCalendar, pairs: list[tuple[datetime, float]]
) -> None:
    starts = np.array([to_micros(start) for start, _ in pairs], dtype=np.int64).view(
        "datetime64[us]"
    )
    seconds = np.array([secs for _, secs in pairs])
    batch = calendar.add_many(starts, seconds)
    expected = [to_micros(calendar.add(start, secs)) * 1000 for start, secs in pairs]
    assert batch.view(np.int64).tolist() == expected
    ends = np.array(expected, dtype=np.int64).view("datetime64[ns]")
    spans = calendar.between_many(starts, ends[::-1])
    reversed_ends = [from_micros(ns // 1000) for ns in expected[::-1]]
    assert spans.tolist() == [
        calendar.between(start, end) for (start, _), end in zip(pairs, reversed_ends, strict=True)
    ]


@properties
@given(calendars, st.lists(instants, min_size=1, max_size=40))
def test_open_batch_equals_scalar(calendar: BusinessCalendar, moments: list[datetime]) -> None:
    # Each instant, its next opening and the microsecond before: [start, end) is open at start.
    openings = [calendar.next_open(at) for at in moments]
    every = moments + openings + [at - timedelta(microseconds=1) for at in openings]
    batch = calendar.is_open_many(
        np.array([to_micros(at) for at in every], dtype=np.int64).view("datetime64[us]")
    )
    assert batch.tolist() == [calendar.is_open(at) for at in every]
    assert all(batch[len(moments) : 2 * len(moments)])  # an opening is open


@settings(max_examples=30, deadline=None, database=None)
@given(calendars, instants, st.integers(min_value=1, max_value=12))
def test_deadlines_years_away(calendar: BusinessCalendar, start: datetime, years: int) -> None:
    seconds = years * 365 * 86400 * 0.2  # a fifth of the wall time: years of business time
    due = calendar.add(start, seconds)
    assert abs(calendar.between(start, due) - seconds) <= 1e-6
    assert calendar.add(due, 1) > due
