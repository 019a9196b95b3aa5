"""The generated authorization matrix refuses a route nobody declared, and every declaration
names a route that exists (a renamed route cannot leave a stale rule behind)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from pactline.web.tests import route_rules
from pactline.web.tests.route_matrix import api_routes, matrix, page_routes

pytestmark = pytest.mark.django_db


def test_a_route_nobody_declared_fails_the_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(route_rules.PAGES, "cases:list")
    monkeypatch.delitem(route_rules.API, "GET /api/v1/calls")

    problems, checked = matrix(HttpClient(), only={"cases:list", "GET /api/v1/calls"})

    assert checked == 0
    declare = "no rule says who may use it; declare it in pactline/web/tests/route_rules.py"
    assert problems == [
        f"cases:list (/cases/): {declare}",
        f"GET /api/v1/calls (/api/v1/calls): {declare}",
    ]


def test_every_declaration_names_a_route_that_exists() -> None:
    pages = {route.key for route in page_routes()}
    operations = {route.key for route in api_routes(HttpClient())}

    assert set(route_rules.PAGES) - pages == set()
    assert set(route_rules.API) - operations == set()
    assert {key for key in pages if not key.startswith("admin:")} <= set(route_rules.PAGES)
