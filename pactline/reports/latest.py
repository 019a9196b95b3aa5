"""The newest generated reports of a client, for the portal dashboard's "latest reports"
fragment (the metrics portal loads it from the reports app, which sits above metrics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.urls import reverse

from pactline.metrics.dashboards.local_time import Stamp, stamp
from pactline.reports.selectors import generated_report_list
from pactline.tenancy.access import Actor
from pactline.tenancy.models import Client

LATEST_REPORTS = 5


@dataclass(frozen=True)
class ReportRow:
    name: str
    first: date
    last: date
    version: int
    generated: Stamp
    url: str


def latest_reports(
    *, actor: Actor, client: Client, zone: ZoneInfo, limit: int = LATEST_REPORTS
) -> list[ReportRow]:
    """The newest version of the latest generated reports."""
    rows: list[ReportRow] = []
    seen: set[tuple[str, date]] = set()
    reports = generated_report_list(actor=actor, client=client).order_by(
        "-period_start", "report_name", "-version"
    )
    for report in reports[: limit * 4]:
        key = (report.report_name, report.period_start)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            ReportRow(
                report.report_name,
                report.period_start,
                report.period_end,
                report.version,
                stamp(report.created_at, zone),
                reverse("reports:report", args=[report.pk]),
            )
        )
        if len(rows) == limit:
            break
    return rows
