"""Each role lands on its work after signing in; an explicit `next` still wins."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from conftest import PASSWORD, World


@pytest.mark.parametrize(
    ("username", "landing"),
    [
        ("admin", "/"),
        ("sup", "/wallboard/"),
        ("a-agent", "/console/"),
        ("billing", "/billing/"),
        ("a-manager", "/"),
        ("a-viewer", "/"),
        ("qa", "/"),
        ("planner", "/"),
    ],
)
def test_each_role_lands_on_its_work(world: World, username: str, landing: str) -> None:
    response = HttpClient().post("/login/", {"username": username, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, landing)


def test_an_asked_for_page_wins_over_the_landing(world: World) -> None:
    response = HttpClient().post(
        "/login/", {"username": "a-agent", "password": PASSWORD, "next": "/cases/"}
    )
    assert response["Location"] == "/cases/"
