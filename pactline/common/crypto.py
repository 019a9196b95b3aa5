"""Encryption of personal data at rest, with keys from the environment that can be rotated.

`PACTLINE_FIELD_KEYS` holds comma-separated Fernet keys, newest first: new values are written
with the first, every listed key can read, and `pactline contacts rotate-keys` re-encrypts old
values with the newest (contacts' personal fields, and the stored files of email raw sources
and attachments, `encrypt_bytes`). `PACTLINE_INDEX_KEY` keys the blind index (an HMAC of a
normalised phone or email) that lets an encrypted contact be found without decrypting every
row. Without the variables, development keys are generated once into the var directory."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

from pactline.common.fields import redact_text


@cache
def field_cipher() -> MultiFernet:
    keys: list[str] = list(settings.PACTLINE_FIELD_KEYS)
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt_text(value: str) -> str:
    return field_cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt_text(token: str) -> str:
    return field_cipher().decrypt(token.encode("ascii")).decode("utf-8")


def rotate_text(token: str) -> str:
    """The same value encrypted with the newest key."""
    return field_cipher().rotate(token.encode("ascii")).decode("ascii")


def encrypt_bytes(data: bytes) -> bytes:
    """Bytes (a file's content) encrypted with the newest key: a Fernet token (URL-safe
    base64, authenticated, a third larger than the input)."""
    return field_cipher().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return field_cipher().decrypt(token)
    except InvalidToken as exc:
        raise ValueError("a file cannot be decrypted with the configured keys") from exc


def rotate_bytes(token: bytes) -> bytes:
    """The same content encrypted with the newest key."""
    return field_cipher().rotate(token)


def blind_index(kind: str, normalised: str) -> str:
    key = str(settings.PACTLINE_INDEX_KEY).encode("utf-8")
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def blind_indexer(kind: str) -> Callable[[str], str]:
    """`blind_index` for many values of one kind (a batch of imported calls): the same
    HMAC-SHA256, with the keyed inner and outer states prepared once and copied per value.
    Written out with hashlib (RFC 2104) because OpenSSL 3's HMAC sets up a new context per
    call, which costs about three times the hashing itself."""
    key = str(settings.PACTLINE_INDEX_KEY).encode("utf-8")
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))
    prefix = f"{kind}:".encode()

    def digest(normalised: str) -> str:
        mac = inner.copy()
        mac.update(prefix + normalised.encode())
        out = outer.copy()
        out.update(mac.digest())
        return out.hexdigest()

    return digest


class EncryptedTextField(models.TextField[str, str]):
    """Text stored encrypted; reads give the plain value. Not searchable: use a blind index."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        try:
            return decrypt_text(value)
        except InvalidToken as exc:
            raise ValueError("a value cannot be decrypted with the configured keys") from exc

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))


class RedactedEncryptedTextField(EncryptedTextField):
    """Personal free text (a customer's name as they typed it) stored encrypted, with card
    data redacted before it is encrypted (`pactline.common.fields.RedactedTextField`)."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = redact_text(value)
            setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, str):
            value = redact_text(value)
        return super().get_prep_value(value)
