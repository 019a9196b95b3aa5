"""A real browser: the client asks for a recording, the provider approves, the client downloads
it; no page breaks the content security policy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD
from pactline.audit.models import AuditEvent
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    Cases,
    cases_fixture,
)
from pactline.channels.recordings.tests.support import AUDIO
from pactline.privacy.tests.support import (  # noqa: F401 - fixture
    Materials,
    materials_fixture,
)

SHOTS = os.environ.get("PACTLINE_SCREENSHOTS", "")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(browser: Browser, live_server: LiveServer, username: str, errors: list[str]) -> Page:
    page = browser.new_context(accept_downloads=True).new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(lambda url: not url.endswith("/login/"))  # each lands on its work
    return page


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_request_approve_download_in_a_browser(
    browser: Browser, live_server: LiveServer, materials: Materials
) -> None:
    errors: list[str] = []
    client = sign_in(browser, live_server, "a-manager", errors)
    client.goto(f"{live_server.url}/clients/client-a/materials/")
    client.fill(f"#reason-{materials.audio.pk}", "Complaint 4711")
    client.click(f"#recording-{materials.audio.pk} button[type=submit]")
    client.wait_for_url(f"{live_server.url}/clients/client-a/materials/")
    assert "is sent to the provider for approval" in client.locator(".messages").inner_text()
    shot(client, "portal-requested")

    provider = sign_in(browser, live_server, "sup", errors)
    provider.goto(f"{live_server.url}/materials/requests/")
    shot(provider, "desk")
    row = provider.locator("#pending tr", has_text="Complaint 4711")
    row.locator("input[name=valid_hours]").fill("2")
    row.locator("button.button-ok").click()
    provider.wait_for_url(f"{live_server.url}/materials/requests/")
    assert "is approved" in provider.locator(".messages").inner_text()
    provider.goto(f"{live_server.url}/materials/recordings/{materials.transcript.pk}/")
    assert "[card …1111]" in provider.locator("#transcript").inner_text()
    shot(provider, "recording")
    provider.goto(f"{live_server.url}/cases/{materials.cases.a.pk}/materials/new/")
    shot(provider, "attach")

    client.goto(f"{live_server.url}/clients/client-a/materials/")
    shot(client, "portal-approved")
    row = client.locator("#requests tr", has_text="Complaint 4711")
    with client.expect_download() as started:
        row.locator("a", has_text="Download").click()
    download = started.value
    assert download.suggested_filename == "call-1.wav"
    assert Path(download.path()).read_bytes() == AUDIO

    assert errors == []
    assert AuditEvent.objects.filter(action="material.downloaded").count() == 1
    assert AuditEvent.objects.filter(action="material.viewed").count() == 1
