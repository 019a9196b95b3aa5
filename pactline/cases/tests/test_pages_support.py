"""Page- and API-test helpers (no tests here): cases of two clients under the example agreements.

Client A runs the general outsourcing agreement (New York hours; email first response:
normal 8 h of business time, critical 1 h around the clock); client B the Chinese
customer-service agreement (Shanghai workdays)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.test import Client as HttpClient

from conftest import World
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.models import Case, SlaEvent, TimelineEntry
from pactline.cases.services import case_open, case_resolve
from pactline.cases.tests.fixtures import MONDAY_9AM_NY
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

SYSTEM = system_actor("test")
# Monday 2 March 2026, 09:00 in Shanghai (UTC+8): client B's workday has begun.
MONDAY_9AM_SHANGHAI = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def utc(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Cases:
    world: World
    a: Case  # client A, email, normal: due 17:00 EST / 22:00 UTC
    a_resolved: Case  # client A, resolved (for reopen)
    b: Case  # client B, social, normal


def open_a(
    subject: str = "Where is my order?", priority: str = "normal", at: datetime = MONDAY_9AM_NY
) -> Case:
    return case_open(
        actor=SYSTEM,
        client=Client.objects.get(code="client-a"),
        channel="email",
        priority=priority,
        subject=subject,
        at=at,
        now=at,
    )


@pytest.fixture(name="cases")
def cases_fixture(world: World) -> Cases:
    load(world.client_a, "general-outsourcing")
    load(world.client_b, "customer-service-zh")
    a = open_a()
    a_resolved = open_a("Old question")
    case_resolve(actor=SYSTEM, case=a_resolved, now=utc(15))
    b = case_open(
        actor=SYSTEM,
        client=world.client_b,
        channel="social",
        priority="normal",
        subject="沙发配送延迟",
        at=MONDAY_9AM_SHANGHAI,
        now=MONDAY_9AM_SHANGHAI,
    )
    return Cases(world, a, a_resolved, b)


def as_persona(world: World, persona: str) -> HttpClient:
    http = HttpClient()
    user = getattr(world, persona).user
    if user is not None:
        http.force_login(user)
    return http


def snapshot() -> tuple[object, ...]:
    """Everything a case action could change."""
    return (
        TimelineEntry.objects.count(),
        SlaEvent.objects.count(),
        tuple(Case.objects.order_by("pk").values_list("status", "priority", "resolved_at")),
    )


def text_of(html: str) -> str:
    """The page's text with tags removed and spaces collapsed, for content assertions."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
