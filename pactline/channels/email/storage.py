"""Files of email: raw sources and attachments, content-addressed in the default storage.

A file is named by its SHA-256, so storing the same bytes twice writes once, and a row always
points at exactly the bytes it was made from. Files are written before the database rows that
name them: a failed transaction leaves at most an unreferenced file, never a row without one."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

RAW_DIR = "email/raw"
QUARANTINE_DIR = "email/quarantine"
ATTACHMENT_DIR = "email/attachments"


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _store(name: str, content: bytes) -> str:
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(content))


def store_raw(client_code: str, content: bytes) -> tuple[str, str]:
    """Keep a message's raw source; returns (storage name, sha256)."""
    digest = sha256_of(content)
    return _store(f"{RAW_DIR}/{client_code}/{digest}.eml", content), digest


def store_quarantined(content: bytes) -> tuple[str, str]:
    """Keep quarantined raw mail; its client may be unknown, so it is not filed by client."""
    digest = sha256_of(content)
    return _store(f"{QUARANTINE_DIR}/{digest[:2]}/{digest}.eml", content), digest


def store_attachment(client_code: str, content: bytes) -> tuple[str, str]:
    digest = sha256_of(content)
    return _store(f"{ATTACHMENT_DIR}/{client_code}/{digest[:2]}/{digest}", content), digest


def read_file(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        data: bytes = handle.read()
    return data
