"""One real browser run: an agent types into the knowledge base's search box and the results
arrive through htmx, under the strict CSP (a refused script or style shows in the console)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from pactline.knowledge.tests.support import (  # noqa: F401 - fixture
    RETURNS_TITLE,
    Programmes,
    programmes_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_live_search_finds_chinese_and_english(
    browser: Browser,
    live_server: LiveServer,
    programmes: Programmes,
) -> None:
    page = browser.new_page()
    problems: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(message.text)

    page.on("console", watch)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "a-agent")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")  # an agent lands on its queue

    page.goto(f"{live_server.url}/clients/client-a/knowledge/")
    assert page.locator("#kb-articles tbody tr").count() == 3

    page.fill("#kb-q", "退货")
    page.locator("#kb-results .kb-hits").wait_for()
    assert page.locator("#kb-results .kb-hit-title").all_inner_texts() == [RETURNS_TITLE]
    assert page.locator("#kb-results .kb-hit-title mark").all_inner_texts() == ["退货", "退货"]
    assert page.url.endswith("/clients/client-a/knowledge/?q=%E9%80%80%E8%B4%A7")

    page.fill("#kb-q", "refund")
    page.locator("#kb-results .kb-hit-title >> text=Refund policy").wait_for()
    assert page.locator("#kb-results .kb-hit-title").all_inner_texts() == [
        "Refund policy",
        "Escalating a complaint",
    ]

    page.click("#kb-results .kb-hit-title >> text=Refund policy")
    page.wait_for_url(f"{live_server.url}/knowledge/{programmes.refund.pk}/")
    assert page.locator("h1").inner_text() == "Refund policy"
    assert problems == []
