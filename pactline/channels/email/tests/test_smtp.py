"""Mail over real SMTP into the running listener: cases, threading, refusals, quarantine."""

from __future__ import annotations

import hashlib
import smtplib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import OperationalError

from pactline.agreements.services import (
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.agreements.tests.documents import document_for
from pactline.cases.models import Case, CaseStatus, ClockStatus, EntryKind, SlaClock
from pactline.cases.services import case_resolve
from pactline.cases.tests.fixtures import load_example
from pactline.channels.email import services
from pactline.channels.email.models import (
    Direction,
    EmailAttachment,
    EmailMessage,
    QuarantinedEmail,
    QuarantineReason,
)
from pactline.channels.email.storage import SEALED, read_file, read_stored
from pactline.channels.email.tests.conftest import MAX_BYTES, Clock, Mailer, eml
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client
from pactline.tenancy.tests.holders import hold_escalation_roles

PLAIN_ID = "CAF3k9Qp7x2=ord48213@mail.example.com"
# Monday 6 July 2026, 10:00 in Adelaide: Kestrel Energy's agreement is in force from 1 July.
KESTREL_MONDAY = datetime(2026, 7, 6, 0, 30, tzinfo=UTC)


def _timeline(case: Case) -> list[str]:
    return list(case.timeline.order_by("seq").values_list("kind", flat=True))


def test_plain_message_opens_an_email_case_with_a_running_first_response_clock(
    mailer: Mailer, clock: Clock, northwind_client: Client
) -> None:
    raw = eml("plain.eml")
    assert mailer.send(raw, sender="maria.gonzalez@example.com") == {}

    message = EmailMessage.objects.get()
    case = message.case
    assert (case.client_id, case.channel, case.priority, case.status) == (
        northwind_client.id,
        "email",
        "normal",
        CaseStatus.NEW,
    )
    assert case.subject == "Order NW-48213 arrived damaged"
    assert case.opened_at == clock.now
    assert message.direction == Direction.INBOUND
    assert message.message_id == PLAIN_ID
    assert (message.from_name, message.from_address) == (
        "Maria Gonzalez",
        "maria.gonzalez@example.com",
    )
    assert message.to == ["care@northwind-retail.example"]
    assert message.envelope_to == ["care@northwind-retail.example"]
    assert message.sent_at == datetime(2026, 3, 2, 13, 59, 41, tzinfo=UTC)
    assert message.received_at == clock.now
    assert message.text_body.startswith("Hello,\n\nMy order NW-48213 arrived this morning")
    assert message.change_seq == 1
    assert message.contact is not None
    assert message.contact.email_list == ["maria.gonzalez@example.com"]
    # The raw source is kept byte for byte, content-addressed under the client.
    digest = hashlib.sha256(raw).hexdigest()
    assert message.raw_file.name == f"email/raw/{northwind_client.code}/{digest}.eml"
    assert (message.raw_sha256, message.size) == (digest, len(raw))
    # Encrypted at rest (ADR 0002); decrypted it is the message as received.
    assert read_stored(message.raw_file.name).startswith(SEALED)
    assert read_file(message.raw_file.name) == raw

    assert _timeline(case) == [EntryKind.CREATED, EntryKind.CUSTOMER_MESSAGE]
    assert case.timeline.get(kind=EntryKind.CUSTOMER_MESSAGE).body == message.text_body
    first = SlaClock.objects.get(case=case, key="email.first_response", cycle=1)
    assert first.state == ClockStatus.RUNNING
    assert first.due_at == clock.now + timedelta(hours=8)  # 09:00-17:00 New York, same day


def test_multipart_message_keeps_attachments_and_only_safe_html(
    mailer: Mailer, media: Path
) -> None:
    mailer.send(eml("multipart_attachment.eml"))

    message = EmailMessage.objects.get()
    assert message.cc == ["accounts@example.net"]
    assert message.text_body.startswith("Hi,\n\nI was charged twice at checkout")
    assert "—" in message.text_body  # quoted-printable UTF-8 decoded
    html = message.html_body
    assert "<b>twice</b>" in html
    for unsafe in ("script", "alert", "onclick", "steal", "<style", "color:red", "tracker"):
        assert unsafe not in html
    assert 'href="https://www.northwind-retail.example/orders/NW-50117"' in html
    assert 'src="cid:logo@example.net"' in html

    logo, pdf = EmailAttachment.objects.order_by("id")
    assert (pdf.filename, pdf.content_type, pdf.inline) == (
        "receipt-NW-50117.pdf",
        "application/pdf",
        False,
    )
    assert (logo.filename, logo.content_type, logo.inline, logo.content_id) == (
        "logo.png",
        "image/png",
        True,
        "logo@example.net",
    )
    assert (media / pdf.file.name).read_bytes().startswith(SEALED)
    content = read_file(pdf.file.name)
    assert content.startswith(b"%PDF-1.4")
    assert (pdf.size, pdf.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert pdf.client_id == message.client_id


def test_gbk_body_with_an_encoded_gb2312_chinese_subject(mailer: Mailer) -> None:
    mailer.send(eml("gbk_chinese.eml"), sender="wang.xiaoming@example.cn")

    message = EmailMessage.objects.get()
    # 镕 is GBK, not GB2312: labelled gb2312 anyway, as Chinese mail clients do.
    assert message.subject == "关于订单NW-50117的退款问题（镕）"
    assert message.case.subject == message.subject
    assert message.from_name == "王小明"
    assert "我在结账时被重复扣款两次，订单号 NW-50117" in message.text_body
    assert message.defects == []


def test_latin1_quoted_printable_to_an_upper_case_support_address(mailer: Mailer) -> None:
    assert mailer.send(eml("latin1_qp.eml"), to=("CARE@Northwind-Retail.EXAMPLE",)) == {}

    message = EmailMessage.objects.get()
    assert message.subject == "Remboursement non reçu"
    assert message.from_name == "Hélène Dupré"
    assert "Je n'ai toujours pas reçu le remboursement" in message.text_body


def test_big5_html_only_message_to_the_second_support_address(mailer: Mailer) -> None:
    mailer.send(eml("big5_html.eml"), to=("vip@northwind-retail.example",))

    message = EmailMessage.objects.get()
    assert message.subject == "會員點數未入帳"
    assert (
        message.html_body == "<p>您好，我的會員點數上個月沒有入帳。</p><p>會員編號：NW-883120</p>"
    )
    assert message.text_body == "您好，我的會員點數上個月沒有入帳。\n\n會員編號：NW-883120"


def test_a_reply_threads_by_in_reply_to(mailer: Mailer, clock: Clock) -> None:
    mailer.send(eml("plain.eml"))
    clock.now += timedelta(hours=2)
    mailer.send(eml("reply_in_reply_to.eml"))

    first, reply = EmailMessage.objects.order_by("change_seq")
    assert reply.case_id == first.case_id
    assert reply.in_reply_to == PLAIN_ID
    assert reply.references == [PLAIN_ID]
    assert reply.change_seq == 2
    assert Case.objects.count() == 1
    assert _timeline(first.case) == [
        EntryKind.CREATED,
        EntryKind.CUSTOMER_MESSAGE,
        EntryKind.CUSTOMER_MESSAGE,
    ]


def test_a_reply_threads_by_the_case_token_in_its_subject(mailer: Mailer) -> None:
    mailer.send(eml("plain.eml"))
    case = Case.objects.get()
    mailer.send(eml("reply_case_token.eml", case_id=case.pk))

    assert Case.objects.count() == 1
    assert EmailMessage.objects.filter(case=case).count() == 2


def test_a_reply_to_a_resolved_case_reopens_it(mailer: Mailer, clock: Clock) -> None:
    mailer.send(eml("plain.eml"))
    case = Case.objects.get()
    case_resolve(actor=system_actor("test"), case=case, now=clock.now + timedelta(hours=1))
    clock.now += timedelta(hours=2)
    mailer.send(eml("reply_in_reply_to.eml"))

    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert _timeline(case)[-3:] == [
        EntryKind.RESOLVE,
        EntryKind.REOPEN,
        EntryKind.CUSTOMER_MESSAGE,
    ]


def test_the_case_token_never_reaches_another_clients_case(
    mailer: Mailer, clock: Clock, northwind_client: Client
) -> None:
    clock.now = KESTREL_MONDAY
    kestrel = load_example("call-centre-per-minute").client
    mailer.send(eml("plain.eml"), to=("help@kestrel-energy.example",))
    theirs = Case.objects.get(client=kestrel)
    assert theirs.priority == "standard"  # no "normal" in Kestrel's priorities: the lowest

    mailer.send(eml("reply_case_token.eml", case_id=theirs.pk))

    ours = Case.objects.get(client=northwind_client)
    assert ours.pk != theirs.pk
    assert EmailMessage.objects.filter(case=theirs).count() == 1
    # Message-IDs are unique per client: the same message reached both clients once each.
    mailer.send(eml("plain.eml"))
    assert EmailMessage.objects.filter(message_id=PLAIN_ID).count() == 2


def test_unknown_recipients_are_refused_at_rcpt(mailer: Mailer) -> None:
    with mailer.connect() as smtp:
        smtp.ehlo()
        smtp.mail("maria.gonzalez@example.com")
        code, reply = smtp.rcpt("sales@northwind-retail.example")
        assert code == 550
        assert reply.startswith(b"5.1.1 <sales@northwind-retail.example>")

    # An agreement not yet in force has no mailbox either (Kestrel starts on 1 July 2026).
    load_example("call-centre-per-minute")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        mailer.send(eml("plain.eml"), to=("help@kestrel-energy.example",))
    assert refused.value.recipients["help@kestrel-energy.example"][0] == 550

    # Among good recipients, the unknown one is refused and the message still delivered.
    refusals = mailer.send(
        eml("plain.eml"), to=("nobody@example.com", "care@northwind-retail.example")
    )
    assert refusals == {
        "nobody@example.com": (550, b"5.1.1 <nobody@example.com>: no such support mailbox")
    }
    assert EmailMessage.objects.get().envelope_to == ["care@northwind-retail.example"]


def test_oversized_messages_are_refused_with_552(mailer: Mailer) -> None:
    big = eml("plain.eml") + b"x" * 76 + b"\r\n"
    big += (b"y" * 76 + b"\r\n") * (MAX_BYTES // 78 + 10)

    with mailer.connect() as smtp:
        smtp.ehlo()
        assert smtp.has_extn("size")
        assert int(smtp.esmtp_features["size"]) == MAX_BYTES
    # A sender that declares the size is stopped at MAIL FROM ...
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        mailer.send(big)
    assert refused.value.smtp_code == 552
    # ... one that does not, after the data.
    code, _ = mailer.data(big)
    assert code == 552
    assert EmailMessage.objects.count() == QuarantinedEmail.objects.count() == 0


def test_the_same_message_delivered_twice_is_stored_once(mailer: Mailer) -> None:
    mailer.send(eml("plain.eml"))
    mailer.send(eml("plain.eml"))

    assert EmailMessage.objects.count() == 1
    case = Case.objects.get()
    assert _timeline(case) == [EntryKind.CREATED, EntryKind.CUSTOMER_MESSAGE]


def test_a_message_without_message_id_is_still_stored_once(mailer: Mailer) -> None:
    raw = eml("plain.eml").replace(b"Message-ID: <CAF3k9Qp7x2=ord48213@mail.example.com>\r\n", b"")
    mailer.send(raw)
    mailer.send(raw)

    message = EmailMessage.objects.get()
    assert message.message_id == f"{hashlib.sha256(raw).hexdigest()}@pactline.invalid"
    assert "no Message-ID" in message.defects


def test_a_malformed_message_is_quarantined_with_its_reason_and_answered_250(
    mailer: Mailer, northwind_client: Client, clock: Clock
) -> None:
    raw = eml("malformed_boundary.eml")
    code, reply = mailer.data(raw, sender="chris.baker@example.org")

    assert code == 250
    assert b"accepted" in reply
    item = QuarantinedEmail.objects.get()
    assert item.reason == QuarantineReason.UNPARSEABLE
    assert "StartBoundaryNotFoundDefect" in item.detail
    assert item.client_id == northwind_client.id
    assert (item.envelope_from, item.envelope_to) == (
        "chris.baker@example.org",
        ["care@northwind-retail.example"],
    )
    assert item.received_at == clock.now
    assert not item.resolved
    assert read_stored(item.raw_file.name).startswith(SEALED)
    assert read_file(item.raw_file.name) == raw
    assert Case.objects.count() == EmailMessage.objects.count() == 0


def test_bytes_that_are_not_mail_are_quarantined(mailer: Mailer) -> None:
    code, _ = mailer.data(b"\x00\x01\x02\x03 not a message at all\r\n\xff\xfe\r\n")

    assert code == 250
    item = QuarantinedEmail.objects.get()
    assert item.reason == QuarantineReason.UNPARSEABLE
    assert item.detail.startswith("no message headers")


def test_mail_with_no_sender_at_all_is_quarantined(mailer: Mailer) -> None:
    raw = eml("plain.eml").replace(b"From: Maria Gonzalez <maria.gonzalez@example.com>\r\n", b"")
    code, _ = mailer.data(raw, sender="")

    assert code == 250
    assert QuarantinedEmail.objects.get().reason == QuarantineReason.NO_SENDER


def test_without_a_from_header_the_envelope_sender_is_the_customer(mailer: Mailer) -> None:
    raw = eml("plain.eml").replace(b"From: Maria Gonzalez <maria.gonzalez@example.com>\r\n", b"")
    mailer.send(raw, sender="maria.gonzalez@example.com")

    message = EmailMessage.objects.get()
    assert message.from_address == "maria.gonzalez@example.com"
    assert "no From header: the envelope sender is used" in message.defects


def test_a_message_that_cannot_be_stored_is_quarantined_and_nothing_is_half_written(
    mailer: Mailer, monkeypatch: pytest.MonkeyPatch, northwind_client: Client
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("timeline unavailable")

    monkeypatch.setattr(services, "case_customer_message", broken)
    code, _ = mailer.data(eml("plain.eml"))

    assert code == 250
    item = QuarantinedEmail.objects.get()
    assert (item.reason, item.client_id, item.message_id) == (
        QuarantineReason.STORE_FAILED,
        northwind_client.id,
        PLAIN_ID,
    )
    assert item.detail == "RuntimeError: timeline unavailable"
    assert Case.objects.count() == EmailMessage.objects.count() == 0


def test_a_transient_database_error_asks_the_sender_to_retry(
    mailer: Mailer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(**kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "case_open", locked)
    code, reply = mailer.data(eml("plain.eml"))

    assert code == 451
    assert reply.startswith(b"4.3.0")
    assert QuarantinedEmail.objects.count() == EmailMessage.objects.count() == 0

    monkeypatch.undo()  # the sender's retry then succeeds
    assert mailer.data(eml("plain.eml"))[0] == 250
    assert EmailMessage.objects.count() == 1


def test_an_address_claimed_by_two_clients_is_quarantined_not_guessed(mailer: Mailer) -> None:
    system = system_actor("test")
    version = agreement_version_create(
        actor=system, text=document_for("northwind-copy"), create_client=True
    ).version
    agreement_version_propose(actor=system, version=version, now=version.created_at)
    hold_escalation_roles(version.client)
    agreement_version_activate(actor=system, version=version, now=version.created_at)

    code, _ = mailer.data(eml("plain.eml"))

    assert code == 250
    item = QuarantinedEmail.objects.get()
    assert (item.reason, item.client_id) == (QuarantineReason.AMBIGUOUS_RECIPIENT, None)
    assert EmailMessage.objects.count() == 0
