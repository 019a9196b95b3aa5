"""API: working a case as the console does — reply on each channel, note, status, assign,
escalate — with the console's permission checks, fields named in errors, another client's
case answered 404, and a repeated Idempotency-Key changing nothing."""

from __future__ import annotations

import json
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
    Channel,
    ClockStatus,
    EntryKind,
    SlaClock,
    TimelineEntry,
)
from pactline.cases.replies import reply_channels
from pactline.channels.chat.models import ChatMessage
from pactline.channels.email.models import Direction, EmailMessage
from pactline.channels.social.models import Delivery, SocialMessage
from pactline.tenancy.models import Membership, Role
from pactline.web.tests.test_console_support import (  # noqa: F401 - fixtures
    CUSTOMER_MESSAGE_ID,
    NOW,
    Console,
    console_fixture,
    frozen,
    http_as,
    snapshot,
)


def _post(http: HttpClient, case: Case, path: str, body: Any, **headers: str) -> Any:
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return http.post(
        f"/api/v1/cases/{case.pk}/{path}",
        data=json.dumps(body),
        content_type="application/json",
        **extra,
    )


def _errors(response: Any) -> list[tuple[str, str]]:
    return [(error["path"], error["message"]) for error in response.json()["errors"]]


def _last(case: Case) -> TimelineEntry:
    entry = TimelineEntry.objects.filter(case=case).order_by("seq").last()
    assert entry is not None
    return entry


# --- Replies, one handler per channel kind ---------------------------------------------------------


def test_an_email_reply_is_sent_and_meets_the_clock(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    response = _post(http, console.email, "replies", {"body": "A new lamp is on its way."})
    assert response.status_code == 200
    answer = response.json()
    assert (answer["delivery"], answer["detail"]) == ("sent", "Reply sent by email.")
    assert (answer["case"]["id"], answer["case"]["channel"]) == (console.email.pk, "email")
    [sent] = mail.outbox
    assert sent.to == ["maria.gonzalez@example.com"]
    assert sent.message()["In-Reply-To"] == f"<{CUSTOMER_MESSAGE_ID}>"
    assert EmailMessage.objects.filter(direction=Direction.OUTBOUND).count() == 1
    clock = SlaClock.objects.get(case=console.email, key="email.first_response")
    assert (clock.state, clock.met_at) == (ClockStatus.MET, NOW)


def test_an_email_that_cannot_be_sent_is_a_409_and_records_nothing(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: DjangoEmailMessage, fail_silently: bool = False) -> int:
        raise smtplib.SMTPServerDisconnected("relay went away")

    monkeypatch.setattr(DjangoEmailMessage, "send", refuse)
    http = http_as(console, "client_a_agent")
    before = snapshot()
    response = _post(http, console.email, "replies", {"body": "A new lamp is on its way."})
    assert response.status_code == 409
    assert response.json() == {"detail": "the email could not be sent (relay went away); try again"}
    assert snapshot() == before
    clock = SlaClock.objects.get(case=console.email, key="email.first_response")
    assert clock.state == ClockStatus.RUNNING


def test_an_email_case_without_a_customer_email_is_refused(console: Console) -> None:
    before = snapshot()
    response = _post(
        http_as(console, "client_a_agent"), console.bare_email, "replies", {"body": "Hello"}
    )
    assert response.status_code == 422
    assert _errors(response) == [("case", "the case has no email from the customer to reply to")]
    assert snapshot() == before


def test_a_chat_reply_is_posted_in_the_open_chat(console: Console) -> None:
    response = _post(
        http_as(console, "client_a_agent"), console.chat, "replies", {"body": "It left today."}
    )
    assert response.status_code == 200
    assert (response.json()["delivery"], response.json()["detail"]) == (
        "sent",
        "Reply sent in the chat.",
    )
    message = ChatMessage.objects.filter(case=console.chat).order_by("change_seq").last()
    assert message is not None
    assert (message.author_kind, message.author_label, message.text) == (
        AuthorKind.AGENT,
        "a-agent",
        "It left today.",
    )
    assert not mail.outbox


def test_a_social_reply_is_queued_for_the_platform(console: Console) -> None:
    response = _post(
        http_as(console, "client_a_agent"), console.social, "replies", {"body": "Refund issued."}
    )
    assert response.status_code == 200
    assert (response.json()["delivery"], response.json()["detail"]) == (
        "queued",
        "Reply queued for delivery on Facebook.",
    )
    reply = SocialMessage.objects.get(case=console.social, direction="out")
    assert (reply.delivery, reply.text) == (Delivery.PENDING, "Refund issued.")


def test_a_phone_reply_is_recorded_and_says_nothing_was_sent(console: Console) -> None:
    before = snapshot()
    response = _post(
        http_as(console, "client_a_agent"),
        console.phone,
        "replies",
        {"body": "Called back; refund explained."},
    )
    assert response.status_code == 200
    assert (response.json()["delivery"], response.json()["detail"]) == (
        "recorded",
        "Reply recorded on the case; nothing was sent to the customer.",
    )
    entry = _last(console.phone)
    assert (entry.kind, entry.body) == (EntryKind.AGENT_REPLY, "Called back; refund explained.")
    assert snapshot()[3:] == before[3:]  # no chat, social or email message, no mail


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, [("body", "Field required")]),
        ({"body": "   "}, [("body", "write the reply first")]),
        ({"body": "x" * 10_001}, [("body", "String should have at most 10000 characters")]),
        ({"body": "Hi", "include_reply_to": "maybe"}, None),
    ],
)
def test_bad_replies_name_the_field(
    console: Console, body: dict[str, Any], errors: list[tuple[str, str]] | None
) -> None:
    before = snapshot()
    response = _post(http_as(console, "client_a_agent"), console.email, "replies", body)
    assert response.status_code == 422
    if errors is None:
        assert [path for path, _message in _errors(response)] == ["include_reply_to"]
    else:
        assert _errors(response) == errors
    assert snapshot() == before


def test_a_resolved_case_takes_no_reply(console: Console) -> None:
    before = snapshot()
    response = _post(http_as(console, "client_a_agent"), console.resolved, "replies", {"body": "x"})
    assert response.status_code == 409
    assert response.json() == {"detail": "the case is resolved; reopen it first"}
    assert snapshot() == before


# --- Permissions: the console's, and 404 for another client's case --------------------------------


WRITES = [
    ("replies", {"body": "Hello"}),
    ("notes", {"body": "VIP"}),
    ("status", {"status": "pending_client"}),
    ("assignee", {"assignee_id": None}),
    ("escalation", {"reason": "Angry"}),
]


@pytest.mark.parametrize(("path", "body"), WRITES)
@pytest.mark.parametrize(
    ("persona", "status"),
    [("client_b_agent", 404), ("client_a_viewer", 403), ("client_a_manager", 403)],
)
def test_who_may_not_work_the_case_changes_nothing(
    console: Console, path: str, body: dict[str, Any], persona: str, status: int
) -> None:
    before = snapshot()
    response = _post(http_as(console, persona), console.phone, path, body)
    assert response.status_code == status
    assert snapshot() == before


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_anonymous_gets_401(console: Console, path: str, body: dict[str, Any]) -> None:
    before = snapshot()
    assert _post(HttpClient(), console.phone, path, body).status_code == 401
    assert snapshot() == before


# --- Note, status, assign ----------------------------------------------------------------------------


def test_a_note(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    response = _post(http, console.phone, "notes", {"body": "Customer is a VIP."})
    assert response.status_code == 200
    assert response.json()["id"] == console.phone.pk
    entry = _last(console.phone)
    assert (entry.kind, entry.body, entry.actor_label) == (
        EntryKind.NOTE,
        "Customer is a VIP.",
        "user:a-agent",
    )
    before = snapshot()
    response = _post(http, console.phone, "notes", {"body": "   "})
    assert (response.status_code, _errors(response)) == (422, [("body", "a note needs some text")])
    assert snapshot() == before


def test_status(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    response = _post(http, console.phone, "status", {"status": "pending_customer"})
    assert (response.status_code, response.json()["status"]) == (200, "pending_customer")
    assert Case.objects.get(pk=console.phone.pk).status == CaseStatus.PENDING_CUSTOMER
    before = snapshot()
    for bad in ("resolved", "bogus"):
        response = _post(http, console.phone, "status", {"status": bad})
        assert response.status_code == 422
        assert _errors(response) == [("status", "use resolve to close a case")]
    response = _post(http, console.phone, "status", {"status": "escalated"})
    assert _errors(response) == [
        ("status", "escalate the case instead: it hands it to a supervisor")
    ]
    response = _post(http, console.phone, "status", {"status": 5})
    assert [path for path, _message in _errors(response)] == ["status"]
    assert snapshot() == before


def test_assign_and_unassign(console: Console) -> None:
    http = http_as(console, "supervisor")
    response = _post(http, console.email, "assignee", {"assignee_id": console.a_agent.pk})
    assert (response.status_code, response.json()["assignee"]) == (200, "a-agent")
    assert Case.objects.get(pk=console.email.pk).assignee == console.a_agent
    response = _post(http, console.email, "assignee", {"assignee_id": None})
    assert (response.status_code, response.json()["assignee"]) == (200, None)
    assert Case.objects.get(pk=console.email.pk).assignee is None
    before = snapshot()
    # Client B's agent is no agent of client A; a_new is, but not cleared for the work.
    b_agent = console.world.client_b_agent.user
    assert b_agent is not None
    response = _post(http, console.email, "assignee", {"assignee_id": b_agent.pk})
    assert _errors(response) == [("assignee_id", "not an agent of this client")]
    response = _post(http, console.email, "assignee", {"assignee_id": console.a_new.pk})
    assert _errors(response) == [
        ("assignee", "a-new may not take this client's work (certification or NDA missing)")
    ]
    for bad in ({}, {"assignee_id": 0}, {"assignee_id": "me"}, {"assignee_id": 2**64}):
        response = _post(http, console.email, "assignee", bad)
        assert response.status_code == 422
        assert [path for path, _message in _errors(response)] == ["assignee_id"]
    assert snapshot() == before


# --- Escalation lands with a supervisor of the client --------------------------------------------


def test_escalation_is_given_to_a_supervisor_of_the_client(console: Console) -> None:
    http = http_as(console, "client_a_agent")
    response = _post(http, console.email, "escalation", {"reason": "Third complaint."})
    assert response.status_code == 200
    answer = response.json()
    assert answer["supervisor"] == "sup"
    assert (answer["case"]["status"], answer["case"]["assignee"]) == ("escalated", "sup")
    note = _last(console.email)
    assert (note.kind, note.body, note.payload) == (
        EntryKind.NOTE,
        "Third complaint.",
        {"escalation": True},
    )
    before = snapshot()
    response = _post(http, console.email, "escalation", {})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "the case is already escalated"},
    )
    response = _post(http, console.chat, "escalation", {"reason": "x" * 20_001})
    assert response.status_code == 422
    assert [path for path, _message in _errors(response)] == ["reason"]
    assert snapshot() == before
    # `sup` holds one escalation now, the client's other supervisors none: the next lands with
    # the first of those (by id).
    others = (
        Membership.objects.filter(client=console.chat.client, role=Role.SUPERVISOR)
        .exclude(user__username="sup")
        .order_by("user_id")
        .values_list("user__username", flat=True)
    )
    response = _post(http, console.chat, "escalation", {})
    assert response.json()["supervisor"] == others[0]


def test_escalation_is_refused_when_nobody_supervises_the_client(console: Console) -> None:
    Membership.objects.filter(client=console.email.client, role=Role.SUPERVISOR).delete()
    before = snapshot()
    response = _post(http_as(console, "client_a_agent"), console.email, "escalation", {})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "no supervisor looks after this client, so nobody would receive the escalation"},
    )
    assert snapshot() == before


def test_a_provider_wide_supervisor_receives_escalations_too(console: Console) -> None:
    Membership.objects.filter(client=console.email.client, role=Role.SUPERVISOR).delete()
    Membership.objects.create(user=console.sup_a, role=Role.SUPERVISOR, client=None)
    response = _post(http_as(console, "client_a_agent"), console.email, "escalation", {})
    assert (response.status_code, response.json()["supervisor"]) == (200, "sup-a")


# --- Idempotency ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case_name", "path", "body"),
    [
        ("email", "replies", {"body": "A new lamp is on its way."}),
        ("phone", "notes", {"body": "VIP"}),
        ("phone", "status", {"status": "pending_client"}),
        ("email", "assignee", {"assignee_id": "AGENT"}),
        ("email", "escalation", {"reason": "Angry"}),
    ],
)
def test_the_same_idempotency_key_changes_nothing_the_second_time(
    console: Console, case_name: str, path: str, body: dict[str, Any]
) -> None:
    if body.get("assignee_id") == "AGENT":
        body = {"assignee_id": console.a_agent.pk}
    case = getattr(console, case_name)
    http = http_as(console, "supervisor")
    first = _post(http, case, path, body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 200
    after_first = snapshot()
    again = _post(http, case, path, body, **{"Idempotency-Key": "k-1"})
    assert (again.status_code, again["Idempotent-Replayed"]) == (200, "true")
    assert again.json() == first.json()
    assert snapshot() == after_first


def test_every_channel_kind_has_a_reply_handler() -> None:
    assert sorted(reply_channels()) == sorted(Channel.values)
