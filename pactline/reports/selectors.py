"""Reads of generated reports and of the reports an agreement owes, scoped by the actor."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from pactline.agreements.selectors import agreement_version_in_force
from pactline.core.agreement.operations import Report
from pactline.reports.content import ReportContent, content_upgrade, stored_digest
from pactline.reports.models import GeneratedReport, GeneratedReportFile
from pactline.tenancy.access import Actor, visible_clients
from pactline.tenancy.models import Client


def generated_report_list(
    *, actor: Actor, client: Client | None = None
) -> QuerySet[GeneratedReport]:
    """Generated reports of the clients the actor sees (or of one), newest period first."""
    reports = GeneratedReport.objects.filter(client__in=visible_clients(actor))
    if client is not None:
        reports = reports.filter(client=client)
    return reports.select_related("client").prefetch_related(
        Prefetch("files", queryset=GeneratedReportFile.objects.order_by("format"))
    )


def reports_owed(client: Client) -> tuple[str, list[Report]]:
    """The agreement's language and the reports the agreement in force owes the client
    (none without one)."""
    version = agreement_version_in_force(client, timezone.now())
    if version is None:
        return "en", []
    document = version.terms
    return document.language, list(document.reporting.reports)


def report_file(report: GeneratedReport, fmt: str) -> GeneratedReportFile | None:
    return report.files.filter(format=fmt).first()


def report_content(report: GeneratedReport) -> ReportContent:
    """The stored content, converted from the schema it was generated under."""
    return ReportContent.model_validate(content_upgrade(report.content))


def report_content_verifies(report: GeneratedReport) -> bool:
    """Whether the stored content is still the content that was hashed when generated."""
    return stored_digest(report.content) == report.content_hash
