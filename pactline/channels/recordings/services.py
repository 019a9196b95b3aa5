"""Writes for recordings and transcripts: attaching one to a case, and the audited reads of
its content (every read of a transcript's text or of a file is an audit event)."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from datetime import datetime
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.cases.models import Case
from pactline.channels.recordings.models import Recording, RecordingKind
from pactline.channels.recordings.storage import (
    discard_unreferenced,
    open_stored,
    recording_path,
    store,
)
from pactline.common.errors import FieldError, ValidationFailed
from pactline.core.redact import redact_card_data
from pactline.tenancy.access import Actor, Permission, require

MAX_BYTES = 500 * 1024 * 1024  # 500 MB; `PACTLINE_RECORDING_MAX_BYTES` overrides

_EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def max_bytes() -> int:
    return int(getattr(settings, "PACTLINE_RECORDING_MAX_BYTES", MAX_BYTES))


def _clean_name(name: str) -> str:
    # The last component of a Windows or POSIX path, without control characters.
    base = _CONTROL.sub("", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return redact_card_data(base).text[-255:] or "material"


def _clean_content_type(content_type: str, kind: str) -> str:
    value = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == RecordingKind.TRANSCRIPT:
        # The stored file is UTF-8 text after redaction, whatever it was called on upload.
        return "text/plain" if not value.startswith("text/") else value
    return value if _CONTENT_TYPE.match(value) and len(value) <= 100 else "application/octet-stream"


def _extension(name: str, content_type: str, kind: str) -> str:
    suffix = PurePosixPath(name).suffix.lstrip(".").lower()
    if _EXTENSION.match(suffix):
        return suffix
    if kind == RecordingKind.TRANSCRIPT:
        return "txt"
    guessed = (mimetypes.guess_extension(content_type) or "").lstrip(".")
    return guessed if _EXTENSION.match(guessed) else "bin"


def _stored_content(
    kind: str, content: bytes, transcript_text: str | None, errors: list[FieldError]
) -> tuple[bytes, str]:
    """The bytes to store, with card data redacted (files are not stored through a model
    field), and the transcript text (redacted by its field when it is stored)."""
    text = ""
    if transcript_text is not None:
        text = transcript_text.removeprefix("\ufeff")
        if "\x00" in text:
            errors.append(FieldError("transcript_text", _("The text contains NUL characters.")))
    if kind != RecordingKind.TRANSCRIPT or not content:
        return content, text
    try:
        decoded = content.decode("utf-8")
    except UnicodeDecodeError as error:
        errors.append(
            FieldError(
                "content",
                _("A transcript must be UTF-8 text; byte %(offset)d is not.")
                % {"offset": error.start},
            )
        )
        return content, text
    if "\x00" in decoded:
        errors.append(FieldError("content", _("The text contains NUL characters.")))
    redacted = redact_card_data(decoded).text
    if transcript_text is None:
        text = redacted.removeprefix("\ufeff")
    return redacted.encode("utf-8"), text


def recording_attach(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    name: str,
    content: bytes,
    content_type: str,
    transcript_text: str | None = None,
    source: str = "",
    now: datetime | None = None,
) -> Recording:
    """Attach a recording or transcript to a case. The same content attached to the same case
    again returns the recording already stored and changes nothing."""
    require(actor, Permission.CASE_WORK, case.client_id)
    errors: list[FieldError] = []
    if kind not in RecordingKind.values:
        errors.append(FieldError("kind", _("Choose a recording or a transcript.")))
    if not content:
        errors.append(FieldError("content", _("The file is empty.")))
    elif len(content) > max_bytes():
        errors.append(
            FieldError(
                "content",
                _("The file is larger than the limit of %(limit)s.")
                % {"limit": filesizeformat(max_bytes())},
            )
        )
    source = source.strip()
    if len(source) > 200 or _CONTROL.search(source):
        errors.append(FieldError("source", _("At most 200 printable characters are allowed.")))
    stored, text = _stored_content(kind, content, transcript_text, errors)
    if errors:
        raise ValidationFailed(errors)

    digest = hashlib.sha256(stored).hexdigest()
    existing = Recording.objects.filter(client_id=case.client_id, case=case, sha256=digest).first()
    if existing is not None:
        return existing
    clean_name = _clean_name(name)
    content_type = _clean_content_type(content_type, kind)
    path = recording_path(case.client.code, digest, _extension(clean_name, content_type, kind))
    created_file = store(path, stored)
    at = now or timezone.now()
    try:
        with transaction.atomic():
            recording = Recording.objects.create(
                client_id=case.client_id,
                case=case,
                kind=kind,
                file=path,
                original_name=clean_name,
                content_type=content_type,
                size=len(stored),
                sha256=digest,
                transcript_text=text,
                source=source,
                created_by_label=actor.audit_label,
                created_at=at,
            )
            audit_record(
                actor=actor,
                action="recording.attached",
                client_id=case.client_id,
                obj=recording,
                payload={
                    "case": case.pk,
                    "kind": kind,
                    "size": len(stored),
                    "sha256": digest,
                    "source": source,
                },
                at=at,
            )
    except IntegrityError:
        # Attached concurrently by someone else: theirs is the one.
        return Recording.objects.get(client_id=case.client_id, case=case, sha256=digest)
    except BaseException:
        if created_file:
            discard_unreferenced(path)
        raise
    return recording


def recording_view(*, actor: Actor, recording: Recording, now: datetime | None = None) -> None:
    """A provider user reads a transcript in the provider UI: audited as `material.viewed`."""
    require(actor, Permission.CASE_WORK, recording.client_id)
    audit_record(
        actor=actor,
        action="material.viewed",
        client_id=recording.client_id,
        obj=recording,
        payload={"case": recording.case_id, "kind": recording.kind},
        at=now or timezone.now(),
    )


def recording_open(*, actor: Actor, recording: Recording, now: datetime | None = None) -> IO[bytes]:
    """A provider user who works the client's cases downloads the file: audited as
    `material.downloaded` (without a request)."""
    require(actor, Permission.CASE_WORK, recording.client_id)
    handle = open_stored(recording)
    try:
        audit_record(
            actor=actor,
            action="material.downloaded",
            client_id=recording.client_id,
            obj=recording,
            payload={"request": None, "size": recording.size, "sha256": recording.sha256},
            at=now or timezone.now(),
        )
    except BaseException:
        handle.close()
        raise
    return handle
