"""One real browser run of the client dashboard: a client manager signs in, reads today's
service level against its target on the start page and on the dashboard, sees today's section
refreshed by htmx under the strict CSP, opens last month's statement, and reads the page in
Simplified Chinese — and never sees another client."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD, World
from pactline.metrics.dashboards import local_today, today_window
from pactline.metrics.forms import default_period_day
from pactline.metrics.statements import statement_issue
from pactline.metrics.tests.support import SYSTEM, CallSpec
from pactline.metrics.tests.test_dashboard_support import import_and_consume, load_in_zone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def signed_in(browser: Browser, live_server: LiveServer, world: World) -> Iterator[Page]:
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.clock.install()  # htmx's polling timer runs on the test's clock
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "a-manager")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    yield page
    context.close()


def _calls_today(world: World, directory: Path) -> None:
    """3 answered (5, 10, 40 s) and 1 abandoned (30 s) earlier today in New York:
    SL-C = 2 / (3 + 1) = 50 % against 80 %."""
    now = timezone.now()
    midnight = today_window(NEW_YORK, now).start
    if now - midnight < timedelta(minutes=3):  # keep every call inside today and in the past
        time.sleep((midnight + timedelta(minutes=3) - now).total_seconds())
        now = timezone.now()
    start = max(midnight, now - timedelta(minutes=15)).replace(microsecond=0)
    calls = [
        CallSpec(f"b{i}", start + timedelta(seconds=10 * i), "answered", wait, talk=5)
        for i, wait in enumerate([5, 10, 40])
    ]
    calls.append(CallSpec("b9", start + timedelta(seconds=40), "abandoned", 30))
    import_and_consume(world.client_a, calls, directory, "today")


def test_the_client_dashboard_in_a_browser(
    signed_in: Page, live_server: LiveServer, world: World, tmp_path: Path
) -> None:
    page = signed_in
    load_in_zone(world.client_a, "America/New_York")
    load_in_zone(world.client_b, "Asia/Kathmandu")
    _calls_today(world, tmp_path)
    last_month = default_period_day(local_today(NEW_YORK, timezone.now()))
    statement, _ = statement_issue(actor=SYSTEM, client=world.client_a, day=last_month)
    problems: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        # The 404s below are asked for; anything else (a script or style the CSP refused)
        # is a problem.
        if message.type in ("error", "warning") and "status of 404" not in message.text:
            problems.append(message.text)

    page.on("console", watch)
    seen: list[str] = []

    # The start page is the dashboard.
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Welcome, a-manager"
    row = page.locator('#today-client-a tr[data-level="phone.answer_within"]')
    assert row.locator(".value").inner_text() == "50%"
    seen.append(page.content())

    # The dashboard page, from the navigation.
    page.click("nav.mainnav >> text=Service levels")
    page.wait_for_url(f"{live_server.url}/clients/client-a/dashboard/")
    today = page.locator("#today-client-a")
    row = today.locator('tr[data-level="phone.answer_within"]')
    cells = [re.sub(r"\s+", " ", text) for text in row.locator("td").all_inner_texts()]
    assert cells[1:6] == ["≥ 80%", "50%", "2 / 4", "4 / 100 (below the minimum)", "Not measured"]
    assert "Calls answered within 20 s" in cells[0]
    assert row.locator("meter").get_attribute("value") == "50"
    assert "America/New_York" in page.locator(".portal > p.muted").first.inner_text()
    phone = today.locator('tr[data-channel="phone"] td').all_inner_texts()
    assert phone[:4] == ["Phone", "4", "3", "1"]
    month_row = page.locator('#month-client-a tr[data-level="phone.answer_within"]')
    assert month_row.count() >= 1
    seen.append(page.content())

    # htmx re-fetches today's section after a minute and swaps it in place.
    with page.expect_response(re.compile(r"/clients/client-a/dashboard/today/$")) as refreshed:
        page.clock.run_for(61_000)
    assert refreshed.value.status == 200
    page.locator('#today-client-a tr[data-level="phone.answer_within"] .value').wait_for()
    assert page.locator("#today-client-a").count() == 1

    # Last month's statement, from the list of latest statements.
    page.click(f'#latest-statements a[href="/statements/{statement.pk}/"]')
    page.wait_for_url(f"{live_server.url}/statements/{statement.pk}/")
    assert "Monthly compliance statement" in page.locator("h1").inner_text()
    assert "Agreement version 1" in page.locator("#results").inner_text()
    assert page.locator("#revisions tbody tr").count() == 1
    seen.append(page.content())

    # Another client's dashboard and statements are not found.
    for path in ("/clients/client-b/dashboard/", "/clients/client-b/statements/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 404
        seen.append(page.content())

    # On a 390 px phone the page does not widen: its wide tables scroll inside their cards.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/clients/client-a/dashboard/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.set_viewport_size({"width": 1280, "height": 800})

    # In Simplified Chinese.
    page.goto(f"{live_server.url}/clients/client-a/dashboard/")
    page.click('form.lang-switch button[value="zh-hans"]')
    page.wait_for_url(f"{live_server.url}/clients/client-a/dashboard/")
    page.locator('html[lang="zh-hans"]').wait_for()
    row = page.locator('#today-client-a tr[data-level="phone.answer_within"]')
    assert "20 秒" in row.inner_text()
    assert "未计量" in row.inner_text()

    for html in seen:
        assert world.client_b.name not in html
    assert problems == []
