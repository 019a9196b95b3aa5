"""Clock targets in whole business days (``ClockDefinition.target_days``), exact UTC instants.

Calendar B = Berlin Mon-Fri 09:00-17:00 (reference/sla-engines.md section 4); CET = UTC+1
throughout March 2025 before the 30th. See :mod:`pactline.core.sla.clocks` for the semantics.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pactline.core.agreement import ClockMetric, parse_agreement
from pactline.core.calendar import BusinessCalendar
from pactline.core.sla import (
    CaseEvent,
    ClockDefinition,
    ClockEvent,
    ClockState,
    ClockWarning,
    ReopenPolicy,
    evaluate,
)
from pactline.core.tests.agreement_samples import example_text
from pactline.core.tests.test_calendar_properties import CALENDARS, instants

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
B = BusinessCalendar.from_spec(
    {
        "timezone": "Europe/Berlin",
        "hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
)


def cet(day: int, hour: int, minute: int = 0) -> datetime:
    """2025-03-``day`` in Berlin (CET)."""
    return datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)


def utc(day: int, hour: int, minute: int = 0, *, month: int = 3, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def created(at: datetime, priority: str = "normal", status: str = "open") -> CaseEvent:
    return CaseEvent(at, "created", priority=priority, status=status)


def status(at: datetime, value: str) -> CaseEvent:
    return CaseEvent(at, "status_change", status=value)


def resolve(at: datetime) -> CaseEvent:
    return CaseEvent(at, "resolve", status="resolved")


def reopen(at: datetime) -> CaseEvent:
    return CaseEvent(at, "reopen", status="open")


def resolution(
    days: int = 1,
    *,
    calendar: BusinessCalendar = B,
    reopen_policy: ReopenPolicy = "resume",
    warnings: tuple[ClockWarning, ...] = (),
) -> ClockDefinition:
    return ClockDefinition(
        key="resolution",
        metric="resolution",
        calendar=calendar,
        targets={"urgent": 2 * HOUR},
        target_days={"normal": days},
        pause_statuses=frozenset({"pending"}),
        reopen_policy=reopen_policy,
        warnings=warnings,
    )


def only(states: list[ClockState]) -> ClockState:
    assert len(states) == 1
    return states[0]


# --- P19, P20: the unit and the day boundaries ------------------------------------------


def test_p19_one_day_of_business_time_and_one_business_day_side_by_side() -> None:
    start = cet(3, 9)  # Mon 09:00 CET
    day_of_business_time = ClockDefinition(
        key="hours", metric="resolution", calendar=B, targets={"normal": 24 * HOUR}
    )
    business_day = resolution(1)
    hours, days = evaluate([day_of_business_time, business_day], [created(start)], now=start)
    assert (hours.due_at, hours.target_seconds, hours.target_days) == (
        utc(5, 16),  # Wed 17:00 CET: 24 h of business time
        24 * HOUR,
        None,
    )
    assert (days.due_at, days.target_seconds, days.target_days) == (
        utc(4, 8),  # Tue 09:00 CET: 1 business day
        8 * HOUR,  # the day converted into business seconds (Mon 09-17)
        1,
    )
    assert days.next_event_at == utc(4, 8)


def test_p19_a_business_day_lasts_through_the_closed_night() -> None:
    events = [created(cet(3, 9))]
    evening = only(evaluate([resolution(1)], events, now=cet(3, 18)))
    # The 8 business hours are used up at Mon 17:00, but the day runs until Tue 09:00.
    assert (evening.state, evening.consumed, evening.remaining) == ("running", 8 * HOUR, 0)
    assert (evening.due_at, evening.next_event_at, evening.past_events) == (
        utc(4, 8),
        utc(4, 8),
        (),
    )
    in_time = only(evaluate([resolution(1)], [*events, resolve(cet(3, 18))], now=cet(4, 12)))
    assert (in_time.state, in_time.met_at) == ("met", utc(3, 17))
    at_deadline = only(evaluate([resolution(1)], [*events, resolve(cet(4, 9))], now=cet(4, 12)))
    assert at_deadline.state == "met"  # a goal at the deadline instant is in time
    late = only(evaluate([resolution(1)], events, now=cet(4, 9, 30)))
    assert (late.state, late.breached_at) == ("breached", utc(4, 8))
    assert late.past_events == (ClockEvent("breach", 0, utc(4, 8), 1),)


def test_p20_excluded_days_extend_a_day_target() -> None:
    saturday = cet(8, 10)
    events = [created(saturday)]
    opened = only(evaluate([resolution(3)], events, now=saturday))
    assert opened.due_at == utc(13, 8)  # Thu 2025-03-13 09:00 CET: after Mon, Tue, Wed
    assert opened.due_at >= utc(12, 16)  # no earlier than the end of Wed
    assert (opened.target_seconds, opened.target_days) == (3 * 8 * HOUR, 3)
    monday = only(evaluate([resolution(3)], events, now=cet(10, 17)))
    assert (monday.state, monday.past_events, monday.consumed) == ("running", (), 8 * HOUR)
    wednesday_night = only(evaluate([resolution(3)], events, now=cet(12, 23)))
    assert (wednesday_night.state, wednesday_night.remaining) == ("running", 0)
    thursday = only(evaluate([resolution(3)], events, now=cet(13, 9)))
    assert (thursday.state, thursday.breached_at) == ("breached", utc(13, 8))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (cet(3, 13), 1, utc(4, 12)),  # mid-day: the same position a day later, Tue 13:00
        (cet(3, 16, 59), 1, utc(4, 15, 59)),  # the last minute of Monday: Tue 16:59
        (cet(3, 17), 1, utc(5, 8)),  # Monday's closing is outside working time: Wed 09:00
        (cet(3, 7), 1, utc(4, 8)),  # before the opening: counts from Mon 09:00
        (cet(7, 15), 1, utc(10, 14)),  # Fri 15:00 -> Mon 15:00
        (cet(7, 20), 2, utc(12, 8)),  # Fri evening -> Mon, Tue -> Wed 09:00
    ],
)
def test_start_outside_working_time_and_at_the_end_of_a_day(
    start: datetime, days: int, due: datetime
) -> None:
    assert B.add_business_days(start, days) == due
    state = only(evaluate([resolution(days)], [created(start)], now=start))
    assert state.due_at == due
    assert state.target_seconds == B.between(start, due)


# --- Pauses and warnings ----------------------------------------------------------------


def test_a_pause_extends_a_day_target_in_business_time() -> None:
    # Like P11: created Mon 10:00, 1 business day (8 h, due Tue 10:00 without a pause);
    # pending Mon 11:00 -> Tue 14:00: 1 h used, 7 h left from Tue 14:00 -> Wed 13:00 CET.
    events = [created(cet(3, 10)), status(cet(3, 11), "pending"), status(cet(4, 14), "open")]
    plain = only(evaluate([resolution(1)], events[:1], now=cet(3, 10)))
    assert plain.due_at == utc(4, 9)
    paused = only(evaluate([resolution(1)], events[:2], now=cet(3, 12)))
    assert (paused.state, paused.due_at, paused.next_event_at) == ("paused", None, None)
    state = only(evaluate([resolution(1)], events, now=cet(4, 14)))
    assert (state.state, state.due_at, state.consumed) == ("running", utc(5, 12), HOUR)
    assert (state.target_seconds, state.target_days) == (8 * HOUR, 1)


def test_a_pause_over_the_next_opening_holds_a_day_deadline() -> None:
    # Mon 09:00 + 1 business day: the 8 h run out at Mon 17:00, the deadline is Tue 09:00.
    # A pause from Mon 18:00 to Tue 11:00 covers that opening: the clock next runs at 11:00.
    events = [created(cet(3, 9)), status(cet(3, 18), "pending"), status(cet(4, 11), "open")]
    held = only(evaluate([resolution(1)], events[:2], now=cet(4, 10)))
    assert (held.state, held.due_at, held.past_events) == ("paused", None, ())
    state = only(evaluate([resolution(1)], events, now=cet(4, 11)))
    assert (state.due_at, state.remaining) == (utc(4, 10), 0)
    # A pause entirely in closed time moves nothing (P12).
    night = [created(cet(3, 9)), status(cet(3, 18), "pending"), status(cet(4, 8), "open")]
    assert only(evaluate([resolution(1)], night, now=cet(4, 8))).due_at == utc(4, 8)


def test_warnings_apply_to_the_converted_target() -> None:
    warnings = (ClockWarning(fraction=0.75), ClockWarning(before_seconds=HOUR))
    definition = resolution(1, warnings=warnings)
    events = [created(cet(3, 10)), status(cet(3, 11), "pending"), status(cet(4, 14), "open")]
    state = only(evaluate([definition], events, now=cet(4, 14)))
    # 8 h target: 75 % = 6 h used (1 h Mon + 3 h Tue + 2 h Wed) -> Wed 11:00 CET;
    # 1 h before the deadline = 7 h used -> Wed 12:00 CET; breach Wed 13:00 CET.
    assert state.warnings_due == ((1, utc(5, 10)), (2, utc(5, 11)))
    assert state.due_at == utc(5, 12)
    # Unpaused from Mon 09:00: the warnings are plain business time from the start.
    morning = only(evaluate([definition], [created(cet(3, 9))], now=cet(3, 9)))
    assert morning.warnings_due == ((1, utc(3, 14)), (2, utc(3, 15)))
    assert morning.due_at == utc(4, 8)


# --- Priority changes and reopening -----------------------------------------------------


def test_priority_change_from_a_day_target_to_a_seconds_target() -> None:
    # Created Mon 09:00 as normal (1 business day: Tue 09:00); urgent (2 h) at 12:00:
    # re-targeted from the original start, due Mon 11:00: one retroactive breach.
    events = [created(cet(3, 9)), CaseEvent(cet(3, 12), "priority_change", priority="urgent")]
    before = only(evaluate([resolution(1)], events, now=cet(3, 11, 59)))
    assert (before.target_days, before.due_at) == (1, utc(4, 8))
    state = only(evaluate([resolution(1)], events, now=cet(3, 12)))
    assert (state.priority, state.target_seconds, state.target_days) == ("urgent", 2 * HOUR, None)
    assert (state.state, state.due_at, state.breached_at) == ("breached", utc(3, 10), utc(3, 10))
    assert state.past_events == (ClockEvent("breach", 0, utc(3, 10), 1, retroactive=True),)


def test_priority_change_from_a_seconds_target_to_a_day_target() -> None:
    # Created Mon 09:00 as urgent (2 h: Mon 11:00); normal (2 business days) at 10:00:
    # measured from the original start, due Wed 09:00 CET, 16 business hours.
    events = [
        created(cet(3, 9), priority="urgent"),
        CaseEvent(cet(3, 10), "priority_change", priority="normal"),
    ]
    state = only(evaluate([resolution(2)], events, now=cet(3, 12)))
    assert (state.priority, state.target_days, state.target_seconds) == ("normal", 2, 16 * HOUR)
    assert (state.state, state.due_at, state.next_event_at) == ("running", utc(5, 8), utc(5, 8))
    assert state.past_events == ()


@pytest.mark.parametrize(
    ("policy", "reopened", "due", "target"),
    [
        ("resume", cet(5, 10), utc(5, 11), 8 * HOUR),  # 2 h left of the run: Wed 12:00
        ("resume", cet(5, 15), utc(6, 8), 8 * HOUR),  # used up at Wed 17:00: Thu 09:00
        ("new_cycle", cet(5, 10), utc(6, 9), 8 * HOUR),  # a new business day: Thu 10:00
        ("new_cycle", cet(5, 20), utc(7, 8), 8 * HOUR),  # from Thu 09:00: Fri 09:00
    ],
)
def test_reopen_with_a_day_target(
    policy: ReopenPolicy, reopened: datetime, due: datetime, target: float
) -> None:
    # P16 with a day target: created Mon 09:00 (1 business day), solved Mon 15:00 (6 h used).
    events = [created(cet(3, 9)), resolve(cet(3, 15)), reopen(reopened)]
    first, second = evaluate([resolution(1, reopen_policy=policy)], events, now=reopened)
    assert (first.state, first.due_at) == ("met", utc(4, 8))
    assert (second.cycle, second.state, second.due_at) == (2, "running", due)
    assert (second.target_seconds, second.target_days) == (target, 1)


def test_resume_converts_the_day_target_at_the_runs_first_start() -> None:
    # Saturdays 09:00-13:00 besides B's hours. Created Fri 16:00, 1 business day: the same
    # position (7 h in) on Saturday, at most its end: Sat 13:00 CET, 5 business hours.
    calendar = BusinessCalendar.from_spec(
        {
            "timezone": "Europe/Berlin",
            "hours": {
                **{d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
                "sat": ["09:00-13:00"],
            },
        }
    )
    definition = resolution(1, calendar=calendar)
    events = [created(cet(7, 16)), resolve(cet(7, 16, 30)), reopen(cet(10, 10))]
    first, second = evaluate([definition], events, now=cet(10, 10))
    assert (first.state, first.due_at, first.target_seconds) == ("met", utc(8, 12), 5 * HOUR)
    # Reopened Mon 10:00: 4.5 h left of the run's 5 h -> Mon 14:30 CET (a day converted
    # from Monday would be 8 h).
    assert (second.target_seconds, second.consumed, second.due_at) == (
        5 * HOUR,
        HOUR / 2,
        utc(10, 13, 30),
    )


# --- Other calendars and agreements -----------------------------------------------------


def test_china_make_up_working_days_count_as_business_days() -> None:
    china = BusinessCalendar.from_spec(
        {
            "timezone": "Asia/Shanghai",
            "hours": {d: ["09:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": {"country": "CN"},
        }
    )
    shanghai = ZoneInfo("Asia/Shanghai")
    # Fri 2025-02-07 10:00 CST + 1 business day: Sat 02-08 is a make-up working day (调休).
    friday = datetime(2025, 2, 7, 10, tzinfo=shanghai)
    state = only(evaluate([resolution(1, calendar=china)], [created(friday)], now=friday))
    assert (state.due_at, state.target_seconds) == (utc(8, 2, month=2), 9 * HOUR)
    # Fri 2025-01-24 09:00 + 2: Sat closed, Sun 01-26 make-up, then Mon 01-27 09:00 CST.
    opening = datetime(2025, 1, 24, 9, tzinfo=shanghai)
    state = only(evaluate([resolution(2, calendar=china)], [created(opening)], now=opening))
    assert (state.due_at, state.target_seconds) == (utc(27, 1, month=1), 18 * HOUR)
    # Mon 01-27 10:00 + 1: Spring Festival 01-28..02-04 closed -> Wed 02-05 10:00 CST.
    monday = datetime(2025, 1, 27, 10, tzinfo=shanghai)
    state = only(evaluate([resolution(1, calendar=china)], [created(monday)], now=monday))
    assert state.due_at == utc(5, 2, month=2)


def test_from_metric_maps_business_days_of_the_general_outsourcing_example() -> None:
    document = parse_agreement(example_text("general-outsourcing.yaml"))
    metric = document.service_levels["email"]["resolution"]
    assert isinstance(metric, ClockMetric)
    business = BusinessCalendar.from_spec(document.calendars["business"])
    definition = ClockDefinition.from_metric("email.resolution", metric, business)
    assert dict(definition.target_days) == {"critical": 1, "high": 2, "normal": 3, "low": 5}
    assert dict(definition.targets) == {}
    assert definition.calendar is business
    assert definition.pause_statuses == frozenset({"pending_customer", "pending_client"})
    assert definition.reopen_policy == "resume"
    new_york = ZoneInfo("America/New_York")
    opened = datetime(2026, 3, 2, 9, tzinfo=new_york)  # Mon 09:00 EST, one hour into the day
    events = [created(opened)]
    state = only(evaluate([definition], events, now=opened))
    # Three working days later at the same position: Thu 2026-03-05 09:00 EST = 14:00Z.
    assert (state.due_at, state.target_days) == (utc(5, 14, year=2026), 3)
    assert state.target_seconds == 3 * 12 * HOUR  # Mon-Fri 08:00-20:00
    # low = 5: Tue, Wed, Thu, Fri, then Saturday (09:00-17:00) one hour in: Sat 10:00 EST.
    low = [created(opened, priority="low")]
    state = only(evaluate([definition], low, now=opened))
    assert state.due_at == utc(7, 15, year=2026)
    assert state.target_seconds == 11 * HOUR + 4 * 12 * HOUR + HOUR
    # Waiting on the customer for a business hour moves the normal deadline an hour on.
    paused = [
        *events,
        status(datetime(2026, 3, 3, 10, tzinfo=new_york), "pending_customer"),
        status(datetime(2026, 3, 3, 11, tzinfo=new_york), "open"),
    ]
    state = only(evaluate([definition], paused, now=datetime(2026, 3, 3, 12, tzinfo=new_york)))
    assert state.due_at == utc(5, 15, year=2026)


# --- Properties ------------------------------------------------------------------------


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.sampled_from(sorted(CALENDARS)),
    instants,
    st.integers(min_value=1, max_value=30),
    instants,
    st.integers(min_value=0, max_value=5 * 86_400),
)
def test_a_day_target_is_due_at_add_business_days_and_pauses_only_delay_it(
    name: str, start: datetime, days: int, pause_from: datetime, pause_seconds: int
) -> None:
    calendar = CALENDARS[name]
    definition = resolution(days, calendar=calendar)
    plain = only(evaluate([definition], [created(start)], now=start))
    due = calendar.add_business_days(start, days)
    assert (plain.due_at, plain.target_days) == (due, days)
    assert plain.target_seconds == calendar.between(start, due)
    pause_until = pause_from + timedelta(seconds=pause_seconds)
    if not start < pause_from < pause_until:
        return
    events = [created(start), status(pause_from, "pending"), status(pause_until, "open")]
    paused = only(evaluate([definition], events, now=pause_until))
    assert paused.due_at is not None and paused.due_at >= due
    assert paused.target_seconds == plain.target_seconds


# --- The definition ----------------------------------------------------------------------


def test_a_priority_has_a_target_in_seconds_or_in_days_not_both() -> None:
    with pytest.raises(ValueError, match="both seconds and days"):
        ClockDefinition(
            "r", "resolution", calendar=B, targets={"normal": HOUR}, target_days={"normal": 1}
        )
    for bad in (0, -1, True, 1.5):
        days: dict[str, Any] = {"normal": bad}
        with pytest.raises(ValueError, match="whole number of days"):
            ClockDefinition("r", "resolution", calendar=B, target_days=days)
    definition = ClockDefinition("r", "resolution", calendar=B, target_days={"normal": 2})
    assert (dict(definition.targets), dict(definition.target_days)) == ({}, {"normal": 2})
    untargeted = only(evaluate([definition], [created(cet(3, 9), "low")], now=cet(3, 9)))
    assert (untargeted.target_seconds, untargeted.target_days, untargeted.due_at) == (
        None,
        None,
        None,
    )
