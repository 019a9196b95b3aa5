"""The version page marks the terms Pactline shows but does not execute yet."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from conftest import World
from pactline.agreements import execution
from pactline.agreements.execution import NOT_YET_EXECUTED, PAGE_MARKS, page_marks
from pactline.agreements.models import AgreementVersion
from pactline.agreements.tests.test_pages_support import (  # noqa: F401 - fixture
    Agreements,
    agreements_fixture,
)

MARK = "Not yet executed"
MARK_ZH = "尚未执行"


def _page(client: HttpClient, version: AgreementVersion, language: str = "en") -> str:
    response = client.get(f"/agreements/versions/{version.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, anchor: str) -> str:
    match = re.search(
        rf'<section class="card doc-section" id="{anchor}">(.*?)</section>', html, re.S
    )
    assert match, f"no section {anchor}"
    return match.group(1)


def _dd(html: str, term: str) -> str:
    match = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", html, re.S)
    assert match, f"no entry {term}"
    return match.group(1)


def test_breach_notice_is_marked_and_pricing_and_service_levels_are_not(
    client: HttpClient, world: World, agreements: Agreements
) -> None:
    client.force_login(world.client_a_viewer.user)
    html = _page(client, agreements.a_active)

    # Month close bills the price terms and credits the service credits.
    assert MARK not in _section(html, "price")
    assert MARK not in _section(html, "service-levels")
    assert MARK not in _section(html, "hours")
    policies = _section(html, "policies")
    assert MARK in _dd(policies, "Breach notice")
    # Change control binds: written acceptance is enforced, so it carries no mark.
    assert MARK not in _dd(policies, "Written acceptance required")
    assert MARK not in _dd(policies, "Confidentiality")


def test_the_mark_is_translated(client: HttpClient, world: World, agreements: Agreements) -> None:
    client.force_login(world.client_a_viewer.user)
    html = _page(client, agreements.a_active, "zh-hans")

    assert MARK_ZH in _dd(_section(html, "policies"), "泄露通知")
    assert MARK not in html
    assert MARK_ZH not in _section(html, "service-levels")


def test_a_term_that_becomes_executed_loses_its_mark(
    client: HttpClient, world: World, agreements: Agreements, monkeypatch: pytest.MonkeyPatch
) -> None:
    remaining = tuple(
        path for path in NOT_YET_EXECUTED if path != "data_protection.breach_notice_hours"
    )
    monkeypatch.setattr(execution, "NOT_YET_EXECUTED", remaining)
    client.force_login(world.client_a_viewer.user)
    html = _page(client, agreements.a_active)

    assert MARK not in _dd(_section(html, "policies"), "Breach notice")
    assert MARK in _section(html, "policies")


def test_every_not_yet_executed_term_has_a_mark_on_the_page() -> None:
    marked = {path for paths in PAGE_MARKS.values() for path in paths}
    assert [path for path in NOT_YET_EXECUTED if path not in marked] == []
    assert execution.unknown(execution.schema_paths(), marked) == []
    assert page_marks()["pricing"] is False  # billing.close
    assert page_marks()["credits"] is False  # billing.credits
    assert page_marks()["breach_notice"] is True
