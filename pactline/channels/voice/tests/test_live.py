"""Live call events: out of order, duplicated, conflicting; the JSON API and who may use it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import PERSONAS, PROVIDER_READERS, World
from pactline.channels.voice.live import LiveEvent, call_event_record
from pactline.channels.voice.models import Call, CallEvent
from pactline.channels.voice.tests.support import SYSTEM, at, call_defaults, calls, snapshot
from pactline.common.errors import Conflict
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

WORKS_A = {"provider_admin", "supervisor", "client_a_agent"}
SEES_A = WORKS_A | {"client_a_manager", "client_a_viewer"} | PROVIDER_READERS


def event(sequence: int, kind: str, hms: str, **payload: Any) -> dict[str, Any]:
    return {
        "client": "client-a",
        "call_id": "pbx-7781",
        "sequence": sequence,
        "type": kind,
        "at": f"2024-03-05T{hms}Z",
        **payload,
    }


LIFECYCLE = [
    event(1, "queued", "14:00:00", queue="support", caller="+15551234567", caller_name="Jane"),
    event(2, "answered", "14:00:24", agent="alice"),
    event(3, "hold", "14:02:00"),
    event(4, "unhold", "14:02:45"),
    event(5, "transferred", "14:05:00", target="billing"),
    event(6, "ended", "14:06:00"),
    event(7, "wrapup_ended", "14:06:50", disposition="billing-question-resolved"),
]

FINAL = call_defaults(
    source="events",
    queue="support",
    caller_number="+15551234567",
    caller_raw="+15551234567",
    caller_name="Jane",
    entered_at=at("14:00:00"),
    answered_at=at("14:00:24"),
    ended_at=at("14:06:00"),
    wait_seconds=24,
    talk_seconds=291,  # 336 s answered, 45 s of it on hold
    hold_seconds=45,
    acw_seconds=50,
    agent="alice",
    outcome="answered",
    disposition="billing-question-resolved",
    ended_by="transfer",
    transfer_count=1,
    transfer_targets=["billing"],
)


def _post(http: HttpClient, body: dict[str, Any], **extra: Any) -> Any:
    return http.post(
        "/api/v1/calls/events", data=json.dumps(body), content_type="application/json", **extra
    )


def _as(world: World, persona: str) -> HttpClient:
    http = HttpClient()
    user = getattr(world, persona).user
    if user is not None:
        http.force_login(user)
    return http


def _live(world: World, body: dict[str, Any]) -> LiveEvent:
    payload = {
        k: v for k, v in body.items() if k not in ("client", "call_id", "sequence", "type", "at")
    }
    return LiveEvent(
        source="events",
        call_id=body["call_id"],
        sequence=body["sequence"],
        kind=body["type"],
        at=datetime.fromisoformat(body["at"]),
        payload=payload,
    )


def test_the_lifecycle_in_order(world: World) -> None:
    http = _as(world, "client_a_agent")
    statuses = [_post(http, body).status_code for body in LIFECYCLE]
    assert statuses == [201] * 7
    assert calls(world.client_a) == {("pbx-7781", 1): FINAL}


@pytest.mark.parametrize(
    "order",
    [
        [6, 7, 5, 4, 3, 2, 1],  # the end first
        [2, 6, 1, 4, 3, 7, 5],
        [5, 3, 7, 1, 6, 2, 4],
    ],
)
def test_any_order_gives_the_same_call(world: World, order: list[int]) -> None:
    for sequence in order:
        call_event_record(
            actor=SYSTEM, client=world.client_a, event=_live(world, LIFECYCLE[sequence - 1])
        )
    assert calls(world.client_a) == {("pbx-7781", 1): FINAL}


def test_ended_before_answered_is_abandoned_until_the_answer_arrives(world: World) -> None:
    record = call_event_record(
        actor=SYSTEM, client=world.client_a, event=_live(world, LIFECYCLE[0])
    )
    first_seq = record.call.change_seq
    ended = call_event_record(actor=SYSTEM, client=world.client_a, event=_live(world, LIFECYCLE[5]))
    assert (ended.call.outcome, ended.call.wait_seconds) == ("abandoned", 360)
    answered = call_event_record(
        actor=SYSTEM, client=world.client_a, event=_live(world, LIFECYCLE[1])
    )
    call = answered.call
    assert (call.outcome, call.wait_seconds, call.talk_seconds, call.ended_by) == (
        "answered",
        24,
        336,
        "",
    )
    assert first_seq < ended.call.change_seq < call.change_seq


def test_a_repeated_event_is_a_duplicate_and_changes_nothing(world: World) -> None:
    http = _as(world, "client_a_agent")
    for body in LIFECYCLE:
        _post(http, body)
    before = snapshot()
    response = _post(http, LIFECYCLE[3])
    assert response.status_code == 200
    assert response.json()["duplicate"] is True
    assert response.json()["call"]["outcome"] == "answered"
    assert snapshot() == before


def test_a_repeated_sequence_with_other_content_is_a_conflict(world: World) -> None:
    http = _as(world, "client_a_agent")
    _post(http, LIFECYCLE[0])
    before = snapshot()
    response = _post(http, LIFECYCLE[0] | {"queue": "sales"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "event 1 of call pbx-7781 was already received, with other content"
    }
    assert snapshot() == before
    with pytest.raises(Conflict):
        call_event_record(
            actor=SYSTEM,
            client=world.client_a,
            event=_live(world, LIFECYCLE[0] | {"at": "2024-03-05T14:00:01Z"}),
        )


def test_card_numbers_in_a_transcript_are_redacted(world: World) -> None:
    http = _as(world, "client_a_agent")
    body = LIFECYCLE[5] | {"transcript": "my card is 4111 1111 1111 1111, cvv 123"}
    assert _post(http, body).status_code == 201
    stored = CallEvent.objects.get(sequence=6).payload["transcript"]
    call = Call.objects.get(call_id="pbx-7781")
    assert "4111 1111" not in stored and "4111 1111" not in call.transcript
    assert call.transcript == "my card is [card …1111], cvv [security code removed]"
    assert _post(http, LIFECYCLE[1]).json()["call"]["has_transcript"] is True


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {k: v for k, v in LIFECYCLE[0].items() if k != "sequence"},
            [("sequence", "Field required")],
        ),
        (
            LIFECYCLE[0] | {"at": "2024-03-05T14:00:00"},
            [("at", "Input should have timezone info")],
        ),
        (
            LIFECYCLE[0] | {"type": "exploded", "sequence": -1},
            [
                ("sequence", "Input should be greater than or equal to 0"),
                (
                    "type",
                    (
                        "Input should be 'queued', 'answered', 'hold', 'unhold', 'transferred',"
                        " 'ended', 'abandoned' or 'wrapup_ended'"
                    ),
                ),
            ],
        ),
        (LIFECYCLE[0] | {"colour": "red"}, [("colour", "Extra inputs are not permitted")]),
    ],
)
def test_bad_events_are_422_naming_the_field(
    world: World, body: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    before = snapshot()
    response = _post(_as(world, "client_a_agent"), body)
    assert response.status_code == 422
    assert [(e["path"], e["message"]) for e in response.json()["errors"]] == errors
    assert snapshot() == before


def test_a_body_that_is_not_json_is_422(world: World) -> None:
    response = _as(world, "client_a_agent").post(
        "/api/v1/calls/events", data="{", content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "body"


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_post_events(world: World, persona: str) -> None:
    before = snapshot()
    response = _post(_as(world, persona), LIFECYCLE[0])
    expected = (
        401
        if persona == "anonymous"
        else 201
        if persona in WORKS_A
        else (403 if persona in SEES_A else 404)
    )
    assert response.status_code == expected
    if expected != 201:
        assert snapshot() == before


def test_tokens_act_for_their_own_client_only(world: World) -> None:
    admin = world.provider_admin.actor
    _t, a_write = api_token_create(
        actor=admin, client=world.client_a, name="pbx", scope=TokenScope.WRITE
    )
    _t, a_read = api_token_create(
        actor=admin, client=world.client_a, name="ro", scope=TokenScope.READ
    )
    _t, b_write = api_token_create(
        actor=admin, client=world.client_b, name="pbx", scope=TokenScope.WRITE
    )
    http = HttpClient()
    assert _post(http, LIFECYCLE[0], HTTP_AUTHORIZATION=f"Bearer {b_write}").status_code == 404
    assert _post(http, LIFECYCLE[0], HTTP_AUTHORIZATION=f"Bearer {a_read}").status_code == 403
    assert Call.objects.count() == 0
    assert _post(http, LIFECYCLE[0], HTTP_AUTHORIZATION=f"Bearer {a_write}").status_code == 201
    listed = http.get("/api/v1/calls?client=client-a", HTTP_AUTHORIZATION=f"Bearer {a_read}")
    assert [c["call_id"] for c in listed.json()["calls"]] == ["pbx-7781"]
    other = http.get("/api/v1/calls?client=client-a", HTTP_AUTHORIZATION=f"Bearer {b_write}")
    assert other.status_code == 404


def test_instants_outside_the_accepted_window_are_refused_naming_the_field(world: World) -> None:
    http = _as(world, "client_a_agent")
    for instant in ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"):
        response = _post(http, event(1, "queued", "00:00:00") | {"at": instant})
        assert response.status_code == 422
        assert [error["path"] for error in response.json()["errors"]] == ["at"]
    assert Call.objects.count() == 0
