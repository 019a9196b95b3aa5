"""Email files for people and for key rotation: an authorised user downloads a raw source or
an attachment (decrypted, audited), and rotation re-encrypts every stored file with the newest
key (redacting raw sources stored before they were redacted on receipt). The files themselves
are `storage`'s business (redacted and encrypted at rest, ADR 0002)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from pactline.audit.services import audit_record
from pactline.channels.email.models import EmailAttachment, EmailMessage, QuarantinedEmail
from pactline.channels.email.storage import read_file, rotate_file
from pactline.common.errors import NotFound
from pactline.tenancy.access import Actor, Permission, require


class EmailFileMissing(NotFound):
    """The stored file is gone (e.g. purged); the record remains."""


def _read(name: str) -> bytes:
    try:
        return read_file(name)
    except (FileNotFoundError, OSError):
        raise EmailFileMissing from None


def email_source_read(*, actor: Actor, message: EmailMessage, now: datetime | None = None) -> bytes:
    """A message's raw source (MIME, as received or sent), decrypted for someone who works the
    client's cases: audited as `email.source_downloaded`."""
    require(actor, Permission.CASE_WORK, message.client_id)
    content = _read(str(message.raw_file.name))
    audit_record(
        actor=actor,
        action="email.source_downloaded",
        client_id=message.client_id,
        obj=message,
        payload={"case": message.case_id, "size": len(content), "sha256": message.raw_sha256},
        at=now or timezone.now(),
    )
    return content


def email_attachment_read(
    *, actor: Actor, attachment: EmailAttachment, now: datetime | None = None
) -> bytes:
    """An attachment's bytes, decrypted for someone who works the client's cases: audited as
    `email.attachment_downloaded`."""
    require(actor, Permission.CASE_WORK, attachment.client_id)
    content = _read(str(attachment.file.name))
    audit_record(
        actor=actor,
        action="email.attachment_downloaded",
        client_id=attachment.client_id,
        obj=attachment,
        payload={
            "message": attachment.message_id,
            "size": len(content),
            "sha256": attachment.sha256,
        },
        at=now or timezone.now(),
    )
    return content


def email_files_rotate_keys() -> int:
    """Re-encrypt every stored raw source, attachment and quarantined message with the newest
    field key (sealing files written before encryption, and redacting card data out of raw
    sources stored before sources were redacted: ADR 0002); returns the files rewritten.
    Files are shared by content, so each is rewritten once however many rows name it."""
    sources: set[str] = set()
    for model in (EmailMessage, QuarantinedEmail):
        sources.update(model.objects.values_list("raw_file", flat=True))
    attachments = set(EmailAttachment.objects.values_list("file", flat=True)) - sources
    rewritten = sum(rotate_file(name, source=True) for name in sorted(sources) if name)
    return rewritten + sum(rotate_file(name) for name in sorted(attachments) if name)
