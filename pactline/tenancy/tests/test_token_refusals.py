"""API tokens stop working with their creator, their membership and their expiry (401, audited),
and note their use at most once a minute."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client as HttpClient

from conftest import World
from pactline.audit.models import AuditEvent
from pactline.tenancy.models import ApiToken, Membership, Role, TokenScope
from pactline.tenancy.services import api_token_create

API = "/api/v1/clients"
TOKENS = "/clients/client-a/tokens/"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _issue(world: World, **kwargs: object) -> tuple[ApiToken, str]:
    return api_token_create(
        actor=world.client_a_manager.actor,
        client=world.client_a,
        name="CRM sync",
        scope=TokenScope.READ,
        **kwargs,  # type: ignore[arg-type]
    )


def _refusals() -> list[tuple[str, object, object]]:
    return [
        (event.payload["reason"], event.client_id, event.actor_label)
        for event in AuditEvent.objects.filter(action="api_token.refused").order_by("id")
    ]


def test_a_working_token_answers(world: World) -> None:
    _token, raw = _issue(world)
    response = HttpClient().get(API, **_bearer(raw))
    assert response.status_code == 200
    assert [row["code"] for row in response.json()] == ["client-a"]
    assert _refusals() == []


def test_a_deactivated_creators_token_is_refused_and_audited(world: World) -> None:
    token, raw = _issue(world)
    user = world.client_a_manager.user
    assert user is not None
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = HttpClient().get(API, **_bearer(raw))

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Unauthorized"}
    assert _refusals() == [("creator_inactive", world.client_a.id, f"token:{token.prefix}")]
    # Every refused request is audited, not only the first.
    assert HttpClient().get(API, **_bearer(raw)).status_code == 401
    assert len(_refusals()) == 2


def test_a_token_stops_when_its_membership_is_removed(world: World) -> None:
    token, raw = _issue(world)
    assert token.membership is not None
    assert token.membership.role == Role.CLIENT_MANAGER
    assert token.membership.client_id == world.client_a.id
    Membership.objects.filter(pk=token.membership.pk).delete()

    response = HttpClient().get(API, **_bearer(raw))

    assert response.status_code == 401
    assert _refusals() == [("membership_lost", world.client_a.id, f"token:{token.prefix}")]
    token.refresh_from_db()
    assert token.membership is None  # the token survives, detached, for the page and the log


def test_a_token_issued_by_a_provider_admin_is_tied_to_the_provider_wide_role(
    world: World,
) -> None:
    token, raw = api_token_create(
        actor=world.provider_admin.actor,
        client=world.client_a,
        name="billing export",
        scope=TokenScope.READ,
    )
    assert token.membership is not None
    assert (token.membership.role, token.membership.client_id) == (Role.PROVIDER_ADMIN, None)
    assert HttpClient().get(API, **_bearer(raw)).status_code == 200
    # Gaining another role later does not keep a token whose own membership went.
    Membership.objects.create(
        user=world.provider_admin.user, role=Role.CLIENT_MANAGER, client=world.client_a
    )
    Membership.objects.filter(pk=token.membership.pk).delete()
    assert HttpClient().get(API, **_bearer(raw)).status_code == 401
    assert [reason for reason, *_ in _refusals()] == ["membership_lost"]


def test_a_token_works_until_its_expiry_and_not_at_it(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        token, raw = _issue(world, expires_at=T0 + timedelta(days=30))
    with time_machine.travel(T0 + timedelta(days=30) - timedelta(seconds=1), tick=False):
        assert HttpClient().get(API, **_bearer(raw)).status_code == 200
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        assert HttpClient().get(API, **_bearer(raw)).status_code == 401
    assert _refusals() == [("expired", world.client_a.id, f"token:{token.prefix}")]


def test_a_revoked_token_is_refused_and_audited(world: World) -> None:
    token, raw = _issue(world)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=T0)
    assert HttpClient().get(API, **_bearer(raw)).status_code == 401
    assert [reason for reason, *_ in _refusals()] == ["revoked"]


def test_an_unknown_token_is_refused_without_an_audit_row(world: World) -> None:
    _issue(world)
    assert HttpClient().get(API, **_bearer("pl_00000000_nothing")).status_code == 401
    assert _refusals() == []


def test_an_expiry_in_the_past_is_refused_naming_the_field(world: World) -> None:
    from pactline.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as failed:
        _issue(world, expires_at=T0, now=T0)
    assert [error.path for error in failed.value.errors] == ["expires_at"]
    assert ApiToken.objects.count() == 0


def test_last_use_is_noted_at_most_once_a_minute(world: World) -> None:
    token, raw = _issue(world)
    with time_machine.travel(T0, tick=False):
        HttpClient().get(API, **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == T0
    with time_machine.travel(T0 + timedelta(seconds=50), tick=False):
        HttpClient().get(API, **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == T0
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        HttpClient().get(API, **_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == T0 + timedelta(seconds=61)


@pytest.mark.parametrize(
    ("choice", "on", "expected"),
    [
        ("none", "", None),
        ("30", "", T0 + timedelta(days=30)),
        ("90", "", T0 + timedelta(days=90)),
        ("365", "", T0 + timedelta(days=365)),
        ("date", "2026-04-15", datetime(2026, 4, 16, tzinfo=UTC)),
        ("date", "2026-03-02", datetime(2026, 3, 3, tzinfo=UTC)),  # today: until midnight
    ],
)
def test_the_page_issues_tokens_with_the_chosen_expiry(
    client: HttpClient, world: World, choice: str, on: str, expected: datetime | None
) -> None:
    client.force_login(world.client_a_manager.user)
    with time_machine.travel(T0, tick=False):
        response = client.post(
            TOKENS, {"name": "CRM sync", "scope": "read", "expires_in": choice, "expires_on": on}
        )
        assert response.status_code == 200
        token = ApiToken.objects.get()
        assert token.expires_at == expected
        listing = client.get(TOKENS).content.decode()
    if expected is not None:
        assert expected.strftime("%Y-%m-%d %H:%M") in listing
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.payload["expires_at"] == (expected.isoformat() if expected else None)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"expires_in": "date", "expires_on": ""}, "expires_on"),
        ({"expires_in": "date", "expires_on": "2026-03-01"}, "expires_on"),
        ({"expires_in": "date", "expires_on": "not a date"}, "expires_on"),
        ({"expires_in": "7"}, "expires_in"),
        ({}, "expires_in"),
    ],
)
def test_a_bad_expiry_is_refused_on_its_field(
    client: HttpClient, world: World, data: dict[str, str], field: str
) -> None:
    client.force_login(world.client_a_manager.user)
    with time_machine.travel(T0, tick=False):
        response = client.post(TOKENS, {"name": "CRM sync", "scope": "read", **data})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="new-token"' not in html
    form_errors = response.context["form"].errors
    assert list(form_errors) == [field]
    assert ApiToken.objects.count() == 0


def test_the_page_shows_why_a_token_no_longer_works(client: HttpClient, world: World) -> None:
    with time_machine.travel(T0, tick=False):
        _issue(world, expires_at=T0 + timedelta(days=1))
    client.force_login(world.provider_admin.user)
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        html = client.get(TOKENS).content.decode()
    assert re.search(r'badge-revoked">Expired<', html)
