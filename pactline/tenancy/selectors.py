"""Reads for tenancy, always scoped by the actor."""

from __future__ import annotations

from django.db.models import QuerySet

from pactline.tenancy.access import Actor, Permission, require, visible_clients
from pactline.tenancy.models import ApiToken, Client


def client_list(*, actor: Actor) -> QuerySet[Client]:
    return visible_clients(actor).filter(is_active=True).order_by("name")


def api_token_list(*, actor: Actor, client: Client) -> QuerySet[ApiToken]:
    require(actor, Permission.TOKEN_MANAGE, client.id)
    return ApiToken.objects.filter(client=client).select_related("created_by")
