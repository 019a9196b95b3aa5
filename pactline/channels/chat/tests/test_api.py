"""Chat API for an external provider: start, post, read — idempotency, validation, matrix."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import CASE_READERS, PERSONAS, PROVIDER_READERS
from pactline.cases.models import Case
from pactline.cases.tests.test_pages_support import as_persona
from pactline.channels.chat.models import ChatMessage, ChatSession
from pactline.channels.chat.tests.support import (  # noqa: F401 - fixture
    CARD,
    Chats,
    chats_fixture,
    snapshot,
)
from pactline.common.models import IdempotencyRecord
from pactline.tenancy.access import actor_for_user
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

WORKS_A = {"provider_admin", "supervisor", "client_a_agent"}
# Read client A's chats without working them.
READS_A = {"client_a_manager", "client_a_viewer"} | CASE_READERS
SEES_A = READS_A | PROVIDER_READERS  # billing sees client A but not its chats (403)

START = {
    "client": "client-a",
    "provider": "livechat",
    "external_id": "conv-1",
    "name": "Lin Wei",
    "email": "lin@example.com",
}


def _token(chats: Chats, scope: TokenScope = TokenScope.WRITE) -> dict[str, str]:
    """A token client A's manager issues, acting with the supervisor's roles (provider side)."""
    from pactline.tenancy.models import Membership, Role

    user = chats.world.supervisor.user
    assert user is not None
    Membership.objects.get_or_create(
        user=user, client=chats.world.client_a, role=Role.CLIENT_MANAGER
    )
    _token_row, raw = api_token_create(
        actor=actor_for_user(user), client=chats.world.client_a, name="livechat", scope=scope
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(http: HttpClient, url: str, body: dict[str, Any], **extra: str) -> Any:
    return http.post(url, body, content_type="application/json", **extra)


def test_a_token_starts_a_conversation_for_its_client(chats: Chats) -> None:
    http = HttpClient()
    auth = _token(chats)
    body = {key: value for key, value in START.items() if key != "client"}
    response = _post(http, "/api/v1/chats/sessions", body, **auth)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["client"] == "client-a" and data["created"] is True
    assert Case.objects.get(pk=data["case_id"]).channel == "chat"
    again = _post(http, "/api/v1/chats/sessions", body, **auth)
    assert again.status_code == 200
    assert again.json() | {"created": True} == data
    other = _post(http, "/api/v1/chats/sessions", {**body, "client": "client-b"}, **auth)
    assert other.status_code == 404


def test_a_read_token_cannot_start_or_post(chats: Chats) -> None:
    http = HttpClient()
    auth = _token(chats, TokenScope.READ)
    before = snapshot()
    assert _post(http, "/api/v1/chats/sessions", START, **auth).status_code == 403
    url = f"/api/v1/chats/sessions/{chats.a.session.pk}/messages"
    assert _post(http, url, {"author_kind": "customer", "text": "x"}, **auth).status_code == 403
    assert http.get(url, **auth).status_code == 200
    assert snapshot() == before


def test_messages_are_idempotent_on_their_id_or_the_idempotency_key(chats: Chats) -> None:
    http = as_persona(chats.world, "client_a_agent")
    url = f"/api/v1/chats/sessions/{chats.a.session.pk}/messages"
    body = {"author_kind": "customer", "text": f"card {CARD}", "external_message_id": "m-9"}
    first = _post(http, url, body)
    assert first.status_code == 201
    assert first.json()["text"] == "card [card …1111]"
    before = snapshot()
    second = _post(http, url, body)
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert snapshot() == before

    keyed = {"author_kind": "agent", "author_label": "Sam", "text": "Thanks"}
    one = _post(http, url, keyed, HTTP_IDEMPOTENCY_KEY="reply-1")
    two = _post(http, url, keyed, HTTP_IDEMPOTENCY_KEY="reply-1")
    # The repeat is answered with the first answer (pactline.common.idempotency) ...
    assert (one.status_code, two.status_code) == (201, 201)
    assert two.json() == one.json() and two["Idempotent-Replayed"] == "true"
    assert one.json()["external_message_id"] == "reply-1"
    # ... and once that has expired, the message's own key still finds it.
    IdempotencyRecord.objects.all().delete()
    three = _post(http, url, keyed, HTTP_IDEMPOTENCY_KEY="reply-1")
    assert three.status_code == 200 and three.json()["id"] == one.json()["id"]
    assert ChatMessage.objects.filter(session=chats.a.session).count() == 3


def test_messages_are_read_after_a_cursor(chats: Chats) -> None:
    http = as_persona(chats.world, "client_a_viewer")
    writer = as_persona(chats.world, "client_a_agent")
    url = f"/api/v1/chats/sessions/{chats.a.session.pk}/messages"
    for text in ("a", "b"):
        _post(writer, url, {"author_kind": "customer", "text": text})
    everything = http.get(url).json()
    assert [m["text"] for m in everything] == ["Where is my order?", "a", "b"]
    after = everything[0]["change_seq"]
    assert [m["text"] for m in http.get(f"{url}?after={after}").json()] == ["a", "b"]
    assert [m["text"] for m in http.get(f"{url}?after={after}&limit=1").json()] == ["a"]


def test_bad_input_is_422_naming_the_field_and_writes_nothing(chats: Chats) -> None:
    http = as_persona(chats.world, "client_a_agent")
    before = snapshot()
    bad_kind = _post(
        http,
        f"/api/v1/chats/sessions/{chats.a.session.pk}/messages",
        {"author_kind": "robot", "text": "x"},
    )
    assert bad_kind.status_code == 422
    assert "author_kind" in bad_kind.content.decode()
    empty = _post(
        http,
        f"/api/v1/chats/sessions/{chats.a.session.pk}/messages",
        {"author_kind": "customer", "text": " "},
    )
    assert empty.status_code == 422
    assert empty.json()["errors"][0]["path"] == "text"
    naive = _post(
        http,
        f"/api/v1/chats/sessions/{chats.a.session.pk}/messages",
        {"author_kind": "customer", "text": "x", "sent_at": "2026-03-02T10:00:00"},
    )
    assert naive.status_code == 422 and naive.json()["errors"][0]["path"] == "sent_at"
    email = _post(http, "/api/v1/chats/sessions", {**START, "email": "nope"})
    assert email.status_code == 422 and email.json()["errors"][0]["path"] == "email"
    no_client = _post(
        http, "/api/v1/chats/sessions", {k: v for k, v in START.items() if k != "client"}
    )
    assert no_client.status_code == 422 and no_client.json()["errors"][0]["path"] == "client"
    assert snapshot() == before


def test_an_ended_conversation_is_409(chats: Chats) -> None:
    http = as_persona(chats.world, "client_a_agent")
    base = f"/api/v1/chats/sessions/{chats.a.session.pk}"
    assert http.post(f"{base}/end").json()["ended_at"] is not None
    response = _post(http, f"{base}/messages", {"author_kind": "customer", "text": "x"})
    assert response.status_code == 409


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_matrix(chats: Chats, persona: str) -> None:
    http = as_persona(chats.world, persona)
    base = f"/api/v1/chats/sessions/{chats.a.session.pk}"
    before = snapshot()
    reads = [http.get(base), http.get(f"{base}/messages")]
    writes = [
        _post(http, f"{base}/messages", {"author_kind": "agent", "text": "hello"}),
        _post(http, "/api/v1/chats/sessions", START),
        http.post(f"{base}/end"),
    ]
    if persona == "anonymous":
        assert {r.status_code for r in reads + writes} == {401}
    elif persona in WORKS_A:
        assert [r.status_code for r in reads + writes] == [200, 200, 201, 201, 200]
        return
    elif persona in READS_A:
        assert [r.status_code for r in reads] == [200, 200]
        assert [r.status_code for r in writes] == [403, 403, 403]
    elif persona in SEES_A:
        assert [r.status_code for r in reads + writes] == [403] * 5
    else:
        assert {r.status_code for r in reads + writes} == {404}
    assert snapshot() == before
    assert ChatSession.objects.filter(provider="livechat").count() == 0


def test_odd_input_is_refused_or_cleaned_never_a_500(chats: Chats) -> None:
    http = as_persona(chats.world, "client_a_agent")
    url = f"/api/v1/chats/sessions/{chats.a.session.pk}/messages"
    before = snapshot()
    far = _post(
        http, url, {"author_kind": "customer", "text": "x", "sent_at": "9999-12-31T00:00:00Z"}
    )
    assert far.status_code == 422 and far.json()["errors"][0]["path"] == "sent_at"
    nul = _post(http, "/api/v1/chats/sessions", {**START, "external_id": "\x00", "name": "\x00"})
    assert nul.status_code == 422
    assert {e["path"] for e in nul.json()["errors"]} == {"name", "external_id"}
    assert http.get(f"{url}?after={2**64}").status_code == 422
    assert snapshot() == before
    nul_text = _post(http, url, {"author_kind": "customer", "text": "a\x00b"})
    assert nul_text.status_code == 422
    assert [e["path"] for e in nul_text.json()["errors"]] == ["text"]
    assert snapshot() == before


def test_the_endpoints_are_in_the_openapi_document(chats: Chats) -> None:
    paths = HttpClient().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/chats/sessions" in paths
    assert "/api/v1/chats/sessions/{session_id}/messages" in paths
