"""The agent console: my queue (order, filters, take), the case view's reply on each channel,
notes, status, priority, escalation, assignment and routing, and refusals shown as messages."""

from __future__ import annotations

import re
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.test import Client as HttpClient

from pactline.cases.models import (
    AuthorKind,
    Case,
    CaseStatus,
    ClockStatus,
    EntryKind,
    SlaClock,
    TimelineEntry,
)
from pactline.channels.chat.models import ChatMessage
from pactline.channels.chat.services import chat_session_end
from pactline.channels.email.models import Direction, EmailMessage
from pactline.channels.email.services import email_receive
from pactline.channels.email.tokens import case_token
from pactline.channels.social.models import Delivery, SocialMessage
from pactline.tenancy.models import Membership, Role
from pactline.web.tests.test_console_support import (  # noqa: F401 - fixtures
    CARE,
    CUSTOMER_MESSAGE_ID,
    HTMX,
    NOW,
    SYSTEM,
    Console,
    console_fixture,
    frozen,
    http_as,
    snapshot,
)


def _order(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-case="(\d+)"', html)]


def _post(http: HttpClient, case: Case, action: str, htmx: bool = False, **data: str) -> Any:
    extra = HTMX if htmx else {}
    return http.post(f"/console/cases/{case.pk}/{action}/", data, **extra)


def _entries(case: Case) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(case=case).order_by("seq"))


# --- My queue ----------------------------------------------------------------------------------


def test_my_queue_lists_mine_and_what_i_may_take_nearest_deadline_first(
    console: Console,
) -> None:
    html = http_as(console, "client_a_agent").get("/console/").content.decode()
    # chat due 15:00:40, social 16:55, the hand-made email 22:30, the customer's email 23:00
    # (UTC); the phone case (mine) has no clock and comes last. Resolved and client B's: absent.
    assert _order(html) == [
        console.chat.pk,
        console.social.pk,
        console.bare_email.pk,
        console.email.pk,
        console.phone.pk,
    ]
    assert html.count('class="inline-form console-take"') == 4  # not on my own case
    assert 'data-due="2026-03-02T15:00:40+00:00"' in html  # live countdowns (cases clocks.js)
    assert "cases/clocks.js" in html
    assert 'hx-trigger="every 15s"' in html


def test_an_agent_without_clearance_has_no_console(console: Console) -> None:
    # Not certified, no confidentiality agreement: client A is not theirs to see at all.
    response = http_as(console, "a_new").get("/console/")
    assert response.status_code == 403
    assert _order(response.content.decode()) == []
    html = http_as(console, "client_b_agent").get("/console/").content.decode()
    assert _order(html) == [console.b.pk]


def test_my_queue_filters(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    html = http.get("/console/?channel=email").content.decode()
    assert _order(html) == [console.bare_email.pk, console.email.pk]
    html = http.get("/console/rows/?channel=email&client=client-a&status=new").content.decode()
    assert _order(html) == [console.bare_email.pk, console.email.pk]
    assert "<html" not in html  # the partial alone
    assert 'hx-get="/console/rows/?client=client-a&amp;channel=email&amp;status=new' in html
    # Unknown or foreign filter values are dropped rather than refused.
    html = http.get("/console/?client=client-b&channel=fax&status=resolved").content.decode()
    assert len(_order(html)) == 5


def test_take_from_the_queue_with_htmx_rerenders_the_table(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    response = http.post(
        f"/console/cases/{console.chat.pk}/take/", {"from": "queue", "channel": "chat"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="my-queue"' in html
    assert f"Case #{console.chat.pk} is now yours." in html
    assert _order(html) == [console.chat.pk]  # the posted filters are kept
    assert Case.objects.get(pk=console.chat.pk).assignee == console.a_agent
    [entry] = [e for e in _entries(console.chat) if e.kind == EntryKind.ASSIGNED]
    assert entry.payload == {"assignee": "a-agent"}


def test_take_without_htmx_goes_to_the_case(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    response = _post(http, console.email, "take", **{"from": "queue"})
    assert response["Location"] == f"/console/cases/{console.email.pk}/"
    # Taken already: refused, back to the queue, nothing changed.
    before = snapshot()
    response = _post(http, console.email, "take", **{"from": "queue"})
    assert response["Location"] == "/console/"
    assert snapshot() == before
    assert "the case is already yours" in http.get("/console/").content.decode()


def test_a_case_someone_else_has_cannot_be_taken(console: Console) -> None:
    phone = console.phone  # assigned to client_a_agent
    http = http_as(console, "supervisor")
    before = snapshot()
    html = _post(http, phone, "take", htmx=True).content.decode()
    assert "Nothing changed: a-agent has already taken the case" in html
    assert snapshot() == before


# --- Replies on the case's own channel -------------------------------------------------------------


def test_an_email_reply_goes_out_threaded_and_meets_the_first_response_clock(
    console: Console,
) -> None:
    http = http_as(console, "client_a_agent")
    response = _post(http, console.email, "reply", htmx=True, body="A new lamp is on its way.")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "console-case-changed"
    assert "Reply sent by email." in response.content.decode()
    [sent] = mail.outbox
    headers = sent.message()
    assert sent.to == ["maria.gonzalez@example.com"]
    assert headers["In-Reply-To"] == f"<{CUSTOMER_MESSAGE_ID}>"
    token = case_token(console.email.client_id, console.email.pk)
    assert headers["Subject"] == f"Re: Order NW-48213 arrived damaged {token}"
    assert sent.body == "A new lamp is on its way.\n"
    out = EmailMessage.objects.get(direction=Direction.OUTBOUND)
    assert out.case_id == console.email.pk
    clock = SlaClock.objects.get(case=console.email, key="email.first_response")
    assert (clock.state, clock.met_at) == (ClockStatus.MET, NOW)
    assert _entries(console.email)[-1].kind == EntryKind.AGENT_REPLY


def test_an_email_case_without_a_customer_email_cannot_be_answered(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    page = http.get(f"/console/cases/{console.bare_email.pk}/").content.decode()
    assert "cannot be answered by email" in page
    assert 'id="console-reply"' not in page
    before = snapshot()
    html = _post(http, console.bare_email, "reply", htmx=True, body="Hello").content.decode()
    assert "Nothing changed: the case has no email from the customer to reply to" in html
    assert snapshot() == before


def test_a_failed_send_is_a_message_not_an_error(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: DjangoEmailMessage, fail_silently: bool = False) -> int:
        raise smtplib.SMTPServerDisconnected("relay went away")

    monkeypatch.setattr(DjangoEmailMessage, "send", refuse)
    http = http_as(console, "client_a_agent")
    before = snapshot()
    response = _post(http, console.email, "reply", htmx=True, body="A new lamp is on its way.")
    html = response.content.decode()
    assert response.status_code == 200
    assert "the email could not be sent (relay went away)" in html
    assert "A new lamp is on its way." in html  # the draft is kept
    assert "HX-Trigger" not in response
    assert snapshot() == before


def test_a_chat_reply_reaches_the_open_chat(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    _post(http, console.chat, "reply", body="It left our depot today.")
    message = ChatMessage.objects.filter(case=console.chat).order_by("change_seq").last()
    assert message is not None
    assert (message.author_kind, message.author_label, message.text) == (
        AuthorKind.AGENT,
        "a-agent",
        "It left our depot today.",
    )
    clock = SlaClock.objects.get(case=console.chat, key="chat.first_response")
    assert clock.state == ClockStatus.MET


def test_an_ended_chat_cannot_be_answered(console: Console) -> None:
    session = console.chat.chat_sessions.get()
    chat_session_end(actor=SYSTEM, session=session)
    http = http_as(console, "client_a_agent")
    assert "the chat with the customer has ended" in (
        http.get(f"/console/cases/{console.chat.pk}/").content.decode()
    )
    before = snapshot()
    html = _post(http, console.chat, "reply", htmx=True, body="Hello?").content.decode()
    assert "Nothing changed: the case has no open chat to answer" in html
    assert snapshot() == before


def test_a_social_reply_waits_in_the_outbox(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    html = _post(
        http, console.social, "reply", htmx=True, body="Your refund was issued today."
    ).content.decode()
    assert "Reply queued for delivery on Facebook." in html
    reply = SocialMessage.objects.get(case=console.social, direction="out")
    assert (reply.delivery, reply.text, reply.platform) == (
        Delivery.PENDING,
        "Your refund was issued today.",
        "facebook",
    )


def test_a_phone_reply_is_recorded_on_the_case(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    page = http.get(f"/console/cases/{console.phone.pk}/").content.decode()
    assert "Record the reply given to the customer" in page
    html = _post(
        http, console.phone, "reply", htmx=True, body="Called back; refund explained."
    ).content.decode()
    assert "Reply recorded on the case; nothing was sent to the customer." in html
    assert "Reply sent" not in html
    last = _entries(console.phone)[-1]
    assert (last.kind, last.author_kind, last.body) == (
        EntryKind.AGENT_REPLY,
        AuthorKind.AGENT,
        "Called back; refund explained.",
    )
    assert not mail.outbox


def test_empty_and_oversized_replies_are_refused(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    before = snapshot()
    html = _post(http, console.phone, "reply", htmx=True, body="   ").content.decode()
    assert "Nothing changed: write the reply first" in html
    html = _post(http, console.phone, "reply", htmx=True, body="x" * 10_001).content.decode()
    assert "Nothing changed: at most 10000 characters" in html
    assert snapshot() == before


def test_a_resolved_case_takes_no_reply(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    before = snapshot()
    html = _post(http, console.resolved, "reply", htmx=True, body="Hi").content.decode()
    assert "the case is resolved; reopen it first" in html
    assert snapshot() == before


# --- Notes, status, priority, escalation ---------------------------------------------------------


def test_a_note_does_not_stop_or_move_the_clocks(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    clocks = list(SlaClock.objects.filter(case=console.email).values_list("state", "due_at"))
    response = _post(http, console.email, "note", htmx=True, body="Customer is a VIP.")
    assert "Note added." in response.content.decode()
    assert response["HX-Trigger"] == "console-case-changed"
    assert list(SlaClock.objects.filter(case=console.email).values_list("state", "due_at")) == (
        clocks
    )
    assert ClockStatus.RUNNING in [state for state, _due in clocks]
    note = _entries(console.email)[-1]
    assert (note.kind, note.body) == (EntryKind.NOTE, "Customer is a VIP.")
    assert not mail.outbox


def test_status_and_priority(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    html = _post(
        http, console.email, "status", htmx=True, status="pending_customer"
    ).content.decode()
    assert "Status is now Pending customer." in html
    assert 'id="console-work"' in html and "<html" not in html
    _post(http, console.email, "priority", priority="critical")
    case = Case.objects.get(pk=console.email.pk)
    assert (case.status, case.priority) == (CaseStatus.PENDING_CUSTOMER, "critical")
    before = snapshot()
    html = _post(http, console.email, "status", htmx=True, status="resolved").content.decode()
    assert "Nothing changed: use resolve to close a case" in html
    html = _post(http, console.email, "priority", htmx=True, priority="urgent").content.decode()
    assert "is not a priority of the agreement" in html
    assert snapshot() == before


def test_escalate_lands_with_a_supervisor_of_the_client(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    html = _post(
        http, console.email, "escalate", htmx=True, reason="Second complaint this week."
    ).content.decode()
    # Client A's supervisors are `sup` and `sup-a`, neither holding an escalation: the lower id.
    assert "Case escalated to sup, supervisor." in html
    case = Case.objects.get(pk=console.email.pk)
    assert (case.status, case.assignee) == (CaseStatus.ESCALATED, console.world.supervisor.user)
    status, given, note = _entries(console.email)[-3:]
    assert (status.kind, status.status) == (EntryKind.STATUS_CHANGE, CaseStatus.ESCALATED)
    assert (given.kind, given.payload) == (
        EntryKind.ASSIGNED,
        {"assignee": "sup", "role": "supervisor"},
    )
    assert (note.kind, note.body, note.payload) == (
        EntryKind.NOTE,
        "Second complaint this week.",
        {"escalation": True},
    )
    # In the supervisor's own queue, where they work it.
    queue = http_as(console, "supervisor").get("/console/").content.decode()
    assert console.email.pk in _order(queue)
    before = snapshot()
    html = _post(http, console.email, "escalate", htmx=True).content.decode()
    assert "the case is already escalated" in html
    assert snapshot() == before
    # The next escalation goes to a supervisor holding fewer: the first by id of the others.
    first_other = (
        Membership.objects.filter(client=console.chat.client, role=Role.SUPERVISOR)
        .exclude(user__username="sup")
        .order_by("user_id")
        .first()
    )
    assert first_other is not None
    html = _post(http, console.chat, "escalate", htmx=True).content.decode()
    assert f"Case escalated to {first_other.user.username}, supervisor." in html
    assert Case.objects.get(pk=console.chat.pk).assignee == first_other.user


def test_escalate_is_refused_when_nobody_supervises_the_client(console: Console) -> None:
    Membership.objects.filter(client=console.email.client, role=Role.SUPERVISOR).delete()
    http = http_as(console, "client_a_agent")
    before = snapshot()
    html = _post(http, console.email, "escalate", htmx=True, reason="Angry.").content.decode()
    assert (
        "Nothing changed: no supervisor looks after this client, so nobody would receive the "
        "escalation" in html
    )
    assert "escalated to" not in html
    assert snapshot() == before
    assert Case.objects.get(pk=console.email.pk).status == CaseStatus.NEW


def test_assign_unassign_and_route(console: Console) -> None:
    http = http_as(console, "supervisor")
    page = http.get(f"/console/cases/{console.email.pk}/").content.decode()
    # Only the eligible agent is offered.
    assert f'<option value="{console.a_agent.pk}">a-agent</option>' in page
    assert f'value="{console.a_new.pk}"' not in page
    html = _post(
        http, console.email, "assign", htmx=True, assignee=str(console.a_agent.pk)
    ).content.decode()
    assert "Assigned to a-agent." in html
    assert Case.objects.get(pk=console.email.pk).assignee == console.a_agent
    _post(http, console.email, "assign", assignee="")
    assert Case.objects.get(pk=console.email.pk).assignee is None
    html = _post(http, console.email, "route", htmx=True, strategy="round_robin").content.decode()
    assert "Routed to a-agent." in html
    html = _post(http, console.email, "route", htmx=True).content.decode()
    assert "a-agent keeps the case." in html
    html = _post(http, console.email, "route", htmx=True, strategy="fastest").content.decode()
    assert "Nothing changed: must be one of: round_robin, least_busy" in html


def test_resolve_and_reopen(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    html = _post(http, console.email, "resolve", htmx=True).content.decode()
    assert "Case resolved." in html and "Reopen" in html
    assert Case.objects.get(pk=console.email.pk).status == CaseStatus.RESOLVED
    html = _post(http, console.email, "reopen", htmx=True).content.decode()
    assert "Case reopened." in html
    assert Case.objects.get(pk=console.email.pk).status == CaseStatus.OPEN
    before = snapshot()
    html = _post(http, console.email, "reopen", htmx=True).content.decode()
    assert "only a resolved case can be reopened" in html
    assert snapshot() == before


def test_the_case_view_reuses_the_case_page(console: Console) -> None:
    html = http_as(console, "client_a_agent").get(f"/console/cases/{console.email.pk}/")
    text = html.content.decode()
    assert 'id="case-header"' in text and 'id="sla"' in text and 'id="timeline"' in text
    assert 'id="actions"' not in text  # the case page's own forms give way to the panel
    assert text.count("cases/clocks.js") == 1
    assert 'hx-select=".cases-page"' in text
    assert "by email to maria.gonzalez@example.com" in text


def _follow_up(*, sender: str, message_id: str, headers: str = "") -> None:
    raw = (
        f"From: <{sender}>\r\nTo: {CARE}\r\nSubject: Re: Order NW-48213 arrived damaged\r\n"
        f"Message-ID: <{message_id}>\r\nIn-Reply-To: <{CUSTOMER_MESSAGE_ID}>\r\n{headers}"
        "\r\nAny news?\r\n"
    ).encode()
    email_receive(actor=SYSTEM, raw=raw, mail_from="", rcpt_tos=[CARE], now=NOW)


def test_a_reply_to_outside_the_contact_is_an_unticked_choice_with_a_warning(
    console: Console,
) -> None:
    _follow_up(
        sender="maria.gonzalez@example.com",
        message_id="follow-up-1@mail.example.com",
        headers="Reply-To: <orders@forwarder.example>\r\n",
    )
    http = http_as(console, "client_a_agent")
    page = http.get(f"/console/cases/{console.email.pk}/").content.decode()
    assert "by email to maria.gonzalez@example.com" in page
    [choice] = re.findall(r'<input type="checkbox" name="include_reply_to"[^>]*>', page)
    assert "checked" not in choice
    assert "Also send to orders@forwarder.example" in page
    assert "Warning: this address is not one of the contact's addresses" in page

    _post(http, console.email, "reply", htmx=True, body="First answer.")
    _post(http, console.email, "reply", htmx=True, body="Second.", include_reply_to="yes")

    assert [sent.to for sent in mail.outbox] == [
        ["maria.gonzalez@example.com"],
        ["maria.gonzalez@example.com", "orders@forwarder.example"],
    ]


def test_a_strangers_mail_naming_a_case_is_shown_as_possibly_related(console: Console) -> None:
    _follow_up(sender="mallory@attacker.example", message_id="stranger-1@attacker.example")

    theirs = Case.objects.get(contact__isnull=False, subject="Re: Order NW-48213 arrived damaged")
    assert theirs.pk != console.email.pk
    http = http_as(console, "client_a_agent")
    for url in (f"/console/cases/{console.email.pk}/", f"/cases/{console.email.pk}/"):
        page = http.get(url).content.decode()
        assert f'<a href="/cases/{theirs.pk}/">Possibly related to case #{theirs.pk}</a>' in page
    page = http.get(f"/cases/{theirs.pk}/").content.decode()
    assert f"Possibly related to case #{console.email.pk}" in page
    # The named case's replies still go to its own contact only.
    page = http.get(f"/console/cases/{console.email.pk}/").content.decode()
    assert "by email to maria.gonzalez@example.com" in page and "include_reply_to" not in page


def test_the_console_speaks_chinese(console: Console) -> None:
    http = http_as(console, "supervisor")
    http.post("/i18n/setlang/", {"language": "zh-hans", "next": "/console/"})
    html = http.get("/console/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "我的队列" in html and "队列总览" in html
    html = http.get(f"/console/cases/{console.email.pk}/").content.decode()
    assert "处理工单" in html and "通过邮件回复" in html and "升级至组长" in html
    html = http.get("/console/queues/").content.decode()
    assert "等待最久的客户" in html
    # "Open" a count of cases not yet resolved, and "Open" a case: neither is the status.
    assert '<th class="num">未解决</th>' in html and "处理中" not in html
    html = http.get(f"/console/queues/cases/?client={console.email.client.code}").content.decode()
    assert ">打开</a>" in html
