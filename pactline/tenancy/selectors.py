"""Reads for tenancy, always scoped by the actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from pactline.tenancy.access import Actor, Permission, require, visible_clients
from pactline.tenancy.models import ApiToken, Client, TokenRefusal


def client_list(*, actor: Actor) -> QuerySet[Client]:
    return visible_clients(actor).filter(is_active=True).order_by("name")


def api_token_list(*, actor: Actor, client: Client) -> QuerySet[ApiToken]:
    require(actor, Permission.TOKEN_MANAGE, client.id)
    return ApiToken.objects.filter(client=client).select_related("created_by", "membership")


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    refusal: TokenRefusal | None  # None: the token works


def api_token_rows(*, actor: Actor, client: Client, now: datetime) -> list[TokenRow]:
    """The client's tokens, each with why it would be refused at `now` (if it would)."""
    return [
        TokenRow(token=token, refusal=token.refusal(now))
        for token in api_token_list(actor=actor, client=client)
    ]
