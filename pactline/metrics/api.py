"""API: compliance statements — list, get, issue, reissue.

Reading takes `CLIENT_VIEW` on the statement's client (another client's statement is 404, like
a missing one); issuing and reissuing take `STATEMENT_ISSUE` (the provider admin's). Figures
are the stored, unrounded decimals as strings; `definition` is the English template with its
`params`, and `definition_text` the same filled in, in the request's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from pactline.common.inputs import Day, SafeStr
from pactline.metrics.access import (
    access_statement,
    access_statement_issue,
    statement_clients,
)
from pactline.metrics.dashboards import definition_text, statement_list
from pactline.metrics.forms import check_period_day
from pactline.metrics.models import Statement
from pactline.metrics.statements import statement_issue, statement_reissue
from pactline.tenancy.access import Permission, access_client
from pactline.tenancy.http import api_actor

router = Router(tags=["statements"])

FrequencyIn = Literal["daily", "weekly", "monthly", "quarterly"]
CLIENT_CODE_MAX = 40  # Client.code


class ErrorItem(Schema):
    path: str
    message: str
    line: int | None


class ErrorsOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class DetailOut(Schema):
    detail: str


class ResultOut(Schema):
    channel: str
    name: str
    kind: str
    description: str
    critical: bool
    definition: str
    definition_text: str
    params: dict[str, Any]
    unit: str
    operator: str
    target: str
    value: str | None
    numerator: str | None
    denominator: str | None
    volume: int
    minimum_volume: int
    verdict: str


class SegmentOut(Schema):
    agreement_version: int
    agreement_version_id: int | None
    starts_at: datetime
    ends_at: datetime
    results: list[ResultOut]


class StatementOut(Schema):
    id: int
    client: str
    frequency: str
    period_start: date
    period_end: date
    timezone: str
    revision: int
    reason: str
    met: int
    missed: int
    not_measured: int
    issued_at: datetime
    issued_by: str
    content_hash: str
    superseded_by: int | None
    # The client's audit chain head when issued, CLIENT:SEQUENCE:MAC for `pactline audit
    # verify --anchor` ("" before anchors were recorded).
    audit_anchor: str


class StatementDetailOut(StatementOut):
    segments: list[SegmentOut]


class StatementCreatedOut(StatementDetailOut):
    created: bool


def _fields(statement: Statement) -> dict[str, Any]:
    return {
        "id": statement.pk,
        "client": statement.client.code,
        "frequency": statement.frequency,
        "period_start": statement.period_start,
        "period_end": statement.period_end,
        "timezone": statement.timezone,
        "revision": statement.revision,
        "reason": statement.reason,
        "met": statement.met,
        "missed": statement.missed,
        "not_measured": statement.not_measured,
        "issued_at": statement.issued_at,
        "issued_by": statement.issued_by,
        "content_hash": statement.content_hash,
        "superseded_by": statement.superseded_by_id,
        "audit_anchor": statement.audit_anchor,
    }


def _result(data: dict[str, Any]) -> ResultOut:
    params = dict(data.get("params") or {})
    return ResultOut(
        channel=data["channel"],
        name=data["name"],
        kind=data["kind"],
        description=data.get("description") or "",
        critical=bool(data.get("critical", True)),
        definition=data["definition"],
        definition_text=definition_text(data["definition"], params),
        params=params,
        unit=data["unit"],
        operator=data["operator"],
        target=data["target"],
        value=data.get("value"),
        numerator=data.get("numerator"),
        denominator=data.get("denominator"),
        volume=data["volume"],
        minimum_volume=data["minimum_volume"],
        verdict=data["verdict"],
    )


def _segments(statement: Statement) -> list[SegmentOut]:
    return [
        SegmentOut(
            agreement_version=segment["agreement_version"],
            agreement_version_id=segment.get("agreement_version_id"),
            starts_at=datetime.fromisoformat(segment["from"]),
            ends_at=datetime.fromisoformat(segment["to"]),
            results=[_result(result) for result in segment["results"]],
        )
        for segment in statement.content.get("segments", [])
    ]


def _detail(statement: Statement) -> StatementDetailOut:
    return StatementDetailOut(**_fields(statement), segments=_segments(statement))


class ListQuery(Schema):
    client: SafeStr | None = Field(None, max_length=CLIENT_CODE_MAX, description="A client code")
    frequency: FrequencyIn | None = None
    current: bool = Field(False, description="Only current revisions (not yet reissued)")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.get("/statements", response=list[StatementOut], summary="Compliance statements")
def list_statements(request: HttpRequest, query: Query[ListQuery]) -> list[StatementOut]:
    actor = api_actor(request)
    client = (
        access_client(actor, query.client, permission=Permission.CLIENT_VIEW)
        if query.client
        else None
    )
    rows = statement_list(clients=statement_clients(actor), client=client)
    if query.frequency is not None:
        rows = rows.filter(frequency=query.frequency)
    if query.current:
        rows = rows.filter(superseded_by__isnull=True)
    window = rows[query.offset : query.offset + query.limit]
    return [StatementOut(**_fields(statement)) for statement in window]


@router.get(
    "/statements/{int:statement_id}",
    response=StatementDetailOut,
    summary="One compliance statement with every result",
)
def get_statement(request: HttpRequest, statement_id: int) -> StatementDetailOut:
    return _detail(access_statement(api_actor(request), statement_id))


class IssueIn(Schema):
    client: SafeStr = Field(..., min_length=1, max_length=CLIENT_CODE_MAX)
    frequency: FrequencyIn = "monthly"
    period: Day = Field(..., description="Any day of the period (the client's local date)")


@router.post(
    "/statements",
    response={200: StatementCreatedOut, 201: StatementCreatedOut, 422: ErrorsOut},
    summary="Issue the statement of an ended period (an issued one is returned as it is)",
)
def issue_statement(request: HttpRequest, body: IssueIn) -> Status[StatementCreatedOut]:
    actor = api_actor(request)
    client = access_statement_issue(actor, body.client)
    check_period_day(body.period)
    statement, created = statement_issue(
        actor=actor, client=client, day=body.period, frequency=body.frequency
    )
    out = StatementCreatedOut(**_detail(statement).model_dump(), created=created)
    return Status(201 if created else 200, out)


class ReissueIn(Schema):
    reason: SafeStr = Field(..., description="Why the period is measured again")


@router.post(
    "/statements/{int:statement_id}/reissue",
    response={201: StatementDetailOut, 409: DetailOut, 422: ErrorsOut},
    summary="Measure a statement's period again as a new revision",
)
def reissue_statement(
    request: HttpRequest, statement_id: int, body: ReissueIn
) -> Status[StatementDetailOut]:
    actor = api_actor(request)
    statement = access_statement(actor, statement_id, for_write=True)
    replacement = statement_reissue(actor=actor, statement=statement, reason=body.reason)
    return Status(201, _detail(replacement))
