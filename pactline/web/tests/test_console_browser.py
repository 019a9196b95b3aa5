"""The console in a real browser under the strict CSP: take a case from my queue with htmx,
then work it — a note and an escalation re-render the panel, and the case part below (the
case page's SLA timeline and timeline) refreshes itself. Any refused script or style would
show as a console error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import PASSWORD, World
from pactline.agreements.tests.test_pages_support import load
from pactline.cases.models import Case, CaseStatus
from pactline.cases.services import case_open
from pactline.tenancy.access import system_actor
from pactline.workforce.tests.support import enable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SYSTEM = system_actor("test")


@pytest.fixture
def agent_page(browser: Browser, live_server: LiveServer, world: World) -> Iterator[Page]:
    assert world.client_a_agent.user is not None
    load(world.client_a, "general-outsourcing")
    enable(world.client_a_agent.user, world.client_a)
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "a-agent")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/console/")  # an agent lands on its queue
    yield page
    context.close()


def test_take_and_work_a_case_in_the_console(
    agent_page: Page, live_server: LiveServer, world: World
) -> None:
    page = agent_page
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

    page.goto(f"{live_server.url}/console/")
    page.locator('[data-viewer-zone="America/New_York"]').wait_for()
    row = page.locator(f'#my-queue tr[data-case="{case.pk}"]')
    expect(row.locator(".countdown")).to_have_text(re.compile(r"00:(49|50):\d\d left"))
    row.get_by_role("button", name="Take").click()
    expect(page.locator("#my-queue .message-success")).to_contain_text("is now yours")
    expect(page.locator(f'#my-queue tr[data-case="{case.pk}"]')).to_contain_text("Me")
    assert Case.objects.get(pk=case.pk).assignee == world.client_a_agent.user

    page.locator(f'#my-queue tr[data-case="{case.pk}"] a', has_text="Open").click()
    page.wait_for_url(f"{live_server.url}/console/cases/{case.pk}/")
    page.fill("#console-note-body", "Checked the payment gateway logs.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#console-work .message-success")).to_have_text("Note added.")
    # The case part refreshes on the panel's event: the note is on the timeline.
    expect(page.locator("#timeline")).to_contain_text("Checked the payment gateway logs.")

    page.fill("#console-escalate-reason", "Gateway vendor must be called.")
    page.get_by_role("button", name="Escalate").click()
    expect(page.locator("#console-work .message-success")).to_have_text(
        "Case escalated to sup, supervisor."
    )
    expect(page.locator(".cases-page .page-head .case-status")).to_have_text("Escalated")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ESCALATED
    # The live countdown still ticks after the swap (clocks.js is loaded once).
    countdown = page.locator("#clock-email-first_response-1 .countdown")
    first = countdown.inner_text()
    page.wait_for_timeout(1500)
    assert countdown.inner_text() != first
    assert page.locator("script[src$='cases/clocks.js']").count() == 1
    assert problems == []
