"""The menu offers a page only to those its view lets in: QA, planning and billing watch every
programme but work no case, so My queue, Chats and the Materials desk are not theirs."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from conftest import World, make_user
from pactline.tenancy.models import Role

DESKS = ("/console/", "/chat/sessions/", "/materials/requests/")


def _menu(http: HttpClient) -> list[str]:
    page = http.get("/").content.decode()
    nav = page[page.index('<nav class="mainnav"') : page.index("</nav>")]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("role", [Role.QA_ANALYST, Role.WORKFORCE_PLANNER, Role.BILLING])
def test_read_only_provider_roles_are_not_offered_the_desks(
    world: World, client: HttpClient, role: Role
) -> None:
    client.force_login(make_user(f"read-{role.value}", (role, None)))

    menu = _menu(client)

    assert not set(DESKS) & set(menu), menu
    assert "/sla/at-risk/" in menu  # what they may watch is still offered
    for desk in DESKS:
        assert client.get(desk).status_code == 403


@pytest.mark.parametrize("persona", ["supervisor", "client_a_agent"])
def test_those_who_work_cases_are_offered_the_desks_and_they_open(
    world: World, client: HttpClient, persona: str
) -> None:
    user = getattr(world, persona).user
    client.force_login(user)

    menu = _menu(client)

    assert set(DESKS) <= set(menu), menu
    for desk in DESKS:
        assert client.get(desk).status_code == 200


def test_client_side_users_are_offered_no_provider_desk(world: World, client: HttpClient) -> None:
    client.force_login(world.client_a_manager.user)

    assert not set(DESKS) & set(_menu(client))
