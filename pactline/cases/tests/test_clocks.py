"""Clocks of real cases under the general outsourcing example (email first response:
normal 8 h, critical 1 h on a 24/7 calendar; New York business hours Mon–Fri 08:00–20:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pactline.cases.clocks import clocks_fire_due
from pactline.cases.models import Case, ClockStatus, OperationalLevel, SlaClock, SlaEvent
from pactline.cases.services import (
    case_agent_reply,
    case_open,
    case_resolve,
    case_set_priority,
    case_set_status,
)
from pactline.cases.tests.fixtures import MONDAY_9AM_NY, northwind
from pactline.common.errors import ValidationFailed
from pactline.tenancy.access import system_actor

pytestmark = pytest.mark.django_db

ACTOR = system_actor("test")


def _utc(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _open(priority: str = "normal") -> Case:
    return case_open(
        actor=ACTOR,
        client=northwind(),
        channel="email",
        priority=priority,
        subject="Where is my order?",
        at=MONDAY_9AM_NY,
        now=MONDAY_9AM_NY,
    )


def _first_response(case: Case) -> SlaClock:
    return SlaClock.objects.get(case=case, key="email.first_response", cycle=1)


def _events(case: Case) -> list[tuple[str, int, datetime, bool]]:
    return list(
        SlaEvent.objects.filter(case=case, clock__key="email.first_response")
        .order_by("occurred_at", "kind", "level")
        .values_list("kind", "level", "occurred_at", "suppressed")
    )


def test_opening_a_case_pins_the_version_and_starts_its_clocks() -> None:
    case = _open()
    clock = _first_response(case)
    assert case.agreement_version.agreement.reference == "NWR-CC-2026-001"
    assert clock.state == ClockStatus.RUNNING
    assert clock.target_seconds == 28800
    assert clock.due_at == _utc(22)  # 17:00 EST
    # 75 % of 8 h → 15:00 EST; the ladder's 30 min before → 16:30; the level's 15 min → 16:45
    assert [(e["kind"], e["at"]) for e in clock.schedule] == [
        ("warning", _utc(20).isoformat()),
        ("escalation", _utc(21, 30).isoformat()),
        ("warning", _utc(21, 45).isoformat()),
        ("breach", _utc(22).isoformat()),
        ("escalation", _utc(22).isoformat()),
    ]
    assert clock.next_event_at == _utc(20)


def test_due_events_fire_once_each_even_when_the_loop_runs_again() -> None:
    case = _open()
    first = clocks_fire_due(now=_utc(22, 0))
    again = clocks_fire_due(now=_utc(22, 5))
    assert len(first.events) == 5
    assert again.events == []
    clock = _first_response(case)
    assert clock.state == ClockStatus.BREACHED
    assert clock.breached_at == _utc(22)
    assert clock.next_event_at is None
    assert [(kind, level, at) for kind, level, at, _s in _events(case)] == [
        (
            "warning",
            1,
            _utc(20),
        ),
        ("escalation", 201, _utc(21, 30)),
        ("warning", 2, _utc(21, 45)),
        ("breach", 0, _utc(22)),
        ("escalation", 202, _utc(22)),
    ]


def test_a_human_reply_in_time_meets_the_clock_and_a_bot_reply_does_not() -> None:
    case = _open()
    case_agent_reply(actor=ACTOR, case=case, bot=True, now=_utc(15))
    assert _first_response(case).state == ClockStatus.RUNNING
    case_agent_reply(actor=ACTOR, case=case, now=_utc(16))
    clock = _first_response(case)
    assert clock.state == ClockStatus.MET
    assert clock.met_at == _utc(16)
    assert clock.next_event_at is None
    assert clocks_fire_due(now=_utc(23)).events == []


def test_raising_priority_retargets_from_the_start_and_backdates_one_breach() -> None:
    case = _open()
    case_set_priority(actor=ACTOR, case=case, priority="critical", now=_utc(18))
    clock = _first_response(case)
    # critical: 1 h on the 24/7 calendar from 09:00 EST → due 10:00 EST, already past at 13:00
    assert clock.target_seconds == 3600
    assert clock.calendar == "critical"
    assert clock.state == ClockStatus.BREACHED
    assert clock.breached_at == _utc(15)
    breaches = [e for e in _events(case) if e[0] == "breach"]
    assert breaches == [("breach", 0, _utc(15), False)]
    warnings = [e for e in _events(case) if e[0] == "warning"]
    assert warnings and all(suppressed for *_rest, suppressed in warnings)
    case_set_priority(actor=ACTOR, case=case, priority="high", now=_utc(18, 30))
    assert [e for e in _events(case) if e[0] == "breach"] == breaches


def test_a_paused_clock_has_no_next_event_and_resumes_with_its_budget() -> None:
    case = _open()
    case_set_status(actor=ACTOR, case=case, status="pending_customer", now=_utc(15))
    paused = _first_response(case)
    assert paused.state == ClockStatus.PAUSED
    assert paused.next_event_at is None
    assert paused.consumed_seconds == 3600
    case_set_status(actor=ACTOR, case=case, status="open", now=_utc(17))
    resumed = _first_response(case)
    assert resumed.state == ClockStatus.RUNNING
    assert resumed.due_at == _utc(22) + timedelta(hours=2)


def test_resolving_stops_the_clocks() -> None:
    case = _open()
    case_resolve(actor=ACTOR, case=case, now=_utc(15))
    clock = _first_response(case)
    assert clock.state == ClockStatus.STOPPED
    assert clock.next_event_at is None


def test_a_case_needs_an_agreement_a_channel_and_a_priority_it_names() -> None:
    client = northwind()
    with pytest.raises(ValidationFailed) as raised:
        case_open(actor=ACTOR, client=client, channel="web", priority="urgent", now=MONDAY_9AM_NY)
    assert sorted(e.path for e in raised.value.errors) == ["channel", "priority"]
    with pytest.raises(ValidationFailed) as raised:
        case_open(
            actor=ACTOR,
            client=client,
            channel="email",
            priority="normal",
            at=datetime(2025, 6, 1, tzinfo=UTC),
            now=MONDAY_9AM_NY,
        )
    assert [e.path for e in raised.value.errors] == ["client"]
    assert Case.objects.count() == 0


def test_resolution_in_business_days_runs_as_its_own_unit() -> None:
    case = _open()
    clock = SlaClock.objects.get(case=case, key="email.resolution", cycle=1)
    # 3 business days from Mon 09:00 EST: Thu 09:00 EST, a budget of 3 × 12 h of service hours
    assert clock.due_at == datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
    assert clock.target_seconds == 36 * 3600


def test_an_internal_ola_runs_as_its_own_clock_beside_the_sla() -> None:
    client = northwind()
    OperationalLevel.objects.create(
        client=client,
        name="tier1-first-touch",
        team="Tier 1",
        channel="email",
        metric="first_response",
        targets={"normal": 7200},
    )
    case = _open()
    ola = SlaClock.objects.get(case=case, key="ola.tier1-first-touch")
    assert ola.due_at == _utc(16)  # 2 h of New York business time from 09:00 EST
    assert _first_response(case).due_at == _utc(22)
    tick = clocks_fire_due(now=_utc(16))
    assert [(e.clock.key, e.kind) for e in tick.events] == [("ola.tier1-first-touch", "breach")]
    assert _first_response(case).state == ClockStatus.RUNNING
