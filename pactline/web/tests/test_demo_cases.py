"""The demo cases: every example client gets live clocks, and a second run creates nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from pytest_django.fixtures import Settings

from pactline.audit.models import AuditEvent
from pactline.cases.demo import DEMO_CASES, demo_cases
from pactline.cases.models import Case, ClockStatus, SlaClock, SlaEvent, TimelineEntry
from pactline.web.demo import DemoOptions, demo_load

pytestmark = pytest.mark.django_db

# Wednesday 18 November 2026, 15:00 UTC: open in New York (10:00) and Kolkata (20:30), closed
# in Shanghai (23:00) and Adelaide (01:30 on Thursday).
NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


def _state() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        TimelineEntry.objects.count(),
        SlaClock.objects.count(),
        SlaEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def _first_response(subject: str) -> SlaClock:
    return SlaClock.objects.get(case__subject=subject, metric="first_response", cycle=1)


@pytest.fixture
def demo(settings: Settings, tmp_path: Path) -> list[str]:
    settings.VAR_DIR = tmp_path
    with time_machine.travel(NOW, tick=False):
        # The cases only: the channels' contacts have their own test (test_demo_channels).
        return demo_load(options=DemoOptions(channels=False))


def test_each_example_client_gets_its_cases_once(demo: list[str]) -> None:
    expected = sum(len(specs) for specs in DEMO_CASES.values())
    assert Case.objects.count() == expected == 20
    assert Case.objects.values("client").distinct().count() == 4
    assert "cases: Northwind Retail: 6 created, 0 already there" in demo
    before = _state()

    again = demo_cases(now=NOW)
    assert _state() == before
    assert "cases: Northwind Retail: 0 created, 6 already there" in again
    assert "cases: 0 SLA event(s) recorded up to now" in again

    # A day later nothing new is opened; only what fell due since is recorded, as the clock
    # loop would have done.
    demo_cases(now=NOW + timedelta(days=1))
    assert _state()[:3] == before[:3]


def test_the_stories_show_running_paused_met_and_breached_clocks(demo: list[str]) -> None:
    # Critical email runs 24/7: 60 % of its hour is left, so it is due 36 minutes from now.
    card = _first_response("Card charged twice at checkout")
    assert card.state == ClockStatus.RUNNING
    assert card.due_at is not None
    assert abs(card.due_at - (NOW + timedelta(minutes=36))) <= timedelta(seconds=2)

    paused = _first_response("Refund not received after return")
    assert paused.state == ClockStatus.PAUSED
    assert paused.case.status == "pending_customer"

    met = _first_response("Loyalty points missing")
    assert met.state == ClockStatus.MET

    breached = _first_response("Cannot sign in to my account")
    assert breached.state == ClockStatus.BREACHED
    assert SlaEvent.objects.filter(clock=breached, kind="breach").count() == 1

    chinese = _first_response("安装师傅未按时上门")
    assert chinese.state == ClockStatus.BREACHED

    # Every case is open and on the clock-bearing channel its agreement names.
    assert not Case.objects.filter(status__in=("resolved", "closed")).exists()
    assert not Case.objects.filter(clocks__isnull=True).exists()


def test_several_clocks_count_down_to_deadlines_in_the_next_hours(demo: list[str]) -> None:
    soon = SlaClock.objects.filter(
        state=ClockStatus.RUNNING, due_at__gt=NOW, due_at__lte=NOW + timedelta(hours=8)
    )
    assert soon.count() >= 4
    assert soon.values("client").distinct().count() >= 2
    # Nothing is left due in the past without its breach recorded.
    assert not SlaClock.objects.filter(state=ClockStatus.RUNNING, next_event_at__lte=NOW).exists()
