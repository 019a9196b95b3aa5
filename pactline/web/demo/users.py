"""Demo users: one per role, plus an agent for each client (the persona that answers its
customers in the demo's conversations), certified for the client's programme.

Passwords are generated on the first run and kept in `var/demo-credentials.txt`, so a second run
reuses the same users and prints the same credentials, and no password sits in the repository."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model

from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import effective_from
from pactline.tenancy.access import Actor, actor_for_user
from pactline.tenancy.models import Client, Role
from pactline.tenancy.services import membership_grant, user_ensure
from pactline.workforce.services import agent_certify, confidentiality_agreement_record


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    client: str | None  # the client's code; None = every client


DEMO_USERS = [
    DemoUser("admin", Role.PROVIDER_ADMIN, None),
    DemoUser("supervisor", Role.SUPERVISOR, None),
    DemoUser("agent", Role.AGENT, "huaxin-home"),
    DemoUser("qa", Role.QA_ANALYST, None),
    DemoUser("planner", Role.WORKFORCE_PLANNER, None),
    DemoUser("billing", Role.BILLING, None),
    DemoUser("client-manager", Role.CLIENT_MANAGER, "huaxin-home"),
    DemoUser("client-viewer", Role.CLIENT_VIEWER, "kestrel-energy"),
    DemoUser("agent-kestrel", Role.AGENT, "kestrel-energy"),
    DemoUser("agent-meridian", Role.AGENT, "meridian-telecom"),
    DemoUser("agent-northwind", Role.AGENT, "northwind-retail"),
]


def passwords(path: Path) -> dict[str, str]:
    known: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _sep, password = line.partition("\t")
            if password:
                known[name] = password
    changed = False
    for user in DEMO_USERS:
        if user.username not in known:
            known[user.username] = secrets.token_urlsafe(9)
            changed = True
    if changed:
        path.write_text("".join(f"{n}\t{p}\n" for n, p in known.items()), encoding="utf-8")
        path.chmod(0o600)
    return known


def demo_users_ensure(*, actor: Actor, path: Path) -> list[tuple[DemoUser, str, str]]:
    """Create the users and their memberships (once); (user, password, scope) for printing."""
    known = passwords(path)
    clients = {client.code: client for client in Client.objects.all()}
    shown = []
    for demo in DEMO_USERS:
        user = user_ensure(
            actor=actor,
            username=demo.username,
            password=known[demo.username],
            email=f"{demo.username}@example.com",
            is_staff=demo.role == Role.PROVIDER_ADMIN,
            is_superuser=demo.role == Role.PROVIDER_ADMIN,
        )
        client = clients.get(demo.client) if demo.client else None
        if demo.client and client is None:
            continue  # the example that client comes from is not loaded
        membership_grant(actor=actor, user=user, role=demo.role, client=client)
        shown.append((demo, known[demo.username], client.name if client else "all clients"))
    return shown


def demo_agents_certify(*, actor: Actor, now: datetime) -> None:
    """The client's agent is certified for its programme and has signed its confidentiality
    agreement, both from the day the agreement took effect: the console lets them take work."""
    users = {user.username: user for user in get_user_model().objects.all()}
    for demo in DEMO_USERS:
        client = Client.objects.filter(code=demo.client).first() if demo.client else None
        user = users.get(demo.username)
        if demo.role != Role.AGENT or client is None or user is None:
            continue
        version = agreement_version_in_force(client, now)
        if version is None:
            continue
        since = effective_from(version.terms)
        agent_certify(actor=actor, client=client, user=user, certified_on=since, now=now)
        confidentiality_agreement_record(
            actor=actor,
            client=client,
            user=user,
            signed_on=since,
            document_version=f"{version.agreement.reference} NDA",
            now=now,
        )


def persona(username: str) -> Actor:
    """The actor of a demo user, as if signed in."""
    return actor_for_user(get_user_model().objects.get(username=username))


def agent_of(client: Client) -> Actor:
    """The demo agent who works `client`'s conversations."""
    for demo in DEMO_USERS:
        if demo.role == Role.AGENT and demo.client == client.code:
            return persona(demo.username)
    return persona("supervisor")
