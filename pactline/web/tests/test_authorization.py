"""Authorization matrix: every page and every POST action × every persona.

Targets belong to client A. Anonymous → 302 to the login page; a persona that cannot see
client A → 404; one that sees it without the role → 403; allowed → 200 or 302. A denied
POST changes nothing: versions, clients, tokens and the audit log are compared before/after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client as HttpClient

from conftest import PERSONAS, PROVIDER_READERS, World
from pactline.agreements.models import AgreementVersion
from pactline.agreements.services import agreement_version_accept
from pactline.agreements.tests.test_pages_support import (  # noqa: F401 - fixture
    Agreements,
    agreements_fixture,
    example_for,
    example_text,
)
from pactline.audit.models import AuditEvent
from pactline.tenancy.models import ApiToken, Client, TokenScope
from pactline.tenancy.services import api_token_create

AUTHENTICATED = frozenset(PERSONAS) - {"anonymous"}
SEES_A = (
    frozenset(
        {"provider_admin", "supervisor", "client_a_manager", "client_a_viewer", "client_a_agent"}
    )
    | PROVIDER_READERS
)
ADMIN = frozenset({"provider_admin"})
TOKEN_MANAGERS = frozenset({"provider_admin", "client_a_manager"})


@dataclass(frozen=True)
class Target:
    world: World
    agreements: Agreements
    token: ApiToken


@dataclass(frozen=True)
class Case:
    name: str
    url: Callable[[Target], str]
    allowed: frozenset[str]
    visible: frozenset[str] = SEES_A
    method: str = "get"
    data: Callable[[Target], dict[str, Any]] = field(default=lambda target: {})
    ok: int = 200


def _version(name: str) -> Callable[[Target], str]:
    return lambda t: f"/agreements/versions/{getattr(t.agreements, name).pk}/"


CASES = [
    Case("home", lambda t: "/", AUTHENTICATED, visible=AUTHENTICATED),
    Case("client list", lambda t: "/clients/", AUTHENTICATED, visible=AUTHENTICATED),
    Case("client page", lambda t: "/clients/client-a/", SEES_A),
    Case(
        "agreement page",
        lambda t: f"/agreements/{t.agreements.a_active.agreement_id}/",
        SEES_A,
    ),
    Case("version page", _version("a_active"), SEES_A),
    Case("export yaml", lambda t: _version("a_active")(t) + "export.yaml", SEES_A),
    Case("export json", lambda t: _version("a_active")(t) + "export.json", SEES_A),
    Case("new version form", lambda t: "/clients/client-a/agreements/new/", ADMIN),
    Case(
        "new version post",
        lambda t: "/clients/client-a/agreements/new/",
        ADMIN,
        method="post",
        data=lambda t: {"text": example_for(t.world.client_a, "customer-service-zh", title="v4")},
        ok=302,
    ),
    Case("onboard form", lambda t: "/agreements/new/", ADMIN, visible=AUTHENTICATED),
    Case(
        "onboard post",
        lambda t: "/agreements/new/",
        ADMIN,
        visible=AUTHENTICATED,
        method="post",
        data=lambda t: {"text": example_text("telecom-tiers")},
        ok=302,
    ),
    Case("tokens page", lambda t: "/clients/client-a/tokens/", TOKEN_MANAGERS),
    Case(
        "token create",
        lambda t: "/clients/client-a/tokens/",
        TOKEN_MANAGERS,
        method="post",
        data=lambda t: {"name": "CRM sync", "scope": "read", "expires_in": "90"},
    ),
    Case(
        "token revoke",
        lambda t: f"/clients/client-a/tokens/{t.token.pk}/revoke/",
        TOKEN_MANAGERS,
        method="post",
        ok=302,
    ),
    Case("propose", lambda t: _version("a_draft")(t) + "propose/", ADMIN, method="post", ok=302),
    Case(
        "accept",
        lambda t: _version("a_proposed")(t) + "accept/",
        frozenset({"client_a_manager"}),
        method="post",
        ok=302,
    ),
    Case("activate", lambda t: _accepted(t) + "activate/", ADMIN, method="post", ok=302),
]


def _accepted(target: Target) -> str:
    """The proposal's page once the client has accepted it (its agreement requires written
    acceptance before a change is put in force)."""
    agreement_version_accept(
        actor=target.world.client_a_manager.actor, version=target.agreements.a_proposed
    )
    return _version("a_proposed")(target)


def _state() -> dict[str, object]:
    """Everything a page action could change."""
    return {
        "versions": sorted(
            AgreementVersion.objects.values_list("id", "status", "accepted_at", "activated_at")
        ),
        "clients": Client.objects.count(),
        "tokens": sorted(ApiToken.objects.values_list("id", "revoked_at")),
        "audit": AuditEvent.objects.count(),
    }


def _expected(case: Case, persona: str) -> int:
    if persona == "anonymous":
        return 302
    if persona not in case.visible:
        return 404
    if persona not in case.allowed:
        return 403
    return case.ok


@pytest.fixture
def target(world: World, agreements: Agreements) -> Target:
    manager = world.client_a_manager.actor
    token, _raw = api_token_create(
        actor=manager, client=world.client_a, name="existing", scope=TokenScope.WRITE
    )
    return Target(world, agreements, token)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_matrix(client: HttpClient, target: Target, case: Case, persona: str) -> None:
    user = getattr(target.world, persona).user
    if user is not None:
        client.force_login(user)
    url = case.url(target)
    before = _state()

    response = client.post(url, case.data(target)) if case.method == "post" else client.get(url)

    expected = _expected(case, persona)
    assert response.status_code == expected, response.content[:500]
    if persona == "anonymous":
        assert response["Location"].startswith("/login/?next=")
    if case.method == "post":
        after = _state()
        if persona in case.allowed:
            assert after != before, "an allowed action must change something"
        else:
            assert after == before, "a denied action must change nothing"
