from __future__ import annotations

import pytest

from conftest import World
from pactline.common.errors import Forbidden, NotFound
from pactline.tenancy.access import (
    ANONYMOUS,
    Permission,
    access_client,
    actor_for_token,
    has_permission,
    is_client_side,
    visible_clients,
)
from pactline.tenancy.models import Role, TokenScope
from pactline.tenancy.services import api_token_create

pytestmark = pytest.mark.django_db


def _codes(world: World, persona: str) -> list[str]:
    actor = getattr(world, persona).actor
    return sorted(visible_clients(actor).values_list("code", flat=True))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("provider_admin", ["client-a", "client-b"]),
        ("supervisor", ["client-a", "client-b"]),
        ("client_a_manager", ["client-a"]),
        ("client_a_agent", ["client-a"]),
        ("client_b_agent", ["client-b"]),
        ("billing", ["client-a", "client-b"]),
        ("anonymous", []),
    ],
)
def test_visible_clients_follow_memberships(
    world: World, persona: str, expected: list[str]
) -> None:
    assert _codes(world, persona) == expected


def test_other_clients_are_not_found_and_missing_roles_are_forbidden(world: World) -> None:
    agent_b = world.client_b_agent.actor
    with pytest.raises(NotFound):
        access_client(agent_b, "client-a")
    with pytest.raises(NotFound):
        access_client(agent_b, "no-such-client")
    with pytest.raises(Forbidden):
        access_client(agent_b, "client-b", permission=Permission.AGREEMENT_ACTIVATE)
    assert access_client(agent_b, "client-b").code == "client-b"


def test_billing_sees_every_client_and_is_forbidden_its_cases(world: World) -> None:
    billing = world.billing.actor
    assert access_client(billing, "client-a").code == "client-a"
    for permission in (Permission.AGREEMENT_VIEW, Permission.BILLING_MANAGE):
        assert access_client(billing, "client-b", permission=permission).code == "client-b"
    for permission in (
        Permission.CASE_VIEW,
        Permission.CASE_INTERNAL_VIEW,
        Permission.CASE_WORK,
        Permission.KNOWLEDGE_READ,
        Permission.STATEMENT_ISSUE,
    ):
        with pytest.raises(Forbidden):
            access_client(billing, "client-a", permission=permission)
    with pytest.raises(NotFound):
        access_client(billing, "no-such-client", permission=Permission.CASE_VIEW)


def test_anonymous_sees_nothing(world: World) -> None:
    with pytest.raises(NotFound):
        access_client(ANONYMOUS, "client-a")


def test_only_the_client_manager_accepts_changes(world: World) -> None:
    a = world.client_a.id
    assert has_permission(world.client_a_manager.actor, Permission.AGREEMENT_ACCEPT, a)
    assert not has_permission(world.client_a_viewer.actor, Permission.AGREEMENT_ACCEPT, a)
    assert not has_permission(world.provider_admin.actor, Permission.AGREEMENT_ACCEPT, a)
    assert not has_permission(world.client_b_manager.actor, Permission.AGREEMENT_ACCEPT, a)
    assert has_permission(world.provider_admin.actor, Permission.AGREEMENT_ACTIVATE, a)
    assert not has_permission(world.client_a_manager.actor, Permission.AGREEMENT_ACTIVATE, a)


def test_client_side_personas_are_recognised(world: World) -> None:
    assert is_client_side(world.client_a_manager.actor)
    assert not is_client_side(world.supervisor.actor)
    assert not is_client_side(ANONYMOUS)


def test_a_token_acts_for_its_client_only_and_read_tokens_cannot_write(world: World) -> None:
    admin = world.provider_admin.actor
    read_token, _raw = api_token_create(
        actor=admin, client=world.client_a, name="reports", scope=TokenScope.READ
    )
    write_token, _raw = api_token_create(
        actor=admin, client=world.client_a, name="sync", scope=TokenScope.WRITE
    )
    reader, writer = actor_for_token(read_token), actor_for_token(write_token)
    a, b = world.client_a.id, world.client_b.id
    assert has_permission(reader, Permission.AGREEMENT_VIEW, a)
    assert not has_permission(reader, Permission.AGREEMENT_DRAFT, a)
    assert has_permission(writer, Permission.AGREEMENT_DRAFT, a)
    assert not has_permission(writer, Permission.AGREEMENT_VIEW, b)
    assert not has_permission(writer, Permission.CLIENT_CREATE, None)
    assert sorted(visible_clients(writer).values_list("code", flat=True)) == ["client-a"]
    assert writer.grants == {a: frozenset({Role.PROVIDER_ADMIN})}
