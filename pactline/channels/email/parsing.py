"""Reading an inbound message: MIME structure, bodies, attachments, threading headers.

Pure standard library (`email`, `policy.default`) and no Django, so it can be tested on bytes.

Headers are decoded here rather than through `policy.default`'s header objects: real mail from
Chinese clients labels GBK text as `gb2312` (and Taiwanese Outlook labels CP950 as `big5`), and
some legacy clients put raw 8-bit bytes in headers. The policy decodes those strictly and turns
them into replacement characters; decoding with the superset codec keeps the customer's words.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import errors as mime_errors
from email import policy
from email.header import decode_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from pactline.channels.email.sanitize import html_to_text, sanitize_html

# Labels mail clients use -> the codec that decodes what they actually send (a superset).
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "big5": "cp950",
    "x-big5": "cp950",
    "big5-hkscs": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "windows-874": "cp874",
    "tis-620": "cp874",
}
# An unlabelled (or "us-ascii") body with 8-bit bytes is nearly always UTF-8; else Windows Latin.
_UNLABELLED_BODY = ("utf-8", "cp1252")
# Raw 8-bit header bytes come from legacy CJK clients far more often than from anyone else.
_UNLABELLED_HEADER = ("utf-8", "gb18030", "cp1252")
# Structure defects after which the parts of the message can no longer be trusted.
FATAL_DEFECTS = (
    mime_errors.NoBoundaryInMultipartDefect,
    mime_errors.StartBoundaryNotFoundDefect,
    mime_errors.MultipartInvariantViolationDefect,
)
# A message needs at least one of these to be mail at all.
MESSAGE_HEADERS = ("from", "sender", "reply-to", "to", "subject", "message-id", "date")
MAX_ID_LENGTH = 998  # RFC 5322 line length
_ANGLE_ID = re.compile(r"<([^<>\s]+)>")
_FILENAME_NOISE = re.compile(r"[\x00-\x1f\x7f]")


class UnparseableEmail(ValueError):
    """The bytes are not a message whose parts can be trusted; `detail` says why."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str  # without angle brackets; synthesized from the content if missing
    subject: str
    from_name: str
    from_address: str
    reply_to: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    date: datetime | None = None
    text: str = ""
    html: str = ""  # sanitized
    attachments: tuple[Attachment, ...] = ()
    defects: tuple[str, ...] = ()
    auto_submitted: bool = False

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Ids this message answers, nearest first: In-Reply-To, then References newest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids += reversed(self.references)
        return tuple(dict.fromkeys(ids))


def decode_bytes(data: bytes, charset: str | None, *, header: bool = False) -> tuple[str, str]:
    """Text of `data` in its declared charset (by its superset codec); second item: a defect."""
    label = (charset or "").strip().strip('"').lower()
    if label and label not in ("us-ascii", "ascii"):
        codec = CHARSET_ALIASES.get(label, label)
        try:
            return data.decode(codec, errors="replace"), ""
        except LookupError:
            fallback, _ = decode_bytes(data, None, header=header)
            return fallback, f"unknown charset {label!r}"
    for codec in _UNLABELLED_HEADER if header else _UNLABELLED_BODY:
        try:
            return data.decode(codec), ""
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace"), ""


def decode_header_value(value: str) -> str:
    """A header's text: RFC 2047 encoded words and raw 8-bit bytes decoded, folding undone."""
    value = re.sub(r"\r?\n[ \t]", " ", value).replace("\r", "").replace("\n", "")
    if any("\udc80" <= char <= "\udcff" for char in value):
        # The parser keeps raw 8-bit header bytes as surrogate escapes.
        value, _ = decode_bytes(value.encode("utf-8", "surrogateescape"), None, header=True)
    if "=?" not in value:
        return value.strip()
    try:
        chunks = decode_header(value)
    except (ValueError, mime_errors.HeaderParseError):
        return value.strip()
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
        elif charset is None:
            parts.append(chunk.decode("raw-unicode-escape"))  # how decode_header encoded it
        else:
            parts.append(decode_bytes(chunk, charset)[0])
    return "".join(parts).strip()


def _header(message: Message, name: str) -> str:
    for key, value in message.raw_items():
        if key.lower() == name:
            return decode_header_value(str(value))
    return ""


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    values = [
        decode_header_value(str(value)) for key, value in message.raw_items() if key.lower() == name
    ]
    return [(display, address) for display, address in getaddresses(values) if "@" in address]


def message_ids(value: str) -> list[str]:
    """The ids in a Message-ID, In-Reply-To or References value, without angle brackets."""
    found = _ANGLE_ID.findall(value)
    if not found and value.strip():
        found = value.split()  # some clients drop the brackets
    return [item[:MAX_ID_LENGTH] for item in found if item]


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, LookupError, mime_errors.HeaderParseError):
        name = ""
    if "=?" in name:
        name = decode_header_value(name)  # RFC 2047 inside a parameter: wrong, but common
    name = _FILENAME_NOISE.sub("", name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255]


@dataclass
class _Collected:
    text: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


def _fallback_name(content_type: str, index: int) -> str:
    extension = mimetypes.guess_extension(content_type) or ".bin"
    return f"attachment-{index}{extension}"


def _leaf(part: Message, found: _Collected) -> None:
    content_type = part.get_content_type()
    disposition = part.get_content_disposition()
    filename = _filename(part)
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    found.defects.extend(type(defect).__name__ for defect in part.defects)
    is_body = (
        content_type in ("text/plain", "text/html") and disposition != "attachment" and not filename
    )
    if is_body:
        text, defect = decode_bytes(data, part.get_content_charset())
        if defect:
            found.defects.append(defect)
        text = text.replace("\r\n", "\n")
        (found.text if content_type == "text/plain" else found.html).append(text)
        return
    content_id = message_ids(str(part.get("Content-ID", "")))
    found.attachments.append(
        Attachment(
            filename=filename or _fallback_name(content_type, len(found.attachments) + 1),
            content_type=content_type,
            content=data,
            content_id=content_id[0] if content_id else "",
            inline=disposition == "inline",
        )
    )


def _walk(part: Message, found: _Collected) -> None:
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        # A forwarded message is kept whole as an attachment, not mixed into this one's body.
        inner = part.get_payload(0) if part.is_multipart() else None
        data = inner.as_bytes(policy=policy.SMTP) if isinstance(inner, Message) else b""
        name = _filename(part) or f"forwarded-{len(found.attachments) + 1}.eml"
        found.attachments.append(Attachment(name, content_type, data))
        return
    if part.is_multipart():
        found.defects.extend(type(defect).__name__ for defect in part.defects)
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _walk(sub, found)
        return
    _leaf(part, found)


def _fatal(message: Message) -> str:
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, FATAL_DEFECTS):
                return f"broken MIME structure: {type(defect).__name__}"
    return ""


def _auto_submitted(message: Message) -> bool:
    auto = _header(message, "auto-submitted").lower()
    precedence = _header(message, "precedence").lower()
    return (bool(auto) and auto != "no") or precedence in ("bulk", "junk", "auto_reply")


def content_message_id(digest: str) -> str:
    """The identity of a message that brings none of its own (or one already used by a
    different message): from the SHA-256 of its bytes as received, so the same bytes delivered
    twice are still recognised as one, and different bytes are never taken for each other."""
    return f"{digest}@pactline.invalid"


def parse_email(raw: bytes, *, digest: str | None = None) -> ParsedEmail:
    """Parse one message; raises `UnparseableEmail` when it cannot be trusted. `digest`: the
    SHA-256 of the bytes as received, when `raw` is a stored (redacted) copy of them."""
    if not raw.strip():
        raise UnparseableEmail("empty message")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    names = {key.lower() for key in message}
    if not names.intersection(MESSAGE_HEADERS):
        raise UnparseableEmail("no message headers (From, To, Subject, Message-ID, Date)")
    fatal = _fatal(message)
    if fatal:
        raise UnparseableEmail(fatal)
    found = _Collected()
    found.defects.extend(type(defect).__name__ for defect in message.defects)
    _walk(message, found)
    senders = _addresses(message, "from") or _addresses(message, "sender")
    from_name, from_address = senders[0] if senders else ("", "")
    reply_to = _addresses(message, "reply-to")
    # `<>` (or `< >`) names no message: as good as no header at all.
    ids = [item for item in message_ids(_header(message, "message-id")) if item.strip("<>")]
    if ids:
        message_id = ids[0]
    else:
        found.defects.append("no Message-ID")
        message_id = content_message_id(digest or hashlib.sha256(raw).hexdigest())
    in_reply_to = message_ids(_header(message, "in-reply-to"))
    html = "\n".join(found.html)
    text = "\n".join(found.text).strip() or html_to_text(html)
    return ParsedEmail(
        message_id=message_id,
        subject=_header(message, "subject"),
        from_name=from_name,
        from_address=from_address,
        reply_to=reply_to[0][1] if reply_to else "",
        to=tuple(address for _, address in _addresses(message, "to")),
        cc=tuple(address for _, address in _addresses(message, "cc")),
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=tuple(message_ids(_header(message, "references"))),
        date=_date(_header(message, "date")),
        text=text,
        html=sanitize_html(html),
        attachments=tuple(found.attachments),
        defects=tuple(dict.fromkeys(found.defects)),
        auto_submitted=_auto_submitted(message),
    )
