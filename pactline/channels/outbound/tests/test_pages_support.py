"""Page- and API-test helpers (no tests here): a campaign for each of two clients.

Client A runs the general outsourcing agreement (calls Mon–Fri 08:00–20:00 and Sat 09:00–17:00,
New York); client B the Chinese customer-service agreement (Shanghai workdays)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import (  # noqa: F401 - the campaign tests' personas
    CASE_READERS,
    PERSONAS,
    PROVIDER_READERS,
    World,
)
from pactline.agreements.tests.test_pages_support import load
from pactline.audit.models import AuditEvent
from pactline.cases.models import Case, TimelineEntry
from pactline.channels.outbound.models import CallAttempt, CallListEntry, Campaign, DoNotCall
from pactline.channels.outbound.services import call_list_upload, campaign_create
from pactline.tenancy.access import system_actor

SYSTEM = system_actor("test")
MONDAY_9AM_NY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
SUNDAY_NIGHT_NY = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Sun 22:00 EST: closed
LIST_A = "phone,name,email\n+1 212 555 0101,Ann Lee,ann@example.com\n+1 212 555 0102,Bo Chen,\n"
LIST_B = "phone,name\n+86 21 5555 0199,王芳\n"

# Those who see client A's campaigns (CASE_VIEW); billing sees client A but no campaign (403).
READS_A = {
    "provider_admin",
    "supervisor",
    "client_a_manager",
    "client_a_viewer",
    "client_a_agent",
} | CASE_READERS
SEES_A = READS_A | PROVIDER_READERS
WORKS_A = {"provider_admin", "supervisor", "client_a_agent"}


@dataclass(frozen=True)
class Outbound:
    world: World
    a: Campaign  # client A, two numbers
    b: Campaign  # client B, one number


@pytest.fixture(name="outbound")
def outbound_fixture(world: World) -> Outbound:
    load(world.client_a, "general-outsourcing")
    load(world.client_b, "customer-service-zh")
    a = campaign_create(
        actor=SYSTEM,
        client=world.client_a,
        name="March follow-ups",
        kind="follow_up",
        max_attempts=2,
        now=MONDAY_9AM_NY,
    )
    call_list_upload(actor=SYSTEM, campaign=a, csv_text=LIST_A, now=MONDAY_9AM_NY)
    b = campaign_create(
        actor=SYSTEM,
        client=world.client_b,
        name="满意度回访",
        kind="satisfaction_survey",
        now=MONDAY_9AM_NY,
    )
    call_list_upload(actor=SYSTEM, campaign=b, csv_text=LIST_B, now=MONDAY_9AM_NY)
    return Outbound(world, a, b)


def as_persona(world: World, persona: str, **kwargs: Any) -> HttpClient:
    http = HttpClient(**kwargs)
    user = getattr(world, persona).user
    if user is not None:
        http.force_login(user)
    return http


def post_json(http: HttpClient, url: str, data: object, **extra: Any) -> Any:
    return http.post(url, json.dumps(data), content_type="application/json", **extra)


def snapshot() -> tuple[object, ...]:
    """Everything an outbound request could change."""
    return (
        tuple(Campaign.objects.order_by("pk").values_list("pk", "name", "kind", "calendar")),
        tuple(
            CallListEntry.objects.order_by("pk").values_list(
                "pk", "status", "attempts", "next_attempt_at", "outcome", "case_id"
            )
        ),
        CallAttempt.objects.count(),
        DoNotCall.objects.count(),
        Case.objects.count(),
        TimelineEntry.objects.count(),
        AuditEvent.objects.count(),
    )
