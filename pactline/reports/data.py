"""A report's content for (client, report spec, period): each section the report's `contents`
ask for, built by its registered section (`pactline.reports.sections`) from the rollups and
the cases.

Periods are local days in the client's time zone (`spec.report_period`). Queue, handling,
response and survey KPIs come from the interval rollups (one read, `cube.Cube`); service levels
are measured per part of the period under the agreement version in force in it
(`service_levels.versions_between`), with that version's metrics, variants and targets.
Resolution rate, escalations, common issues and backlog are counts over cases and their SLA
events. A content the agreement names that no section builds is listed as not measured yet."""

from __future__ import annotations

from pactline.metrics.periods import previous_period
from pactline.reports import content as c
from pactline.reports.sections import registered, registered_section
from pactline.reports.sections.building import BuildContext
from pactline.reports.spec import Period, ReportSpec, report_period, report_spec
from pactline.tenancy.models import Client

__all__ = ["Period", "ReportSpec", "report_content", "report_period", "report_spec"]


def report_content(client: Client, spec: ReportSpec, period: Period) -> c.ReportContent:
    """Everything the report's `contents` ask for, over `period`."""
    context = BuildContext(client, spec, period)
    previous = previous_period(spec.report.frequency, period.first)
    contents = list(spec.report.contents)
    return c.ReportContent(
        client_code=client.code,
        client_name=client.name,
        report_name=spec.report.name,
        frequency=spec.report.frequency,
        language=spec.language,
        timezone=context.zone.key,
        period_start=period.first,
        period_end=period.last,
        previous_start=previous[0],
        previous_end=previous[1],
        start=period.start,
        end=period.end,
        agreement=spec.terms.reference,
        versions=sorted(
            {version.number for version, _, _ in context.versions} or {spec.version.number}
        ),
        contents=contents,
        channels=list(context.channels),
        sections={
            section.key: section.build(context)
            for section in registered()
            if section.key in contents
        },
        unavailable=[name for name in contents if registered_section(name) is None],
    )
