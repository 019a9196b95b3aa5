"""The case token in the subjects of our replies: `[#1234-K7QX2A]`.

The number alone (`[Case #1234]`, what replies carried before) is small and sequential, so
anyone could name someone else's case. The tag after it is the first characters of the base32
of an HMAC over (client id, case number), keyed by a sub-key of `PACTLINE_INDEX_KEY` derived
with its own label: it cannot be guessed for a case without the key, and it is compared in
constant time. The plain token is still recognised, but only ever honoured for the case's own
contact (the services decide that).

The tag depends on `PACTLINE_INDEX_KEY`, which must not change once data exists (docs/operations.md):
a changed key would make the tags in the customers' mailboxes unknown (they would then open new
cases, each linked to nothing)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

TAG_LENGTH = 6  # base32 characters: 30 bits
_LABEL = b"pactline/email/case-token/v1"
# Digits capped so a forged token cannot overflow.
CASE_TOKEN = re.compile(r"\[\s*#\s*(\d{1,18})\s*-\s*([A-Za-z2-7]{4,12})\s*\]")
PLAIN_CASE_TOKEN = re.compile(r"\[\s*Case\s*#\s*(\d{1,18})\s*\]", re.IGNORECASE)


class TokenKind(StrEnum):
    KEYED = "keyed"  # the tag is right for the case
    PLAIN = "plain"  # the number without a tag


@dataclass(frozen=True)
class SubjectToken:
    case_id: int
    kind: TokenKind


def _key() -> bytes:
    secret = str(settings.PACTLINE_INDEX_KEY).encode("utf-8")
    return hmac.new(secret, _LABEL, hashlib.sha256).digest()


def case_tag(client_id: int, case_id: int) -> str:
    digest = hmac.new(_key(), f"{client_id}:{case_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:TAG_LENGTH]


def case_token(client_id: int, case_id: int) -> str:
    return f"[#{case_id}-{case_tag(client_id, case_id)}]"


def strip_tokens(subject: str) -> str:
    return PLAIN_CASE_TOKEN.sub("", CASE_TOKEN.sub("", subject))


def subject_token(client_id: int, subject: str) -> SubjectToken | None:
    """The case a subject names for this client: by a keyed token whose tag is right (a wrong
    tag names nothing), else by a plain `[Case #N]` token."""
    for match in CASE_TOKEN.finditer(subject):
        case_id = int(match.group(1))
        if hmac.compare_digest(match.group(2).upper(), case_tag(client_id, case_id)):
            return SubjectToken(case_id, TokenKind.KEYED)
    plain = PLAIN_CASE_TOKEN.search(subject)
    if plain:
        return SubjectToken(int(plain.group(1)), TokenKind.PLAIN)
    return None
