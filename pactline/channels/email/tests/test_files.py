"""Raw sources and attachments encrypted at rest (ADR 0002): no card number in what is stored,
the original bytes for an authorised download only (audited), and key rotation that
re-encrypts every file, sealing files written before encryption."""

from __future__ import annotations

import base64
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client as HttpClient
from pytest_django.fixtures import Settings

from conftest import World
from pactline.agreements.tests.test_pages_support import load
from pactline.audit.models import AuditEvent
from pactline.channels.email.files import email_files_rotate_keys
from pactline.channels.email.models import EmailAttachment, EmailMessage, QuarantinedEmail
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
PERSONAS = [
    "anonymous",
    "provider_admin",
    "supervisor",
    "client_a_manager",
    "client_a_viewer",
    "client_a_agent",
    "client_b_agent",
    "client_b_manager",
]
WORKS_A = {"provider_admin", "supervisor", "client_a_agent"}
SEES_A = WORKS_A | {"client_a_manager", "client_a_viewer"}


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
        for needle in (CARD, CARD.replace(b" ", b""), base64.b64encode(STATEMENT)[:24], b"CVV"):
            assert needle not in stored
    # The text kept in the database was redacted as before.
    assert "4111" not in message.text_body
    assert "[card …1111]" in message.text_body
    # Decrypted, the files are exactly what arrived.
    assert read_file(message.raw_file.name) == RAW
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
        assert _body(source) == RAW
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
        assert Fernet(new_key.encode()).decrypt(after[message.raw_file.name][len(SEALED) :]) == RAW
        # Only the new key is needed now: the old one can be dropped.
        settings.PACTLINE_FIELD_KEYS = [new_key]
        field_cipher.cache_clear()
        assert read_file(message.raw_file.name) == RAW
        assert read_file(attachment.file.name) == STATEMENT
        assert read_file(legacy.raw_file.name) == RAW
        assert not list(Path(settings.MEDIA_ROOT).rglob("*.rotating"))
    finally:
        field_cipher.cache_clear()


def test_the_rotate_keys_command_covers_contacts_and_email_files(message: EmailMessage) -> None:
    out = StringIO()
    call_command("contacts", "rotate-keys", stdout=out)
    assert out.getvalue().splitlines() == [
        "re-encrypted 1 contact(s) with the newest key",
        "re-encrypted 2 email file(s) with the newest key",
    ]
    assert read_file(message.raw_file.name) == RAW


def test_rotation_skips_a_file_that_is_gone(message: EmailMessage) -> None:
    default_storage.delete(message.raw_file.name)
    assert email_files_rotate_keys() == 1  # the attachment
