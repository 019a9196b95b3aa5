"""Who may continue a case by email, and which mail is the same message, over real SMTP.

A message that names a case (its token, or one of its messages in In-Reply-To / References)
joins it only when it comes from one of the case's contact's addresses; anyone else gets a case
of their own, linked to the named one for an agent. A message's identity is its Message-ID,
unless it has none (or `<>`) or a different message already used it: then it is derived from
its bytes, so nothing accepted is dropped as a "duplicate"; the very same bytes again change
nothing, and neither does quarantining them again."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from django.core.mail import EmailMessage as DjangoEmailMessage
from pytest_django.fixtures import Settings

from pactline.cases.models import Case, CaseLink, CaseStatus
from pactline.cases.selectors import case_related_ids
from pactline.cases.services import case_resolve
from pactline.channels.email import services
from pactline.channels.email.models import (
    Direction,
    EmailMessage,
    QuarantinedEmail,
    QuarantineReason,
)
from pactline.channels.email.parsing import content_message_id
from pactline.channels.email.replies import email_reply_send
from pactline.channels.email.selectors import email_reply_recipients
from pactline.channels.email.services import email_receive
from pactline.channels.email.storage import read_file
from pactline.channels.email.tests.conftest import Clock, Mailer, eml
from pactline.channels.email.tokens import TAG_LENGTH, case_tag, case_token, subject_token
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

CARE = "care@northwind-retail.example"
MARIA = "maria.gonzalez@example.com"
MALLORY = "mallory@attacker.example"
SYSTEM = system_actor("test")


def _mail(
    *,
    sender: str = MALLORY,
    subject: str = "About my order",
    message_id: str = "<m-1@attacker.example>",
    body: str = "Please send the replacement to my new address.",
    headers: str = "",
) -> bytes:
    return (
        f"From: Someone <{sender}>\r\n"
        "To: care@northwind-retail.example\r\n"
        f"Subject: {subject}\r\n"
        "Date: Tue, 03 Mar 2026 08:12:40 -0500\r\n"
        f"Message-ID: {message_id}\r\n"
        f"{headers}"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "\r\n"
        f"{body}\r\n"
    ).encode()


def _answered_case(mailer: Mailer, clock: Clock) -> tuple[Case, EmailMessage]:
    """Maria's case, answered by an agent by email, then resolved."""
    mailer.send(eml("plain.eml"), sender=MARIA)
    case = Case.objects.get()
    reply = email_reply_send(
        actor=SYSTEM, case=case, body="A new lamp is on its way.", now=clock.now
    )
    case_resolve(actor=SYSTEM, case=case, now=clock.now + timedelta(minutes=5))
    clock.now += timedelta(hours=1)
    case.refresh_from_db()
    return case, reply


def _state(case: Case) -> tuple[object, ...]:
    case.refresh_from_db()
    return (
        case.status,
        case.last_seq,
        case.timeline.count(),
        EmailMessage.objects.filter(case=case).count(),
    )


@pytest.mark.parametrize("names_it_by", ["plain_token", "keyed_token", "in_reply_to", "references"])
def test_a_stranger_naming_a_case_gets_a_case_of_their_own_linked_to_it(
    mailer: Mailer,
    clock: Clock,
    northwind_client: Client,
    mailoutbox: list[DjangoEmailMessage],
    names_it_by: str,
) -> None:
    case, reply = _answered_case(mailer, clock)
    before = _state(case)
    subject, headers = "Re: Order NW-48213 arrived damaged", ""
    if names_it_by == "plain_token":
        subject += f" [Case #{case.pk}]"
    elif names_it_by == "keyed_token":
        subject = str(reply.subject)  # the token is in the customer's mailbox: assume it leaked
    elif names_it_by == "in_reply_to":
        headers = f"In-Reply-To: <{reply.message_id}>\r\n"
    else:
        headers = f"References: <unknown@elsewhere.example> <{reply.message_id}>\r\n"

    mailer.send(_mail(subject=subject, headers=headers), sender=MALLORY)

    # The named case: not reopened, nothing appended, its replies still go to Maria only.
    assert _state(case) == before
    assert case.status == CaseStatus.RESOLVED
    assert email_reply_recipients(case).to == (MARIA,)
    # The stranger's mail: a case of its own, the stranger its contact, linked for an agent.
    theirs = Case.objects.exclude(pk=case.pk).get()
    message = EmailMessage.objects.get(case=theirs)
    assert (message.from_address, message.direction) == (MALLORY, Direction.INBOUND)
    assert theirs.contact is not None and theirs.contact.email_list == [MALLORY]
    assert theirs.status == CaseStatus.NEW
    link = CaseLink.objects.get()
    assert (link.client_id, link.from_case_id, link.to_case_id, link.kind) == (
        northwind_client.id,
        theirs.pk,
        case.pk,
        "related",
    )
    assert case_related_ids(case) == [theirs.pk]
    assert case_related_ids(theirs) == [case.pk]
    # An answer on the stranger's case goes to the stranger, never to Maria.
    email_reply_send(actor=SYSTEM, case=theirs, body="Who are you?", now=clock.now)
    assert mailoutbox[-1].to == [MALLORY]

    # The same mail again changes nothing (one case, one link).
    mailer.send(_mail(subject=subject, headers=headers), sender=MALLORY)
    assert Case.objects.count() == 2 and CaseLink.objects.count() == 1


def test_the_contact_with_the_keyed_token_continues_and_reopens_the_case(
    mailer: Mailer, clock: Clock, mailoutbox: list[DjangoEmailMessage]
) -> None:
    case, reply = _answered_case(mailer, clock)
    assert f"[#{case.pk}-{case_tag(case.client_id, case.pk)}]" in reply.subject

    mailer.send(_mail(sender=MARIA, subject=reply.subject), sender=MARIA)

    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert EmailMessage.objects.filter(case=case, direction=Direction.INBOUND).count() == 2
    assert not CaseLink.objects.exists()


def test_the_old_plain_token_is_honoured_for_the_contact_only(
    mailer: Mailer, clock: Clock, mailoutbox: list[DjangoEmailMessage]
) -> None:
    case, _ = _answered_case(mailer, clock)

    # Upper and lower case alike: addresses are compared case-insensitively.
    mailer.send(
        _mail(sender="Maria.Gonzalez@Example.com", subject=f"Lamp [Case #{case.pk}]"),
        sender=MARIA,
    )

    assert Case.objects.count() == 1
    assert EmailMessage.objects.filter(case=case, direction=Direction.INBOUND).count() == 2
    assert not CaseLink.objects.exists()


def test_a_token_with_a_wrong_tag_names_no_case(
    mailer: Mailer, clock: Clock, mailoutbox: list[DjangoEmailMessage]
) -> None:
    case, _ = _answered_case(mailer, clock)
    wrong = "A" * TAG_LENGTH if case_tag(case.client_id, case.pk) != "A" * TAG_LENGTH else "B" * 6

    mailer.send(_mail(sender=MARIA, subject=f"Lamp [#{case.pk}-{wrong}]"), sender=MARIA)

    assert Case.objects.count() == 2
    assert _state(case)[0] == CaseStatus.RESOLVED
    assert not CaseLink.objects.exists()


def test_case_tags_are_keyed_short_and_per_case(settings: Settings) -> None:
    tag = case_tag(1, 1234)
    assert len(tag) == TAG_LENGTH and tag.isalnum() and tag.upper() == tag
    assert case_token(1, 1234) == f"[#1234-{tag}]"
    assert len({case_tag(client, case) for client in (1, 2) for case in range(1, 200)}) == 398
    assert subject_token(1, f"Re: x [#1234-{tag.lower()}]") is not None  # case-insensitive
    assert subject_token(2, f"Re: x [#1234-{tag}]") is None  # another client's tag
    assert subject_token(1, "Re: x [#1234-AAAAAA]") is None or tag == "AAAAAA"
    settings.PACTLINE_INDEX_KEY = "another key"
    assert case_tag(1, 1234) != tag


def test_empty_message_ids_never_make_different_messages_duplicates(mailer: Mailer) -> None:
    first = _mail(sender=MARIA, message_id="<>", body="The lamp base is cracked.")
    second = _mail(sender=MARIA, message_id="<>", body="And the shade is dented.")
    mailer.send(first, sender=MARIA)
    mailer.send(second, sender=MARIA)
    mailer.send(first, sender=MARIA)  # the very same bytes again: nothing new

    stored = EmailMessage.objects.order_by("change_seq")
    assert [message.text_body for message in stored] == [
        "The lamp base is cracked.",
        "And the shade is dented.",
    ]
    assert [message.message_id for message in stored] == [
        content_message_id(hashlib.sha256(first).hexdigest()),
        content_message_id(hashlib.sha256(second).hexdigest()),
    ]
    assert all("no Message-ID" in message.defects for message in stored)


def test_a_message_id_reused_by_a_different_message_keeps_both(mailer: Mailer) -> None:
    first = _mail(sender=MARIA, message_id="<1@broken-client.example>", body="Cracked base.")
    second = _mail(sender=MARIA, message_id="<1@broken-client.example>", body="Dented shade.")
    mailer.send(first, sender=MARIA)
    mailer.send(second, sender=MARIA)
    mailer.send(second, sender=MARIA)
    mailer.send(first, sender=MARIA)

    one, two = EmailMessage.objects.order_by("change_seq")
    assert (one.message_id, one.text_body) == ("1@broken-client.example", "Cracked base.")
    assert (two.message_id, two.text_body) == (
        content_message_id(hashlib.sha256(second).hexdigest()),
        "Dented shade.",
    )
    assert "Message-ID <1@broken-client.example> already used by another message" in two.defects
    assert two.raw_sha256 == hashlib.sha256(second).hexdigest()


def test_the_same_message_relayed_again_with_other_trace_headers_is_stored_once(
    mailer: Mailer,
) -> None:
    raw = eml("plain.eml")
    mailer.send(raw)
    mailer.send(b"Received: from relay2.example.net by mx2.pactline.example\r\n" + raw)

    assert EmailMessage.objects.count() == 1


def test_the_same_quarantined_message_delivered_again_is_kept_once(
    mailer: Mailer, northwind_client: Client
) -> None:
    raw = eml("malformed_boundary.eml").replace(
        b"\r\n\r\n", b"\r\n\r\nMy card is 4111 1111 1111 1111, CVV 737.\r\n", 1
    )
    for _ in range(3):
        code, _reply = mailer.data(raw, sender="chris.baker@example.org")
        assert code == 250

    item = QuarantinedEmail.objects.get()
    assert (item.reason, item.client_id) == (QuarantineReason.UNPARSEABLE, northwind_client.id)
    assert item.raw_sha256 == hashlib.sha256(raw).hexdigest()
    # What is kept holds no card data either.
    kept = read_file(item.raw_file.name)
    assert b"4111 1111 1111 1111" not in kept and b"CVV 737" not in kept
    assert b"CVV [security code removed]" in kept


@pytest.mark.django_db
@pytest.mark.parametrize("same_content", [True, False])
def test_a_message_id_taken_at_the_same_moment_on_another_connection(
    media: object,
    northwind_client_db: Client,
    monkeypatch: pytest.MonkeyPatch,
    same_content: bool,
) -> None:
    first = _mail(sender=MARIA, message_id="<race@mail.example>", body="Cracked base.")
    second = first.replace(b"Cracked base.", b"Cracked base." if same_content else b"Dented.")
    second = b"Received: from relay2.example.net\r\n" + second  # other bytes either way
    email_receive(actor=SYSTEM, raw=first, mail_from="", rcpt_tos=[CARE])
    real = services._identity
    calls: list[int] = []

    def blind_first_look(*args: Any) -> object:
        calls.append(1)  # the other connection's row is not visible yet at the first look
        return args[1] if len(calls) == 1 else real(*args)

    monkeypatch.setattr(services, "_identity", blind_first_look)
    [delivery] = email_receive(actor=SYSTEM, raw=second, mail_from="", rcpt_tos=[CARE])

    assert len(calls) == 2
    if same_content:
        assert delivery.outcome == "duplicate"
        assert EmailMessage.objects.count() == 1
    else:
        assert delivery.outcome == "stored"
        assert sorted(EmailMessage.objects.values_list("text_body", flat=True)) == [
            "Cracked base.",
            "Dented.",
        ]
