"""API: generated reports (list, one with its content, downloads) and generating one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Schema, Status

from pactline.common.errors import NotFound
from pactline.common.inputs import Day, SafeStr
from pactline.reports.access import (
    access_generated_report,
    access_reports,
    access_reports_generate,
)
from pactline.reports.models import GeneratedReport
from pactline.reports.renderers import CONTENT_TYPES
from pactline.reports.selectors import generated_report_list, report_file
from pactline.reports.services import file_name, report_generate
from pactline.tenancy.http import api_actor

router = Router(tags=["reports"])

Format = Literal["html", "pdf", "csv", "xlsx"]


class ReportFileOut(Schema):
    format: str
    size: int
    sha256: str
    url: str


class ReportOut(Schema):
    id: int
    client: str
    report_name: str
    frequency: str
    period_start: date
    period_end: date
    language: str
    version: int
    content_hash: str
    created_at: datetime
    created_by: str
    emailed_at: datetime | None
    emailed_to: list[str]
    settled_at: datetime | None  # checked against late data when the delivery window closed
    # The client's audit chain head when issued, CLIENT:SEQUENCE:MAC for `pactline audit
    # verify --anchor` ("" before anchors were recorded).
    audit_anchor: str
    files: list[ReportFileOut]


class ReportDetailOut(ReportOut):
    content: dict[str, Any]


class ReportCreatedOut(ReportOut):
    created: bool


class ErrorItem(Schema):
    path: str
    message: str
    line: int | None


class ErrorsOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


def _fields(report: GeneratedReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "client": report.client.code,
        "report_name": report.report_name,
        "frequency": report.frequency,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "language": report.language,
        "version": report.version,
        "content_hash": report.content_hash,
        "created_at": report.created_at,
        "created_by": report.created_by,
        "emailed_at": report.emailed_at,
        "emailed_to": list(report.emailed_to or []),
        "settled_at": report.settled_at,
        "audit_anchor": report.audit_anchor,
        "files": [
            ReportFileOut(
                format=stored.format,
                size=stored.size,
                sha256=stored.sha256,
                url=f"/api/v1/reports/{report.pk}/download/{stored.format}",
            )
            for stored in report.files.all()
        ],
    }


class ReportsQuery(Schema):
    client: SafeStr | None = None
    report_name: SafeStr | None = None
    period_start: Day | None = None
    limit: int = 100


@router.get("/reports", response=list[ReportOut], summary="Generated reports, newest first")
def list_reports(request: HttpRequest, query: Query[ReportsQuery]) -> list[ReportOut]:
    actor = api_actor(request)
    client = access_reports(actor, query.client) if query.client is not None else None
    reports = generated_report_list(actor=actor, client=client)
    if query.report_name is not None:
        if "\x00" in query.report_name:  # no name holds one; PostgreSQL refuses to compare it
            return []
        reports = reports.filter(report_name=query.report_name)
    if query.period_start is not None:
        reports = reports.filter(period_start=query.period_start)
    limit = min(max(query.limit, 1), 500)
    return [ReportOut(**_fields(report)) for report in reports[:limit]]


@router.get("/reports/{int:report_id}", response=ReportDetailOut, summary="One report")
def get_report(request: HttpRequest, report_id: int) -> ReportDetailOut:
    report = access_generated_report(api_actor(request), report_id)
    return ReportDetailOut(**_fields(report), content=report.content)


@router.get(
    "/reports/{int:report_id}/download/{fmt}",
    summary="One format of a report as a file",
    response={200: str},
)
def download_report(request: HttpRequest, report_id: int, fmt: Format) -> FileResponse:
    report = access_generated_report(api_actor(request), report_id)
    stored = report_file(report, fmt)
    if stored is None:
        raise NotFound
    try:
        handle = default_storage.open(str(stored.file.name), "rb")
    except OSError:
        raise NotFound from None
    return FileResponse(
        handle, as_attachment=True, filename=file_name(report, fmt), content_type=CONTENT_TYPES[fmt]
    )


class GenerateIn(Schema):
    client: SafeStr
    report_name: SafeStr
    period_start: Day


@router.post(
    "/reports",
    response={200: ReportCreatedOut, 201: ReportCreatedOut, 422: ErrorsOut},
    summary="Generate a report for a period that has ended (idempotent)",
)
def generate_report(request: HttpRequest, payload: GenerateIn) -> Status[ReportCreatedOut]:
    actor = api_actor(request)
    client = access_reports_generate(actor, payload.client)
    generated = report_generate(
        actor=actor,
        client=client,
        report_name=payload.report_name,
        period_start=payload.period_start,
    )
    out = ReportCreatedOut(**_fields(generated.report), created=generated.created)
    return Status(201 if generated.created else 200, out)
