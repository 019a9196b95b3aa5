"""The menu offers a page only to those its view lets in: QA and planning watch every programme
but work no case, so My queue, Chats and the Materials desk are not theirs; billing sees every
client but nothing of the work, so its menu has no case page at all."""

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


@pytest.mark.parametrize("role", [Role.QA_ANALYST, Role.WORKFORCE_PLANNER])
def test_read_only_provider_roles_are_not_offered_the_desks(
    world: World, client: HttpClient, role: Role
) -> None:
    client.force_login(make_user(f"read-{role.value}", (role, None)))

    menu = _menu(client)

    assert not set(DESKS) & set(menu), menu
    assert {"/sla/at-risk/", "/cases/", "/campaigns/"} <= set(menu)  # what they may watch
    for desk in DESKS:
        assert client.get(desk).status_code == 403


def test_billing_is_offered_its_workspace_and_no_case_page(
    world: World, client: HttpClient
) -> None:
    client.force_login(world.billing.user)

    menu = _menu(client)

    assert menu == ["/", "/clients/", "/reports/", "/billing/"]
    for page in menu:
        assert client.get(page).status_code == 200, page
    for page in ("/sla/at-risk/", *DESKS):
        assert client.get(page).status_code == 403, page


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
