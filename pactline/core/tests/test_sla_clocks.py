"""evaluate(): clock semantics per metric, pauses, warnings, several clocks, invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pactline.core.agreement.service_levels import FirstResponseMetric
from pactline.core.calendar import BusinessCalendar
from pactline.core.sla import (
    CaseEvent,
    ClockDefinition,
    ClockState,
    ClockWarning,
    evaluate,
    next_event_at,
)

HOUR = 3600
ALWAYS = BusinessCalendar.always()
OFFICE = BusinessCalendar.from_spec(
    {
        "timezone": "Europe/Paris",
        "hours": {d: ["08:00-18:00"] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
)


def at(hour: int, minute: int = 0, day: int = 3) -> datetime:
    """2025-03-``day`` (a Monday for 3) in UTC."""
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


def created(when: datetime, priority: str = "normal", status: str = "open") -> CaseEvent:
    return CaseEvent(when, "created", priority=priority, status=status)


def human(when: datetime) -> CaseEvent:
    return CaseEvent(when, "agent_reply", author="human")


def bot(when: datetime) -> CaseEvent:
    return CaseEvent(when, "agent_reply", author="bot")


def customer(when: datetime) -> CaseEvent:
    return CaseEvent(when, "customer_message")


def clock(metric: str, hours: float = 1, **options: object) -> ClockDefinition:
    return ClockDefinition(
        key=options.pop("key", metric),  # type: ignore[arg-type]
        metric=metric,  # type: ignore[arg-type]
        targets={"normal": hours * HOUR, "urgent": HOUR / 2},
        calendar=options.pop("calendar", ALWAYS),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


# --- first response ---------------------------------------------------------------------


def test_first_response_ignores_bot_replies_and_stops_at_a_human_one() -> None:
    events = [created(at(9)), bot(at(9, 1)), human(at(9, 40))]
    (state,) = evaluate([clock("first_response")], events, now=at(12))
    assert (state.state, state.met_at, state.consumed, state.remaining) == (
        "met",
        at(9, 40),
        2400.0,
        1200.0,
    )
    assert state.stopped_by == "goal"


def test_first_response_breaches_at_the_deadline_exactly_once() -> None:
    events = [created(at(9)), bot(at(9, 1))]
    (running,) = evaluate([clock("first_response")], events, now=at(9, 59))
    assert (running.state, running.next_event_at, running.due_at) == ("running", at(10), at(10))
    (breached,) = evaluate([clock("first_response")], events, now=at(10))
    assert (breached.state, breached.breached_at, breached.next_event_at) == (
        "breached",
        at(10),
        None,
    )
    assert [(e.kind, e.at, e.retroactive) for e in breached.past_events] == [
        ("breach", at(10), False)
    ]
    (late,) = evaluate([clock("first_response")], [*events, human(at(11))], now=at(12))
    assert (late.state, late.stopped_at, late.met_at, late.remaining) == (
        "breached",
        at(11),
        None,
        -HOUR,
    )


def test_a_reply_at_the_deadline_instant_is_in_time() -> None:
    (state,) = evaluate([clock("first_response")], [created(at(9)), human(at(10))], now=at(10))
    assert state.state == "met"
    assert state.past_events == ()


def test_warnings_fire_in_order_and_the_next_event_is_indexed() -> None:
    definition = clock(
        "first_response",
        hours=4,
        warnings=(ClockWarning(fraction=0.5), ClockWarning(before_seconds=900)),
    )
    events = [created(at(9))]
    (state,) = evaluate([definition], events, now=at(10))
    assert state.warnings_due == ((1, at(11)), (2, at(12, 45)))
    assert state.next_event_at == at(11)
    (state,) = evaluate([definition], events, now=at(12))
    assert [(e.kind, e.level, e.at, e.suppressed) for e in state.past_events] == [
        ("warning", 1, at(11), False)
    ]
    assert state.next_event_at == at(12, 45)
    (state,) = evaluate([definition], events, now=at(14))
    assert [(e.kind, e.level) for e in state.events_to_send] == [
        ("warning", 1),
        ("warning", 2),
        ("breach", 0),
    ]


def test_resolving_before_the_first_response_stops_it_and_reopening_resumes() -> None:
    events = [created(at(9)), CaseEvent(at(9, 30), "resolve"), CaseEvent(at(11), "reopen")]
    first, second = evaluate([clock("first_response")], events, now=at(11, 10))
    assert (first.state, first.stopped_by, first.consumed) == ("stopped", "resolve", 1800.0)
    assert (second.cycle, second.started_at, second.consumed, second.due_at) == (
        2,
        at(11),
        2400.0,
        at(11, 30),
    )
    fresh = clock("first_response", reopen_policy="new_cycle")
    _, renewed = evaluate([fresh], events, now=at(11, 10))
    assert (renewed.consumed, renewed.due_at) == (600.0, at(12))


def test_a_replied_case_does_not_restart_its_first_response_on_reopen() -> None:
    events = [
        created(at(9)),
        human(at(9, 10)),
        CaseEvent(at(9, 30), "resolve"),
        CaseEvent(at(11), "reopen"),
    ]
    states = evaluate([clock("first_response", reopen_policy="new_cycle")], events, now=at(13))
    assert [(s.cycle, s.state) for s in states] == [(1, "met")]


# --- next response ----------------------------------------------------------------------


def test_next_response_runs_from_the_oldest_unanswered_message() -> None:
    events = [
        created(at(9)),
        customer(at(9, 5)),  # before the first human reply: first response's job
        human(at(9, 20)),
        customer(at(10)),
        customer(at(10, 30)),
        bot(at(10, 31)),  # does not answer
        human(at(10, 50)),
        customer(at(12)),
    ]
    states = evaluate([clock("next_response")], events, now=at(13, 30))
    assert [(s.cycle, s.started_at, s.state) for s in states] == [
        (1, at(10), "met"),
        (2, at(12), "breached"),
    ]
    assert states[0].consumed == 50 * 60
    assert states[1].breached_at == at(13)


def test_next_response_unanswered_at_resolve_resumes_on_reopen() -> None:
    events = [
        created(at(9)),
        human(at(9, 10)),
        customer(at(10)),
        CaseEvent(at(10, 20), "resolve"),
        customer(at(11)),  # while resolved: the case reopens on it
        CaseEvent(at(11), "reopen"),
    ]
    first, second = evaluate([clock("next_response")], events, now=at(11, 10))
    assert (first.state, first.consumed) == ("stopped", 1200.0)
    assert (second.started_at, second.consumed, second.due_at) == (at(11), 1800.0, at(11, 40))


def test_next_response_for_a_message_while_resolved_starts_at_reopen() -> None:
    events = [
        created(at(9)),
        human(at(9, 10)),
        CaseEvent(at(9, 20), "resolve"),
        customer(at(10)),
        CaseEvent(at(10, 30), "reopen"),
    ]
    (state,) = evaluate([clock("next_response")], events, now=at(10, 40))
    assert (state.cycle, state.started_at, state.due_at) == (1, at(10, 30), at(11, 30))


# --- periodic update --------------------------------------------------------------------


def test_periodic_update_restarts_after_each_human_reply() -> None:
    events = [
        created(at(9)),
        human(at(9, 30)),
        bot(at(10)),
        human(at(10, 15)),
        CaseEvent(at(12), "resolve"),
    ]
    states = evaluate([clock("periodic_update")], events, now=at(13))
    assert [(s.cycle, s.started_at, s.state) for s in states] == [
        (1, at(9, 30), "met"),
        (2, at(10, 15), "breached"),
    ]
    assert states[1].breached_at == at(11, 15)
    assert states[1].stopped_by == "resolve"


# --- resolution, pauses, several clocks -------------------------------------------------


def test_a_paused_clock_has_no_next_event_until_it_resumes() -> None:
    definition = clock(
        "resolution",
        hours=2,
        pause_statuses=frozenset({"pending", "on_hold"}),
        warnings=(ClockWarning(fraction=0.5),),
    )
    events = [
        created(at(9)),
        CaseEvent(at(9, 30), "status_change", status="pending"),
        CaseEvent(at(10), "status_change", status="on_hold"),  # still paused
        CaseEvent(at(11), "status_change", status="open"),
    ]
    (paused,) = evaluate([definition], events, now=at(10, 30))
    assert (paused.state, paused.due_at, paused.next_event_at, paused.consumed) == (
        "paused",
        None,
        None,
        1800.0,
    )
    assert paused.warnings_due == ()
    (running,) = evaluate([definition], events, now=at(11, 10))
    assert (running.state, running.due_at, running.next_event_at) == (
        "running",
        at(12, 30),
        at(11, 30),
    )


def test_an_sla_and_an_internal_ola_run_side_by_side() -> None:
    sla = clock("first_response", hours=8, key="client_frt", calendar=OFFICE)
    ola = clock("first_response", hours=2, key="team_frt", calendar=ALWAYS)
    events = [created(datetime(2025, 3, 7, 16, tzinfo=UTC))]  # Friday 17:00 in Paris
    states = evaluate([sla, ola], events, now=datetime(2025, 3, 7, 16, 30, tzinfo=UTC))
    assert [(s.key, s.due_at) for s in states] == [
        ("client_frt", datetime(2025, 3, 10, 14, tzinfo=UTC)),  # 1 h Fri + 7 h Mon: 15:00 CET
        ("team_frt", datetime(2025, 3, 7, 18, tzinfo=UTC)),
    ]
    assert next_event_at(states) == datetime(2025, 3, 7, 18, tzinfo=UTC)


def test_a_priority_without_a_target_runs_untargeted() -> None:
    events = [
        created(at(9), priority="low"),
        CaseEvent(at(9, 30), "priority_change", priority="urgent"),
    ]
    (untargeted,) = evaluate([clock("resolution")], events, now=at(9, 10))
    assert (untargeted.due_at, untargeted.target_seconds, untargeted.remaining) == (
        None,
        None,
        None,
    )
    assert untargeted.next_event_at is None
    (retargeted,) = evaluate([clock("resolution")], events, now=at(9, 40))
    assert (retargeted.priority, retargeted.due_at, retargeted.next_event_at) == (
        "urgent",
        at(9, 30),
        None,
    )
    assert retargeted.state == "breached"  # 30 min target from the original start: due 09:30
    assert [(e.kind, e.retroactive) for e in retargeted.past_events] == [("breach", False)]


def test_a_breach_stays_recorded_when_the_priority_is_lowered() -> None:
    events = [
        created(at(9), priority="urgent"),
        CaseEvent(at(10), "priority_change", priority="normal"),
        CaseEvent(at(12), "priority_change", priority="urgent"),
    ]
    (state,) = evaluate([clock("resolution", hours=4)], events, now=at(14))
    assert state.state == "breached"
    assert [(e.kind, e.at) for e in state.past_events] == [("breach", at(9, 30))]


def test_events_after_now_and_before_created_are_ignored() -> None:
    assert evaluate([clock("resolution")], [created(at(9))], now=at(8)) == []
    events = [customer(at(8)), created(at(9)), CaseEvent(at(9, 30), "resolve")]
    (state,) = evaluate([clock("resolution")], events, now=at(9, 20))
    assert (state.state, state.consumed) == ("running", 1200.0)


def test_same_instant_events_keep_their_order() -> None:
    events = [created(at(9)), human(at(9, 10)), customer(at(10)), human(at(10))]
    (answered,) = evaluate([clock("next_response")], events, now=at(12))
    assert (answered.state, answered.consumed) == ("met", 0.0)
    reordered = [created(at(9)), human(at(9, 10)), human(at(10)), customer(at(10))]
    (waiting,) = evaluate([clock("next_response")], reordered, now=at(10, 30))
    assert (waiting.state, waiting.started_at) == ("running", at(10))


# --- definitions and events ---------------------------------------------------------------


def test_definition_from_an_agreement_metric() -> None:
    metric = FirstResponseMetric.model_validate(
        {
            "kind": "first_response",
            "target_seconds": {"p1": 3600},
            "target_percent": 90,
            "time_basis": "calendar",
            "pause_statuses": ["pending_customer"],
            "reopen_policy": "new_cycle",
            "warnings": [{"at_percent": Decimal("75")}, {"before_seconds": 600}],
        }
    )
    definition = ClockDefinition.from_metric("frt", metric, OFFICE)
    assert definition.metric == "first_response"
    assert dict(definition.targets) == {"p1": 3600.0}
    assert definition.calendar.spec.always_open
    assert definition.calendar.timezone == "Europe/Paris"
    assert definition.pause_statuses == frozenset({"pending_customer"})
    assert definition.reopen_policy == "new_cycle"
    assert definition.warnings == (ClockWarning(fraction=0.75), ClockWarning(before_seconds=600.0))


@pytest.mark.parametrize(
    "make",
    [
        lambda: CaseEvent(datetime(2025, 3, 3), "created"),
        lambda: CaseEvent(at(9), "agent_reply"),
        lambda: CaseEvent(at(9), "status_change"),
        lambda: CaseEvent(at(9), "priority_change"),
        lambda: CaseEvent(at(9), "escalated"),  # type: ignore[arg-type]
        lambda: ClockWarning(),
        lambda: ClockWarning(before_seconds=60, fraction=0.5),
        lambda: ClockWarning(fraction=1.0),
        lambda: ClockWarning(before_seconds=0),
        lambda: clock("first_response", hours=0),
        lambda: clock("handle_time"),
        lambda: clock("resolution", reopen_policy="sometimes"),
    ],
)
def test_invalid_events_and_definitions_are_rejected(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


# --- Invariants over random case histories --------------------------------------------

START = at(9)
DEFINITIONS = [
    clock(
        metric,
        hours=2,
        key=f"{metric}-{policy}-{name}",
        calendar=calendar,
        reopen_policy=policy,
        pause_statuses=frozenset({"pending"}),
        warnings=(ClockWarning(fraction=0.5), ClockWarning(before_seconds=600)),
    )
    for metric in ("first_response", "next_response", "periodic_update", "resolution")
    for policy in ("resume", "new_cycle")
    for name, calendar in (("always", ALWAYS), ("office", OFFICE))
]

event_specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5 * 24 * 60),
        st.sampled_from(
            [
                "customer",
                "human",
                "bot",
                "pending",
                "open",
                "urgent",
                "normal",
                "low",
                "resolve",
                "reopen",
            ]
        ),
    ),
    max_size=14,
)


def history(specs: list[tuple[int, str]]) -> list[CaseEvent]:
    events = [created(START)]
    for minutes, kind in sorted(specs, key=lambda item: item[0]):
        when = START + timedelta(minutes=minutes)
        if kind == "customer":
            events.append(customer(when))
        elif kind in ("human", "bot"):
            events.append(CaseEvent(when, "agent_reply", author=kind))  # type: ignore[arg-type]
        elif kind in ("pending", "open"):
            events.append(CaseEvent(when, "status_change", status=kind))
        elif kind in ("urgent", "normal", "low"):
            events.append(CaseEvent(when, "priority_change", priority=kind))
        else:
            events.append(CaseEvent(when, kind))  # type: ignore[arg-type]
    return events


def check(state: ClockState, now: datetime) -> None:
    assert state.consumed >= 0
    assert state.next_event_at is None or state.next_event_at > now
    assert all(when > now for _, when in state.warnings_due)
    assert all(event.at <= now for event in state.past_events)
    keys = [(event.kind, event.level) for event in state.past_events]
    assert len(keys) == len(set(keys))
    breaches = [event for event in state.past_events if event.kind == "breach"]
    assert (state.state == "breached") == bool(breaches) == (state.breached_at is not None)
    if state.state == "met":
        assert state.stopped_at is not None
        assert state.due_at is None or state.stopped_at <= state.due_at
        assert state.remaining is None or state.remaining >= -1e-6
    if state.state in ("met", "stopped"):
        assert state.next_event_at is None


@settings(max_examples=120, deadline=None, database=None)
@given(
    event_specs,
    st.integers(min_value=0, max_value=6 * 24 * 60),
    st.integers(min_value=0, max_value=24 * 60),
)
def test_invariants_and_stable_history(
    specs: list[tuple[int, str]], first: int, later: int
) -> None:
    events = history(specs)
    now = START + timedelta(minutes=first)
    then = now + timedelta(minutes=later)
    early = evaluate(DEFINITIONS, events, now=now)
    late = evaluate(DEFINITIONS, events, now=then)
    for state in early:
        check(state, now)
    for state in late:
        check(state, then)
    # What happened by ``now`` stays recorded, identically, when evaluated later.
    later_by_cycle = {(s.key, s.cycle): s for s in late}
    for state in early:
        assert set(state.past_events) <= set(later_by_cycle[(state.key, state.cycle)].past_events)
    assert evaluate(DEFINITIONS, list(events), now=then) == late  # deterministic
