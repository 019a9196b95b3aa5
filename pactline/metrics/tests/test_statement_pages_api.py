"""Statements API: list, get, issue, reissue — content, 401/403/404/409/422, token scopes,
nothing written by a refused request, and the operations in OpenAPI."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import PERSONAS, PROVIDER_READERS, World
from pactline.metrics.models import Statement
from pactline.metrics.statements import statement_issue
from pactline.metrics.tests.support import SYSTEM
from pactline.metrics.tests.test_statement_pages_support import (  # noqa: F401 - fixture
    APRIL_2,
    March,
    late_calls,
    march_fixture,
)
from pactline.tenancy.access import actor_for_user
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

pytestmark = pytest.mark.django_db

SEES_A = {
    "provider_admin",
    "supervisor",
    "client_a_manager",
    "client_a_viewer",
    "client_a_agent",
} | PROVIDER_READERS


def _issued(march: March) -> Statement:
    with time_machine.travel(APRIL_2, tick=False):
        statement, _ = statement_issue(
            actor=SYSTEM, client=march.world.client_a, day=APRIL_2.date().replace(month=3)
        )
    return statement


def _token(world: World, persona: str, scope: TokenScope = TokenScope.WRITE) -> dict[str, str]:
    user = getattr(world, persona).user
    client = world.client_b if persona.startswith("client_b") else world.client_a
    _token, raw = api_token_create(
        actor=actor_for_user(user), client=client, name="test", scope=scope
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(http: HttpClient, path: str, body: dict[str, Any], **headers: str) -> Any:
    return http.post(path, body, content_type="application/json", **headers)


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_matrix(march: March, persona: str) -> None:
    statement = _issued(march)
    http = march.http.as_(persona)
    one = http.get(f"/api/v1/statements/{statement.pk}")
    listed = http.get("/api/v1/statements")
    filtered = http.get("/api/v1/statements", {"client": "client-a"})
    if persona == "anonymous":
        assert (one.status_code, listed.status_code, filtered.status_code) == (401, 401, 401)
        return
    if persona in SEES_A:
        assert (one.status_code, filtered.status_code) == (200, 200)
        assert [row["id"] for row in filtered.json()] == [statement.pk]
    else:
        assert (one.status_code, filtered.status_code) == (404, 404)
    ids = [row["id"] for row in listed.json()]
    assert ids == ([statement.pk] if persona in SEES_A else [])


def test_a_statement_in_full(march: March) -> None:
    statement = _issued(march)
    body = march.http.as_("client_a_viewer").get(f"/api/v1/statements/{statement.pk}").json()
    assert body["client"] == "client-a"
    assert (body["frequency"], body["period_start"], body["period_end"]) == (
        "monthly",
        "2026-03-01",
        "2026-03-31",
    )
    assert (body["timezone"], body["revision"], body["superseded_by"]) == (
        "America/New_York",
        1,
        None,
    )
    first, second = body["segments"]
    assert (first["agreement_version"], second["agreement_version"]) == (1, 2)
    assert first["starts_at"] == "2026-03-01T05:00:00Z"
    assert first["ends_at"] == second["starts_at"] == "2026-03-16T04:00:00Z"
    level = next(
        r for r in second["results"] if (r["channel"], r["name"]) == ("phone", "answer_within")
    )
    assert (level["value"], level["numerator"], level["denominator"]) == ("50", "2", "4")
    assert (level["operator"], level["target"], level["verdict"]) == (">=", "50", "met")
    assert level["params"]["threshold"] == 30
    assert "{threshold}" in level["definition"]
    assert "within 30 s" in level["definition_text"]


def test_filters_and_paging(march: March) -> None:
    statement = _issued(march)
    http = march.http.as_("provider_admin")
    assert [r["id"] for r in http.get("/api/v1/statements?frequency=monthly").json()] == [
        statement.pk
    ]
    assert http.get("/api/v1/statements?frequency=weekly").json() == []
    assert http.get("/api/v1/statements?offset=1").json() == []
    assert http.get("/api/v1/statements?limit=0").status_code == 422
    assert http.get("/api/v1/statements?frequency=hourly").status_code == 422
    assert http.get("/api/v1/statements", {"client": "a\x00"}).status_code == 422
    assert http.get("/api/v1/statements?client=nobody").status_code == 404


def test_issue_created_then_returned_as_it_is(march: March) -> None:
    http = HttpClient()
    headers = _token(march.world, "provider_admin")
    body = {"client": "client-a", "frequency": "monthly", "period": "2026-03-09"}
    with time_machine.travel(APRIL_2, tick=False):
        first = _post(http, "/api/v1/statements", body, **headers)
        again = _post(http, "/api/v1/statements", {**body, "period": "2026-03-31"}, **headers)
    assert first.status_code == 201 and first.json()["created"] is True
    assert again.status_code == 200 and again.json()["created"] is False
    assert first.json()["id"] == again.json()["id"]
    assert len(first.json()["segments"]) == 2


@pytest.mark.parametrize(
    ("body", "status", "path"),
    [
        ({"client": "client-a", "frequency": "monthly", "period": "2026-04-01"}, 422, "period"),
        ({"client": "client-a", "frequency": "monthly", "period": "0001-01-01"}, 422, "period"),
        ({"client": "client-a", "frequency": "quarterly", "period": "9999-12-31"}, 422, "period"),
        ({"client": "client-a", "frequency": "hourly", "period": "2026-03-01"}, 422, None),
        ({"client": "client-a", "period": "2026-02-30"}, 422, None),
        ({"client": "client-a"}, 422, None),
        ({"client": "nobody", "period": "2026-03-01"}, 404, None),
        ({"client": "a\x00b", "period": "2026-03-01"}, 422, "client"),
        ({"client": "client-b", "period": "2026-03-01"}, 404, None),  # the token's client is A
    ],
)
def test_issue_refusals_write_nothing(
    march: March, body: dict[str, Any], status: int, path: str | None
) -> None:
    with time_machine.travel(APRIL_2, tick=False):
        response = _post(
            HttpClient(), "/api/v1/statements", body, **_token(march.world, "provider_admin")
        )
    assert response.status_code == status
    if path is not None:
        assert response.json()["errors"][0]["path"] == path
    assert not Statement.objects.exists()


@pytest.mark.parametrize(
    ("persona", "scope", "status"),
    [
        ("provider_admin", TokenScope.READ, 403),  # a read-only token never issues
        ("client_a_manager", TokenScope.WRITE, 403),
        ("client_b_manager", TokenScope.WRITE, 404),
    ],
)
def test_who_may_issue(march: March, persona: str, scope: TokenScope, status: int) -> None:
    body = {"client": "client-a", "frequency": "monthly", "period": "2026-03-01"}
    with time_machine.travel(APRIL_2, tick=False):
        by_token = _post(
            HttpClient(), "/api/v1/statements", body, **_token(march.world, persona, scope)
        )
        by_session = _post(march.http.as_("client_a_viewer"), "/api/v1/statements", body)
    assert by_token.status_code == status
    assert by_session.status_code == 403
    assert _post(HttpClient(), "/api/v1/statements", body).status_code == 401
    assert not Statement.objects.exists()


def test_reissue(march: March) -> None:
    statement = _issued(march)
    path = f"/api/v1/statements/{statement.pk}/reissue"
    http = HttpClient()
    admin = _token(march.world, "provider_admin")
    assert _post(http, path, {"reason": " "}, **admin).json()["errors"][0]["path"] == "reason"
    assert _post(http, path, {"reason": "x" * 2001}, **admin).status_code == 422
    assert _post(http, path, {}, **admin).status_code == 422
    assert (
        _post(http, path, {"reason": "x"}, **_token(march.world, "client_a_manager")).status_code
        == 403
    )
    assert (
        _post(http, path, {"reason": "x"}, **_token(march.world, "client_b_manager")).status_code
        == 404
    )
    assert (
        _post(http, "/api/v1/statements/999999/reissue", {"reason": "x"}, **admin).status_code
        == 404
    )
    assert Statement.objects.count() == 1

    late_calls(march)
    done = _post(http, path, {"reason": "late CDR file"}, **admin)
    assert done.status_code == 201
    body = done.json()
    assert (body["revision"], body["reason"]) == (2, "late CDR file")
    level = next(
        r
        for r in body["segments"][0]["results"]
        if (r["channel"], r["name"]) == ("phone", "answer_within")
    )
    assert level["volume"] == 6
    old = http.get(f"/api/v1/statements/{statement.pk}", **admin).json()
    assert old["superseded_by"] == body["id"]
    again = _post(http, path, {"reason": "again"}, **admin)
    assert again.status_code == 409 and "already reissued" in again.json()["detail"]
    current = http.get("/api/v1/statements?current=true", **admin).json()
    assert [row["id"] for row in current] == [body["id"]]


def test_the_operations_are_in_openapi(client: HttpClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/statements"]) == {"get", "post"}
    assert set(paths["/api/v1/statements/{statement_id}"]) == {"get"}
    assert set(paths["/api/v1/statements/{statement_id}/reissue"]) == {"post"}
