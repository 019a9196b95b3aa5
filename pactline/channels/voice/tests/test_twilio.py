"""Twilio status callbacks: signatures, duplicates, out-of-order delivery, bad fields."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client as HttpClient
from django.utils.crypto import salted_hmac

from conftest import World
from pactline.channels.voice.models import CallEvent
from pactline.channels.voice.tests.support import at, call_defaults, calls, snapshot
from pactline.channels.voice.twilio import twilio_auth_token, twilio_signature

SID = "CA00000000000000000000000000000001"
URL = "http://testserver/api/v1/calls/twilio/client-a/status"


def callback(sequence: int, status: str, stamp: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": "AC00000000000000000000000000000001",
        "ApiVersion": "2010-04-01",
        "CallSid": SID,
        "CallStatus": status,
        "Direction": "inbound",
        "From": "+15551234567",
        "To": "+15557654321",
        "ParentCallSid": "",
        "Timestamp": f"Tue, 05 Mar 2024 {stamp} +0000",
        "CallbackSource": "call-progress-events",
        "SequenceNumber": str(sequence),
        **extra,
    }


RINGING = callback(0, "ringing", "14:02:11")
ANSWERED = callback(1, "in-progress", "14:02:29")
COMPLETED = callback(2, "completed", "14:07:40", CallDuration="311")

FINAL = call_defaults(
    source="twilio",
    caller_number="+15551234567",
    caller_raw="+15551234567",
    dialed_number="+15557654321",
    entered_at=at("14:02:11"),
    answered_at=at("14:02:29"),
    ended_at=at("14:07:40"),
    wait_seconds=18,
    talk_seconds=311,
    outcome="answered",
    details={"twilio_status": "completed"},
)


def _send(params: dict[str, str], *, signature: str | None = None, client: str = "client-a") -> Any:
    token = salted_hmac("pactline.twilio", client, algorithm="sha1").hexdigest()
    url = f"http://testserver/api/v1/calls/twilio/{client}/status"
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature or twilio_signature(token, url, _multi(params))}
    return HttpClient().post(
        f"/api/v1/calls/twilio/{client}/status",
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )


def _multi(params: dict[str, str]) -> dict[str, list[str]]:
    return {name: [value] for name, value in params.items()}


def test_the_signature_is_twilios_algorithm(world: World) -> None:
    """HMAC-SHA1 of the URL followed by each parameter name and value, sorted by name."""
    token = twilio_auth_token(world.client_a)
    assert token == salted_hmac("pactline.twilio", "client-a", algorithm="sha1").hexdigest()
    material = URL + "".join(f"{k}{v}" for k, v in sorted(COMPLETED.items()))
    expected = base64.b64encode(
        hmac.new(token.encode(), material.encode(), hashlib.sha1).digest()
    ).decode()
    assert twilio_signature(token, URL, _multi(COMPLETED)) == expected


def test_a_signed_lifecycle(world: World) -> None:
    responses = [_send(params) for params in (RINGING, ANSWERED, COMPLETED)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[-1].json() == {"duplicate": False, "call_id": SID, "outcome": "answered"}
    assert calls(world.client_a) == {(SID, 1): FINAL}


def test_only_completed_as_twilio_sends_by_default(world: World) -> None:
    assert _send(callback(0, "completed", "14:07:40", CallDuration="311")).status_code == 200
    assert calls(world.client_a) == {
        (SID, 1): FINAL | {"entered_at": at("14:02:29"), "wait_seconds": 0}
    }


def test_out_of_order_and_repeated_callbacks(world: World) -> None:
    assert _send(COMPLETED).json()["outcome"] == "answered"
    assert _send(RINGING).status_code == 200
    assert _send(ANSWERED).status_code == 200
    before = snapshot()
    again = _send(ANSWERED)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert snapshot() == before
    assert calls(world.client_a) == {(SID, 1): FINAL}
    assert CallEvent.objects.count() == 3


@pytest.mark.parametrize(
    ("status", "outcome"),
    [("busy", "busy"), ("no-answer", "no_answer"), ("canceled", "cancelled"), ("failed", "failed")],
)
def test_unanswered_endings(world: World, status: str, outcome: str) -> None:
    _send(RINGING)
    _send(callback(1, status, "14:02:41"))
    call = calls(world.client_a)[(SID, 1)]
    assert (call["outcome"], call["wait_seconds"], call["answered_at"]) == (outcome, 30, None)


def test_a_bad_signature_is_refused_and_changes_nothing(world: World) -> None:
    before = snapshot()
    forged = _send(COMPLETED, signature="bm90IGEgc2lnbmF0dXJl")
    assert forged.status_code == 403
    tampered = HttpClient().post(
        "/api/v1/calls/twilio/client-a/status",
        data=urlencode(COMPLETED | {"CallDuration": "9999"}),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=twilio_signature(
            twilio_auth_token(world.client_a), URL, _multi(COMPLETED)
        ),
    )
    assert tampered.status_code == 403
    unsigned = HttpClient().post(
        "/api/v1/calls/twilio/client-a/status",
        data=urlencode(COMPLETED),
        content_type="application/x-www-form-urlencoded",
    )
    assert unsigned.status_code == 403
    assert snapshot() == before


def test_another_clients_token_does_not_sign_for_this_client(world: World) -> None:
    token_b = twilio_auth_token(world.client_b)
    response = _send(COMPLETED, signature=twilio_signature(token_b, URL, _multi(COMPLETED)))
    assert response.status_code == 403


def test_an_unknown_client_gets_the_same_403(world: World) -> None:
    assert _send(COMPLETED, client="no-such-client").status_code == 403


def test_signed_but_bad_fields_are_422_naming_them(world: World) -> None:
    before = snapshot()
    params = COMPLETED | {"CallSid": "XY1", "Timestamp": "yesterday", "SequenceNumber": "-1"}
    response = _send(params)
    assert response.status_code == 422
    assert [(e["path"], e["message"]) for e in response.json()["errors"]] == [
        ("CallSid", "a call SID is CA followed by 32 hex digits"),
        ("SequenceNumber", "must be a whole number"),
        ("Timestamp", "must be an RFC 2822 date with a UTC offset"),
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"Timestamp": "Mon, 01 Jan 1900 00:00:00 +0000"}, "Timestamp"),
        ({"Timestamp": "Fri, 31 Dec 9999 23:59:59 +0000"}, "Timestamp"),
        ({"From": "+1555\x00123"}, "From"),
        ({"RecordingUrl": "https://x.example/\x00"}, "RecordingUrl"),
    ],
)
def test_signed_callbacks_with_absurd_times_or_nul_are_422(
    world: World, changes: dict[str, str], field: str
) -> None:
    before = snapshot()
    response = _send(COMPLETED | changes)
    assert response.status_code == 422, response.content
    assert [e["path"] for e in response.json()["errors"]] == [field]
    assert snapshot() == before
