from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone
from pytest_django.fixtures import Settings

from pactline.agreements.models import AgreementVersion, VersionStatus
from pactline.audit.models import AuditEvent
from pactline.audit.selectors import audit_chain_verify
from pactline.tenancy.access import Permission, actor_for_user, has_permission, visible_clients
from pactline.tenancy.models import Client, Membership, Role
from pactline.web.demo import DEMO_USERS, DemoOptions, demo_load
from pactline.web.management.commands.serve import Command as ServeCommand
from pactline.workforce.access import agent_can_work

pytestmark = pytest.mark.django_db

# The agreements, users and cases only: the channels have their own test (test_demo_channels).
QUICK = DemoOptions(channels=False)


def test_demo_loads_four_clients_and_a_user_per_role_and_reruns_cleanly(
    settings: Settings, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    first = demo_load(options=QUICK)
    events = AuditEvent.objects.count()
    second = demo_load(options=QUICK)

    assert Client.objects.count() == 4
    assert AgreementVersion.objects.count() == 4
    assert set(AgreementVersion.objects.values_list("status", flat=True)) == {VersionStatus.ACTIVE}
    # Stored first, then put in force once the users hold the roles escalations hand cases to.
    assert sum(line.startswith("activated: ") for line in first) == 4
    assert sum("unchanged:" in line for line in second) == 4
    assert AuditEvent.objects.count() == events
    assert audit_chain_verify().intact
    assert {m.role for m in Membership.objects.all()} == set(Role)
    # Every client has an agent of its own (the persona answering its customers in the demo),
    # certified and bound by the confidentiality agreement, so the console lets them take work.
    agents = Membership.objects.filter(role=Role.AGENT).select_related("user", "client")
    assert sorted(m.client.code for m in agents if m.client) == sorted(
        Client.objects.values_list("code", flat=True)
    )
    assert all(
        agent_can_work(user=m.user, client=m.client, at=timezone.now()) for m in agents if m.client
    )
    # Cleared, so signed in they see and work their client's cases (and only those).
    for m in agents:
        actor = actor_for_user(m.user)
        assert m.client is not None and has_permission(actor, Permission.CASE_WORK, m.client.id)
        assert list(visible_clients(actor)) == [m.client]

    credentials = dict(
        line.split("\t") for line in (tmp_path / "demo-credentials.txt").read_text().splitlines()
    )
    assert sorted(credentials) == sorted(user.username for user in DEMO_USERS)
    for username, password in credentials.items():
        # As the sign-in page does: the lockout backend needs the request.
        request = RequestFactory().post("/login/")
        assert authenticate(request, username=username, password=password) is not None
        assert any(username in line and password in line for line in second)


def test_demo_prints_the_address_serve_listens_on(settings: Settings, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    settings.PACTLINE_HOST, settings.PACTLINE_PORT = "0.0.0.0", 8765  # noqa: S104

    lines = demo_load(options=QUICK)

    assert "Sign in at http://127.0.0.1:8765/login/ with:" in lines
    parser = ServeCommand().create_parser("pactline", "serve")
    options = parser.parse_args([])
    assert (options.host, options.port) == ("0.0.0.0", 8765)  # noqa: S104


def test_the_port_comes_from_the_environment_as_serve_reads_it(tmp_path: Path) -> None:
    env = {**os.environ, "PACTLINE_VAR_DIR": str(tmp_path), "PACTLINE_PORT": "8123"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["PACTLINE_HOST"] = "::"
    code = (
        "import django; django.setup(); from pactline.web.serving import serve_url as u; print(u())"
    )
    shown = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    assert shown == "http://[::1]:8123/"
