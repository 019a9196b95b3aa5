"""The admin writes workforce records through the services (audited)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from conftest import World, make_user, without_clearances
from pactline.audit.models import AuditEvent
from pactline.tenancy.models import Role
from pactline.workforce.models import AgentCertification
from pactline.workforce.tests.support import agent

pytestmark = pytest.mark.django_db


@pytest.fixture(name="world")
def uncleared_world(world: World) -> World:
    """The world's agents start uncleared here: these tests record clearances themselves."""
    return without_clearances(world)


def _admin(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def root(world: World) -> User:
    user = make_user("root", (Role.PROVIDER_ADMIN, None), is_staff=True)
    user.is_superuser = True
    user.save()
    return user


def test_a_certification_added_in_the_admin_is_audited(world: World, root: User) -> None:
    ann = agent("ann", world.client_a)
    data = {"client": world.client_a.pk, "user": ann.pk, "certified_on": "2026-01-05"}
    response = _admin(root).post("/admin/workforce/agentcertification/add/", data)
    assert response.status_code == 302, response.content[:600]
    assert list(AgentCertification.objects.values_list("user__username", "certified_on")) == [
        ("ann", date(2026, 1, 5))
    ]
    assert AuditEvent.objects.filter(action="agent_certification.granted").count() == 1

    certification = AgentCertification.objects.get()
    _admin(root).post(
        "/admin/workforce/agentcertification/",
        {"action": "revoke", "_selected_action": [certification.pk]},
    )
    certification.refresh_from_db()
    assert certification.revoked_at is not None


def test_the_admin_refuses_a_non_agent_and_a_user_without_the_role(world: World) -> None:
    staff = make_user("staff", is_staff=True)
    staff.is_superuser = True
    staff.save()
    assert world.client_a_manager.user is not None
    data = {
        "client": world.client_a.pk,
        "user": world.client_a_manager.user.pk,
        "certified_on": "2026-01-05",
    }
    response = _admin(staff).post("/admin/workforce/agentcertification/add/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "You may not manage this client" in html
    assert "This user is not an agent of the client." in html
    assert AgentCertification.objects.count() == 0
