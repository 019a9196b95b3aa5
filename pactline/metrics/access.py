"""Fetch-and-authorize for dashboards and compliance statements.

- The supervisor wallboard is the provider's: a supervisor or provider admin of the client.
  Anyone else (the client's own users and agents included) gets the same `NotFound` as for a
  client that does not exist, so the page gives nothing away.
- The client dashboard and statements are read with `CLIENT_VIEW` (the client's users and the
  provider's roles for that client); issuing and reissuing take `STATEMENT_ISSUE`.
"""

from __future__ import annotations

from django.db.models import QuerySet

from pactline.common.errors import Forbidden, NotFound
from pactline.metrics.models import Statement
from pactline.tenancy.access import (
    Actor,
    Permission,
    access_client,
    has_permission,
    require,
    visible_clients,
)
from pactline.tenancy.models import Client, TokenScope


def _watches(actor: Actor, client_id: int) -> bool:
    # WALLBOARD_VIEW is for people: no API token carries it.
    return has_permission(actor, Permission.WALLBOARD_VIEW, client_id)


def wallboard_clients(actor: Actor) -> list[Client]:
    """The clients whose wallboard the actor may watch, by name."""
    return [client for client in visible_clients(actor) if _watches(actor, client.id)]


def can_watch_wallboard(actor: Actor) -> bool:
    """For navigation: whether some client's wallboard is the actor's (no query)."""
    if actor.is_system:
        return True
    if actor.token is not None:
        return False
    return any(
        has_permission(actor, Permission.WALLBOARD_VIEW, client_id) for client_id in actor.grants
    )


def access_wallboard(actor: Actor, code: str) -> Client:
    """The client, if the actor supervises it (else NotFound, as for a missing client)."""
    client = Client.objects.filter(code=code).first() if "\x00" not in code else None
    if client is None or not _watches(actor, client.id):
        raise NotFound
    return client


def access_dashboard(actor: Actor, code: str) -> Client:
    """The client, for its portal dashboard and its statement list."""
    return access_client(actor, code, permission=Permission.CLIENT_VIEW)


def _writes(actor: Actor) -> None:
    # Issuing writes a statement: a read-only API token never does, whatever its creator may.
    if actor.token is not None and actor.token.scope == TokenScope.READ:
        raise Forbidden


def access_statement_issue(actor: Actor, code: str) -> Client:
    """The client, if the actor may issue its statements (NotFound / Forbidden otherwise)."""
    client = access_client(actor, code, permission=Permission.STATEMENT_ISSUE)
    _writes(actor)
    return client


def access_statement(actor: Actor, statement_id: int, *, for_write: bool = False) -> Statement:
    """A statement the actor may read (`CLIENT_VIEW`) or reissue (`for_write`)."""
    statement = Statement.objects.select_related("client").filter(id=statement_id).first()
    if statement is None:
        raise NotFound
    permission = Permission.STATEMENT_ISSUE if for_write else Permission.CLIENT_VIEW
    require(actor, permission, statement.client_id)
    if for_write:
        _writes(actor)
    return statement


def statement_clients(actor: Actor) -> QuerySet[Client]:
    """The clients whose statements the actor may read."""
    return visible_clients(actor)  # every role holds CLIENT_VIEW for its clients
