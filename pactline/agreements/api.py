"""API: agreements and their versions — list, get, create, propose, accept, activate, export."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from pactline.agreements.access import access_agreement, access_agreement_version
from pactline.agreements.documents import Format, document_export
from pactline.agreements.models import Agreement, AgreementVersion
from pactline.agreements.selectors import (
    agreement_list,
    agreement_version_in_force,
    agreement_version_list,
)
from pactline.agreements.services import (
    agreement_version_accept,
    agreement_version_activate,
    agreement_version_create,
    agreement_version_propose,
)
from pactline.common.errors import FieldError, NotFound, ValidationFailed
from pactline.common.inputs import QueryInstant, SafeStr
from pactline.tenancy.access import Permission, access_client
from pactline.tenancy.http import api_actor

router = Router(tags=["agreements"])

_DOCUMENT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An agreement document in YAML or JSON.",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


class VersionOut(Schema):
    id: int
    agreement_id: int
    client: str
    reference: str
    number: int
    status: str
    content_hash: str
    requested_effective_on: date
    effective_from: datetime | None
    notice_days: int
    earliest_effective_at: datetime | None
    created_at: datetime
    created_by: str
    proposed_at: datetime | None
    proposed_by: str
    accepted_at: datetime | None
    accepted_by: str
    acceptance_required: bool
    override_permitted: bool
    acceptance_override_reason: str
    activated_at: datetime | None
    activated_by: str
    superseded_at: datetime | None


class VersionDetailOut(VersionOut):
    document: dict[str, Any]


class VersionCreatedOut(VersionOut):
    created: bool


class AgreementOut(Schema):
    id: int
    client: str
    reference: str
    title: str
    versions: list[VersionOut]


class ErrorItem(Schema):
    path: str
    message: str
    line: int | None


class ErrorsOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


def _version_fields(version: AgreementVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "agreement_id": version.agreement_id,
        "client": version.client.code,
        "reference": version.agreement.reference,
        "number": version.number,
        "status": version.status,
        "content_hash": version.content_hash,
        "requested_effective_on": version.requested_effective_on,
        "effective_from": version.effective_from,
        "notice_days": version.notice_days,
        "earliest_effective_at": version.earliest_effective_at,
        "created_at": version.created_at,
        "created_by": version.created_by,
        "proposed_at": version.proposed_at,
        "proposed_by": version.proposed_by,
        "accepted_at": version.accepted_at,
        "accepted_by": version.accepted_by,
        "acceptance_required": version.acceptance_required,
        "override_permitted": version.override_permitted,
        "acceptance_override_reason": version.acceptance_override_reason,
        "activated_at": version.activated_at,
        "activated_by": version.activated_by,
        "superseded_at": version.superseded_at,
    }


def _agreement_out(agreement: Agreement) -> AgreementOut:
    versions = agreement_version_list(agreement=agreement).select_related("client", "agreement")
    return AgreementOut(
        id=agreement.id,
        client=agreement.client.code,
        reference=agreement.reference,
        title=agreement.title,
        versions=[VersionOut(**_version_fields(v)) for v in versions],
    )


@router.get("/agreements", response=list[AgreementOut], summary="Agreements visible to the caller")
def list_agreements(request: HttpRequest, client: SafeStr | None = None) -> list[AgreementOut]:
    actor = api_actor(request)
    scope = access_client(actor, client, permission=Permission.AGREEMENT_VIEW) if client else None
    return [_agreement_out(a) for a in agreement_list(actor=actor, client=scope)]


@router.get("/agreements/{int:agreement_id}", response=AgreementOut, summary="One agreement")
def get_agreement(request: HttpRequest, agreement_id: int) -> AgreementOut:
    return _agreement_out(access_agreement(api_actor(request), agreement_id))


@router.post(
    "/agreements/versions",
    response={200: VersionCreatedOut, 201: VersionCreatedOut, 422: ErrorsOut},
    openapi_extra=_DOCUMENT_BODY,
    summary="Load a document as a new draft version (idempotent)",
)
def create_version(request: HttpRequest) -> Status[VersionCreatedOut]:
    content_type = request.content_type or ""
    fmt: Format | None = (
        "json" if "json" in content_type else ("yaml" if "yaml" in content_type else None)
    )
    loaded = agreement_version_create(actor=api_actor(request), text=request.body, fmt=fmt)
    out = VersionCreatedOut(**_version_fields(loaded.version), created=loaded.created)
    return Status(201 if loaded.created else 200, out)


@router.get(
    "/agreements/versions/{int:version_id}",
    response=VersionDetailOut,
    summary="One version with its document",
)
def get_version(request: HttpRequest, version_id: int) -> VersionDetailOut:
    version = access_agreement_version(api_actor(request), version_id)
    return VersionDetailOut(**_version_fields(version), document=version.document)


@router.post(
    "/agreements/versions/{int:version_id}/propose",
    response={200: VersionOut, 409: ErrorsOut, 422: ErrorsOut},
    summary="Propose a draft (its effective date must be on or after the notice date)",
)
def propose_version(request: HttpRequest, version_id: int) -> VersionOut:
    actor = api_actor(request)
    version = access_agreement_version(actor, version_id)
    return VersionOut(**_version_fields(agreement_version_propose(actor=actor, version=version)))


@router.post(
    "/agreements/versions/{int:version_id}/accept",
    response=VersionOut,
    summary="Accept a proposal (client)",
)
def accept_version(request: HttpRequest, version_id: int) -> VersionOut:
    actor = api_actor(request)
    version = access_agreement_version(actor, version_id)
    return VersionOut(**_version_fields(agreement_version_accept(actor=actor, version=version)))


_ACTIVATE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "description": "Only for a change the client has not accepted, where the agreement "
        "permits the provider to put it in force without that acceptance: the written reason.",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"reason": {"type": "string", "maxLength": 2000}},
                    "additionalProperties": False,
                }
            }
        },
    }
}


def _override_reason(request: HttpRequest) -> str | None:
    """The optional JSON body's `reason`. Read by hand: the body is optional, and a request
    without one may come form-encoded."""
    if "json" not in (request.content_type or "") or not request.body:
        return None
    try:
        data = json.loads(request.body)
    except ValueError:
        raise ValidationFailed([FieldError("body", _("must be a JSON object"))]) from None
    if data is None:
        return None
    if not isinstance(data, dict) or set(data) - {"reason"}:
        raise ValidationFailed([FieldError("body", _("must be an object with only a reason"))])
    reason = data.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed([FieldError("reason", _("must be text"))])
    return reason


@router.post(
    "/agreements/versions/{int:version_id}/activate",
    response={200: VersionOut, 409: ErrorsOut, 422: ErrorsOut},
    openapi_extra=_ACTIVATE_BODY,
    summary="Activate a proposal (with the client's acceptance where the agreement requires it)",
)
def activate_version(request: HttpRequest, version_id: int) -> VersionOut:
    actor = api_actor(request)
    version = access_agreement_version(actor, version_id)
    reason = _override_reason(request)
    activated = agreement_version_activate(actor=actor, version=version, override_reason=reason)
    return VersionOut(**_version_fields(activated))


class ExportQuery(Schema):
    format: Literal["yaml", "json"] = "yaml"


@router.get(
    "/agreements/versions/{int:version_id}/export",
    summary="The version as a YAML or JSON document",
    response={200: str},
)
def export_version(
    request: HttpRequest, version_id: int, query: Query[ExportQuery]
) -> HttpResponse:
    version = access_agreement_version(api_actor(request), version_id)
    text, content_type = document_export(version.document, query.format)
    response = HttpResponse(text, content_type=content_type)
    name = f"{version.agreement.reference}-v{version.number}.{query.format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class InForceQuery(Schema):
    at: QueryInstant | None = None


@router.get(
    "/clients/{code}/agreement-in-force",
    response=VersionDetailOut,
    summary="The agreement version in force at an instant (default now)",
)
def in_force(request: HttpRequest, code: str, query: Query[InForceQuery]) -> VersionDetailOut:
    client = access_client(api_actor(request), code, permission=Permission.AGREEMENT_VIEW)
    at = query.at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at, UTC)
    try:
        at = at.astimezone(UTC)  # PostgreSQL refuses UTC offsets beyond ±15:59
    except OverflowError:
        raise ValidationFailed([FieldError("at", _("the time is out of range"))]) from None
    version = agreement_version_in_force(client, at)
    if version is None:
        raise NotFound
    return VersionDetailOut(**_version_fields(version), document=version.document)
