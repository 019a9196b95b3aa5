"""The API-token page: list, issue (plain text shown once), revoke."""

from __future__ import annotations

import re

from django.test import Client as HttpClient

from conftest import World
from pactline.tenancy.access import Permission, actor_for_token, has_permission
from pactline.tenancy.models import ApiToken, TokenScope
from pactline.tenancy.services import api_token_authenticate, api_token_create

TOKENS = "/clients/client-a/tokens/"


def test_a_new_token_is_shown_once_and_works(client: HttpClient, world: World) -> None:
    client.force_login(world.client_a_manager.user)

    response = client.post(TOKENS, {"name": "CRM sync", "scope": "read", "expires_in": "none"})

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    match = re.search(r'<code id="new-token">(pl_[0-9a-f]{8}_[\w-]+)</code>', html)
    assert match, "the plain token is on the page"
    raw = match.group(1)
    listing = client.get(TOKENS).content.decode()
    assert raw not in listing
    assert f"pl_{raw.split('_')[1]}_…" in listing
    assert "CRM sync" in listing and "Read only" in listing and "never" in listing

    token = api_token_authenticate(raw)  # notes its use
    assert token is not None and token.name == "CRM sync" and token.scope == TokenScope.READ
    assert not has_permission(actor_for_token(token), Permission.TOKEN_MANAGE, token.client_id)
    assert "never" not in client.get(TOKENS).content.decode()


def test_a_nameless_token_is_refused(client: HttpClient, world: World) -> None:
    client.force_login(world.provider_admin.user)
    response = client.post(TOKENS, {"name": "", "scope": "write", "expires_in": "none"})
    assert response.status_code == 422
    assert 'id="new-token"' not in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_revoke_marks_the_token_and_it_stops_working(client: HttpClient, world: World) -> None:
    token, raw = api_token_create(
        actor=world.client_a_manager.actor,
        client=world.client_a,
        name="old",
        scope=TokenScope.WRITE,
    )
    client.force_login(world.provider_admin.user)

    response = client.post(f"{TOKENS}{token.pk}/revoke/", follow=True)

    assert "The token “old” is revoked." in response.content.decode()
    assert "Revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(raw) is None


def test_a_token_cannot_be_revoked_through_another_clients_url(
    client: HttpClient, world: World
) -> None:
    token, _raw = api_token_create(
        actor=world.client_b_manager.actor, client=world.client_b, name="b", scope=TokenScope.READ
    )
    client.force_login(world.provider_admin.user)

    response = client.post(f"{TOKENS}{token.pk}/revoke/")

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoke_needs_post(client: HttpClient, world: World) -> None:
    token, _raw = api_token_create(
        actor=world.client_a_manager.actor, client=world.client_a, name="x", scope=TokenScope.READ
    )
    client.force_login(world.client_a_manager.user)
    assert client.get(f"{TOKENS}{token.pk}/revoke/").status_code == 405


def test_the_client_list_shows_only_visible_clients(client: HttpClient, world: World) -> None:
    client.force_login(world.client_b_agent.user)
    html = client.get("/clients/").content.decode()
    assert "Client B" in html
    assert "Client A" not in html
