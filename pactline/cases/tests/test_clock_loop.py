"""The clock loop: due events fire exactly once, also with two loops at once (PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections
from pytest_django.fixtures import Settings

from pactline.cases.clocks import clocks_fire_due
from pactline.cases.models import Case, ClockStatus, SlaClock, SlaClockDue, SlaEvent
from pactline.cases.services import case_open
from pactline.cases.tests.fixtures import MONDAY_9AM_NY, northwind
from pactline.tenancy.access import system_actor

ACTOR = system_actor("test")
LATE = MONDAY_9AM_NY + timedelta(days=30)


def _cases(count: int) -> list[Case]:
    client = northwind()
    return [
        case_open(
            actor=ACTOR,
            client=client,
            channel="email",
            priority="normal",
            at=MONDAY_9AM_NY + timedelta(minutes=i),
            now=MONDAY_9AM_NY + timedelta(minutes=i),
        )
        for i in range(count)
    ]


def _scheduled() -> int:
    return sum(len(clock.schedule) for clock in SlaClock.objects.all())


@pytest.mark.django_db
def test_clock_command_once_fires_what_is_due(capsys: pytest.CaptureFixture[str]) -> None:
    _cases(3)
    expected = _scheduled()
    call_command("clock", "--once")  # now is 2026-11-21: everything from March is due
    assert (
        f"{expected} SLA event(s) on 6 clock(s)" in capsys.readouterr().out
    )  # response + resolution
    assert SlaEvent.objects.count() == expected
    assert set(SlaClock.objects.values_list("state", flat=True)) == {ClockStatus.BREACHED}


@pytest.mark.django_db(transaction=True)
def test_two_loops_at_once_fire_every_event_exactly_once(settings: Settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent loops need row locks with SKIP LOCKED (PostgreSQL)")
    # Escalation actions would change cases (raise priority) while the loops run; here only
    # the loops are under test, so queued actions stay queued.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    _cases(40)
    expected = _scheduled()
    start = threading.Barrier(2)
    handled: Counter[str] = Counter()
    failures: list[BaseException] = []

    def loop(name: str) -> None:
        try:
            start.wait()
            while True:
                tick = clocks_fire_due(now=LATE, batch=3)
                if tick.clocks == 0:
                    break
                handled[name] += tick.clocks
        except BaseException as exc:
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=loop, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert handled["a"] + handled["b"] == SlaClock.objects.count()
    assert handled["a"] > 0 and handled["b"] > 0
    keys = list(SlaEvent.objects.values_list("clock_id", "kind", "level", "cycle"))
    assert len(keys) == len(set(keys)) == expected
    assert SlaClock.objects.filter(next_event_at__isnull=False).count() == 0
    assert not SlaClockDue.objects.exists()


@pytest.mark.django_db
def test_nothing_due_means_nothing_written() -> None:
    _cases(2)
    before = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert clocks_fire_due(now=before).clocks == 0
    assert SlaEvent.objects.count() == 0


def _queue() -> dict[int, datetime]:
    return dict(SlaClockDue.objects.values_list("clock_id", "at"))


def _next_events() -> dict[int, datetime]:
    return dict(
        SlaClock.objects.filter(next_event_at__isnull=False).values_list("id", "next_event_at")
    )


@pytest.mark.django_db
def test_the_due_queue_holds_each_clocks_next_event_and_follows_every_firing() -> None:
    """Queued exactly the clocks with an event ahead, at that event; each pass of the loop
    requeues a clock at its next event or takes it out."""
    _cases(1)
    assert _queue() == _next_events() and len(_queue()) == 2  # response and resolution
    first = min(_queue().values())
    # One second after the first event: only that clock fires, and moves on to its next.
    clock = SlaClock.objects.get(next_event_at=first)
    assert clocks_fire_due(now=first + timedelta(seconds=1)).clocks == 1
    clock.refresh_from_db()
    assert _queue() == _next_events()
    assert _queue().get(clock.pk) == clock.next_event_at
    assert clock.next_event_at is None or clock.next_event_at > first
    while clocks_fire_due(now=LATE).clocks:
        pass
    assert _queue() == _next_events() == {}
    assert set(SlaClock.objects.values_list("state", flat=True)) == {ClockStatus.BREACHED}


@pytest.mark.django_db
def test_a_clock_that_stops_leaves_the_queue() -> None:
    from pactline.cases.services import case_agent_reply

    (case,) = _cases(1)
    before = _queue()
    case_agent_reply(actor=ACTOR, case=case, now=MONDAY_9AM_NY + timedelta(minutes=5))
    # The first response is met: its clock has nothing ahead; resolution still runs.
    response = SlaClock.objects.get(case=case, key="email.first_response")
    assert response.next_event_at is None and response.pk in before
    assert response.pk not in _queue()
    assert _queue() == _next_events() and len(_queue()) == 1
