"""The social webhook's signature: `X-Pactline-Signature: sha256=<hex HMAC-SHA256 of the raw
body>`, keyed with a per-client secret derived from the site's SECRET_KEY (nothing to store;
rotating SECRET_KEY, or listing the old one in SECRET_KEY_FALLBACKS for a while, rotates it)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.utils.crypto import salted_hmac

from pactline.tenancy.models import Client

HEADER = "X-Pactline-Signature"
PREFIX = "sha256="


def _secret(code: str, secret: str | None = None) -> str:
    return salted_hmac("pactline.social", code, secret=secret, algorithm="sha256").hexdigest()


def social_webhook_secret(client: Client) -> str:
    """The key the client's social integration signs its webhooks with."""
    return _secret(client.code)


def social_signature(client: Client, body: bytes) -> str:
    """The header value for `body` (what the integration sends; used by tests and tools)."""
    key = social_webhook_secret(client).encode("ascii")
    return PREFIX + hmac.new(key, body, hashlib.sha256).hexdigest()


def social_signature_valid(client: Client, body: bytes, header: str) -> bool:
    """True if `header` signs `body` with the client's current secret or one derived from a
    fallback SECRET_KEY. Compared in constant time."""
    if not header.startswith(PREFIX):
        return False
    given = header[len(PREFIX) :].strip().lower()
    secrets = [None, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    for secret in secrets:
        key = _secret(client.code, secret).encode("ascii")
        expected = hmac.new(key, body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, given):
            return True
    return False
