"""Raw sources and attachments encrypted at rest (ADR 0002): no card number in what is stored,
the original bytes for an authorised download only (audited), and key rotation that
re-encrypts every file, sealing files written before encryption."""

from __future__ import annotations

import base64
import hashlib
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client as HttpClient
from pytest_django.fixtures import Settings

from conftest import PERSONAS, PROVIDER_READERS, World
from pactline.agreements.tests.test_pages_support import load
from pactline.audit.models import AuditEvent
from pactline.channels.email.files import email_files_rotate_keys
from pactline.channels.email.models import EmailAttachment, EmailMessage, QuarantinedEmail
from pactline.channels.email.parsing import parse_email
from pactline.channels.email.services import email_receive
from pactline.channels.email.storage import SEALED, read_file, read_stored
from pactline.common.crypto import field_cipher
from pactline.tenancy.access import system_actor

SYSTEM = system_actor("test")
CARE = "care@northwind-retail.example"
CARD = b"4111 1111 1111 1111"
STATEMENT = b"Card used: " + CARD + b", exp 12/28, CVV 123\n"
RAW = (
    b"From: Maria Gonzalez <maria.gonzalez@example.com>\r\n"
    b"To: Northwind Care <" + CARE.encode() + b">\r\n"
    b"Subject: Refund to my card\r\n"
    b"Date: Mon, 02 Mar 2026 09:59:41 -0500\r\n"
    b"Message-ID: <refund-7@mail.example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\n"
    b'Content-Type: text/plain; charset="us-ascii"\r\n'
    b"\r\n"
    b"Please refund to my card " + CARD + b".\r\n"
    b"--b1\r\n"
    b'Content-Type: text/plain; name="statement.txt"\r\n'
    b'Content-Disposition: attachment; filename="statement.txt"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n" + base64.b64encode(STATEMENT) + b"\r\n"
    b"--b1--\r\n"
)
WORKS_A = {"provider_admin", "supervisor", "client_a_agent"}
SEES_A = WORKS_A | {"client_a_manager", "client_a_viewer"} | PROVIDER_READERS


@pytest.fixture
def message(world: World, settings: Settings, tmp_path: Path) -> EmailMessage:
    settings.MEDIA_ROOT = tmp_path / "media"
    load(world.client_a, "general-outsourcing")
    [delivery] = email_receive(actor=SYSTEM, raw=RAW, mail_from="", rcpt_tos=[CARE])
    assert delivery.message is not None
    return delivery.message


def _stored_files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }


def _as(world: World, persona: str) -> HttpClient:
    http = HttpClient()
    user = getattr(world, persona).user
    if user is not None:
        http.force_login(user)
    return http


def _body(response: object) -> bytes:
    return response.content  # type: ignore[attr-defined, no-any-return]


def test_what_is_stored_holds_no_card_number(message: EmailMessage, settings: Settings) -> None:
    files = _stored_files(Path(settings.MEDIA_ROOT))
    [attachment] = EmailAttachment.objects.all()
    assert sorted(files) == sorted([message.raw_file.name, attachment.file.name])
    for stored in files.values():
        assert stored.startswith(SEALED)
        # (Needles with a space: a bare "CVV" can turn up by chance in the Fernet token.)
        for needle in (CARD, CARD.replace(b" ", b""), base64.b64encode(STATEMENT)[:24], b"CVV 123"):
            assert needle not in stored
    # The text kept in the database was redacted as before.
    assert "4111" not in message.text_body
    assert "[card …1111]" in message.text_body
    # Decrypted, the raw source is the message re-serialised without its card data (PCI DSS
    # forbids keeping a security code even encrypted); the row keeps the received bytes' hash.
    source = read_file(message.raw_file.name)
    for needle in (CARD, CARD.replace(b" ", b""), b"CVV 123", b"12/28"):
        assert needle not in source
    assert parse_email(source).text == message.text_body
    assert (message.raw_sha256, message.size) == (hashlib.sha256(RAW).hexdigest(), len(RAW))
    # Attachments are kept whole (card data in files cannot be found reliably), locked away.
    assert read_file(attachment.file.name) == STATEMENT
    assert (attachment.filename, attachment.size) == ("statement.txt", len(STATEMENT))


@pytest.mark.parametrize("persona", PERSONAS)
def test_downloads_only_for_those_who_work_the_clients_cases(
    message: EmailMessage, world: World, persona: str
) -> None:
    attachment = EmailAttachment.objects.get()
    http = _as(world, persona)
    source = http.get(f"/email/messages/{message.pk}/source/")
    file = http.get(f"/email/attachments/{attachment.pk}/")
    downloads = AuditEvent.objects.filter(action__startswith="email.").values_list(
        "action", flat=True
    )
    if persona in WORKS_A:
        assert (source.status_code, file.status_code) == (200, 200)
        assert _body(source) == read_file(message.raw_file.name)
        assert CARD not in _body(source)
        assert parse_email(_body(source)).text == "Please refund to my card [card …1111]."
        assert source["Content-Type"] == "message/rfc822"
        assert source["Content-Disposition"] == f'attachment; filename="message-{message.pk}.eml"'
        assert source["Cache-Control"] == "no-store"
        assert _body(file) == STATEMENT
        assert file["Content-Type"] == "application/octet-stream"
        assert file["Content-Disposition"] == 'attachment; filename="statement.txt"'
        assert sorted(downloads) == ["email.attachment_downloaded", "email.source_downloaded"]
        return
    expected = 302 if persona == "anonymous" else 403 if persona in SEES_A else 404
    assert (source.status_code, file.status_code) == (expected, expected)
    assert CARD not in _body(source) and CARD not in _body(file)
    assert list(downloads) == []


def test_missing_ids_and_missing_files_are_404(message: EmailMessage, world: World) -> None:
    http = _as(world, "client_a_agent")
    assert http.get("/email/messages/999999/source/").status_code == 404
    assert http.get("/email/attachments/999999/").status_code == 404
    default_storage.delete(message.raw_file.name)
    assert http.get(f"/email/messages/{message.pk}/source/").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="email.").exists()


def test_rotation_re_encrypts_every_file_with_the_newest_key(
    message: EmailMessage, settings: Settings
) -> None:
    attachment = EmailAttachment.objects.get()
    # A file written before encryption existed (plain bytes) is sealed by the rotation too.
    legacy = QuarantinedEmail.objects.create(
        reason="unparseable",
        envelope_to=[CARE],
        received_at=message.received_at,
        raw_file=default_storage.save("email/quarantine/le/legacy.eml", ContentFile(RAW)),
        raw_sha256="0" * 64,
        size=len(RAW),
    )
    source = read_file(message.raw_file.name)
    names = [message.raw_file.name, attachment.file.name, legacy.raw_file.name]
    before = {name: read_stored(name) for name in names}
    assert before[legacy.raw_file.name] == RAW and read_file(legacy.raw_file.name) == RAW

    new_key = Fernet.generate_key().decode()
    settings.PACTLINE_FIELD_KEYS = [new_key, *settings.PACTLINE_FIELD_KEYS]
    field_cipher.cache_clear()
    try:
        assert email_files_rotate_keys() == 3
        after = {name: read_stored(name) for name in names}
        for name in names:
            assert after[name] != before[name]
            assert after[name].startswith(SEALED)
            assert CARD not in after[name]
        assert (
            Fernet(new_key.encode()).decrypt(after[message.raw_file.name][len(SEALED) :]) == source
        )
        # Only the new key is needed now: the old one can be dropped.
        settings.PACTLINE_FIELD_KEYS = [new_key]
        field_cipher.cache_clear()
        assert read_file(message.raw_file.name) == source
        assert read_file(attachment.file.name) == STATEMENT
        # A source stored whole before sources were redacted is redacted by the rotation.
        upgraded = read_file(legacy.raw_file.name)
        assert CARD not in upgraded and b"CVV 123" not in upgraded
        assert parse_email(upgraded).text == "Please refund to my card [card …1111]."
        assert not list(Path(settings.MEDIA_ROOT).rglob("*.rotating"))
    finally:
        field_cipher.cache_clear()


def test_the_rotate_keys_command_covers_contacts_and_email_files(message: EmailMessage) -> None:
    out = StringIO()
    source = read_file(message.raw_file.name)
    call_command("contacts", "rotate-keys", stdout=out)
    assert out.getvalue().splitlines() == [
        "re-encrypted 1 contact(s) with the newest key",
        "re-encrypted 2 email file(s) with the newest key",
    ]
    assert read_file(message.raw_file.name) == source


def test_rotation_skips_a_file_that_is_gone(message: EmailMessage) -> None:
    default_storage.delete(message.raw_file.name)
    assert email_files_rotate_keys() == 1  # the attachment


CARD_MAIL = (
    b"From: Maria Gonzalez <maria.gonzalez@example.com>\r\n"
    b"To: Northwind Care <" + CARE.encode() + b">\r\n"
    b"Subject: Card 4111 1111 1111 1111 CVV 737 declined\r\n"
    b"Date: Mon, 02 Mar 2026 09:59:41 -0500\r\n"
    b"Message-ID: <declined-9@mail.example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="alt"\r\n'
    b"\r\n"
    b"--alt\r\n"
    b'Content-Type: text/plain; charset="utf-8"\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"My card 4111 1111 1111 1111 (CVV 737) was declined. Caf=C3=A9 order NW-50117.\r\n"
    b"--alt\r\n"
    b'Content-Type: text/html; charset="utf-8"\r\n'
    b"\r\n"
    b"<p>My card <b>4111 1111 1111 1111</b> (CVV 737) was declined.</p>\r\n"
    b"--alt--\r\n"
)


def test_the_downloaded_source_carries_no_card_number_or_security_code(
    message: EmailMessage, world: World
) -> None:
    [delivery] = email_receive(actor=SYSTEM, raw=CARD_MAIL, mail_from="", rcpt_tos=[CARE])
    stored = delivery.message
    assert stored is not None

    response = _as(world, "client_a_agent").get(f"/email/messages/{stored.pk}/source/")

    assert response.status_code == 200
    source = _body(response)
    for needle in (b"4111 1111 1111 1111", b"4111111111111111", b"737"):
        assert needle not in source
    # Still the same message, readable: the headers, parts and words around the card data.
    parsed = parse_email(source)
    assert parsed.message_id == "declined-9@mail.example.com"
    assert parsed.subject == "Card [card …1111] CVV [security code removed] declined"
    assert parsed.text == (
        "My card [card …1111] (CVV [security code removed]) was declined. Café order NW-50117."
    )
    assert parsed.html == (
        "<p>My card <b>[card …1111]</b> (CVV [security code removed]) was declined.</p>"
    )
    # What agents read in Pactline says the same; the row keeps the received bytes' hash.
    assert (stored.subject, stored.text_body) == (parsed.subject, parsed.text)
    assert stored.raw_sha256 == hashlib.sha256(CARD_MAIL).hexdigest()
    # The same bytes delivered again change nothing.
    [again] = email_receive(actor=SYSTEM, raw=CARD_MAIL, mail_from="", rcpt_tos=[CARE])
    assert (again.outcome, again.message) == ("duplicate", stored)


def test_a_source_without_card_data_is_kept_byte_for_byte(message: EmailMessage) -> None:
    raw = CARD_MAIL.replace(b"4111 1111 1111 1111", b"ending 1111").replace(b"CVV 737", b"")
    raw = raw.replace(b"declined-9@", b"declined-10@")
    [delivery] = email_receive(actor=SYSTEM, raw=raw, mail_from="", rcpt_tos=[CARE])
    assert delivery.message is not None
    assert read_file(delivery.message.raw_file.name) == raw
