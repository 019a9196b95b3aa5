"""One real browser run: the countdown ticks and the viewer's zone comes from the browser,
under the strict CSP (any refused script or style would show as a console error)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD, World
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.services import case_open
from pactline.cases.tests.test_pages_support import SYSTEM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(browser: Browser, live_server: LiveServer, world: World) -> Iterator[Page]:
    # The browser's own zone, which clocks.js reports in the `tz` cookie.
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/wallboard/")  # a supervisor lands on the wallboard
    yield page
    context.close()


def test_the_countdown_ticks_in_the_viewers_zone(
    signed_in: Page, live_server: LiveServer, world: World
) -> None:
    page = signed_in
    load(world.client_a, "general-outsourcing")
    opened = (timezone.now() - timedelta(minutes=10)).replace(microsecond=0)
    # Critical email: 1 h around the clock, so it is due 50 minutes from now whatever the hour.
    case = case_open(
        actor=SYSTEM,
        client=world.client_a,
        channel="email",
        priority="critical",
        subject="Payment page down",
        at=opened,
        now=opened,
    )
    problems: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(message.text)

    page.on("console", watch)

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    # The first view is drawn in UTC; clocks.js stores the zone and redraws once.
    page.locator('[data-viewer-zone="Asia/Tokyo"]').wait_for()
    clock = page.locator("#clock-email-first_response-1")
    assert "JST" in clock.locator(".viewer-time").first.inner_text()
    countdown = clock.locator(".countdown")
    first = countdown.inner_text()
    page.wait_for_timeout(1500)
    second = countdown.inner_text()
    assert re.fullmatch(r"00:(49|50):\d\d left", first), first
    assert first != second

    page.goto(f"{live_server.url}/sla/at-risk/?hours=1")
    row = page.locator("#at-risk tr.risk").first
    assert "Payment page down" in row.inner_text()
    assert re.fullmatch(r"00:(49|50):\d\d left", row.locator(".countdown").inner_text())
    assert problems == []
