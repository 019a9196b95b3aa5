"""Writes for workforce records. Each owns its transaction, is audited when it changes
something, and changes nothing when asked for what already holds."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.common.errors import FieldError, ValidationFailed
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client
from pactline.workforce.access import agents_of, require_manager
from pactline.workforce.models import (
    AgentCertification,
    AgentRoutingState,
    ConfidentialityAgreement,
)


def _check_span(start: date, expires_on: date | None, message: str) -> list[FieldError]:
    if expires_on is not None and expires_on <= start:
        return [FieldError("expires_on", message)]
    return []


def _require_agent(user: User, client: Client) -> list[FieldError]:
    if agents_of(client).filter(pk=user.pk).exists():
        return []
    return [FieldError("user", _("%(user)s is not an agent of this client") % {"user": user})]


@transaction.atomic
def agent_certify(
    *,
    actor: Actor,
    client: Client,
    user: User,
    certified_on: date,
    expires_on: date | None = None,
    now: datetime | None = None,
) -> AgentCertification:
    """Certify an agent for the client's programme, or renew (and un-revoke) the certification."""
    require_manager(actor, client.id)
    errors = _require_agent(user, client) + _check_span(
        certified_on, expires_on, _("must be after the day of certification")
    )
    if errors:
        raise ValidationFailed(errors)
    now = now or timezone.now()
    certification = (
        AgentCertification.objects.select_for_update().filter(client=client, user=user).first()
    )
    if certification is None:
        certification = AgentCertification.objects.create(
            client=client,
            user=user,
            certified_on=certified_on,
            expires_on=expires_on,
            updated_at=now,
        )
        action = "agent_certification.granted"
    elif (
        certification.certified_on == certified_on
        and certification.expires_on == expires_on
        and certification.revoked_at is None
    ):
        return certification
    else:
        certification.certified_on = certified_on
        certification.expires_on = expires_on
        certification.revoked_at = None
        certification.revoked_reason = ""
        certification.updated_at = now
        certification.save()
        action = "agent_certification.renewed"
    audit_record(
        actor=actor,
        action=action,
        client_id=client.id,
        obj=certification,
        payload={
            "user": user.get_username(),
            "certified_on": certified_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
        at=now,
    )
    return certification


@transaction.atomic
def agent_certification_revoke(
    *,
    actor: Actor,
    certification: AgentCertification,
    reason: str = "",
    now: datetime | None = None,
) -> AgentCertification:
    require_manager(actor, certification.client_id)
    certification = AgentCertification.objects.select_for_update().get(pk=certification.pk)
    if certification.revoked_at is not None:
        return certification
    now = now or timezone.now()
    certification.revoked_at = now
    certification.revoked_reason = reason.strip()[:300]
    certification.updated_at = now
    certification.save(update_fields=["revoked_at", "revoked_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="agent_certification.revoked",
        client_id=certification.client_id,
        obj=certification,
        payload={"user": certification.user.get_username(), "reason": certification.revoked_reason},
        at=now,
    )
    return certification


@transaction.atomic
def confidentiality_agreement_record(
    *,
    actor: Actor,
    client: Client,
    user: User,
    signed_on: date,
    document_version: str,
    expires_on: date | None = None,
    now: datetime | None = None,
) -> ConfidentialityAgreement:
    """Record that an agent signed the client's confidentiality agreement (one row per version
    of the document; recording it again with other dates corrects it)."""
    require_manager(actor, client.id)
    version = document_version.strip()
    errors = _require_agent(user, client) + _check_span(
        signed_on, expires_on, _("must be after the day of signing")
    )
    if not version:
        errors.append(FieldError("document_version", _("name the version of the document")))
    elif len(version) > 60:
        errors.append(FieldError("document_version", _("at most 60 characters")))
    if errors:
        raise ValidationFailed(errors)
    now = now or timezone.now()
    record = (
        ConfidentialityAgreement.objects.select_for_update()
        .filter(client=client, user=user, document_version=version)
        .first()
    )
    if record is None:
        record = ConfidentialityAgreement.objects.create(
            client=client,
            user=user,
            signed_on=signed_on,
            document_version=version,
            expires_on=expires_on,
            recorded_at=now,
        )
        action = "confidentiality_agreement.recorded"
    elif record.signed_on == signed_on and record.expires_on == expires_on:
        return record
    else:
        record.signed_on = signed_on
        record.expires_on = expires_on
        record.recorded_at = now
        record.save(update_fields=["signed_on", "expires_on", "recorded_at"])
        action = "confidentiality_agreement.corrected"
    audit_record(
        actor=actor,
        action=action,
        client_id=client.id,
        obj=record,
        payload={
            "user": user.get_username(),
            "document_version": version,
            "signed_on": signed_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
        at=now,
    )
    return record


def agent_assignment_note(*, client_id: int, user_id: int, at: datetime) -> None:
    """Move the round-robin pointer: `user` was just given one of the client's cases.

    Called by the case services inside their transaction (the case assignment is what is
    audited; this is routing state, not a record)."""
    state = (
        AgentRoutingState.objects.select_for_update()
        .filter(client_id=client_id, user_id=user_id)
        .first()
    )
    if state is None:
        AgentRoutingState.objects.create(
            client_id=client_id, user_id=user_id, last_assigned_at=at, assignments=1
        )
        return
    state.last_assigned_at = max(state.last_assigned_at, at)
    state.assignments += 1
    state.save(update_fields=["last_assigned_at", "assignments"])
