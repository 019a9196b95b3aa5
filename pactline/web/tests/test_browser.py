"""One real browser run: a client manager signs in and stays inside its own client."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD, World
from pactline.agreements.tests.test_pages_support import (  # noqa: F401 - fixture
    A_TITLE,
    B_TITLE,
    Agreements,
    agreements_fixture,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_client_manager_sees_its_agreement_and_nothing_of_another_client(
    browser: Browser, live_server: LiveServer, world: World, agreements: Agreements
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "a-manager")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    assert page.locator("h1").inner_text() == "Welcome, a-manager"
    page.click(f"text={A_TITLE}")
    page.wait_for_url(f"{live_server.url}/agreements/versions/{agreements.a_active.pk}/")
    assert page.locator("h1").inner_text() == A_TITLE
    assert "09:00–12:00" in page.locator("#hours").inner_text()
    seen = [page.content()]

    for path in ("/", "/clients/", "/clients/client-a/", "/clients/client-a/tokens/"):
        page.goto(f"{live_server.url}{path}")
        seen.append(page.content())

    other = page.goto(f"{live_server.url}/agreements/{agreements.b_active.agreement_id}/")
    assert other is not None and other.status == 404
    seen.append(page.content())
    other = page.goto(f"{live_server.url}/agreements/versions/{agreements.b_active.pk}/")
    assert other is not None and other.status == 404
    seen.append(page.content())

    for html in seen:
        assert world.client_b.name not in html
        assert B_TITLE not in html

    # The accept button swaps the lifecycle panel in place (htmx under the CSP).
    proposed = f"{live_server.url}/agreements/versions/{agreements.a_proposed.pk}/"
    page.goto(proposed)
    page.click("text=Accept this version")
    page.locator("#lifecycle .message-success").wait_for()
    assert page.url == proposed
    assert "Accepted by client" in page.locator("#lifecycle").inner_text()
