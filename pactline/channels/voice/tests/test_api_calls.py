"""API reads by cursor, one call, linking a call to a case — and who may do each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client as HttpClient

from conftest import CASE_READERS, PERSONAS, PROVIDER_READERS
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    as_persona,
    cases_fixture,
)
from pactline.channels.voice.models import Call
from pactline.channels.voice.tests.support import run_import, snapshot

READS_A = {
    "provider_admin",
    "supervisor",
    "client_a_manager",
    "client_a_viewer",
    "client_a_agent",
} | CASE_READERS
SEES_A = READS_A | PROVIDER_READERS  # billing sees client A but not its calls (403)
WORKS_A = {"provider_admin", "supervisor", "client_a_agent"}


@pytest.fixture
def imported(cases: Cases, tmp_path: Path) -> Cases:
    run_import(cases.world.client_a, "queue_log", reject_path=tmp_path / "r")
    return cases


def _status(persona: str, allowed: set[str]) -> int:
    """401 anonymous; 200 allowed; 403 for who sees client A without the role; else 404."""
    if persona == "anonymous":
        return 401
    return 200 if persona in allowed else 403 if persona in SEES_A else 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_calls_by_cursor(imported: Cases, persona: str) -> None:
    response = as_persona(imported.world, persona).get("/api/v1/calls?client=client-a&limit=4")
    assert response.status_code == _status(persona, READS_A)
    if response.status_code == 200:
        page = response.json()
        seqs = [call["change_seq"] for call in page["calls"]]
        assert len(seqs) == 4 and seqs == sorted(seqs) and page["next_after"] == seqs[-1]
        rest = as_persona(imported.world, persona).get(
            f"/api/v1/calls?client=client-a&after={page['next_after']}&limit=100"
        )
        assert len(rest.json()["calls"]) == 6
        assert rest.json()["calls"][0]["change_seq"] > seqs[-1]


def test_a_call_as_json(imported: Cases) -> None:
    call = Call.objects.get(call_id="1709648100.50")
    body = as_persona(imported.world, "client_a_viewer").get(f"/api/v1/calls/{call.pk}").json()
    assert body | {"id": 0, "change_seq": 0, "updated_at": None} == {
        "id": 0,
        "client": "client-a",
        "call_id": "1709648100.50",
        "segment": 1,
        "source": "queue_log",
        "direction": "inbound",
        "queue": "support",
        "caller_number": "+15551239876",
        "caller_name": "",
        "dialed_number": "",
        "entered_at": "2024-03-05T14:15:00Z",
        "answered_at": "2024-03-05T14:15:05Z",
        "ended_at": "2024-03-05T14:17:05Z",
        "wait_seconds": 5,
        "talk_seconds": 120,
        "hold_seconds": 0,
        "acw_seconds": 0,
        "agent": "Alice",
        "outcome": "answered",
        "disposition": "",
        "ended_by": "transfer",
        "unanswered_rings": 0,
        "transfer_count": 1,
        "transfer_targets": ["7002@from-internal"],
        "has_recording": False,
        "has_transcript": False,
        "case_id": None,
        "contact_id": None,
        "change_seq": 0,
        "updated_at": None,
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_call(imported: Cases, persona: str) -> None:
    call = Call.objects.get(call_id="1709648100.50")
    response = as_persona(imported.world, persona).get(f"/api/v1/calls/{call.pk}")
    assert response.status_code == _status(persona, READS_A)


def test_a_missing_call_and_another_clients_call_are_the_same_404(imported: Cases) -> None:
    call = Call.objects.get(call_id="1709648100.50")
    http = as_persona(imported.world, "client_b_agent")
    assert http.get(f"/api/v1/calls/{call.pk}").json() == http.get("/api/v1/calls/999999").json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_agent_states_by_cursor(imported: Cases, persona: str) -> None:
    response = as_persona(imported.world, persona).get(
        "/api/v1/calls/agent-states?client=client-a&after=0&limit=2"
    )
    assert response.status_code == _status(persona, READS_A)
    if response.status_code == 200:
        states = response.json()["states"]
        assert [(s["agent"], s["state"], s["reason"]) for s in states] == [
            ("Agent/1001", "login", "PJSIP/1001-00000001"),
            ("Alice", "member_added", ""),
        ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_linking_a_call_to_a_case(imported: Cases, persona: str) -> None:
    call = Call.objects.get(call_id="1709648100.50")
    before = snapshot()
    response = as_persona(imported.world, persona).post(
        f"/api/v1/calls/{call.pk}/case",
        data=json.dumps({"case_id": imported.a.pk}),
        content_type="application/json",
    )
    assert response.status_code == _status(persona, WORKS_A)
    if response.status_code == 200:
        linked = Call.objects.get(pk=call.pk)
        assert (response.json()["case_id"], linked.case_id) == (imported.a.pk, imported.a.pk)
        assert linked.change_seq > call.change_seq
    else:
        assert snapshot() == before


def test_a_call_cannot_be_linked_to_another_clients_case(imported: Cases) -> None:
    call = Call.objects.get(call_id="1709648100.50")
    response = as_persona(imported.world, "supervisor").post(
        f"/api/v1/calls/{call.pk}/case",
        data=json.dumps({"case_id": imported.b.pk}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"path": "case_id", "message": "the case belongs to another client", "line": None}
    ]


def test_the_openapi_document_lists_the_call_endpoints(imported: Cases) -> None:
    paths = HttpClient().get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/calls/events",
        "/api/v1/calls/twilio/{client_code}/status",
        "/api/v1/calls",
        "/api/v1/calls/agent-states",
        "/api/v1/calls/{call_pk}",
        "/api/v1/calls/{call_pk}/case",
    } <= set(paths)
    body = paths["/api/v1/calls/events"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["required"] == ["client", "call_id", "sequence", "type", "at"]
