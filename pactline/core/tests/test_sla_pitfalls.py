"""The clock pitfalls of reference/sla-engines.md section 4, each with its exact instant.

Calendar B = Berlin Mon-Fri 09:00-17:00; all instants below are asserted in UTC (CET = +1).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pactline.core.calendar import BusinessCalendar
from pactline.core.sla import (
    CaseEvent,
    ClockDefinition,
    ClockEvent,
    ClockWarning,
    consumed,
    due_at,
    evaluate,
    next_event_at,
)

BERLIN = ZoneInfo("Europe/Berlin")
HOUR = 3600
B = BusinessCalendar.from_spec(
    {
        "timezone": "Europe/Berlin",
        "hours": {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
)
ALWAYS = BusinessCalendar.always("Europe/Berlin")


def cet(day: int, hour: int, minute: int = 0) -> datetime:
    """2025-03-``day`` in Berlin (CET until the 30th)."""
    return datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def created(at: datetime, priority: str = "P3", status: str = "open") -> CaseEvent:
    return CaseEvent(at, "created", priority=priority, status=status)


def status(at: datetime, value: str) -> CaseEvent:
    return CaseEvent(at, "status_change", status=value)


RESOLUTION_8H = ClockDefinition(
    key="resolution",
    metric="resolution",
    targets={"P3": 8 * HOUR},
    calendar=B,
    pause_statuses=frozenset({"pending"}),
)


def test_p11_pause_while_waiting_on_the_customer() -> None:
    pause = (cet(3, 11), cet(4, 14))
    assert due_at(B, start=cet(3, 10), target_seconds=8 * HOUR, pauses=[pause]) == utc(5, 12)
    events = [created(cet(3, 10)), status(cet(3, 11), "pending"), status(cet(4, 14), "open")]
    (state,) = evaluate([RESOLUTION_8H], events, now=cet(4, 15))
    assert state.due_at == utc(5, 12)  # Wed 13:00 CET
    assert state.consumed == 2 * HOUR  # Mon 10-11, Tue 14-15
    assert state.state == "running"


def test_p12_pause_outside_business_hours_does_not_move_the_deadline() -> None:
    pause = (cet(3, 18), cet(4, 8))
    assert due_at(B, start=cet(3, 10), target_seconds=8 * HOUR, pauses=[pause]) == utc(4, 9)
    assert due_at(B, start=cet(3, 10), target_seconds=8 * HOUR) == utc(4, 9)  # Tue 10:00 CET


def test_p13_resolving_from_paused_closes_the_pause_first() -> None:
    events = [created(cet(3, 10)), status(cet(3, 11), "pending"), CaseEvent(cet(5, 10), "resolve")]
    (state,) = evaluate([RESOLUTION_8H], events, now=cet(6, 10))
    assert state.consumed == HOUR  # Mon 10:00-11:00 only
    assert state.state == "met"
    assert state.met_at == utc(5, 9)
    assert consumed(B, start=cet(3, 10), until=cet(5, 10), pauses=[(cet(3, 11), None)]) == HOUR


def test_p13_pause_and_resolve_in_the_same_instant() -> None:
    events = [
        created(cet(3, 10)),
        status(cet(3, 11), "pending"),
        CaseEvent(cet(3, 11), "resolve", status="resolved"),
    ]
    (state,) = evaluate([RESOLUTION_8H], events, now=cet(7, 10))
    assert (state.state, state.consumed, state.stopped_at) == ("met", HOUR, utc(3, 10))


FIRST_RESPONSE = ClockDefinition(
    key="frt",
    metric="first_response",
    targets={"P3": 8 * HOUR, "P1": HOUR},
    calendar=B,
    warnings=(ClockWarning(fraction=0.75), ClockWarning(before_seconds=600)),
)


def test_p15_raised_priority_retargets_from_the_original_start() -> None:
    events = [
        created(cet(3, 9), priority="P3"),
        CaseEvent(cet(3, 11), "priority_change", priority="P1"),
    ]
    (before,) = evaluate([FIRST_RESPONSE], events, now=cet(3, 10, 59))
    assert before.state == "running"
    assert before.past_events == ()
    assert before.next_event_at == utc(3, 14)  # 75 % of 8 h: Mon 15:00 CET

    (state,) = evaluate([FIRST_RESPONSE], events, now=cet(3, 11))
    assert state.due_at == utc(3, 9)  # Mon 10:00 CET
    assert state.state == "breached"
    assert state.breached_at == utc(3, 9)
    breaches = [event for event in state.past_events if event.kind == "breach"]
    assert breaches == [ClockEvent("breach", 0, utc(3, 9), 1, retroactive=True, suppressed=False)]
    assert state.events_to_send == tuple(breaches)  # the past warnings are not sent
    assert {(e.level, e.suppressed) for e in state.past_events if e.kind == "warning"} == {
        (1, True),
        (2, True),
    }
    assert state.next_event_at is None
    # Evaluated again later (the clock loop runs again): the same single breach.
    (later,) = evaluate([FIRST_RESPONSE], events, now=cet(4, 12))
    assert later.past_events == state.past_events


def test_p16_reopen_resume_continues_the_consumed_time() -> None:
    events = [created(cet(3, 9)), CaseEvent(cet(3, 15), "resolve"), CaseEvent(cet(5, 10), "reopen")]
    first, second = evaluate([RESOLUTION_8H], events, now=cet(5, 10))
    assert (first.cycle, first.state, first.consumed, first.met_at) == (
        1,
        "met",
        6 * HOUR,
        utc(3, 14),
    )
    assert (second.cycle, second.state, second.due_at) == (2, "running", utc(5, 11))  # Wed 12:00
    assert second.remaining == 2 * HOUR


def test_p16_reopen_new_cycle_starts_a_fresh_target() -> None:
    definition = ClockDefinition(
        key="resolution",
        metric="resolution",
        targets={"P3": 8 * HOUR},
        calendar=B,
        reopen_policy="new_cycle",
    )
    events = [created(cet(3, 9)), CaseEvent(cet(3, 15), "resolve"), CaseEvent(cet(5, 10), "reopen")]
    first, second = evaluate([definition], events, now=cet(6, 12))
    assert (first.cycle, first.state) == (1, "met")
    assert (second.cycle, second.due_at, second.consumed) == (
        2,
        utc(6, 9),
        10 * HOUR,
    )  # due Thu 10:00
    assert second.state == "breached"  # still unresolved after Thu 10:00 CET
    assert first.state == "met"  # the earlier cycle keeps its result


def test_p21_next_response_stops_when_resolved_without_a_reply() -> None:
    next_response = ClockDefinition(
        key="nrt", metric="next_response", targets={"P3": HOUR}, calendar=ALWAYS
    )
    events = [
        created(cet(3, 9)),
        CaseEvent(cet(3, 9, 30), "agent_reply", author="human"),
        CaseEvent(cet(3, 11), "customer_message"),
        CaseEvent(cet(3, 11, 5), "resolve"),
    ]
    (state,) = evaluate([next_response], events, now=cet(3, 12))
    assert state.state == "stopped"
    assert state.breached_at is None
    assert state.past_events == ()
    assert state.next_event_at is None


def test_p23_first_response_is_not_overridden_by_a_shorter_update_target() -> None:
    definitions = [
        ClockDefinition(
            key="frt", metric="first_response", targets={"P3": 4 * HOUR}, calendar=ALWAYS
        ),
        ClockDefinition(
            key="update", metric="periodic_update", targets={"P3": HOUR}, calendar=ALWAYS
        ),
    ]
    states = evaluate(definitions, [created(cet(3, 9))], now=cet(3, 9, 30))
    assert [(s.key, s.due_at) for s in states] == [("frt", utc(3, 12))]  # 13:00 CET
    assert next_event_at(states) == utc(3, 12)


def test_p24_results_stay_measured_under_the_pinned_definitions() -> None:
    v1 = ClockDefinition(
        key="resolution", metric="resolution", targets={"P3": 4 * HOUR}, calendar=ALWAYS
    )
    v2 = ClockDefinition(
        key="resolution", metric="resolution", targets={"P3": 2 * HOUR}, calendar=ALWAYS
    )
    events = [created(cet(3, 9)), CaseEvent(cet(3, 11, 30), "resolve")]
    (pinned,) = evaluate([v1], events, now=cet(10, 9))
    assert (pinned.state, pinned.consumed, pinned.met_at) == ("met", 2.5 * HOUR, utc(3, 10, 30))
    # Re-measuring under v2 is a different, explicit computation; v1's result is unchanged.
    (recomputed,) = evaluate([v2], events, now=cet(10, 9))
    assert recomputed.state == "breached"
    assert evaluate([v1], events, now=cet(10, 9)) == [pinned]
