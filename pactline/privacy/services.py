"""Writes for material requests: a client asks for a recording or transcript, the provider
approves or rejects, and the requester downloads through a signed, expiring link. Every write and
every download is audited; refused download attempts with a genuine link are audited too."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import IO, Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.channels.recordings.models import Recording
from pactline.channels.recordings.storage import open_stored
from pactline.common.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from pactline.privacy.models import MaterialRequest, RequestStatus
from pactline.tenancy.access import Actor, Permission, can_see_client, require

LINK_HOURS = (1, 720)  # an approved link is valid for 1 hour to 30 days
TEXT_MAX = 2000
SIGNING_SALT = "pactline.material"


class LinkInvalid(NotFound):
    """A download token that was tampered with, or names no request."""


class LinkRefused(Forbidden):
    """A genuine download link that may not be used now: `reason` says why
    (other_user, not_approved, expired)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
    handle = open_stored(recording)
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
