"""Calendar intervals and accessors, with property tests."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from pactline.core.agreement import CalendarSpec, Interval


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@pytest.mark.parametrize(
    ("text", "start", "end", "overnight"),
    [
        ("09:00-17:00", 540, 1020, False),
        ("00:00-24:00", 0, 1440, False),
        ("13:30-18:00", 810, 1080, False),
        ("22:00-06:00", 1320, 1800, True),
        ("23:59-00:00", 1439, 1440, False),
        (" 08:00 - 12:00 ", 480, 720, False),
    ],
)
def test_interval_parsing(text: str, start: int, end: int, overnight: bool) -> None:
    interval = Interval.parse(text)
    assert (interval.start, interval.end, interval.overnight) == (start, end, overnight)


def test_interval_formats_canonically() -> None:
    assert str(Interval.parse("22:00-06:00")) == "22:00-06:00"
    assert str(Interval.parse("22:00-00:00")) == "22:00-24:00"
    assert str(Interval.parse(" 08:00 - 12:00 ")) == "08:00-12:00"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("25:00-26:00", "interval_hour"),
        ("09:61-10:00", "interval_minute"),
        ("24:00-01:00", "interval_24"),
        ("10:00-24:01", "interval_24"),
        ("10:00-10:00", "interval_empty"),
        ("9-17", "interval_format"),
        ("09:00–17:00", "interval_format"),  # an en dash
        ("٠٩:٠٠-١٧:٠٠", "interval_format"),  # non-ASCII digits
    ],
)
def test_invalid_interval_codes(text: str, code: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        Interval.parse(text)
    assert caught.value.type == code


minutes_of_day = st.integers(min_value=0, max_value=1439)


@settings(database=None)
@given(minutes_of_day, st.integers(min_value=1, max_value=1439))
def test_any_valid_interval_round_trips(start: int, length: int) -> None:
    end = start + length
    text = f"{hhmm(start)}-{hhmm(end if end <= 1440 else end - 1440)}"
    interval = Interval.parse(text)
    assert interval == Interval(start, end)
    assert str(interval) == text
    assert Interval.parse(str(interval)) == interval


@settings(database=None)
@given(st.integers(min_value=1, max_value=1439), minutes_of_day)
def test_overnight_intervals_are_accepted(start: int, end: int) -> None:
    if end >= start:
        end = start - 1
    interval = Interval.parse(f"{hhmm(start)}-{hhmm(end)}")
    assert interval.overnight or end == 0
    assert interval.end == end + 1440
    assert 0 < interval.minutes < 1440


@settings(database=None)
@given(
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=99),
)
def test_parse_accepts_exactly_the_valid_clock_times(sh: int, sm: int, eh: int, em: int) -> None:
    text = f"{sh:02d}:{sm:02d}-{eh:02d}:{em:02d}"
    valid = (
        sh < 24
        and sm < 60
        and em < 60
        and (eh < 24 or (eh == 24 and em == 0))
        and (sh, sm) != (eh, em)
    )
    try:
        Interval.parse(text)
    except PydanticCustomError as error:
        assert not valid, error
        assert error.type.startswith("interval_")
    else:
        assert valid


def test_weekly_intervals_and_overrides() -> None:
    spec = CalendarSpec.model_validate(
        {
            "timezone": "Asia/Shanghai",
            "hours": {"fri": ["13:30-18:00", "09:00-12:00"], "sat": ["22:00-02:00"]},
            "holidays": {"country": "CN", "dates": ["2026-06-18"]},
            "overrides": {"2026-06-19": [], "2026-06-20": ["10:00-12:00"]},
        }
    )
    assert spec.weekly_intervals() == {
        0: [],
        1: [],
        2: [],
        3: [],
        4: [(540, 720), (810, 1080)],
        5: [(1320, 1560)],
        6: [],
    }
    assert spec.override_intervals() == {date(2026, 6, 19): [], date(2026, 6, 20): [(600, 720)]}
    assert spec.closed_dates() == frozenset({date(2026, 6, 18)})
    holidays = spec.public_holidays([2026])
    assert holidays[date(2026, 6, 18)] == "closed"
    assert date(2026, 6, 19) in holidays  # 端午节
    assert spec.zone.key == "Asia/Shanghai"
    assert not spec.always_open


def test_sunday_overnight_overlapping_monday_is_an_error() -> None:
    with pytest.raises(ValueError, match="time interval '05:00-09:00' overlaps '22:00-06:00'"):
        CalendarSpec.model_validate(
            {"timezone": "UTC", "hours": {"sun": ["22:00-06:00"], "mon": ["05:00-09:00"]}}
        )
    ok = CalendarSpec.model_validate(
        {"timezone": "UTC", "hours": {"sun": ["22:00-06:00"], "mon": ["06:00-09:00"]}}
    )
    assert ok.weekly_intervals()[6] == [(1320, 1800)]


def test_always_open_calendar() -> None:
    spec = CalendarSpec.model_validate({"timezone": "UTC", "hours": "24/7"})
    assert spec.always_open
    assert spec.weekly_intervals() == {day: [(0, 1440)] for day in range(7)}
    assert spec.public_holidays([2026]) == {} and spec.make_up_workdays([2026]) == frozenset()
