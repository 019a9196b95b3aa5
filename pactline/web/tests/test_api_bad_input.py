"""Bad input to /api/v1 is a 4xx naming the field, never a 500; every API error is JSON.

Instants outside 1970–2100, NUL and unpaired surrogates in any text, JSON nested deeper than 64
levels, bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (413, also over real HTTP), unknown routes,
wrong methods, CSRF failures and server errors."""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client as HttpClient
from django.test import override_settings

from conftest import World
from pactline.channels.social.signing import HEADER, social_signature
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

SURROGATE = '"\\ud800"'  # JSON text: a lone high surrogate
EVENT = {"client": "client-a", "call_id": "c-1", "sequence": 1, "type": "queued"}


@pytest.fixture
def token(world: World) -> str:
    _token, raw = api_token_create(
        actor=world.provider_admin.actor, client=world.client_a, name="t", scope=TokenScope.WRITE
    )
    return raw


@pytest.fixture
def api(token: str) -> HttpClient:
    return HttpClient(HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(api: HttpClient, path: str, body: str | bytes) -> Any:
    return api.post(path, body, content_type="application/json")


def _paths(response: Any) -> list[str]:
    """The fields a 422 names."""
    return [error["path"] for error in response.json()["errors"]]


# --- instants ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "1969-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z",
        "0001-01-01T00:00:00+20:01",
    ],
)
def test_a_call_event_outside_the_instant_window_is_a_422_naming_at(
    api: HttpClient, at: str
) -> None:
    response = _post(api, "/api/v1/calls/events", json.dumps({**EVENT, "at": at}))
    assert response.status_code == 422, response.content
    assert _paths(response) == ["at"]


def test_instants_inside_the_window_are_kept_in_utc(api: HttpClient) -> None:
    first = _post(api, "/api/v1/calls/events", json.dumps({**EVENT, "at": "1970-01-01T00:00:00Z"}))
    assert first.status_code == 201, first.content
    later = {**EVENT, "sequence": 2, "type": "answered", "at": "2099-12-31T23:59:59+01:00"}
    assert _post(api, "/api/v1/calls/events", json.dumps(later)).status_code == 201


def test_an_instant_query_outside_the_window_names_the_parameter(api: HttpClient) -> None:
    response = api.get("/api/v1/clients/client-a/agreement-in-force", {"at": "9999-12-31T00:00Z"})
    assert response.status_code == 422
    assert _paths(response) == ["at"]


def test_a_day_outside_the_window_names_the_field(api: HttpClient) -> None:
    body = json.dumps({"client": "client-a", "period": "0001-01-01"})
    response = _post(api, "/api/v1/statements", body)
    assert response.status_code == 422
    assert _paths(response) == ["period"]


# --- text ----------------------------------------------------------------------------------


NUL_EVENT = json.dumps({**EVENT, "at": "2026-03-02T09:00:00Z", "queue": "a\x00b"})


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/statements/1/reissue", '{"reason": $S}', "reason"),
        (
            "/api/v1/reports",
            '{"client": "client-a", "report_name": $S, "period_start": "2026-03-01"}',
            "report_name",
        ),
        ("/api/v1/calls/events", NUL_EVENT, "queue"),
        ("/api/v1/chats/sessions", '{"provider": "p", "external_id": "e", "name": $S}', "name"),
        (
            "/api/v1/chats/sessions",
            '{"provider": "p", "external_id": "e", "name": "n", $S: 1}',
            "body",
        ),
    ],
)
def test_nul_and_unpaired_surrogates_are_a_422_naming_the_field(
    api: HttpClient, path: str, body: str, field: str
) -> None:
    response = _post(api, path, body.replace("$S", SURROGATE))
    assert response.status_code == 422, response.content
    assert _paths(response) == [field]
    assert "NUL" in response.content.decode() or "surrogate" in response.content.decode()


def test_a_nul_in_a_query_parameter_names_it(api: HttpClient) -> None:
    response = api.get("/api/v1/reports", {"report_name": "a\x00"})
    assert response.status_code == 422
    assert _paths(response) == ["report_name"]


def test_a_surrogate_in_a_signed_social_webhook_names_the_field(world: World) -> None:
    body = (
        '{"platform": "wechat", "account": "wechat:a", "thread_id": "t", "message_id": "m", '
        '"author": {"id": "u", "name": $S}, "text": "hi", "sent_at": "2026-03-02T09:00:00Z"}'
    ).replace("$S", SURROGATE)
    response = _signed(world, body.encode())
    assert response.status_code == 422, response.content
    assert _paths(response) == ["author.name"]


# --- nesting -------------------------------------------------------------------------------


def _signed(world: World, body: bytes) -> Any:
    client = world.client_a
    return HttpClient().post(
        f"/api/v1/social/{client.code}/messages",
        body,
        content_type="application/json",
        headers={HEADER: social_signature(client, body)},
    )


@pytest.mark.parametrize("depth", [65, 100_000])
def test_a_deeply_nested_signed_webhook_is_a_422(world: World, depth: int) -> None:
    response = _signed(world, b"[" * depth + b"]" * depth)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["path"] == "body"
    assert "64 levels" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deeply_nested_api_bodies_are_a_422(api: HttpClient, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    chat = _post(api, "/api/v1/chats/sessions", '{"provider": "p", "name": ' + nested + "}")
    assert chat.status_code == 422, chat.content
    assert "64 levels" in chat.json()["errors"][0]["message"]
    event = _post(api, "/api/v1/calls/events", nested)
    assert event.status_code == 422, event.content


def test_sixty_four_levels_are_read(api: HttpClient) -> None:
    nested = "[" * 63 + "]" * 63  # the body's object is the 64th level
    response = _post(api, "/api/v1/chats/sessions", '{"provider": "p", "name": ' + nested + "}")
    assert response.status_code == 422
    assert "levels" not in response.content.decode()
    assert set(_paths(response)) == {"name", "external_id"}


# --- sizes ---------------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_body_is_a_json_413(api: HttpClient) -> None:
    response = _post(api, "/api/v1/chats/sessions", b" " * 1001)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request body is too large")


def test_an_oversized_body_is_a_json_413_over_real_http(live_server: Any, token: str) -> None:
    """Over a socket: the 2.6 MB body is read before the answer, so no connection reset."""
    netloc = urlsplit(live_server.url).netloc
    connection = http.client.HTTPConnection(netloc, timeout=30)
    body = b'{"text": "' + b"x" * 2_700_000 + b'"}'
    connection.request(
        "POST",
        "/api/v1/chats/sessions",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/json"
    assert "too large" in json.loads(response.read())["detail"]
    connection.close()


# --- every error is JSON ---------------------------------------------------------------------


def test_an_unknown_api_path_is_a_json_404(api: HttpClient) -> None:
    for path in ("/api/v1/nothing-here", "/api/v1/calls/1/nothing", "/api/v1/"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def test_a_wrong_method_is_a_json_405_with_allow(api: HttpClient) -> None:
    response = api.delete("/api/v1/calls/events")
    assert response.status_code == 405
    assert response.json() == {"detail": "This method is not allowed here."}
    assert "POST" in response["Allow"]


def test_anonymous_and_csrf_failures_are_json(world: World) -> None:
    anonymous = HttpClient().get("/api/v1/calls", {"client": "client-a"})
    assert anonymous.status_code == 401
    assert "detail" in anonymous.json()
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(world.provider_admin.user)
    response = browser.post(
        "/api/v1/statements/1/reissue", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert isinstance(response.json()["detail"], str)


def test_a_server_error_is_json(token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("pactline.channels.voice.api.call_list", broken)
    http_ = HttpClient(HTTP_AUTHORIZATION=f"Bearer {token}", raise_request_exception=False)
    response = http_.get("/api/v1/calls", {"client": "client-a"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error."}


def test_pages_outside_the_api_keep_their_html_errors(world: World) -> None:
    response = HttpClient().get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
