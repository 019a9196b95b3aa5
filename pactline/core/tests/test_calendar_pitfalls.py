"""The calendar pitfalls of reference/sla-engines.md section 4, each with its exact instant.

Calendars (section 4): A = Berlin Mon-Fri 09-12 + 13-17 with 2025-12-25/26 closed;
B = Berlin Mon-Fri 09-17; C = Berlin 24/7; N = New York every day 00-06 + 22-24.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pactline.core.calendar import BusinessCalendar

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WEEKDAYS, "sat", "sun")

A = BusinessCalendar.from_spec(
    {
        "timezone": "Europe/Berlin",
        "hours": {day: ["09:00-12:00", "13:00-17:00"] for day in WEEKDAYS},
        "holidays": {"country": "DE", "dates": ["2025-12-25", "2025-12-26"]},
    }
)
B = BusinessCalendar.from_spec(
    {"timezone": "Europe/Berlin", "hours": {day: ["09:00-17:00"] for day in WEEKDAYS}}
)
C = BusinessCalendar.from_spec({"timezone": "Europe/Berlin", "hours": "24/7"})
N = BusinessCalendar.from_spec(
    {
        "timezone": "America/New_York",
        "hours": {day: ["00:00-06:00", "22:00-24:00"] for day in ALL_DAYS},
    }
)


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def new_york(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_p1_split_shift_skips_the_lunch_break() -> None:
    assert A.add(berlin(2025, 3, 3, 11, 30), HOUR) == utc(2025, 3, 3, 12, 30)  # 13:30 CET


def test_p2_start_inside_a_break_snaps_to_the_next_interval() -> None:
    assert A.add(berlin(2025, 3, 3, 12, 15), HOUR) == utc(2025, 3, 3, 13)  # 14:00 CET


def test_p3_start_after_close_before_a_weekend() -> None:
    assert A.add(berlin(2025, 3, 7, 16, 30), 2 * HOUR) == utc(2025, 3, 10, 9, 30)  # Mon 10:30


def test_p4_deadline_on_an_interval_end_is_that_end() -> None:
    due = A.add(berlin(2025, 3, 3, 9), 3 * HOUR)
    assert due == utc(2025, 3, 3, 11)  # 12:00 CET, not 13:00
    assert not A.is_open(due)
    assert A.between(berlin(2025, 3, 3, 9), due) == 3 * HOUR


def test_p5_consecutive_holidays_and_a_weekend() -> None:
    assert A.add(berlin(2025, 12, 24, 16), 4 * HOUR) == utc(2025, 12, 29, 11)  # Mon 12:00 CET


def test_p6_24_7_across_spring_forward_counts_real_hours() -> None:
    start = utc(2025, 3, 29, 11)  # Sat 12:00 CET
    assert C.add(start, 24 * HOUR) == utc(2025, 3, 30, 11)  # Sun 13:00 CEST


def test_p7_hours_follow_the_local_offset_after_dst() -> None:
    start = utc(2025, 3, 28, 15)  # Fri 16:00 CET
    assert B.add(start, 2 * HOUR) == utc(2025, 3, 31, 8)  # Mon 10:00 CEST


def test_p8_overnight_shift_crosses_midnight() -> None:
    assert N.add(new_york(2025, 3, 4, 5, 30), HOUR) == utc(2025, 3, 5, 3, 30)  # Tue 22:30 EST


def test_p9a_fall_back_inside_an_interval_lasts_seven_hours() -> None:
    start = utc(2025, 11, 2, 4)  # Sun 00:00 EDT
    assert N.add(start, 6 * HOUR) == utc(2025, 11, 2, 10)  # 05:00 EST
    assert N.between(start, utc(2025, 11, 2, 11)) == 7 * HOUR  # 00:00-06:00 = 7 real hours


def test_p9b_spring_forward_inside_an_interval_lasts_five_hours() -> None:
    sunday_nights = BusinessCalendar.from_spec(
        {"timezone": "America/New_York", "hours": {"sun": ["00:00-06:00"]}}
    )
    start = new_york(2025, 3, 9, 0)  # 00:00 EST = 05:00Z
    assert sunday_nights.add(start, 5 * HOUR) == utc(2025, 3, 9, 10)  # 06:00 EDT
    assert sunday_nights.between(start, utc(2025, 3, 10, 0)) == 5 * HOUR


def test_p9c_an_interval_starting_in_the_gap_opens_fold_0() -> None:
    calendar = BusinessCalendar.from_spec(
        {"timezone": "America/New_York", "hours": {"sun": ["02:30-10:00"]}}
    )
    # 02:30 does not exist on 2025-03-09; fold=0 reads it with EST: 07:30Z = 03:30 EDT.
    assert calendar.next_open(new_york(2025, 3, 9, 0)) == utc(2025, 3, 9, 7, 30)
    assert not calendar.is_open(utc(2025, 3, 9, 7, 29))
    assert calendar.is_open(utc(2025, 3, 9, 7, 30))
    assert calendar.between(utc(2025, 3, 9, 0), utc(2025, 3, 10, 0)) == 6.5 * HOUR


def test_p10_24_7_loses_no_minute_at_midnight() -> None:
    assert C.add(berlin(2025, 3, 3, 23, 30), HOUR) == utc(2025, 3, 3, 23, 30)  # Tue 00:30 CET
    assert C.between(berlin(2025, 3, 3, 0), berlin(2025, 3, 10, 0)) == 7 * 24 * HOUR


def test_p19_one_day_of_business_time_is_not_one_business_day() -> None:
    start = berlin(2025, 3, 3, 9)
    assert B.add(start, 24 * HOUR) == utc(2025, 3, 5, 16)  # 24 h of business time: Wed 17:00
    assert B.add_business_days(start, 1) == utc(2025, 3, 4, 8)  # 1 business day: Tue 09:00


def test_p20_excluded_days_extend_the_window() -> None:
    saturday = berlin(2025, 3, 8, 10)
    escalation = B.add_business_days(saturday, 3)
    assert escalation == utc(2025, 3, 13, 8)  # Thu 09:00, three full days Mon-Wed later
    assert escalation >= utc(2025, 3, 12, 16)  # no earlier than the end of Wed
    assert B.add(saturday, 3 * 8 * HOUR) == utc(2025, 3, 12, 16)  # the same in business time
    assert B.add(saturday, 1) > utc(2025, 3, 10, 8)  # nothing counts before Mon 09:00


def test_p25_long_horizon_deadlines_are_not_truncated() -> None:
    start = berlin(2025, 1, 6, 9)
    due = B.add(start, 200 * 8 * HOUR)
    assert due == utc(2025, 10, 10, 15)  # 40 full weeks: Fri 17:00 CEST
    assert B.add(start, 200 * 8 * HOUR + 1) == datetime(2025, 10, 13, 7, 0, 1, tzinfo=UTC)
    assert B.between(start, due) == 200 * 8 * HOUR
