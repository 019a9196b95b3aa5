"""Writes for agreements: load a document as a draft version, propose, accept, activate.

Rules (DESIGN.md "Agreements as code"):
- a version is immutable once active;
- the change control of the version in force when a change is proposed binds the change: its
  requested effective date must be on or after the notice date (the proposal's date plus the
  notice days), and where written acceptance is required it is put in force only once the
  client has accepted it, or by a provider override with a written reason where the agreement
  permits one;
- an amendment never takes effect before it is activated, so closed results are never
  rewritten; only the first version of an agreement may record a contract already running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.agreements.change_notices import change_notice_send
from pactline.agreements.documents import (
    Format,
    document_data,
    document_hash,
    document_parse,
    start_of_day,
)
from pactline.agreements.execution import executes
from pactline.agreements.models import ACTIVATED, Agreement, AgreementVersion, VersionStatus
from pactline.agreements.selectors import agreement_version_governing
from pactline.agreements.terms import home_timezone
from pactline.audit.services import audit_record
from pactline.common.errors import Conflict, FieldError, NotFound, ValidationFailed
from pactline.common.inputs import text_problem
from pactline.core.agreement.operations import Reassign
from pactline.core.agreement.policies import ChangeControl
from pactline.tenancy.access import Actor, Permission, has_permission, require, roles_held
from pactline.tenancy.models import Client
from pactline.tenancy.services import client_create

executes(
    "schema_version",
    "reference",
    "parties.client.code",
    "effective_from",
    "change_control.notice_days",
    "change_control.requires_written_acceptance",
    "change_control.provider_override_permitted",
)


@dataclass(frozen=True)
class VersionLoad:
    version: AgreementVersion
    created: bool


def _source_text(text: str | bytes) -> str:
    return text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text


@transaction.atomic
def agreement_version_create(
    *,
    actor: Actor,
    text: str | bytes,
    fmt: Format | None = None,
    client: Client | None = None,
    create_client: bool = False,
    now: datetime | None = None,
) -> VersionLoad:
    """Validate a document and store it as a new draft version of its agreement.

    Sending the same document again returns the existing version unchanged."""
    document = document_parse(text, fmt)
    now = now or timezone.now()
    code = document.parties.client.code
    if client is not None and client.code != code:
        raise ValidationFailed(
            [
                FieldError(
                    "parties.client.code",
                    _("'%(code)s' is not this client ('%(client)s')")
                    % {"code": code, "client": client.code},
                )
            ]
        )
    if client is None:
        client = Client.objects.filter(code=code).first()
    if client is None:
        if not (create_client and has_permission(actor, Permission.CLIENT_CREATE, None)):
            raise NotFound
        client = client_create(actor=actor, code=code, name=document.parties.client.name)
    require(actor, Permission.AGREEMENT_DRAFT, client.id)

    data = document_data(document)
    digest = document_hash(data)
    agreement, agreement_created = Agreement.objects.get_or_create(
        client=client, reference=document.reference, defaults={"title": document.title}
    )
    if agreement_created:
        audit_record(
            actor=actor,
            action="agreement.created",
            client_id=client.id,
            obj=agreement,
            payload={"reference": agreement.reference},
        )
    latest = agreement.versions.order_by("-number").first()
    if latest is not None and latest.content_hash == digest:
        return VersionLoad(latest, created=False)

    number = (agreement.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = AgreementVersion.objects.create(
        client=client,
        agreement=agreement,
        number=number,
        status=VersionStatus.DRAFT,
        document=data,
        source_text=_source_text(text),
        source_format=fmt or ("json" if _source_text(text).lstrip().startswith("{") else "yaml"),
        content_hash=digest,
        home_timezone=home_timezone(document),
        requested_effective_on=document.effective_from,
        created_at=now,
        created_by=actor.audit_label,
    )
    if agreement.title != document.title:
        Agreement.objects.filter(pk=agreement.pk).update(title=document.title)
    audit_record(
        actor=actor,
        action="agreement.version.created",
        client_id=client.id,
        obj=version,
        payload={"reference": agreement.reference, "number": number, "hash": digest},
        at=now,
    )
    return VersionLoad(version, created=True)


def _status(version: AgreementVersion) -> dict[str, str]:
    return {"status": str(VersionStatus(version.status).label)}


def _lock(version: AgreementVersion) -> AgreementVersion:
    return (
        AgreementVersion.objects.select_for_update().select_related("agreement").get(pk=version.pk)
    )


def _notice_date_refused(version: AgreementVersion, notice_on: str, notice_days: int) -> None:
    message = _(
        "the requested effective date %(requested)s is before the notice date %(notice)s "
        "(%(days)s days of notice from the proposal)"
    ) % {
        "requested": version.requested_effective_on.isoformat(),
        "notice": notice_on,
        "days": notice_days,
    }
    raise ValidationFailed([FieldError("effective_from", message)])


@transaction.atomic
def agreement_version_propose(
    *, actor: Actor, version: AgreementVersion, now: datetime | None = None
) -> AgreementVersion:
    """Propose a draft to the client. An amendment is bound by the change control of the
    version it would replace, and its notice goes to the client's designated contacts."""
    require(actor, Permission.AGREEMENT_DRAFT, version.client_id)
    version = _lock(version)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(
            _("only a draft can be proposed; this version is %(status)s") % _status(version)
        )
    now = now or timezone.now()
    governing = agreement_version_governing(version, now)
    rules = ChangeControl(notice_days=0, requires_written_acceptance=False)
    if governing is not None:
        rules = governing.terms.change_control
    # The notice date is a date in the agreement's home zone, as the requested date is.
    notice_on = now.astimezone(ZoneInfo(version.home_timezone)).date() + timedelta(
        days=rules.notice_days
    )
    if governing is not None and version.requested_effective_on < notice_on:
        _notice_date_refused(version, notice_on.isoformat(), rules.notice_days)
    version.status = VersionStatus.PROPOSED
    version.proposed_at = now
    version.proposed_by = actor.audit_label
    version.notice_days = rules.notice_days
    version.earliest_effective_at = (
        start_of_day(notice_on, version.home_timezone) if governing is not None else now
    )
    version.acceptance_required = rules.requires_written_acceptance
    version.override_permitted = rules.provider_override_permitted
    version.save(
        update_fields=[
            "status",
            "proposed_at",
            "proposed_by",
            "notice_days",
            "earliest_effective_at",
            "acceptance_required",
            "override_permitted",
        ]
    )
    audit_record(
        actor=actor,
        action="agreement.version.proposed",
        client_id=version.client_id,
        obj=version,
        payload={
            "number": version.number,
            "notice_days": rules.notice_days,
            "acceptance_required": version.acceptance_required,
        },
        at=now,
    )
    if governing is not None:
        transaction.on_commit(partial(change_notice_send, version.pk, governing.pk))
    return version


@transaction.atomic
def agreement_version_accept(
    *, actor: Actor, version: AgreementVersion, now: datetime | None = None
) -> AgreementVersion:
    """The client's manager accepts a proposed change, waiving the rest of the notice."""
    require(actor, Permission.AGREEMENT_ACCEPT, version.client_id)
    version = _lock(version)
    if version.status != VersionStatus.PROPOSED:
        raise Conflict(
            _("only a proposed version can be accepted; this version is %(status)s")
            % _status(version)
        )
    if version.accepted_at is not None:
        return version
    now = now or timezone.now()
    version.accepted_at = now
    version.accepted_by = actor.audit_label
    version.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=actor,
        action="agreement.version.accepted",
        client_id=version.client_id,
        obj=version,
        payload={"number": version.number},
        at=now,
    )
    return version


def effective_from_for(
    version: AgreementVersion, *, activated_at: datetime, first: bool
) -> datetime:
    requested = start_of_day(version.requested_effective_on, version.home_timezone)
    if first:
        return requested
    candidates = [requested, activated_at]
    if version.accepted_at is None and version.earliest_effective_at is not None:
        candidates.append(version.earliest_effective_at)
    return max(candidates)


MAX_REASON_CHARS = 2000


def _override_reason(version: AgreementVersion, reason: str | None) -> str:
    """Empty when the client's acceptance is not needed; else the provider's written reason, where
    the agreement permits an override. Anything else is refused, naming what is missing."""
    if not version.acceptance_required or version.accepted_at is not None:
        return ""
    if not version.override_permitted:
        raise Conflict(
            _(
                "the agreement requires the client's written acceptance before a change is put "
                "in force, and it does not permit the provider to override it"
            )
        )
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(
            [
                FieldError(
                    "reason",
                    _(
                        "the client has not accepted this version: give the written reason "
                        "for putting it in force without the client's acceptance"
                    ),
                )
            ]
        )
    problem = text_problem(text)
    if problem is None and len(text) > MAX_REASON_CHARS:
        problem = _("must be at most %(limit)s characters long") % {"limit": MAX_REASON_CHARS}
    if problem is not None:
        raise ValidationFailed([FieldError("reason", problem)])
    return text


def unheld_role_errors(version: AgreementVersion) -> list[FieldError]:
    """Escalations that hand a case to a role nobody holds for the client: such a case would
    land with no one, so the version cannot be put in force until someone holds the role."""
    held = roles_held(version.client_id)
    errors = []
    for li, ladder in enumerate(version.terms.escalation.ladders):
        for vi, level in enumerate(ladder.levels):
            for ai, action in enumerate(level.actions):
                if isinstance(action, Reassign) and action.role and action.role not in held:
                    path = f"escalation.ladders.{li}.levels.{vi}.actions.{ai}.role"
                    message = _(
                        "nobody holds the role '%(role)s' for this client; give someone that"
                        " role first (roles held: %(choices)s)"
                    ) % {"role": action.role, "choices": ", ".join(sorted(held)) or "-"}
                    errors.append(FieldError(path, message))
    return errors


@transaction.atomic
def agreement_version_activate(
    *,
    actor: Actor,
    version: AgreementVersion,
    now: datetime | None = None,
    override_reason: str | None = None,
) -> AgreementVersion:
    """Put a proposal in force. Where the change control requires the client's written
    acceptance and the client has not accepted, only a permitted override with a reason can."""
    require(actor, Permission.AGREEMENT_ACTIVATE, version.client_id)
    version = _lock(version)
    if version.status != VersionStatus.PROPOSED:
        raise Conflict(
            _("only a proposed version can be activated; this version is %(status)s")
            % _status(version)
        )
    unheld = unheld_role_errors(version)
    if unheld:
        raise ValidationFailed(unheld)
    reason = _override_reason(version, override_reason)
    now = now or timezone.now()
    first = not AgreementVersion.objects.filter(
        agreement_id=version.agreement_id, status__in=ACTIVATED
    ).exists()
    version.effective_from = effective_from_for(version, activated_at=now, first=first)
    superseded = list(
        AgreementVersion.objects.select_for_update()
        .filter(client_id=version.client_id, status=VersionStatus.ACTIVE)
        .values_list("id", flat=True)
    )
    AgreementVersion.objects.filter(id__in=superseded).update(
        status=VersionStatus.SUPERSEDED, superseded_at=now
    )
    version.status = VersionStatus.ACTIVE
    version.activated_at = now
    version.activated_by = actor.audit_label
    version.acceptance_override_reason = reason
    version.save(
        update_fields=[
            "status",
            "effective_from",
            "activated_at",
            "activated_by",
            "acceptance_override_reason",
        ]
    )
    if reason:
        audit_record(
            actor=actor,
            action="agreement.version.acceptance_overridden",
            client_id=version.client_id,
            obj=version,
            payload={"number": version.number, "reason": reason},
            at=now,
        )
    audit_record(
        actor=actor,
        action="agreement.version.activated",
        client_id=version.client_id,
        obj=version,
        payload={
            "number": version.number,
            "effective_from": version.effective_from.isoformat(),
            "superseded": superseded,
        },
        at=now,
    )
    return version
