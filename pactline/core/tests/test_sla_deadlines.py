"""due_at, consumed and warning_at: pauses (overlapping, unsorted, open-ended) and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pactline.core.calendar import BusinessCalendar, from_micros, to_micros
from pactline.core.sla import Pause, consumed, due_at, warning_at

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
B = BusinessCalendar.from_spec(
    {
        "timezone": "Europe/Berlin",
        "hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
)
NIGHTS = BusinessCalendar.from_spec(
    {
        "timezone": "Australia/Adelaide",
        "hours": {d: ["22:00-06:00"] for d in ("sun", "mon", "tue", "wed", "thu")},
        "holidays": {"country": "AU", "subdivision": "SA"},
    }
)


def cet(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def test_without_pauses_due_at_is_add() -> None:
    assert due_at(B, start=cet(3, 10), target_seconds=HOUR) == B.add(cet(3, 10), HOUR)
    # A zero target from a start outside working time (Saturday) is due at the next opening.
    assert due_at(B, start=cet(8, 10), target_seconds=0) == cet(10, 9) == B.add(cet(8, 10), 0)
    assert due_at(B, start=cet(3, 10), target_seconds=0) == cet(3, 10)
    # ... and after a pause that holds it past the opening, when the pause ends.
    pauses = [(cet(8, 12), cet(10, 11))]
    assert due_at(B, start=cet(8, 10), target_seconds=0, pauses=pauses) == cet(10, 11)
    assert due_at(B, start=cet(8, 10), target_seconds=0, pauses=[(cet(8, 12), None)]) is None


def test_overlapping_unsorted_pauses_count_once() -> None:
    pauses: list[Pause] = [
        (cet(3, 12), cet(3, 14)),
        (cet(3, 11), cet(3, 13)),
        (cet(3, 13), cet(3, 13)),
    ]
    # Paused 11:00-14:00 (3 h): 10-11 and 14-17 count, then Tue 09:00-10:00.
    assert due_at(B, start=cet(3, 10), target_seconds=5 * HOUR, pauses=pauses) == utc(4, 9)
    assert consumed(B, start=cet(3, 10), until=cet(3, 17), pauses=pauses) == 4 * HOUR


def test_pauses_before_the_start_count_only_after_it() -> None:
    pauses: list[Pause] = [(cet(1, 0), cet(3, 11)), (cet(2, 0), cet(2, 1))]
    assert due_at(B, start=cet(3, 10), target_seconds=HOUR, pauses=pauses) == utc(
        3, 11
    )  # 12:00 CET
    assert consumed(B, start=cet(3, 10), until=cet(3, 12), pauses=pauses) == HOUR


def test_an_open_pause_leaves_the_deadline_unknown() -> None:
    still_paused: list[Pause] = [(cet(3, 11), None)]
    assert due_at(B, start=cet(3, 10), target_seconds=2 * HOUR, pauses=still_paused) is None
    # ... unless the target was reached before the pause began.
    assert due_at(B, start=cet(3, 10), target_seconds=HOUR, pauses=still_paused) == utc(3, 10)
    # consumed counts the open pause up to ``until``.
    assert consumed(B, start=cet(3, 10), until=cet(4, 12), pauses=still_paused) == HOUR
    assert (
        warning_at(B, start=cet(3, 10), target_seconds=4 * HOUR, fraction=0.5, pauses=still_paused)
        is None
    )


def test_a_pause_touching_the_deadline_does_not_move_it() -> None:
    assert due_at(
        B, start=cet(3, 10), target_seconds=HOUR, pauses=[(cet(3, 11), cet(3, 12))]
    ) == utc(3, 10)


def test_consumed_is_zero_for_an_empty_range() -> None:
    assert consumed(B, start=cet(3, 12), until=cet(3, 10)) == 0


def test_warnings_are_in_business_time() -> None:
    start = cet(7, 16)  # Friday 16:00; 4 h target -> due Mon 12:00 CET
    assert due_at(B, start=start, target_seconds=4 * HOUR) == utc(10, 11)
    # 2 h before the deadline in business time is Mon 10:00, not Mon 09:00 wall-clock... nor Fri.
    assert warning_at(B, start=start, target_seconds=4 * HOUR, before_seconds=2 * HOUR) == utc(
        10, 9
    )
    # 25 % consumed: 1 h of business time, Friday 17:00 (the closing instant).
    assert warning_at(B, start=start, target_seconds=4 * HOUR, fraction=0.25) == utc(7, 16)
    # A warning that would come before the start fires at the start.
    assert warning_at(B, start=start, target_seconds=4 * HOUR, before_seconds=9 * HOUR) == start


@pytest.mark.parametrize(
    ("before", "fraction"), [(None, None), (60.0, 0.5), (None, 1.5), (None, -0.1), (-5.0, None)]
)
def test_warning_needs_exactly_one_valid_offset(
    before: float | None, fraction: float | None
) -> None:
    with pytest.raises(ValueError, match=r"exactly one|fraction|>= 0"):
        warning_at(
            B, start=cet(3, 10), target_seconds=HOUR, before_seconds=before, fraction=fraction
        )


def test_naive_pauses_are_rejected() -> None:
    naive = datetime(2025, 3, 3, 11)
    with pytest.raises(ValueError, match="naive"):
        due_at(B, start=cet(3, 10), target_seconds=HOUR, pauses=[(naive, None)])


# --- Properties -------------------------------------------------------------------------

BASE = to_micros(datetime(2025, 1, 1, tzinfo=UTC))
instants = st.integers(min_value=0, max_value=400 * 86_400_000_000).map(
    lambda us: from_micros(BASE + us)
)
targets = st.integers(min_value=1, max_value=200 * 3600).map(float)
pause_lists = st.lists(
    st.tuples(instants, st.one_of(st.none(), st.integers(min_value=0, max_value=20 * 86_400))),
    max_size=6,
).map(
    lambda items: [
        (begin, None if length is None else begin + timedelta(seconds=length))
        for begin, length in items
    ]
)
calendars = st.sampled_from([B, NIGHTS, BusinessCalendar.always("Asia/Kathmandu")])
properties = settings(max_examples=150, deadline=None, database=None)


@properties
@given(calendars, instants, targets, pause_lists)
def test_pauses_never_make_a_deadline_earlier(
    calendar: BusinessCalendar, start: datetime, target: float, pauses: list[Pause]
) -> None:
    plain = due_at(calendar, start=start, target_seconds=target)
    paused = due_at(calendar, start=start, target_seconds=target, pauses=pauses)
    assert plain is not None
    assert paused is None or paused >= plain
    if paused is not None:
        assert abs(consumed(calendar, start=start, until=paused, pauses=pauses) - target) <= 1e-6
    fewer = due_at(calendar, start=start, target_seconds=target, pauses=pauses[1:])
    assert paused is None or (fewer is not None and fewer <= paused)


@properties
@given(calendars, instants, targets, pause_lists, st.floats(min_value=0.01, max_value=0.99))
def test_warnings_come_no_later_than_the_deadline(
    calendar: BusinessCalendar, start: datetime, target: float, pauses: list[Pause], fraction: float
) -> None:
    due = due_at(calendar, start=start, target_seconds=target, pauses=pauses)
    warning = warning_at(
        calendar, start=start, target_seconds=target, fraction=fraction, pauses=pauses
    )
    if due is not None:
        assert warning is not None
        assert start <= warning <= due
        used = consumed(calendar, start=start, until=warning, pauses=pauses)
        assert abs(used - round(target * 1e6 * fraction) / 1e6) <= 1e-6


@properties
@given(calendars, instants, instants, instants, pause_lists)
def test_consumed_is_monotonic_and_bounded(
    calendar: BusinessCalendar, start: datetime, a: datetime, b: datetime, pauses: list[Pause]
) -> None:
    early, late = sorted((a, b))
    used_early = consumed(calendar, start=start, until=early, pauses=pauses)
    used_late = consumed(calendar, start=start, until=late, pauses=pauses)
    assert 0 <= used_early <= used_late <= calendar.between(start, late) + 1e-6
