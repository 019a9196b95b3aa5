"""Fetch-and-authorize for generated reports: read with `CLIENT_VIEW` (the client's users and
the provider's roles for that client), generate with `STATEMENT_ISSUE` (issuing a report to
the client is the same act as issuing a statement). A report of a client the actor cannot see
is `NotFound`, as for one that does not exist."""

from __future__ import annotations

from pactline.common.errors import NotFound
from pactline.reports.models import GeneratedReport
from pactline.tenancy.access import Actor, Permission, access_client, has_permission, require
from pactline.tenancy.models import Client


def access_reports(actor: Actor, code: str) -> Client:
    """The client, for its list of reports."""
    return access_client(actor, code, permission=Permission.CLIENT_VIEW)


def access_reports_generate(actor: Actor, code: str) -> Client:
    """The client, if the actor may generate its reports."""
    return access_client(actor, code, permission=Permission.STATEMENT_ISSUE)


def access_generated_report(actor: Actor, report_id: int) -> GeneratedReport:
    report = GeneratedReport.objects.select_related("client").filter(id=report_id).first()
    if report is None:
        raise NotFound
    require(actor, Permission.CLIENT_VIEW, report.client_id)
    return report


def can_generate_reports(actor: Actor, client: Client) -> bool:
    return has_permission(actor, Permission.STATEMENT_ISSUE, client.id)
