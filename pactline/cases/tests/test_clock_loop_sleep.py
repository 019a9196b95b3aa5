"""The clock loop sleeps until the earliest next event (bounded), not for a fixed interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from pactline.cases.clock_loop import ClockLoop, clock_sleep_seconds
from pactline.cases.models import SlaClock
from pactline.cases.services import case_open
from pactline.cases.tests.fixtures import MONDAY_9AM_NY, northwind
from pactline.tenancy.access import system_actor

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_sleep_is_until_the_earliest_next_event() -> None:
    upcoming = NOW + timedelta(milliseconds=250)
    assert clock_sleep_seconds(now=NOW, upcoming=upcoming, longest=1.0) == 0.25


def test_sleep_is_bounded_so_new_clocks_are_seen() -> None:
    upcoming = NOW + timedelta(hours=3)
    assert clock_sleep_seconds(now=NOW, upcoming=upcoming, longest=1.0) == 1.0
    assert clock_sleep_seconds(now=NOW, upcoming=None, longest=0.5) == 0.5


def test_an_event_already_due_means_no_sleep() -> None:
    assert clock_sleep_seconds(now=NOW, upcoming=NOW - timedelta(seconds=5), longest=1.0) == 0.0


@pytest.mark.django_db
def test_loop_sleeps_until_the_stored_next_event_at() -> None:
    case = case_open(
        actor=system_actor("test"), client=northwind(), channel="email", priority="normal",
        at=MONDAY_9AM_NY, now=MONDAY_9AM_NY,
    )  # fmt: skip
    earliest = SlaClock.objects.filter(case=case).order_by("next_event_at").first()
    assert earliest is not None and earliest.next_event_at is not None
    slept: list[float] = []
    loop = ClockLoop(longest=3600.0, sleep=slept.append, close_connections=lambda: None)
    passes = iter([False, True])
    # 0.4 s before the earliest event: the loop fires nothing and sleeps exactly 0.4 s.
    with time_machine.travel(earliest.next_event_at - timedelta(milliseconds=400), tick=False):
        loop.run(stopping=lambda: next(passes))
    assert slept == [pytest.approx(0.4)]
    assert SlaClock.objects.get(pk=earliest.pk).schedule == earliest.schedule


@pytest.mark.django_db
def test_loop_with_nothing_scheduled_sleeps_the_bound() -> None:
    slept: list[float] = []
    passes = iter([False, False, True])
    loop = ClockLoop(longest=0.75, sleep=slept.append, close_connections=lambda: None)
    loop.run(stopping=lambda: next(passes))
    assert slept == [0.75, 0.75]
