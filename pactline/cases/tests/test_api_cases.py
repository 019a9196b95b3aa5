"""API: a case's clocks and the clocks at risk — content, 401/403/404 and token scoping."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import CASE_READERS, PERSONAS, PROVIDER_READERS
from pactline.cases.clocks import clocks_fire_due
from pactline.cases.services import case_set_status
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    SYSTEM,
    Cases,
    as_persona,
    cases_fixture,
    snapshot,
    utc,
)
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

READS_A = {
    "provider_admin",
    "supervisor",
    "client_a_manager",
    "client_a_viewer",
    "client_a_agent",
} | CASE_READERS
SEES_A = READS_A | PROVIDER_READERS  # billing sees client A but not its cases (403)
WATCHES = {"provider_admin", "supervisor", "client_a_agent", "client_b_agent"} | CASE_READERS


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _first_response(clocks: list[dict[str, Any]]) -> dict[str, Any]:
    return next(c for c in clocks if c["key"] == "email.first_response" and c["cycle"] == 1)


@pytest.mark.parametrize("persona", PERSONAS)
def test_case_clocks_matrix(cases: Cases, persona: str) -> None:
    before = snapshot()
    response = as_persona(cases.world, persona).get(f"/api/v1/cases/{cases.a.pk}/clocks")
    if persona == "anonymous":
        expected = 401
    else:
        expected = 200 if persona in READS_A else 403 if persona in SEES_A else 404
    assert response.status_code == expected
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_at_risk_matrix(cases: Cases, persona: str) -> None:
    response = as_persona(cases.world, persona).get("/api/v1/sla/at-risk?hours=24")
    expected = 401 if persona == "anonymous" else (200 if persona in WATCHES else 403)
    assert response.status_code == expected


def test_a_missing_case_is_the_same_404(cases: Cases) -> None:
    http = as_persona(cases.world, "client_a_agent")
    missing = http.get("/api/v1/cases/999999/clocks")
    other = http.get(f"/api/v1/cases/{cases.b.pk}/clocks")
    assert missing.status_code == other.status_code == 404
    assert missing.json() == other.json() == {"detail": "Not found."}


def test_clocks_carry_state_deadlines_consumption_and_events(cases: Cases) -> None:
    http = as_persona(cases.world, "client_a_viewer")
    with time_machine.travel(utc(17), tick=False):
        clock = _first_response(http.get(f"/api/v1/cases/{cases.a.pk}/clocks").json())
    assert clock | {"events": [], "scheduled": []} == {
        "case_id": cases.a.pk,
        "key": "email.first_response",
        "metric": "first_response",
        "cycle": 1,
        "state": "running",
        "priority": "normal",
        "calendar": "business",
        "timezone": "America/New_York",
        "target_seconds": 28800.0,
        "started_at": "2026-03-02T14:00:00Z",
        "due_at": "2026-03-02T22:00:00Z",
        "next_event_at": "2026-03-02T20:00:00Z",
        "consumed_seconds": 10800.0,
        "remaining_seconds": 18000.0,
        "breached_at": None,
        "met_at": None,
        "stopped_at": None,
        "events": [],
        "scheduled": [],
    }
    assert [(e["kind"], e["level"], e["at"]) for e in clock["scheduled"]] == [
        ("warning", 1, "2026-03-02T20:00:00Z"),
        ("escalation", 201, "2026-03-02T21:30:00Z"),
        ("warning", 2, "2026-03-02T21:45:00Z"),
        ("breach", 0, "2026-03-02T22:00:00Z"),
        ("escalation", 202, "2026-03-02T22:00:00Z"),
    ]

    clocks_fire_due(now=utc(22, 5))
    with time_machine.travel(utc(23), tick=False):
        clock = _first_response(http.get(f"/api/v1/cases/{cases.a.pk}/clocks").json())
    assert clock["state"] == "breached"
    assert clock["breached_at"] == "2026-03-02T22:00:00Z"
    assert clock["remaining_seconds"] == -3600.0
    assert clock["scheduled"] == []
    assert [
        (e["kind"], e["level"], e["occurred_at"], e["suppressed"]) for e in clock["events"]
    ] == [
        ("warning", 1, "2026-03-02T20:00:00Z", False),
        ("escalation", 201, "2026-03-02T21:30:00Z", False),
        ("warning", 2, "2026-03-02T21:45:00Z", False),
        ("breach", 0, "2026-03-02T22:00:00Z", False),
        ("escalation", 202, "2026-03-02T22:00:00Z", False),
    ]


def test_a_paused_clock_stops_consuming(cases: Cases) -> None:
    case_set_status(actor=SYSTEM, case=cases.a, status="pending_customer", now=utc(15))
    http = as_persona(cases.world, "supervisor")
    with time_machine.travel(utc(20), tick=False):
        clock = _first_response(http.get(f"/api/v1/cases/{cases.a.pk}/clocks").json())
    assert (clock["state"], clock["consumed_seconds"], clock["remaining_seconds"]) == (
        "paused",
        3600.0,
        25200.0,
    )
    assert clock["next_event_at"] is None


def test_at_risk_lists_the_callers_clocks_in_the_window(cases: Cases) -> None:
    with time_machine.travel(utc(18), tick=False):
        rows = as_persona(cases.world, "supervisor").get("/api/v1/sla/at-risk?hours=4").json()
    first = [row for row in rows if row["clock"]["metric"] == "first_response"]
    # B's clock (due 02:00) is overdue and still running; A's is due 22:00, inside 4 h.
    assert [(r["client"], r["case_id"]) for r in first] == [
        ("client-b", cases.b.pk),
        ("client-a", cases.a.pk),
    ]
    assert first[1]["clock"]["due_at"] == "2026-03-02T22:00:00Z"
    assert first[1]["clock"]["timezone"] == "America/New_York"
    assert first[1]["subject"] == cases.a.subject
    with time_machine.travel(utc(18), tick=False):
        rows = as_persona(cases.world, "client_a_agent").get("/api/v1/sla/at-risk?hours=3").json()
    assert rows == []


@pytest.mark.parametrize("hours", ["0", "73", "abc"])
def test_at_risk_refuses_a_bad_window(cases: Cases, hours: str) -> None:
    response = as_persona(cases.world, "supervisor").get(f"/api/v1/sla/at-risk?hours={hours}")
    assert response.status_code == 422


def test_tokens_are_scoped_to_their_client(cases: Cases) -> None:
    _token, a_read = api_token_create(
        actor=cases.world.client_a_manager.actor,
        client=cases.world.client_a,
        name="portal",
        scope=TokenScope.READ,
    )
    _token, b_admin = api_token_create(
        actor=cases.world.provider_admin.actor,
        client=cases.world.client_b,
        name="noc",
        scope=TokenScope.READ,
    )
    http = HttpClient()
    assert http.get(f"/api/v1/cases/{cases.a.pk}/clocks", **_bearer(a_read)).status_code == 200
    assert http.get(f"/api/v1/cases/{cases.b.pk}/clocks", **_bearer(a_read)).status_code == 404
    # A client manager's token reads its clocks but not the supervisor's at-risk list.
    assert http.get("/api/v1/sla/at-risk", **_bearer(a_read)).status_code == 403
    # The provider admin's token for client B is client B's only.
    assert http.get(f"/api/v1/cases/{cases.a.pk}/clocks", **_bearer(b_admin)).status_code == 404
    with time_machine.travel(utc(18), tick=False):
        rows = http.get("/api/v1/sla/at-risk?hours=72", **_bearer(b_admin)).json()
    assert {row["client"] for row in rows} == {"client-b"}
    assert http.get("/api/v1/sla/at-risk", **_bearer("pl_nope_nope")).status_code == 401


def test_the_endpoints_are_in_the_openapi_document(cases: Cases) -> None:
    paths = HttpClient().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/cases/{case_id}/clocks" in paths
    assert "/api/v1/sla/at-risk" in paths
