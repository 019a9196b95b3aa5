"""Demo data: the example agreements as four clients and one user per role.

Passwords are generated on the first run and kept in `var/demo-credentials.txt`, so a second run
reuses the same users and prints the same credentials, and no password sits in the repository."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from pactline.agreements.loading import agreement_file_load
from pactline.cases.demo import demo_cases
from pactline.tenancy.access import Actor, system_actor
from pactline.tenancy.models import Client, Role
from pactline.tenancy.services import membership_grant, provider_ensure, user_ensure

EXAMPLES_DIR = Path(settings.BASE_DIR) / "examples" / "agreements"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    client_index: int | None  # index into the sorted example clients; None = every client


DEMO_USERS = [
    DemoUser("admin", Role.PROVIDER_ADMIN, None),
    DemoUser("supervisor", Role.SUPERVISOR, None),
    DemoUser("agent", Role.AGENT, 0),
    DemoUser("qa", Role.QA_ANALYST, None),
    DemoUser("planner", Role.WORKFORCE_PLANNER, None),
    DemoUser("billing", Role.BILLING, None),
    DemoUser("client-manager", Role.CLIENT_MANAGER, 0),
    DemoUser("client-viewer", Role.CLIENT_VIEWER, 1),
]


def _passwords(path: Path) -> dict[str, str]:
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


def demo_load(*, actor: Actor | None = None) -> list[str]:
    """Load the examples and users; returns lines to print. Safe to run again."""
    actor = actor or system_actor("demo")
    provider_ensure(name=settings.PACTLINE_PROVIDER_NAME)
    lines = [
        agreement_file_load(actor=actor, path=path, fmt=None, activate=True)
        for path in sorted(EXAMPLES_DIR.glob("*.yaml"))
    ]
    lines += demo_cases(now=timezone.now(), actor=actor)
    clients = list(Client.objects.order_by("code"))
    passwords = _passwords(Path(settings.VAR_DIR) / "demo-credentials.txt")
    lines.append("")
    lines.append("Sign in at http://127.0.0.1:8000/login/ with:")
    for demo in DEMO_USERS:
        user = user_ensure(
            actor=actor,
            username=demo.username,
            password=passwords[demo.username],
            email=f"{demo.username}@example.com",
            is_staff=demo.role == Role.PROVIDER_ADMIN,
            is_superuser=demo.role == Role.PROVIDER_ADMIN,
        )
        client = clients[demo.client_index] if demo.client_index is not None else None
        membership_grant(actor=actor, user=user, role=demo.role, client=client)
        scope = client.name if client else "all clients"
        lines.append(
            f"  {demo.role.value:<18} {demo.username:<15} {passwords[demo.username]:<14} ({scope})"
        )
    return lines
