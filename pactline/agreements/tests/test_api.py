from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import World
from pactline.agreements.models import Agreement, AgreementVersion
from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import amendment_date, document_for
from pactline.audit.models import AuditEvent
from pactline.core.agreement import agreement_to_data, parse_agreement
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import TokenScope
from pactline.tenancy.services import api_token_create

pytestmark = pytest.mark.django_db


def _as(world: World, persona: str) -> HttpClient:
    http = HttpClient()
    user = getattr(world, persona).user
    if user is not None:
        http.force_login(user)
    return http


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _active(world: World, code: str = "client-a") -> AgreementVersion:
    system = system_actor()
    version = agreement_version_create(actor=system, text=document_for(code)).version
    agreement_version_propose(actor=system, version=version)
    return agreement_version_activate(actor=system, version=version)


def _draft(world: World) -> AgreementVersion:
    _active(world)
    text = document_for("client-a", title="Amendment 1", effective_from=amendment_date())
    version = agreement_version_create(actor=system_actor(), text=text).version
    return agreement_version_propose(actor=system_actor(), version=version)


def _snapshot() -> tuple[Any, ...]:
    return (
        AuditEvent.objects.count(),
        Agreement.objects.count(),
        tuple(AgreementVersion.objects.order_by("pk").values_list("status", "accepted_at")),
    )


def test_openapi_is_published() -> None:
    response = HttpClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/agreements/versions" in paths
    assert "/api/v1/agreements/versions/{version_id}/activate" in paths


def test_anonymous_requests_are_unauthorized(world: World) -> None:
    http = HttpClient()
    assert http.get("/api/v1/clients").status_code == 401
    assert http.get("/api/v1/agreements").status_code == 401
    response = http.post(
        "/api/v1/agreements/versions", document_for("client-a"), content_type="application/json"
    )
    assert response.status_code == 401
    assert Agreement.objects.count() == 0


def test_a_bad_token_is_unauthorized(world: World) -> None:
    assert HttpClient().get("/api/v1/clients", **_bearer("pl_nope_nope")).status_code == 401


def test_clients_are_scoped_to_the_caller(world: World) -> None:
    body = _as(world, "client_b_agent").get("/api/v1/clients").json()
    assert [c["code"] for c in body] == ["client-b"]
    assert _as(world, "client_b_agent").get("/api/v1/clients/client-a").status_code == 404
    assert _as(world, "supervisor").get("/api/v1/clients/client-a").json()["name"] == "Client A"


def test_create_version_from_yaml_then_again_is_idempotent(world: World) -> None:
    _token, raw = api_token_create(
        actor=world.provider_admin.actor, client=world.client_a, name="sync", scope=TokenScope.WRITE
    )
    import yaml

    text = yaml.safe_dump(json.loads(document_for("client-a")), allow_unicode=True)
    first = HttpClient().post(
        "/api/v1/agreements/versions", text, content_type="application/yaml", **_bearer(raw)
    )
    assert first.status_code == 201, first.content
    assert first.json()["created"] is True
    assert first.json()["status"] == "draft"
    second = HttpClient().post(
        "/api/v1/agreements/versions", text, content_type="application/yaml", **_bearer(raw)
    )
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert AgreementVersion.objects.count() == 1


def test_an_invalid_document_gets_422_with_every_error_and_nothing_is_stored(world: World) -> None:
    bad = document_for("client-a").replace('"schema_version": 1', '"schema_version": 7')
    data = json.loads(bad)
    data["pricing"]["currency"] = "euro"
    response = _as(world, "provider_admin").post(
        "/api/v1/agreements/versions", json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 422
    paths = sorted(e["path"] for e in response.json()["errors"])
    assert "schema_version" in paths
    assert "pricing.currency" in paths
    assert all(e["line"] is not None for e in response.json()["errors"])
    assert _snapshot() == (0, 0, ())


def test_a_garbage_body_is_a_422_not_a_500(world: World) -> None:
    response = _as(world, "provider_admin").post(
        "/api/v1/agreements/versions", b"\xff\xfe{{{", content_type="application/yaml"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"]


def test_read_only_token_reads_but_cannot_write(world: World) -> None:
    version = _draft(world)
    _token, raw = api_token_create(
        actor=world.provider_admin.actor, client=world.client_a, name="bi", scope=TokenScope.READ
    )
    http = HttpClient()
    assert http.get("/api/v1/agreements", **_bearer(raw)).status_code == 200
    before = _snapshot()
    response = http.post(f"/api/v1/agreements/versions/{version.pk}/activate", **_bearer(raw))
    assert response.status_code == 403
    assert _snapshot() == before


def test_a_token_cannot_reach_another_client(world: World) -> None:
    _active(world, "client-b")
    _token, raw = api_token_create(
        actor=world.provider_admin.actor, client=world.client_a, name="a", scope=TokenScope.WRITE
    )
    other = AgreementVersion.objects.get(client=world.client_b)
    http = HttpClient()
    assert http.get(f"/api/v1/agreements/versions/{other.pk}", **_bearer(raw)).status_code == 404
    assert http.get("/api/v1/agreements", **_bearer(raw)).json() == []


def test_lifecycle_through_the_api(world: World) -> None:
    version = _draft(world)
    accepted = _as(world, "client_a_manager").post(
        f"/api/v1/agreements/versions/{version.pk}/accept"
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["accepted_by"] == "user:a-manager"
    activated = _as(world, "provider_admin").post(
        f"/api/v1/agreements/versions/{version.pk}/activate"
    )
    assert activated.status_code == 200
    assert activated.json()["status"] == "active"
    in_force = _as(world, "client_a_viewer").get(
        "/api/v1/clients/client-a/agreement-in-force", {"at": "2030-01-01T00:00:00Z"}
    )
    assert in_force.json()["id"] == version.pk
    again = _as(world, "provider_admin").post(f"/api/v1/agreements/versions/{version.pk}/activate")
    assert again.status_code == 409


def test_export_round_trips(world: World) -> None:
    version = _active(world)
    for fmt in ("yaml", "json"):
        response = _as(world, "client_a_viewer").get(
            f"/api/v1/agreements/versions/{version.pk}/export", {"format": fmt}
        )
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'-v1.{fmt}"')
        document = parse_agreement(response.content.decode(), fmt=fmt)
        assert agreement_to_data(document) == version.document


ENDPOINTS = [
    ("get", "/api/v1/clients/client-a"),
    ("get", "/api/v1/agreements?client=client-a"),
    ("get", "/api/v1/agreements/{agreement}"),
    ("get", "/api/v1/agreements/versions/{version}"),
    ("get", "/api/v1/agreements/versions/{version}/export"),
    ("get", "/api/v1/clients/client-a/agreement-in-force"),
    ("post", "/api/v1/agreements/versions/{version}/propose"),
    ("post", "/api/v1/agreements/versions/{version}/accept"),
    ("post", "/api/v1/agreements/versions/{version}/activate"),
]

# (persona, endpoint index) → status; endpoints not listed for a persona are 200.
EXPECTED = {
    "anonymous": dict.fromkeys(range(9), 401),
    "client_b_agent": dict.fromkeys(range(9), 404),
    "client_b_manager": dict.fromkeys(range(9), 404),
    "client_a_agent": {6: 403, 7: 403, 8: 403},
    "client_a_viewer": {6: 403, 7: 403, 8: 403},
    "supervisor": {6: 403, 7: 403, 8: 403},
    "client_a_manager": {6: 403, 8: 403},
    # Activating needs the client's written acceptance first (index 8).
    "provider_admin": {6: 409, 7: 403, 8: 409},
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
@pytest.mark.parametrize("index", range(len(ENDPOINTS)))
def test_authorization_matrix(world: World, persona: str, index: int) -> None:
    version = _draft(world)
    method, template = ENDPOINTS[index]
    url = template.format(agreement=version.agreement_id, version=version.pk)
    before = _snapshot()
    response = getattr(_as(world, persona), method)(url)
    expected = EXPECTED[persona].get(index, 200)
    assert response.status_code == expected, (persona, url, response.content)
    if method == "post" and expected != 200:
        assert _snapshot() == before
