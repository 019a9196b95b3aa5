"""Files of email: raw sources and attachments, content-addressed in the default storage and
encrypted at rest (ADR 0002).

A file is named by the SHA-256 of its content, so storing the same bytes twice writes once, and
a row always points at exactly the bytes it was made from. Files are written before the database
rows that name them: a failed transaction leaves at most an unreferenced file, never a row
without one.

A raw source is never stored as it arrived: what is kept is its redacted re-serialisation
(`redaction.redact_source`: no card number, security code or expiry date in its text parts and
headers), and the row keeps the SHA-256 of the bytes *as received*, which is what recognises
the same delivery again. Attachments are kept whole (card data in PDFs and images cannot be
found reliably) and are locked away instead.

What is stored is `SEALED` followed by the content encrypted with the field keys
(`pactline.common.crypto`, the contacts' key ring). `read_file` decrypts; a file written before
encryption (no `SEALED` mark) is read as it is until `pactline contacts rotate-keys` seals it
(`rotate_file`)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from pactline.channels.email.redaction import redact_source
from pactline.common.crypto import decrypt_bytes, encrypt_bytes, rotate_bytes

SEALED = b"PACTLINE-SEALED-1\n"

RAW_DIR = "email/raw"
QUARANTINE_DIR = "email/quarantine"
ATTACHMENT_DIR = "email/attachments"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def seal(content: bytes) -> bytes:
    """What is stored for `content`."""
    return SEALED + encrypt_bytes(content)


def unseal(stored: bytes) -> bytes:
    """The content of a stored file (one written before encryption is returned as it is)."""
    if stored.startswith(SEALED):
        return decrypt_bytes(stored[len(SEALED) :])
    return stored


def _store(name: str, content: bytes) -> str:
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(seal(content)))


@dataclass(frozen=True)
class StoredSource:
    name: str  # where the redacted source is
    sha256: str  # of the bytes as received (not of the stored file)
    redacted: int  # card data removed from the stored copy


def store_raw(client_code: str, raw: bytes) -> StoredSource:
    """Keep a message's raw source, redacted."""
    source = redact_source(raw)
    stored = sha256_of(source.content)
    name = _store(f"{RAW_DIR}/{client_code}/{stored}.eml", source.content)
    return StoredSource(name, sha256_of(raw), source.found)


def store_quarantined(raw: bytes) -> StoredSource:
    """Keep quarantined raw mail, redacted; its client may be unknown, so it is not filed by
    client."""
    source = redact_source(raw)
    stored = sha256_of(source.content)
    name = _store(f"{QUARANTINE_DIR}/{stored[:2]}/{stored}.eml", source.content)
    return StoredSource(name, sha256_of(raw), source.found)


def store_attachment(client_code: str, content: bytes) -> tuple[str, str]:
    digest = sha256_of(content)
    return _store(f"{ATTACHMENT_DIR}/{client_code}/{digest[:2]}/{digest}", content), digest


def read_stored(name: str) -> bytes:
    """The bytes as stored (encrypted): for tests and rotation, never for people."""
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def read_file(name: str) -> bytes:
    """The file's content, decrypted: only for an authorised download or a retry."""
    return unseal(read_stored(name))


def rotate_file(name: str, *, source: bool = False) -> bool:
    """Re-encrypt a stored file with the newest key (sealing one written before encryption).
    A raw `source` stored before sources were redacted is redacted on the way (it keeps its
    name). False when the file is missing. The new bytes replace the old in one rename where
    the storage has local paths, so a crash leaves either version, both readable."""
    try:
        stored = read_stored(name)
    except (FileNotFoundError, OSError):
        return False
    if source:
        redacted = redact_source(unseal(stored))
        if redacted.found:
            _replace(name, seal(redacted.content))
            return True
    fresh = (
        SEALED + rotate_bytes(stored[len(SEALED) :]) if stored.startswith(SEALED) else seal(stored)
    )
    _replace(name, fresh)
    return True


def _replace(name: str, data: bytes) -> None:
    staged = f"{name}.rotating"
    if default_storage.exists(staged):
        default_storage.delete(staged)
    staged = default_storage.save(staged, ContentFile(data))
    try:
        os.replace(default_storage.path(staged), default_storage.path(name))
    except NotImplementedError:  # a storage without local paths: delete, then write
        default_storage.delete(name)
        default_storage.save(name, ContentFile(data))
        default_storage.delete(staged)
