"""Only `pactline.tenancy` interprets roles and memberships: every other app asks for a
`Permission`. A role set or membership query elsewhere would be a second, silently diverging
reading of who may do what."""

from __future__ import annotations

import re
from pathlib import Path

import pactline
from pactline.tenancy.access import ROLE_PERMISSIONS, Permission
from pactline.tenancy.models import Role

ROOT = Path(pactline.__file__).parent
# Reading roles or memberships directly (the demo's fixture writer names roles to create them).
FORBIDDEN = re.compile(r"Membership\.objects|\broles_for\(|\bROLE_PERMISSIONS\b|\bRole\.[A-Z_]+")
EXEMPT = ("tenancy/", "web/demo/")


def _offenders() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(EXEMPT) or "/tests/" in relative or "/migrations/" in relative:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_no_role_or_membership_reading_outside_tenancy() -> None:
    assert _offenders() == []


def test_every_role_has_its_permissions_and_every_permission_a_holder() -> None:
    assert set(ROLE_PERMISSIONS) == set(Role)
    held = set().union(*ROLE_PERMISSIONS.values())
    assert held == set(Permission)


def test_programme_permissions_belong_to_supervisors_and_admins_only() -> None:
    for permission in (Permission.QUEUE_SUPERVISE, Permission.WALLBOARD_VIEW):
        holders = {role for role, allowed in ROLE_PERMISSIONS.items() if permission in allowed}
        assert holders == {Role.SUPERVISOR, Role.PROVIDER_ADMIN}
    takers = {r for r, allowed in ROLE_PERMISSIONS.items() if Permission.QUEUE_WORK in allowed}
    assert takers == {Role.AGENT}


def test_billing_holds_the_billing_permissions_and_nothing_else() -> None:
    # Besides seeing the clients and their agreements: no case, chat, mail, call or knowledge.
    assert ROLE_PERMISSIONS[Role.BILLING] == {
        Permission.CLIENT_VIEW,
        Permission.AGREEMENT_VIEW,
        Permission.BILLING_VIEW,
        Permission.BILLING_MANAGE,
        Permission.FORECAST_UPLOAD,
    }
