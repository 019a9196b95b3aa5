"""BusinessCalendar: construction, conventions, zones, holidays, overrides, horizons, batches."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from pactline.core.agreement import AgreementInvalid, CalendarSpec
from pactline.core.calendar import BusinessCalendar, from_micros, seconds_to_micros, to_micros

HOUR = 3600
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
BERLIN_SPEC = {"timezone": "Europe/Berlin", "hours": {day: ["09:00-17:00"] for day in WEEKDAYS}}


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def local(
    zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=ZoneInfo(zone))


def calendar(spec: Mapping[str, object]) -> BusinessCalendar:
    """A fresh calendar (not shared), so each test builds its own grid."""
    return BusinessCalendar(CalendarSpec.model_validate(spec))


# --- Construction ---------------------------------------------------------------------


def test_from_spec_accepts_a_spec_or_its_mapping_and_shares_equal_ones() -> None:
    spec = CalendarSpec.model_validate(BERLIN_SPEC)
    assert BusinessCalendar.from_spec(spec) is BusinessCalendar.from_spec(dict(BERLIN_SPEC))
    assert BusinessCalendar.from_spec(spec).spec == spec
    assert BusinessCalendar.from_spec(spec).timezone == "Europe/Berlin"


def test_from_spec_rejects_an_invalid_mapping_with_agreement_errors() -> None:
    with pytest.raises(AgreementInvalid) as caught:
        BusinessCalendar.from_spec({"timezone": "Mars/Olympus", "hours": {"mon": ["9-17"]}})
    codes = {error.code for error in caught.value.errors}
    assert {"timezone", "interval_format"} <= codes


def test_always_is_continuous_elapsed_time() -> None:
    always = BusinessCalendar.always()
    assert always.spec.always_open
    start = utc(2025, 6, 1, 12, 34, 56)
    assert always.add(start, 10 * 365 * 86400) == start + timedelta(days=3650)
    assert (
        always.between(utc(2020, 1, 1), utc(2030, 1, 1))
        == (utc(2030, 1, 1) - utc(2020, 1, 1)).total_seconds()
    )
    assert BusinessCalendar.always("Asia/Tokyo").timezone == "Asia/Tokyo"


# --- Conventions ----------------------------------------------------------------------


def test_naive_datetimes_are_rejected() -> None:
    cal = BusinessCalendar.from_spec(BERLIN_SPEC)
    naive = datetime(2025, 3, 3, 10)
    for call in (
        lambda: cal.add(naive, 1),
        lambda: cal.between(naive, utc(2025, 3, 4)),
        lambda: cal.between(utc(2025, 3, 4), naive),
        lambda: cal.is_open(naive),
        lambda: cal.next_open(naive),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf")])
def test_invalid_durations_are_rejected(seconds: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        BusinessCalendar.from_spec(BERLIN_SPEC).add(utc(2025, 3, 3), seconds)


def test_adding_zero_from_outside_working_time_is_the_next_opening() -> None:
    cal = BusinessCalendar.from_spec(BERLIN_SPEC)
    saturday = local("Europe/Berlin", 2025, 3, 8, 10)
    monday_opening = utc(2025, 3, 10, 8)  # 09:00 CET
    assert cal.add(saturday, 0) == monday_opening
    assert cal.add(saturday, 0).tzinfo is UTC
    assert cal.between(saturday, cal.add(saturday, 0)) == 0
    assert cal.add(saturday, 1e-6) == utc(2025, 3, 10, 8, 0, 0, 1)
    closing = utc(2025, 3, 7, 17)  # Friday 18:00 CET: the closing instant is closed
    assert cal.add(closing, 0) == monday_opening
    inside = utc(2025, 3, 10, 9, 30)
    assert cal.add(inside, 0) == inside
    batch = cal.add_many(
        np.array([to_micros(saturday), to_micros(closing), to_micros(inside)], dtype=np.int64).view(
            "datetime64[us]"
        ),
        0.0,
    )
    assert [int(ns) for ns in batch.astype("int64")] == [
        to_micros(moment) * 1000 for moment in (monday_opening, monday_opening, inside)
    ]


def test_results_are_utc_whatever_the_input_zone() -> None:
    cal = BusinessCalendar.from_spec(BERLIN_SPEC)
    in_tokyo = local("Asia/Tokyo", 2025, 3, 3, 18)  # 10:00 CET
    due = cal.add(in_tokyo, HOUR)
    assert due == utc(2025, 3, 3, 10)
    assert due.tzinfo is UTC
    assert cal.next_open(in_tokyo) == in_tokyo
    assert cal.next_open(in_tokyo).tzinfo is UTC


def test_between_is_zero_for_empty_or_reversed_ranges() -> None:
    cal = BusinessCalendar.from_spec(BERLIN_SPEC)
    assert cal.between(utc(2025, 3, 3, 10), utc(2025, 3, 3, 10)) == 0
    assert cal.between(utc(2025, 3, 3, 12), utc(2025, 3, 3, 10)) == 0


def test_intervals_are_half_open() -> None:
    cal = BusinessCalendar.from_spec(BERLIN_SPEC)
    opening, closing = local("Europe/Berlin", 2025, 3, 3, 9), local("Europe/Berlin", 2025, 3, 3, 17)
    assert cal.is_open(opening)
    assert not cal.is_open(opening - timedelta(microseconds=1))
    assert cal.is_open(closing - timedelta(microseconds=1))
    assert not cal.is_open(closing)
    assert cal.next_open(closing) == utc(2025, 3, 4, 8)
    assert cal.open_intervals(utc(2025, 3, 3), utc(2025, 3, 5)) == [
        (utc(2025, 3, 3, 8), utc(2025, 3, 3, 16)),
        (utc(2025, 3, 4, 8), utc(2025, 3, 4, 16)),
    ]
    assert cal.open_intervals(utc(2025, 3, 3, 10), utc(2025, 3, 3, 11)) == [
        (utc(2025, 3, 3, 10), utc(2025, 3, 3, 11))
    ]


def test_microsecond_helpers_round_trip() -> None:
    moment = datetime(2025, 3, 3, 10, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Kathmandu"))
    assert from_micros(to_micros(moment)) == moment
    assert seconds_to_micros(0.0000005) == 0  # half to even
    assert seconds_to_micros(0.0000015) == 2
    assert seconds_to_micros(1.25) == 1_250_000


# --- Zones and DST --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        # Kathmandu +05:45: Mon 16:30 + 1 h -> Tue 09:30 NPT.
        ("Asia/Kathmandu", (2025, 3, 3, 16, 30), (2025, 3, 4, 3, 45)),
        # Eucla +08:45 (no DST).
        ("Australia/Eucla", (2025, 3, 3, 16, 30), (2025, 3, 4, 0, 45)),
        # Kolkata +05:30.
        ("Asia/Kolkata", (2025, 3, 3, 16, 30), (2025, 3, 4, 4, 0)),
        # Adelaide: Fri 2025-04-04 16:30 ACDT (+10:30); DST ends Sun; Mon 09:30 ACST (+09:30).
        ("Australia/Adelaide", (2025, 4, 4, 16, 30), (2025, 4, 7, 0, 0)),
    ],
)
def test_offset_zones_keep_local_hours(
    zone: str, start: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    cal = BusinessCalendar.from_spec(
        {"timezone": zone, "hours": {d: ["09:00-17:00"] for d in WEEKDAYS}}
    )
    assert cal.add(local(zone, *start), HOUR) == utc(*expected)


def test_24_7_across_adelaide_dst_end_counts_25_hours_a_day() -> None:
    cal = BusinessCalendar.from_spec({"timezone": "Australia/Adelaide", "hours": "24/7"})
    start = local("Australia/Adelaide", 2025, 4, 5, 12)  # ACDT, 01:30Z
    assert cal.add(start, 24 * HOUR) == utc(2025, 4, 6, 1, 30)  # 11:00 ACST
    day = cal.between(
        local("Australia/Adelaide", 2025, 4, 6, 0), local("Australia/Adelaide", 2025, 4, 7, 0)
    )
    assert day == 25 * HOUR


def test_an_interval_inside_the_gap_vanishes() -> None:
    cal = BusinessCalendar.from_spec(
        {"timezone": "America/New_York", "hours": {"sun": ["02:00-03:00"]}}
    )
    assert cal.open_intervals(utc(2025, 3, 9), utc(2025, 3, 10)) == []  # 02:00 EST = 03:00 EDT
    assert cal.between(utc(2025, 3, 16), utc(2025, 3, 17)) == HOUR
    assert cal.next_open(utc(2025, 3, 9)) == utc(2025, 3, 16, 6)


def test_gap_boundaries_move_forward_and_ambiguous_ones_take_the_first() -> None:
    cal = BusinessCalendar.from_spec(
        {"timezone": "America/New_York", "hours": {"sun": ["01:30-02:30"]}}
    )
    # Spring forward: 02:30 does not exist; fold=0 reads it as EST, i.e. 03:30 EDT = 07:30Z.
    assert cal.open_intervals(utc(2025, 3, 9), utc(2025, 3, 10)) == [
        (utc(2025, 3, 9, 6, 30), utc(2025, 3, 9, 7, 30))
    ]
    # Fall back: 01:30 happens twice; fold=0 is the first (EDT) one, 05:30Z; 02:30 EST = 07:30Z.
    assert cal.open_intervals(utc(2025, 11, 2), utc(2025, 11, 3)) == [
        (utc(2025, 11, 2, 5, 30), utc(2025, 11, 2, 7, 30))
    ]


def test_overnight_interval_on_saturday_runs_into_sunday() -> None:
    cal = BusinessCalendar.from_spec(
        {"timezone": "Australia/Eucla", "hours": {"sat": ["22:00-06:00"]}}
    )
    start = local("Australia/Eucla", 2025, 3, 8, 23)
    assert cal.add(start, 6 * HOUR) == local("Australia/Eucla", 2025, 3, 9, 5)
    assert cal.add(start, 7 * HOUR) == local("Australia/Eucla", 2025, 3, 9, 6)
    assert cal.add(start, 7 * HOUR + 1) == local("Australia/Eucla", 2025, 3, 15, 22, 0, 1)


# --- Holidays, make-up days, overrides ------------------------------------------------


def test_holidays_are_judged_by_the_local_date() -> None:
    tokyo = BusinessCalendar.from_spec(
        {
            "timezone": "Asia/Tokyo",
            "hours": "24/7",
            "holidays": {"country": "JP", "dates": ["2025-01-01"]},
        }
    )
    # 2025-01-01 JST is 2024-12-31 15:00Z .. 2025-01-01 15:00Z.
    assert tokyo.is_open(utc(2024, 12, 31, 14, 59))
    assert not tokyo.is_open(utc(2024, 12, 31, 15))
    assert tokyo.next_open(utc(2024, 12, 31, 15)) == utc(2025, 1, 1, 15)
    assert tokyo.add(utc(2024, 12, 31, 14), 2 * HOUR) == utc(2025, 1, 1, 16)


def test_extra_closed_dates_in_kolkata() -> None:
    cal = BusinessCalendar.from_spec(
        {
            "timezone": "Asia/Kolkata",
            "hours": "24/7",
            "holidays": {"country": "IN", "dates": ["2025-03-04"]},
        }
    )
    assert cal.open_intervals(utc(2025, 3, 3, 12), utc(2025, 3, 5, 12)) == [
        (utc(2025, 3, 3, 12), utc(2025, 3, 3, 18, 30)),
        (utc(2025, 3, 4, 18, 30), utc(2025, 3, 5, 12)),
    ]


CHINA = {
    "timezone": "Asia/Shanghai",
    "hours": {day: ["09:00-12:00", "13:00-18:00"] for day in WEEKDAYS},
    "holidays": {"country": "CN"},
}


def test_china_make_up_working_days_open_with_monday_hours() -> None:
    spec = CalendarSpec.model_validate(CHINA)
    assert date(2025, 1, 26) in spec.make_up_workdays([2025])  # a Sunday, per the holidays data
    cal = BusinessCalendar.from_spec(CHINA)
    assert cal.is_open(local("Asia/Shanghai", 2025, 1, 26, 10))
    assert not cal.is_open(local("Asia/Shanghai", 2025, 1, 26, 12, 30))
    assert cal.add(local("Asia/Shanghai", 2025, 1, 25, 10), HOUR) == utc(2025, 1, 26, 2)
    # Spring Festival 01-28..02-04 closed: Mon 17:30 + 1 h -> Wed 02-05 09:30.
    assert cal.add(local("Asia/Shanghai", 2025, 1, 27, 17, 30), HOUR) == utc(2025, 2, 5, 1, 30)
    # Sat 02-08 is a make-up working day.
    assert cal.add(local("Asia/Shanghai", 2025, 2, 7, 17, 30), HOUR) == utc(2025, 2, 8, 1, 30)


def test_overrides_replace_a_dates_hours() -> None:
    cal = BusinessCalendar.from_spec(
        {
            **BERLIN_SPEC,
            "holidays": {"country": "DE"},
            "overrides": {
                "2025-12-24": ["09:00-12:00"],  # half day
                "2025-12-27": ["10:00-14:00"],  # an extra Saturday
                "2025-12-25": ["20:00-02:00"],  # a holiday night shift, overnight
                "2025-12-29": [],  # closed
            },
        }
    )
    assert cal.open_intervals(utc(2025, 12, 24), utc(2025, 12, 31)) == [
        (utc(2025, 12, 24, 8), utc(2025, 12, 24, 11)),
        (utc(2025, 12, 25, 19), utc(2025, 12, 26, 1)),
        (utc(2025, 12, 27, 9), utc(2025, 12, 27, 13)),
        (utc(2025, 12, 30, 8), utc(2025, 12, 30, 16)),
    ]


def test_touching_intervals_merge_across_days_and_years() -> None:
    cal = calendar(
        {
            "timezone": "America/New_York",
            "hours": {d: ["22:00-06:00", "06:00-08:00"] for d in WEEKDAYS},
        }
    )
    # Wed 2025-12-31 22:00 EST to Thu 2026-01-01 08:00 EST: one stretch over New Year.
    start = local("America/New_York", 2025, 12, 31, 22)
    assert cal.add(start, 10 * HOUR) == local("America/New_York", 2026, 1, 1, 8)
    assert cal.open_intervals(utc(2026, 1, 1, 0), utc(2026, 1, 1, 14)) == [
        (utc(2026, 1, 1, 3), utc(2026, 1, 1, 13))
    ]


def test_24_7_has_no_seam_at_year_boundaries() -> None:
    cal = calendar({"timezone": "Asia/Kathmandu", "hours": "24/7"})
    start = utc(2025, 12, 31, 17)
    assert cal.add(start, 86400) == utc(2026, 1, 1, 17)
    assert cal.open_intervals(utc(2025, 12, 31), utc(2026, 1, 2)) == [
        (utc(2025, 12, 31), utc(2026, 1, 2))
    ]


# --- Horizons ---------------------------------------------------------------------------


def test_deadlines_years_away_and_back_in_time() -> None:
    cal = calendar(BERLIN_SPEC)
    start = local("Europe/Berlin", 2025, 1, 6, 9)
    weeks = 52 * 12
    assert cal.add(start, weeks * 40 * HOUR) == start + timedelta(weeks=weeks - 1, days=4, hours=8)
    assert (
        cal.between(local("Europe/Berlin", 1999, 1, 4, 9), local("Europe/Berlin", 1999, 1, 11, 9))
        == 40 * HOUR
    )
    tuesday = local("Europe/Berlin", 2300, 1, 2, 9)
    assert cal.add(tuesday, HOUR) == local("Europe/Berlin", 2300, 1, 2, 10)
    assert cal.add(tuesday, 9 * HOUR) == local("Europe/Berlin", 2300, 1, 3, 10)


def test_batch_beyond_datetime64_ns_is_an_overflow() -> None:
    cal = calendar(BERLIN_SPEC)
    with pytest.raises(OverflowError):
        cal.add_many(np.array(["2262-04-01T00:00"], dtype="datetime64[ns]"), [365 * 86400.0])


# --- Batch API --------------------------------------------------------------------------


def test_batch_matches_scalar_and_broadcasts() -> None:
    cal = BusinessCalendar.from_spec(CHINA)
    starts = np.array(
        ["2025-01-24T09:30", "2025-01-27T09:59:59.999999", "2025-02-07T10:00"],
        dtype="datetime64[us]",
    )
    seconds = np.array([0.0, 3600.5, 86400.0])
    found = cal.add_many(starts, seconds)
    assert found.dtype == np.dtype("datetime64[ns]")
    for start, secs, result in zip(starts.tolist(), seconds.tolist(), found.tolist(), strict=True):
        scalar = cal.add(start.replace(tzinfo=UTC), secs)
        assert result == to_micros(scalar) * 1000
    one_start = cal.add_many(starts[:1], seconds)
    assert one_start.shape == (3,)
    assert cal.between_many(starts, found).tolist() == seconds.tolist()
    assert cal.between_many(found, starts).tolist() == [0.0, 0.0, 0.0]
    assert cal.add_many(starts[:0], seconds[:0]).shape == (0,)


def test_batch_rejects_bad_input() -> None:
    cal = BusinessCalendar.from_spec(CHINA)
    with pytest.raises(TypeError):
        cal.add_many(np.array([1.0]), [1.0])
    with pytest.raises(ValueError, match="NaT"):
        cal.add_many(np.array(["NaT"], dtype="datetime64[ns]"), [1.0])
    with pytest.raises(ValueError, match="finite"):
        cal.add_many(np.array(["2025-01-01"], dtype="datetime64[ns]"), [-1.0])


# --- Independence from the process time zone -----------------------------------------


@pytest.fixture
def restore_tz() -> Iterator[None]:
    saved = os.environ.get("TZ")
    yield
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


def _sample(spec: Mapping[str, object]) -> list[object]:
    cal = calendar(spec)
    starts = [
        utc(2025, month, 3 + month, hour) for month in range(1, 13) for hour in (0, 7, 13, 22)
    ]
    batch = cal.add_many(
        np.array([s.replace(tzinfo=None) for s in starts], dtype="datetime64[us]"), 5 * HOUR
    )
    return [
        [cal.add(s, 5 * HOUR) for s in starts],
        [cal.next_open(s) for s in starts],
        [cal.between(s, s + timedelta(days=3)) for s in starts],
        batch.tolist(),
    ]


@pytest.mark.usefixtures("restore_tz")
def test_results_do_not_depend_on_the_process_tz() -> None:
    specs = [BERLIN_SPEC, CHINA, {"timezone": "Australia/Eucla", "hours": {"sun": ["22:00-06:00"]}}]
    reference = [_sample(spec) for spec in specs]
    for zone in ("Asia/Kathmandu", "America/New_York", "Australia/Adelaide", "UTC"):
        os.environ["TZ"] = zone
        time.tzset()
        assert [_sample(spec) for spec in specs] == reference
