"""The case page: the SLA timeline of each clock in two zones, the merged timeline, actions.

Client A's email first response (normal) is 8 h of New York business time: a case opened
Monday 2 March 2026 09:00 EST is due 17:00 EST, 22:00 UTC."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.test import Client as HttpClient

from pactline.cases.clocks import clocks_fire_due
from pactline.cases.models import ActionStatus, Case, EscalationAction
from pactline.cases.services import (
    case_agent_reply,
    case_customer_message,
    case_escalate,
    case_set_priority,
    case_set_status,
)
from pactline.cases.tests.test_pages_support import (  # noqa: F401 - fixture
    SYSTEM,
    Cases,
    as_persona,
    cases_fixture,
    snapshot,
    text_of,
    utc,
)

CLOCK = "clock-email-first_response-1"


def _page(http: HttpClient, case: Case) -> str:
    response = http.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _clock(html: str, dom_id: str = CLOCK) -> str:
    found = re.search(rf'<article [^>]*id="{dom_id}">(.*?)</article>', html, re.S)
    assert found, f"no clock {dom_id}"
    return found.group(1)


def _fact(section: str, name: str) -> str:
    found = re.search(rf"<dt>{name}</dt><dd[^>]*>(.*?)</dd>", section, re.S)
    assert found, f"no fact {name}"
    return text_of(found.group(1))


def _marks(section: str) -> list[str]:
    return [
        text_of(item) for item in re.findall(r'<li class="mark[^"]*">(.*?)</li>', section, re.S)
    ]


def test_the_due_time_is_shown_in_the_clients_zone_and_the_viewers(cases: Cases) -> None:
    http = as_persona(cases.world, "supervisor")
    clock = _clock(_page(http, cases.a))
    assert _fact(clock, "Due") == "2026-03-02 17:00 EST 2026-03-02 22:00 UTC"
    assert 'title="America/New_York"' in clock
    assert "Email · First response time" in clock

    http.cookies["tz"] = "Asia/Tokyo"
    assert _fact(_clock(_page(http, cases.a)), "Due") == (
        "2026-03-02 17:00 EST 2026-03-03 07:00 JST"
    )
    http.cookies["tz"] = "America/New_York"  # same zone as the client: shown once
    assert _fact(_clock(_page(http, cases.a)), "Due") == "2026-03-02 17:00 EST"


@pytest.mark.parametrize("cookie", ["Mars/Olympus_Mons", "../../../etc/passwd", "", "UTC"])
def test_a_bad_or_missing_zone_cookie_falls_back_to_utc(cases: Cases, cookie: str) -> None:
    http = as_persona(cases.world, "supervisor")
    http.cookies["tz"] = cookie
    html = _page(http, cases.a)
    assert _fact(_clock(html), "Due") == "2026-03-02 17:00 EST 2026-03-02 22:00 UTC"
    assert 'data-viewer-zone="UTC"' in html


def test_the_clients_zone_is_the_clocks_calendar_zone(cases: Cases) -> None:
    http = as_persona(cases.world, "supervisor")
    # Client B's social first response (normal, 1 h) on Shanghai workdays from 09:00 CST.
    clock = _clock(_page(http, cases.b), "clock-social-first_response-1")
    assert _fact(clock, "Due") == "2026-03-02 10:00 CST 2026-03-02 02:00 UTC"


def test_a_running_clock_counts_down_live_from_its_deadline(cases: Cases) -> None:
    http = as_persona(cases.world, "supervisor")
    with time_machine.travel(utc(17), tick=False):
        clock = _clock(_page(http, cases.a))
    assert 'class="countdown" data-due="2026-03-02T22:00:00+00:00"' in clock
    assert 'data-left="{time} left"' in clock
    assert _fact(clock, "Consumed") == "3 h"  # 09:00–12:00 EST of business time
    assert _fact(clock, "Remaining") == "5 h"
    with time_machine.travel(utc(23), tick=False):  # the loop has not run: still "running"
        clock = _clock(_page(http, cases.a))
    assert _fact(clock, "Overdue by") == "1 h"
    # The page loads the countdown script from a file, under the CSP nonce.
    html = _page(http, cases.a)
    assert re.search(r'<script src="/static/cases/clocks.js" nonce="[\w-]+" defer>', html)


def test_pauses_come_from_status_changes_into_the_clocks_pause_statuses(cases: Cases) -> None:
    case_set_status(actor=SYSTEM, case=cases.a, status="pending_customer", now=utc(15))
    case_escalate(actor=SYSTEM, case=cases.a, now=utc(16))  # not a pause
    case_set_status(actor=SYSTEM, case=cases.a, status="open", now=utc(17))
    http = as_persona(cases.world, "supervisor")
    with time_machine.travel(utc(18), tick=False):
        clock = _clock(_page(http, cases.a))
    assert _marks(clock)[:2] == [
        "Started 2026-03-02 09:00 EST 2026-03-02 14:00 UTC",
        "Paused 2026-03-02 10:00 EST 2026-03-02 15:00 UTC – 2026-03-02 11:00 EST 2026-03-02 16:00 UTC",
    ]
    assert _fact(clock, "Due") == "2026-03-02 18:00 EST 2026-03-02 23:00 UTC"
    assert _fact(clock, "Consumed") == "3 h"


def test_a_clock_paused_now_shows_an_open_pause_and_no_countdown(cases: Cases) -> None:
    case_set_status(actor=SYSTEM, case=cases.a, status="pending_customer", now=utc(15))
    http = as_persona(cases.world, "supervisor")
    with time_machine.travel(utc(20), tick=False):
        clock = _clock(_page(http, cases.a))
    assert "Paused" in clock and "still paused" in clock
    assert "data-due" not in clock
    assert _fact(clock, "Consumed") == "1 h"
    assert _fact(clock, "Remaining") == "7 h"


def test_warnings_breach_and_escalations_fire_into_both_timelines(cases: Cases) -> None:
    clocks_fire_due(now=utc(22, 5))
    http = as_persona(cases.world, "supervisor")
    html = _page(http, cases.a)
    marks = _marks(_clock(html))
    assert marks == [
        "Started 2026-03-02 09:00 EST 2026-03-02 14:00 UTC",
        "Warning 1 2026-03-02 15:00 EST 2026-03-02 20:00 UTC",
        "Escalation: standard-breaches level 1 2026-03-02 16:30 EST 2026-03-02 21:30 UTC",
        "Warning 2 2026-03-02 16:45 EST 2026-03-02 21:45 UTC",
        "Breach 2026-03-02 17:00 EST 2026-03-02 22:00 UTC",
        "Escalation: standard-breaches level 2 2026-03-02 17:00 EST 2026-03-02 22:00 UTC",
    ]
    assert 'class="badge clock-state clock-state-breached">Breached<' in html
    timeline = text_of(html[html.index('id="timeline"') :])
    assert "Breach Email · First response time" in timeline
    assert "Warning 1 Email · First response time" in timeline
    actions = EscalationAction.objects.filter(case=cases.a)
    assert actions.exists()
    assert "Email notification — Escalation: standard-breaches level 1" in timeline
    # An action that gave up is shown with its error.
    actions.filter(action_type="notify_email").update(
        status=ActionStatus.FAILED, attempts=5, last_error="SMTP 550 mailbox unavailable"
    )
    timeline = text_of(_page(http, cases.a))
    assert "Failed · 5 attempt(s) · SMTP 550 mailbox unavailable" in timeline


def test_retroactive_warnings_are_greyed_as_not_sent(cases: Cases) -> None:
    # Raised to critical (1 h, 24/7) at 13:00 EST: the breach is dated 10:00 EST, its past
    # warnings are recorded but not sent.
    case_set_priority(actor=SYSTEM, case=cases.a, priority="critical", now=utc(18))
    html = _page(as_persona(cases.world, "supervisor"), cases.a)
    clock = _clock(html)
    assert re.search(r'class="mark mark-warning mark-suppressed">.*?not sent', clock, re.S)
    assert "Breach 2026-03-02 10:00 EST 2026-03-02 15:00 UTC" in _marks(clock)
    assert 'class="tl tl-warning tl-suppressed"' in html


def test_a_human_reply_in_time_meets_the_clock(cases: Cases) -> None:
    case_customer_message(actor=SYSTEM, case=cases.a, body="Any news?", now=utc(15))
    case_agent_reply(actor=SYSTEM, case=cases.a, bot=True, now=utc(15, 30))
    case_agent_reply(actor=SYSTEM, case=cases.a, body="Shipped today.", now=utc(16))
    html = _page(as_persona(cases.world, "supervisor"), cases.a)
    clock = _clock(html)
    assert _marks(clock)[-1] == "Met 2026-03-02 11:00 EST 2026-03-02 16:00 UTC"
    assert "data-due" not in clock
    timeline = text_of(html[html.index('id="timeline"') :])
    assert "Customer message" in timeline and "Any news?" in timeline
    assert "Bot reply (does not answer a response clock)" in timeline
    assert "Agent reply" in timeline and "Shipped today." in timeline


def _post(http: HttpClient, case: Case, action: str, **data: str) -> list[str]:
    response = http.post(f"/cases/{case.pk}/{action}/", data, follow=True)
    assert response.redirect_chain == [(f"/cases/{case.pk}/", 302)]
    # Rendering the case page shows (and so consumes) the messages.
    return [str(message) for message in response.context["messages"]]


def test_actions_call_the_services_and_say_what_happened(cases: Cases) -> None:
    http = as_persona(cases.world, "client_a_agent")
    # An email case with no email from the customer: nothing can be sent, so nothing is
    # recorded and the clock keeps running (it once said "Reply sent." and met the clock).
    before = snapshot()
    assert _post(http, cases.a, "reply", body="We are on it.") == [
        "Nothing changed: the case has no email from the customer to reply to"
    ]
    assert snapshot() == before
    assert not mail.outbox
    assert _post(http, cases.a, "status", status="pending_customer") == [
        "Status is now Pending customer."
    ]
    assert _post(http, cases.a, "priority", priority="high") == ["Priority is now High."]
    assert _post(http, cases.a, "resolve") == ["Case resolved."]
    assert _post(http, cases.a, "reopen") == ["Case reopened."]
    cases.a.refresh_from_db()
    assert (cases.a.status, cases.a.priority) == ("open", "high")


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("reply", {"body": "   "}, "Nothing changed: write the reply first"),
        ("reply", {"body": "x" * 10_001}, "Nothing changed: at most 10000 characters"),
        ("status", {"status": "resolved"}, "Nothing changed: use resolve to close a case"),
        ("status", {"status": "bogus"}, "Nothing changed: use resolve to close a case"),
        (
            "priority",
            {"priority": "urgent"},
            "Nothing changed: 'urgent' is not a priority of the agreement",
        ),
        ("reopen", {}, "Nothing changed: only a resolved case can be reopened"),
    ],
)
def test_bad_input_and_conflicts_are_messages_not_errors(
    cases: Cases, action: str, data: dict[str, str], message: str
) -> None:
    http = as_persona(cases.world, "supervisor")
    before = snapshot()
    assert _post(http, cases.a, action, **data) == [message]
    assert snapshot() == before


def test_a_resolved_case_offers_reopen_only_and_refuses_status_changes(cases: Cases) -> None:
    http = as_persona(cases.world, "supervisor")
    html = _page(http, cases.a_resolved)
    assert "/reopen/" in html and "/reply/" not in html and "/status/" not in html
    before = snapshot()
    assert _post(http, cases.a_resolved, "status", status="open") == [
        "Nothing changed: the case is resolved; reopen it first"
    ]
    assert snapshot() == before


def test_the_page_runs_a_fixed_number_of_queries_however_long_the_case(
    cases: Cases, django_assert_num_queries: object
) -> None:
    http = as_persona(cases.world, "supervisor")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as short:
        _page(http, cases.a)
    for hour in (15, 16, 17):
        case_customer_message(actor=SYSTEM, case=cases.a, body="Hello?", now=utc(hour))
    case_agent_reply(actor=SYSTEM, case=cases.a, body="Hi", now=utc(18))
    case_set_priority(actor=SYSTEM, case=cases.a, priority="critical", now=utc(18, 30))
    clocks_fire_due(now=utc(23))
    with django_assert_num_queries(len(short)):  # type: ignore[operator]
        _page(http, cases.a)


def test_the_page_speaks_simplified_chinese(cases: Cases) -> None:
    http = as_persona(cases.world, "supervisor")
    html = http.get(f"/cases/{cases.a.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    clock = _clock(html)
    assert "SLA 时间线" in html
    assert "电子邮件 · 首次响应时间" in clock
    assert _fact(clock, "截止时间") == "2026-03-02 17:00 EST 2026-03-02 22:00 UTC"
    assert 'data-left="剩余 {time}"' in clock


def test_a_target_in_business_days_is_shown_in_days(cases: Cases) -> None:
    # Email resolution, normal: 3 business days (not 3 × 24 h of business time).
    html = _page(as_persona(cases.world, "supervisor"), cases.a)
    clock = _clock(html, "clock-email-resolution-1")
    assert _fact(clock, "Target").startswith("3 business days · Normal")


def test_resolving_records_the_agents_word_on_first_contact_resolution(cases: Cases) -> None:
    http = as_persona(cases.world, "supervisor")
    assert 'name="first_contact"' in _page(http, cases.a)
    assert _post(http, cases.a, "resolve", first_contact="yes") == ["Case resolved."]
    cases.a.refresh_from_db()
    assert cases.a.first_contact_resolution is True
    entry = cases.a.timeline.order_by("-seq").first()
    assert entry is not None and entry.payload == {"first_contact": True}
    _post(http, cases.a, "reopen")
    cases.a.refresh_from_db()
    assert cases.a.first_contact_resolution is None
    _post(http, cases.a, "resolve")
    cases.a.refresh_from_db()
    assert cases.a.first_contact_resolution is False
