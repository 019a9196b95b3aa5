"""Writes for recordings and material requests. Every write and every read of a recording's
content is audited; refused download attempts with a genuine link are audited too."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.cases.models import Case
from pactline.common.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from pactline.core.redact import redact_card_data
from pactline.privacy.models import MaterialRequest, Recording, RecordingKind, RequestStatus
from pactline.tenancy.access import Actor, Permission, can_see_client, require

MAX_BYTES = 500 * 1024 * 1024  # 500 MB; `PACTLINE_RECORDING_MAX_BYTES` overrides
LINK_HOURS = (1, 720)  # an approved link is valid for 1 hour to 30 days
TEXT_MAX = 2000
SIGNING_SALT = "pactline.material"

_EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LinkInvalid(NotFound):
    """A download token that was tampered with, or names no request."""


class LinkRefused(Forbidden):
    """A genuine download link that may not be used now: `reason` says why
    (other_user, not_approved, expired)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MaterialMissing(NotFound):
    """The stored file is gone (e.g. purged); the record remains."""


def max_bytes() -> int:
    return int(getattr(settings, "PACTLINE_RECORDING_MAX_BYTES", MAX_BYTES))


def _free_text(value: str, field: str, errors: list[FieldError], *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        errors.append(FieldError(field, _("This field is required.")))
    elif len(text) > TEXT_MAX:
        errors.append(
            FieldError(field, _("At most %(limit)d characters are allowed.") % {"limit": TEXT_MAX})
        )
    elif "\x00" in text:
        errors.append(FieldError(field, _("The text contains NUL characters.")))
    return text  # stored through redacting fields (`pactline.common.fields`)


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


def _store(path: str, data: bytes) -> bool:
    """Write `data` at `path` unless it is there (the name is the content's digest).
    True when this call created the file."""
    if default_storage.exists(path):
        return False
    saved = default_storage.save(path, ContentFile(data))
    if saved != path:  # a concurrent writer stored the same content first
        default_storage.delete(saved)
        return False
    return True


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
    path = f"recordings/{case.client.code}/{digest}.{_extension(clean_name, content_type, kind)}"
    created_file = _store(path, stored)
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
        if created_file and not Recording.objects.filter(file=path).exists():
            default_storage.delete(path)
        raise
    return recording


def material_request(
    *, actor: Actor, recording: Recording, reason: str, now: datetime | None = None
) -> MaterialRequest:
    """Ask for a recording or transcript. While the same user's request for it is pending, or
    approved with a link still valid, asking again returns that request."""
    require(actor, Permission.MATERIAL_REQUEST, recording.client_id)
    if actor.user_id is None:
        raise Forbidden  # the download link is bound to a user
    errors: list[FieldError] = []
    clean_reason = _free_text(reason, "reason", errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    at = now or timezone.now()
    with transaction.atomic():
        mine = MaterialRequest.objects.filter(
            client_id=recording.client_id,
            recording=recording,
            requested_by_user_id=actor.user_id,
        )
        open_request = (
            mine.filter(status=RequestStatus.REQUESTED).first()
            or mine.filter(status=RequestStatus.APPROVED, link_expires_at__gt=at).first()
        )
        if open_request is not None:
            return open_request
        created = MaterialRequest.objects.create(
            client_id=recording.client_id,
            recording=recording,
            requested_by_label=actor.audit_label,
            requested_by_user_id=actor.user_id,
            reason=clean_reason,
            created_at=at,
        )
        audit_record(
            actor=actor,
            action="material.requested",
            client_id=recording.client_id,
            obj=created,
            payload={"recording": recording.pk, "case": recording.case_id, "kind": recording.kind},
            at=at,
        )
    return created


def material_decide(
    *,
    actor: Actor,
    request: MaterialRequest,
    approve: bool,
    note: str = "",
    valid_hours: int = 24,
    now: datetime | None = None,
) -> MaterialRequest:
    """Approve (opening a download window of `valid_hours`) or reject a pending request.
    Deciding the same way again changes nothing; deciding the other way is a Conflict."""
    require(actor, Permission.MATERIAL_APPROVE, request.client_id)
    errors: list[FieldError] = []
    clean_note = _free_text(note, "note", errors, required=False)
    if approve and not LINK_HOURS[0] <= valid_hours <= LINK_HOURS[1]:
        errors.append(
            FieldError(
                "valid_hours",
                _("Between %(low)d and %(high)d hours.")
                % {"low": LINK_HOURS[0], "high": LINK_HOURS[1]},
            )
        )
    if errors:
        raise ValidationFailed(errors)
    target = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    at = now or timezone.now()
    with transaction.atomic():
        fresh = MaterialRequest.objects.select_for_update().get(pk=request.pk)
        if fresh.status == target:
            return fresh
        if fresh.status != RequestStatus.REQUESTED:
            raise Conflict(
                _("the request was already %(status)s") % {"status": fresh.get_status_display()}
            )
        fresh.status = target
        fresh.decided_by_label = actor.audit_label
        fresh.decided_by_user_id = actor.user_id
        fresh.decided_at = at
        fresh.decision_note = clean_note
        fresh.link_expires_at = at + timedelta(hours=valid_hours) if approve else None
        fresh.save()
        audit_record(
            actor=actor,
            action="material.approved" if approve else "material.rejected",
            client_id=fresh.client_id,
            obj=fresh,
            payload={
                "recording": fresh.recording_id,
                "requested_by": fresh.requested_by_label,
                "link_expires_at": fresh.link_expires_at,
            },
            at=at,
        )
    return fresh


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SIGNING_SALT)


def material_link_usable(actor: Actor, request: MaterialRequest, now: datetime) -> bool:
    return (
        actor.user_id is not None
        and request.requested_by_user_id == actor.user_id
        and request.status == RequestStatus.APPROVED
        and request.link_expires_at is not None
        and now < request.link_expires_at
    )


def material_download_url(
    *, actor: Actor, request: MaterialRequest, now: datetime | None = None
) -> str:
    """A signed link to the material, usable only by the user who asked and only until the
    approval's `link_expires_at`."""
    require(actor, Permission.MATERIAL_REQUEST, request.client_id)
    at = now or timezone.now()
    if not material_link_usable(actor, request, at):
        if request.requested_by_user_id != actor.user_id:
            raise LinkRefused("other_user")
        raise LinkRefused("expired" if request.status == RequestStatus.APPROVED else "not_approved")
    token = _signer().sign_object({"r": request.pk, "u": actor.user_id})
    return reverse("privacy:download", kwargs={"token": token})


def _refuse(actor: Actor, found: MaterialRequest, reason: str, at: datetime) -> LinkRefused:
    audit_record(
        actor=actor,
        action="material.download_refused",
        client_id=found.client_id,
        obj=found,
        payload={"recording": found.recording_id, "reason": reason},
        at=at,
    )
    return LinkRefused(reason)


def _open_file(recording: Recording) -> IO[bytes]:
    try:
        handle: IO[bytes] = default_storage.open(str(recording.file.name), "rb")
    except OSError:
        raise MaterialMissing from None
    return handle


def material_open(
    *, actor: Actor, token: str, now: datetime | None = None
) -> tuple[Recording, IO[bytes]]:
    """Check a download link (signature, user, approval, expiry) and open the file. Every
    successful open is a `material.downloaded` audit event."""
    at = now or timezone.now()
    signer = _signer()
    try:
        payload: Any = signer.unsign_object(token)
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(payload, dict):
        raise LinkInvalid
    request_id, user_id = payload.get("r"), payload.get("u")
    if not isinstance(request_id, int) or not isinstance(user_id, int):
        raise LinkInvalid
    found = (
        MaterialRequest.objects.select_related("recording", "recording__client")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise LinkInvalid
    if actor.user_id is None or actor.user_id != user_id or user_id != found.requested_by_user_id:
        refused = _refuse(actor, found, "other_user", at)
        if not can_see_client(actor, found.client_id):
            raise LinkInvalid
        raise refused
    require(actor, Permission.MATERIAL_REQUEST, found.client_id)
    if found.status != RequestStatus.APPROVED or found.link_expires_at is None:
        raise _refuse(actor, found, "not_approved", at)
    window = found.link_expires_at - (found.decided_at or found.link_expires_at)
    try:
        # The signature's own age is bounded by the approved window; the request's expiry
        # (which an approver may only ever shorten) is checked below.
        signer.unsign_object(token, max_age=window)
    except signing.SignatureExpired:
        raise _refuse(actor, found, "expired", at) from None
    if at >= found.link_expires_at:
        raise _refuse(actor, found, "expired", at)
    recording = found.recording
    handle = _open_file(recording)
    try:
        audit_record(
            actor=actor,
            action="material.downloaded",
            client_id=found.client_id,
            obj=recording,
            payload={"request": found.pk, "size": recording.size, "sha256": recording.sha256},
            at=at,
        )
    except BaseException:
        handle.close()
        raise
    return recording, handle


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
    handle = _open_file(recording)
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
