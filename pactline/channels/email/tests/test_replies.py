"""Agents' replies by email, the clocks they stop, card data, and the quarantine's way back."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.test import override_settings

from conftest import clear_agent
from pactline.cases.models import Case, ClockStatus, EntryKind, SlaClock
from pactline.cases.services import case_open
from pactline.cases.tests.fixtures import MONDAY_9AM_NY
from pactline.channels.email import services
from pactline.channels.email.access import access_quarantined_email
from pactline.channels.email.models import Direction, EmailMessage, QuarantinedEmail
from pactline.channels.email.selectors import email_reply_recipients, quarantined_email_list
from pactline.channels.email.services import (
    Delivery,
    email_receive,
    email_reply_send,
    quarantined_email_resolve,
    quarantined_email_retry,
    reply_subject,
)
from pactline.channels.email.tests.conftest import Clock, Mailer, eml
from pactline.channels.email.tokens import case_tag
from pactline.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pactline.tenancy.access import Actor, actor_for_user, system_actor
from pactline.tenancy.models import Client, Membership, Role

PLAIN_ID = "CAF3k9Qp7x2=ord48213@mail.example.com"
CARE = "care@northwind-retail.example"


def _person(username: str, role: Role, client: Client | None) -> Actor:
    """The user's actor; an agent is cleared for the client (certified, bound)."""
    user = User.objects.create_user(username=username)
    Membership.objects.create(user=user, role=role, client=client)
    if role == Role.AGENT and client is not None:
        clear_agent(user, client)
    return actor_for_user(user)


def _receive(raw: bytes) -> list[Delivery]:
    return email_receive(
        actor=system_actor("test"), raw=raw, mail_from="", rcpt_tos=[CARE], now=MONDAY_9AM_NY
    )


def _first_response(case: Case) -> SlaClock:
    return SlaClock.objects.get(case=case, key="email.first_response", cycle=1)


def test_an_agent_reply_is_threaded_sent_recorded_and_meets_the_first_response_clock(
    mailer: Mailer, clock: Clock, northwind_client: Client, mailoutbox: list[DjangoEmailMessage]
) -> None:
    mailer.send(eml("plain.eml"))
    case = Case.objects.get()
    assert _first_response(case).state == ClockStatus.RUNNING
    agent = _person("olivia", Role.AGENT, northwind_client)

    replied_at = clock.now + timedelta(minutes=40)
    sent = email_reply_send(
        actor=agent, case=case, body="We are sending a new lamp today.", now=replied_at
    )

    [mail] = mailoutbox
    headers = mail.message()
    assert mail.to == ["maria.gonzalez@example.com"]
    assert headers["From"] == f"Northwind Retail <{CARE}>"
    assert headers["Subject"] == (
        f"Re: Order NW-48213 arrived damaged [#{case.pk}-{case_tag(case.client_id, case.pk)}]"
    )
    assert headers["In-Reply-To"] == f"<{PLAIN_ID}>"
    assert headers["References"] == f"<{PLAIN_ID}>"
    assert headers["Message-ID"] == f"<{sent.message_id}>"
    assert sent.message_id.endswith("@northwind-retail.example")
    assert mail.body == "We are sending a new lamp today.\n"

    assert (sent.direction, sent.case_id, sent.change_seq) == (Direction.OUTBOUND, case.pk, 2)
    assert (sent.in_reply_to, sent.references) == (PLAIN_ID, [PLAIN_ID])
    assert sent.contact_id == EmailMessage.objects.get(direction=Direction.INBOUND).contact_id
    assert sent.size > 0
    entry = case.timeline.order_by("-seq").first()
    assert entry is not None
    assert (entry.kind, entry.author_kind, entry.actor_label) == (
        EntryKind.AGENT_REPLY,
        "agent",
        "user:olivia",
    )
    clock_row = _first_response(case)
    assert clock_row.state == ClockStatus.MET
    assert clock_row.met_at == replied_at

    # The customer's answer to our reply threads to the case through our Message-ID.
    answer = (
        eml("reply_in_reply_to.eml")
        .replace(f"<{PLAIN_ID}>".encode(), f"<{sent.message_id}>".encode())
        .replace(b"reply2@", b"reply3@")
    )
    clock.now = replied_at + timedelta(hours=1)
    mailer.send(answer)
    assert EmailMessage.objects.filter(case=case).count() == 3
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_only_those_who_work_the_clients_cases_may_reply(
    media: object, northwind_client_db: Client
) -> None:
    _receive(eml("plain.eml"))
    case = Case.objects.get()
    other = Client.objects.create(code="other", name="Other")

    with pytest.raises(NotFound):
        email_reply_send(actor=_person("x", Role.AGENT, other), case=case, body="Hello")
    with pytest.raises(Forbidden):
        viewer = _person("v", Role.CLIENT_VIEWER, northwind_client_db)
        email_reply_send(actor=viewer, case=case, body="Hello")
    with pytest.raises(ValidationFailed) as empty:
        email_reply_send(actor=system_actor("test"), case=case, body="  \n ")
    assert empty.value.errors[0].path == "body"
    assert EmailMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_case_without_customer_email_cannot_be_answered_by_email(
    media: object, northwind_client_db: Client
) -> None:
    case = case_open(
        actor=system_actor("test"), client=northwind_client_db, channel="phone", priority="normal"
    )
    with pytest.raises(ValidationFailed) as failed:
        email_reply_send(actor=system_actor("test"), case=case, body="Hello")
    assert failed.value.errors[0].path == "case"


@pytest.mark.django_db
def test_a_reply_that_could_not_be_sent_records_nothing(
    media: object, northwind_client_db: Client, mailoutbox: list[DjangoEmailMessage]
) -> None:
    _receive(eml("plain.eml"))
    case = Case.objects.get()
    entries = case.timeline.count()
    with (
        override_settings(
            MAILERS={
                "default": {
                    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
                }
            }
        ),
        pytest.raises((smtplib.SMTPException, OSError)),
    ):
        email_reply_send(actor=system_actor("test"), case=case, body="Hello")

    assert EmailMessage.objects.filter(direction=Direction.OUTBOUND).count() == 0
    assert case.timeline.count() == entries
    assert _first_response(case).state == ClockStatus.RUNNING


def test_reply_subjects_drop_old_prefixes_and_tokens() -> None:
    case = Case(pk=42, client_id=3, subject="Order NW-48213 arrived damaged")
    token = f"[#42-{case_tag(3, 42)}]"
    assert reply_subject(case, "RE: Fwd: 回复：Order NW-48213 [Case #7] [#7-ABCDEF]") == (
        f"Re: Order NW-48213 {token}"
    )
    assert reply_subject(case, "") == f"Re: Order NW-48213 arrived damaged {token}"


@pytest.mark.django_db
def test_card_data_is_redacted_from_stored_text_and_the_timeline(
    media: object, northwind_client_db: Client, mailoutbox: list[DjangoEmailMessage]
) -> None:
    raw = eml("plain.eml").replace(
        b"Can you send a replacement?",
        b"Charge my card 4111 1111 1111 1111, CVV 123, for the difference.",
    )
    _receive(raw)

    message = EmailMessage.objects.get()
    assert "4111" not in message.text_body.replace("…1111", "")
    assert "[card …1111]" in message.text_body
    assert "CVV [security code removed]" in message.text_body
    assert "card data redacted (2)" in message.defects
    entry = message.case.timeline.get(kind=EntryKind.CUSTOMER_MESSAGE)
    assert "4111 1111" not in entry.body

    sent = email_reply_send(
        actor=system_actor("test"), case=message.case, body="Card 4111111111111111 noted."
    )
    assert "4111111111111111" not in mailoutbox[0].body
    assert "4111111111111111" not in sent.text_body


@pytest.mark.django_db
def test_a_quarantined_message_is_delivered_again_once_its_cause_is_fixed(
    media: object, northwind_client_db: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = system_actor("test")
    original = services.case_customer_message

    def broken(**kwargs: object) -> None:
        raise RuntimeError("timeline unavailable")

    monkeypatch.setattr(services, "case_customer_message", broken)
    [delivery] = _receive(eml("plain.eml"))
    item = delivery.quarantined
    assert item is not None
    with pytest.raises(Conflict):
        quarantined_email_retry(actor=system, item=item)
    assert QuarantinedEmail.objects.count() == 1  # a failed retry quarantines nothing new

    monkeypatch.setattr(services, "case_customer_message", original)
    [stored] = quarantined_email_retry(actor=system, item=item)

    assert stored.message is not None
    assert stored.message.received_at == item.received_at  # the customer's moment, not ours
    item.refresh_from_db()
    assert item.resolved
    assert item.resolution == f"delivered again as #{stored.message.pk}"
    with pytest.raises(Conflict):
        quarantined_email_retry(actor=system, item=item)


@pytest.mark.django_db
def test_quarantine_access_follows_the_client_and_unknown_clients_are_the_providers(
    media: object, northwind_client_db: Client
) -> None:
    [ours] = _receive(b"junk")
    assert ours.quarantined is not None
    theirs = QuarantinedEmail.objects.create(
        reason="no_client", received_at=ours.quarantined.received_at, size=0
    )
    agent = _person("agent", Role.AGENT, northwind_client_db)
    admin = _person("admin", Role.PROVIDER_ADMIN, None)

    assert access_quarantined_email(agent, ours.quarantined.pk) == ours.quarantined
    with pytest.raises(NotFound):
        access_quarantined_email(agent, theirs.pk)
    assert list(quarantined_email_list(actor=agent)) == [ours.quarantined]
    assert set(quarantined_email_list(actor=admin)) == {ours.quarantined, theirs}

    item = access_quarantined_email(admin, theirs.pk)
    resolved = quarantined_email_resolve(actor=admin, item=item, resolution="spam")
    assert (resolved.resolved, resolved.resolved_by, resolved.resolution) == (
        True,
        "user:admin",
        "spam",
    )
    assert list(quarantined_email_list(actor=admin)) == [ours.quarantined]


@pytest.mark.django_db
def test_a_reply_to_outside_the_contacts_addresses_is_used_only_when_the_agent_chooses_it(
    media: object, northwind_client_db: Client, mailoutbox: list[DjangoEmailMessage]
) -> None:
    raw = eml("plain.eml").replace(
        b"MIME-Version: 1.0\r\n", b"Reply-To: <orders@forwarder.example>\r\nMIME-Version: 1.0\r\n"
    )
    _receive(raw)
    case = Case.objects.get()
    # Reply-To never becomes the contact: anyone can write any Reply-To.
    assert case.contact is not None and case.contact.email_list == ["maria.gonzalez@example.com"]
    recipients = email_reply_recipients(case)
    assert recipients.to == ("maria.gonzalez@example.com",)
    assert recipients.outside_reply_to == "orders@forwarder.example"

    first = email_reply_send(actor=system_actor("test"), case=case, body="Noted.")
    second = email_reply_send(
        actor=system_actor("test"), case=case, body="Noted again.", include_reply_to=True
    )

    assert [mail.to for mail in mailoutbox] == [
        ["maria.gonzalez@example.com"],
        ["maria.gonzalez@example.com", "orders@forwarder.example"],
    ]
    assert (first.to, second.to) == (
        ["maria.gonzalez@example.com"],
        ["maria.gonzalez@example.com", "orders@forwarder.example"],
    )


@pytest.mark.django_db
def test_a_reply_to_that_is_the_contacts_own_address_is_honoured_without_asking(
    media: object, northwind_client_db: Client, mailoutbox: list[DjangoEmailMessage]
) -> None:
    _receive(eml("plain.eml"))
    case = Case.objects.get()
    assert case.contact is not None
    case.contact.emails = "maria.gonzalez@example.com\nmaria@work.example"
    case.contact.save(update_fields=["emails"])
    follow_up = eml("reply_in_reply_to.eml").replace(
        b"MIME-Version", b"Reply-To: Maria <MARIA@work.example>\r\nMIME-Version"
    )
    _receive(follow_up)

    recipients = email_reply_recipients(case)
    assert (recipients.to, recipients.outside_reply_to) == (("maria@work.example",), "")
    email_reply_send(actor=system_actor("test"), case=case, body="Noted.", include_reply_to=True)
    assert mailoutbox[0].to == ["maria@work.example"]
