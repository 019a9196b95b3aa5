from __future__ import annotations

import hashlib

import pytest

from conftest import World
from pactline.audit.models import AuditEvent
from pactline.common.errors import Forbidden, NotFound, ValidationFailed
from pactline.tenancy.models import ApiToken, Client, Membership, Role, TokenScope
from pactline.tenancy.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    client_create,
    membership_grant,
)

pytestmark = pytest.mark.django_db


def test_tokens_are_stored_hashed_and_shown_once(world: World) -> None:
    token, raw = api_token_create(
        actor=world.client_a_manager.actor, client=world.client_a, name="BI", scope=TokenScope.READ
    )
    assert raw.startswith(f"pl_{token.prefix}_")
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {str(v) for v in ApiToken.objects.values_list("digest", "prefix", "name")[0]}
    assert api_token_authenticate(raw) == token
    assert api_token_authenticate(raw + "x") is None
    assert api_token_authenticate("not-a-token") is None
    event = AuditEvent.objects.get(action="api_token.created")
    assert raw not in str(event.payload)
    assert event.client_id == world.client_a.id


def test_revoked_tokens_stop_working(world: World) -> None:
    token, raw = api_token_create(
        actor=world.provider_admin.actor, client=world.client_a, name="x", scope=TokenScope.WRITE
    )
    api_token_revoke(actor=world.client_a_manager.actor, token=token)
    api_token_revoke(actor=world.client_a_manager.actor, token=token)
    assert api_token_authenticate(raw) is None
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


@pytest.mark.parametrize(
    ("persona", "error"),
    [("client_a_agent", Forbidden), ("client_b_manager", NotFound), ("anonymous", NotFound)],
)
def test_denied_token_creation_changes_nothing(world: World, persona: str, error: type) -> None:
    with pytest.raises(error):
        api_token_create(
            actor=getattr(world, persona).actor,
            client=world.client_a,
            name="x",
            scope=TokenScope.READ,
        )
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_token_needs_a_name(world: World) -> None:
    with pytest.raises(ValidationFailed) as raised:
        api_token_create(
            actor=world.provider_admin.actor,
            client=world.client_a,
            name="  ",
            scope=TokenScope.READ,
        )
    assert [e.path for e in raised.value.errors] == ["name"]


def test_client_creation_is_for_provider_admins_and_audited(world: World) -> None:
    with pytest.raises(Forbidden):
        client_create(actor=world.supervisor.actor, code="c", name="C")
    client = client_create(actor=world.provider_admin.actor, code="client-c", name="Client C")
    assert AuditEvent.objects.get(action="client.created").client_id == client.id
    with pytest.raises(ValidationFailed):
        client_create(actor=world.provider_admin.actor, code="client-c", name="Again")
    assert Client.objects.filter(code="client-c").count() == 1


def test_membership_grant_is_idempotent_and_client_roles_need_a_client(world: World) -> None:
    admin = world.provider_admin.actor
    user = world.client_b_agent.user
    assert user is not None
    membership_grant(actor=admin, user=user, role=Role.QA_ANALYST, client=world.client_b)
    membership_grant(actor=admin, user=user, role=Role.QA_ANALYST, client=world.client_b)
    assert Membership.objects.filter(user=user, role=Role.QA_ANALYST).count() == 1
    assert AuditEvent.objects.filter(action="membership.granted").count() == 1
    with pytest.raises(ValidationFailed):
        membership_grant(actor=admin, user=user, role=Role.CLIENT_VIEWER, client=None)
