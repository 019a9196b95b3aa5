"""Who may use the console, and for which clients.

Judged through the access helpers of `pactline.tenancy` and `pactline.workforce`, never by
reading memberships here. There is no single object behind the console's lists, so an actor
without the role gets Forbidden (a 403) rather than a 404."""

from __future__ import annotations

from pactline.common.errors import Forbidden
from pactline.tenancy.access import Actor, Permission, has_permission, visible_clients
from pactline.tenancy.models import Client


def console_clients(actor: Actor) -> list[Client]:
    """The active clients whose cases the actor works (CASE_WORK), by name."""
    return [
        client
        for client in visible_clients(actor).filter(is_active=True).order_by("name", "id")
        if has_permission(actor, Permission.CASE_WORK, client.id)
    ]


def require_console(actor: Actor) -> list[Client]:
    """The console's clients; Forbidden for anyone who works no client's cases (client-side
    users, read-only provider roles)."""
    clients = console_clients(actor)
    if not clients:
        raise Forbidden
    return clients


def can_use_console(actor: Actor) -> bool:
    """Whether `require_console` lets the actor in (the menu offers My queue only then)."""
    return bool(console_clients(actor))


def agent_role_clients(actor: Actor, clients: list[Client]) -> list[Client]:
    """Those of `clients` whose queues the actor may take work from (QUEUE_WORK, which holds
    only while the agent is cleared for the client): the only ones worth asking
    `pactline.workforce` about at a given instant."""
    return [client for client in clients if has_permission(actor, Permission.QUEUE_WORK, client.id)]


def supervised_clients(actor: Actor) -> list[Client]:
    """The active clients whose queues the actor watches (QUEUE_SUPERVISE)."""
    return [
        client
        for client in console_clients(actor)
        if has_permission(actor, Permission.QUEUE_SUPERVISE, client.id)
    ]


def require_queues(actor: Actor) -> list[Client]:
    clients = supervised_clients(actor)
    if not clients:
        raise Forbidden
    return clients


def can_watch_queues(actor: Actor) -> bool:
    return bool(supervised_clients(actor))
