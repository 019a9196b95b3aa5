"""API writes with an `Idempotency-Key` header: a repeat gets the first answer and writes
nothing; the key is per sender (token or user); refusals and bad keys keep nothing."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from pactline.channels.outbound.models import CallAttempt, CallListEntry
from pactline.channels.outbound.tests.test_pages_support import (  # noqa: F401 - fixture
    MONDAY_9AM_NY,
    Outbound,
    as_persona,
    outbound_fixture,
    post_json,
    snapshot,
)
from pactline.common.models import IdempotencyRecord
from pactline.tenancy.access import actor_for_user
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

pytestmark = pytest.mark.django_db

KEY = "dial-7f3a-0001"


def _entry(outbound: Outbound) -> CallListEntry:
    entry = CallListEntry.objects.filter(campaign=outbound.a).order_by("line_number").first()
    assert entry is not None
    return entry


def _attempt(http: HttpClient, entry: CallListEntry, body: dict[str, Any], **extra: Any) -> Any:
    with time_machine.travel(MONDAY_9AM_NY, tick=False):
        url = f"/api/v1/call-list-entries/{entry.pk}/attempts"
        return post_json(http, url, body, **extra)


def _token(outbound: Outbound) -> HttpClient:
    admin = actor_for_user(outbound.world.provider_admin.user)
    _row, raw = api_token_create(
        actor=admin, client=outbound.world.client_a, name="dialler", scope=TokenScope.WRITE
    )
    return HttpClient(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_same_key_twice_gives_the_same_answer_and_one_row(outbound: Outbound) -> None:
    http = _token(outbound)
    entry = _entry(outbound)
    first = _attempt(http, entry, {"disposition": "busy"}, HTTP_IDEMPOTENCY_KEY=KEY)
    after_first = snapshot()
    second = _attempt(http, entry, {"disposition": "busy"}, HTTP_IDEMPOTENCY_KEY=KEY)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second["Content-Type"] == "application/json; charset=utf-8"
    assert second["Idempotent-Replayed"] == "true"
    assert snapshot() == after_first
    assert CallAttempt.objects.filter(entry=entry).count() == 1
    [record] = IdempotencyRecord.objects.all()
    assert record.owner.startswith("token:") and record.key == KEY
    # Without a key the same request is a second dial, as before.
    third = _attempt(http, entry, {"disposition": "busy"})
    assert third.status_code == 201 and third.json()["id"] != first.json()["id"]


def test_the_same_key_with_a_different_body_is_refused_naming_the_key(
    outbound: Outbound,
) -> None:
    http = as_persona(outbound.world, "client_a_agent")
    entry = _entry(outbound)
    _attempt(http, entry, {"disposition": "busy"}, HTTP_IDEMPOTENCY_KEY=KEY)
    before = snapshot()
    other = _attempt(http, entry, {"disposition": "no_answer"}, HTTP_IDEMPOTENCY_KEY=KEY)
    assert other.status_code == 422
    message = (
        f"The idempotency key {KEY} was already used for a different request; send this "
        "request with a new key."
    )
    assert other.json() == {
        "detail": message,
        "errors": [{"path": "Idempotency-Key", "message": message, "line": None}],
    }
    assert snapshot() == before


def test_senders_do_not_share_keys(outbound: Outbound) -> None:
    """A token and a signed-in user using the same key each run once (the entry allows two
    attempts)."""
    entry = _entry(outbound)
    senders = [_token(outbound), as_persona(outbound.world, "client_a_agent")]
    answers = [
        _attempt(http, entry, {"disposition": "busy"}, HTTP_IDEMPOTENCY_KEY=KEY) for http in senders
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert len({a.json()["id"] for a in answers}) == 2
    assert all("Idempotent-Replayed" not in a for a in answers)
    assert CallAttempt.objects.filter(entry=entry).count() == 2
    # Another token of the same client is another sender too: its key is its own.
    again = _attempt(_token(outbound), entry, {"disposition": "busy"}, HTTP_IDEMPOTENCY_KEY=KEY)
    assert again.status_code == 409 and "Idempotent-Replayed" not in again
    assert "idempotency key" not in again.json()["detail"]  # the campaign's own limit


def test_a_refused_request_keeps_nothing_and_the_corrected_one_may_reuse_the_key(
    outbound: Outbound,
) -> None:
    http = _token(outbound)
    entry = _entry(outbound)
    before = snapshot()
    refused = _attempt(http, entry, {"disposition": "hung_up"}, HTTP_IDEMPOTENCY_KEY=KEY)
    assert refused.status_code == 422
    assert snapshot() == before and not IdempotencyRecord.objects.exists()
    corrected = _attempt(http, entry, {"disposition": "busy"}, HTTP_IDEMPOTENCY_KEY=KEY)
    assert corrected.status_code == 201 and "Idempotent-Replayed" not in corrected
    # An unknown token is refused (401) and reserves nothing either.
    stranger = HttpClient(HTTP_AUTHORIZATION="Bearer pl_not-a-token")
    assert (
        _attempt(stranger, entry, {"disposition": "busy"}, HTTP_IDEMPOTENCY_KEY="x").status_code
        == 401
    )
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == [KEY]


def test_a_bad_key_is_a_422_naming_the_header(outbound: Outbound) -> None:
    http = _token(outbound)
    entry = _entry(outbound)
    before = snapshot()
    for bad in ("x" * 201, "with space", "ключ"):
        response = _attempt(http, entry, {"disposition": "busy"}, HTTP_IDEMPOTENCY_KEY=bad)
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "path": "Idempotency-Key",
                "message": "Idempotency-Key: at most 200 visible ASCII characters, without spaces.",
                "line": None,
            }
        ]
    assert snapshot() == before


def test_the_header_is_described_in_the_openapi_document(outbound: Outbound) -> None:
    document = HttpClient().get("/api/v1/openapi.json").json()
    assert "Idempotency-Key" in document["info"]["description"]
