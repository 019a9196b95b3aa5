"""Card data out of a message's raw source before it is stored (ADR 0002).

PCI DSS forbids keeping a security code after authorisation, even encrypted, so the raw `.eml`
that Pactline keeps (and that an agent may download) is a *redacted re-serialisation* of what
arrived: every text/plain and text/html part and every unstructured header (Subject, From,
Comments, …) of the message and of messages forwarded inside it goes through
`pactline.core.redact.redact_card_data`; other parts (images, PDFs, archives) are kept as they
came. A message without card data is kept byte for byte.

Bytes the MIME parser cannot take apart (or cannot write again) are redacted as text, line by
line, so a card number in the clear never survives whatever the structure."""

from __future__ import annotations

import base64
import logging
import quopri
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser

from pactline.channels.email.parsing import (
    CHARSET_ALIASES,
    MESSAGE_HEADERS,
    decode_bytes,
    decode_header_value,
)
from pactline.core.redact import redact_card_data

logger = logging.getLogger(__name__)

# Headers that carry structure or identity, not prose: left alone so the re-serialised message
# stays the same message (threading, MIME structure).
_STRUCTURAL = frozenset(
    {
        "message-id",
        "in-reply-to",
        "references",
        "content-id",
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
        "mime-version",
        "date",
    }
)
_TEXT_TYPES = ("text/plain", "text/html")
_ID_FIELD = re.compile(
    r"^(?:message-id|in-reply-to|references|content-id):[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*",
    re.IGNORECASE | re.MULTILINE,
)
_LABELS = {"cp1252": "windows-1252", "cp950": "big5", "cp932": "shift_jis", "cp949": "euc-kr"}


@dataclass(frozen=True)
class RedactedSource:
    content: bytes  # what may be stored: the original bytes when nothing was found
    found: int  # card numbers, security codes and expiry dates removed


def _redact(text: str) -> tuple[str, int]:
    result = redact_card_data(text)
    return result.text, result.cards + result.security_codes + result.expiry_dates


def _headers(part: Message) -> int:
    items = list(part.raw_items())
    found = 0
    fresh: list[tuple[str, str]] = []
    for name, value in items:
        if name.lower() in _STRUCTURAL:
            fresh.append((name, value))
            continue
        text, count = _redact(decode_header_value(str(value)))
        if not count:
            fresh.append((name, value))
            continue
        found += count
        fresh.append(part.policy.header_store_parse(name, text))
    if found:
        for name in {name for name, _ in items}:
            del part[name]
        for name, value in fresh:
            part.set_raw(name, value)
    return found


def _codec(part: Message, payload: bytes) -> str:
    """The codec the part's text was read with (`parsing.decode_bytes`), to write it back in."""
    label = (part.get_content_charset() or "").strip().strip('"').lower()
    if label and label not in ("us-ascii", "ascii"):
        return CHARSET_ALIASES.get(label, label)
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _body(part: Message) -> int:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return 0
    text, _ = decode_bytes(payload, part.get_content_charset())
    redacted, found = _redact(text)
    if not found:
        return 0
    codec = _codec(part, payload)
    try:
        data = redacted.encode(codec, errors="replace")
    except LookupError:
        codec, data = "utf-8", redacted.encode("utf-8")
    if not data.isascii():
        part.set_param("charset", _LABELS.get(codec, codec))
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte == "quoted-printable":
        encoded = quopri.encodestring(data).decode("ascii")
    elif cte == "base64" or not data.isascii():
        cte, encoded = "base64", base64.encodebytes(data).decode("ascii")
    else:
        encoded = data.decode("ascii")
    del part["Content-Transfer-Encoding"]
    if cte:
        part["Content-Transfer-Encoding"] = cte
    part.set_payload(encoded)
    return found


def _structured(raw: bytes) -> RedactedSource:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not {key.lower() for key in message}.intersection(MESSAGE_HEADERS):
        return _as_text(raw)  # not mail: no structure to keep
    found = 0
    for part in message.walk():
        found += _headers(part)
        if part.is_multipart():
            continue
        if part.get_content_type() in _TEXT_TYPES:
            found += _body(part)
    if not found:
        return RedactedSource(raw, 0)
    return RedactedSource(message.as_bytes(policy=policy.SMTP), found)


def _as_text(raw: bytes) -> RedactedSource:
    text = raw.decode("utf-8", errors="surrogateescape")
    pieces: list[str] = []
    found = 0
    start = 0
    # Identity fields (and their folded lines) pass untouched: a random Message-ID number can
    # pass the Luhn check, and masking it would break threading and the header's syntax.
    for match in _ID_FIELD.finditer(text):
        redacted, count = _redact(text[start : match.start()])
        pieces += [redacted, match.group(0)]
        found += count
        start = match.end()
    redacted, count = _redact(text[start:])
    pieces.append(redacted)
    found += count
    if not found:
        return RedactedSource(raw, 0)
    return RedactedSource("".join(pieces).encode("utf-8", errors="surrogateescape"), found)


def redact_source(raw: bytes) -> RedactedSource:
    """`raw` with card data removed from its text parts and headers, re-serialised; then, as a
    last net, from whatever is still readable as text (a part in a charset the parser could not
    read, or bytes that are not MIME at all)."""
    try:
        structured = _structured(raw)
    except Exception:  # the stdlib parser and generator have crashed on hostile input before
        logger.warning("raw source could not be re-serialised; redacted as text", exc_info=True)
        return _as_text(raw)
    rest = _as_text(structured.content)
    return RedactedSource(rest.content, structured.found + rest.found)
