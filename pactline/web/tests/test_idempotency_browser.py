"""Double submits in a real browser: htmx sends the form's idempotency key, and the same
rendered form sent twice at once (a double click that gets past the button) adds one note."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from conftest import World
from pactline.cases.models import Case, EntryKind, TimelineEntry
from pactline.cases.services import case_assign, case_open
from pactline.common.models import IdempotencyRecord
from pactline.tenancy.access import system_actor
from pactline.web.tests.test_console_browser import agent_page  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SYSTEM = system_actor("test")

# Sends the note form twice at the same moment, exactly as the browser would submit it.
SEND_TWICE = """async () => {
  const form = document.querySelector('#console-note');
  form.querySelector('textarea').value = 'Called the customer back.';
  const csrf = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
  const send = () => fetch(form.action, {
    method: 'POST', body: new FormData(form), headers: {'X-CSRFToken': csrf},
    redirect: 'manual',
  }).then(r => r.status);
  return await Promise.all([send(), send()]);
}"""


def _notes(case: Case) -> list[str]:
    entries = TimelineEntry.objects.filter(case=case, kind=EntryKind.NOTE).order_by("seq")
    return [entry.body for entry in entries]


def test_the_same_note_form_sent_twice_adds_one_note(
    agent_page: Page,  # noqa: F811 - fixture
    live_server: LiveServer,
    world: World,
) -> None:
    page = agent_page
    opened = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    case = case_open(
        actor=SYSTEM,
        client=world.client_a,
        channel="phone",
        priority="normal",
        subject="Refund question",
        at=opened,
        now=opened,
    )
    case_assign(actor=SYSTEM, case=case, assignee=world.client_a_agent.user, now=opened)
    page.goto(f"{live_server.url}/console/cases/{case.pk}/")

    # htmx posts the hidden key with the form.
    page.fill("#console-note-body", "Checked the order history.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#console-work .message-success")).to_have_text("Note added.")
    assert IdempotencyRecord.objects.filter(status_code=200).count() == 1

    # The re-rendered panel has a new key; that form sent twice at once adds one note.
    statuses = page.evaluate(SEND_TWICE)
    assert sorted(statuses) == [0, 0]  # both answered with the same redirect (opaque)
    assert _notes(case) == ["Checked the order history.", "Called the customer back."]
    assert IdempotencyRecord.objects.count() == 2
