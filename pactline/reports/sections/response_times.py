"""Response times: average first response and resolution times per channel, in business
hours and in calendar time, and the shares within target."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pactline.core.kpi import (
    first_response_time,
    first_response_within_target,
    resolution_time,
    resolution_within_target,
)
from pactline.reports.content import Kpi, Model
from pactline.reports.formatting import Section, Table, channel_cell, kpi_cell, notes_of, title_of
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter


class ResponseTimesRow(Model):
    channel: str
    first_response_business: Kpi
    first_response_calendar: Kpi
    first_response_within: Kpi
    resolution_business: Kpi
    resolution_calendar: Kpi
    resolution_within: Kpi


class ResponseTimes(Model):
    rows: list[ResponseTimesRow]


def build(ctx: BuildContext) -> ResponseTimes:
    rows = []
    for channel in ctx.channels:
        m = ctx.measured((channel,)).measures
        rows.append(
            ResponseTimesRow(
                channel=channel,
                first_response_business=Kpi.of(first_response_time(m, basis="business")),
                first_response_calendar=Kpi.of(first_response_time(m, basis="calendar")),
                first_response_within=Kpi.of(first_response_within_target(m)),
                resolution_business=Kpi.of(resolution_time(m, basis="business")),
                resolution_calendar=Kpi.of(resolution_time(m, basis="calendar")),
                resolution_within=Kpi.of(resolution_within_target(m)),
            )
        )
    return ResponseTimes(rows=rows)


def present(times: ResponseTimes, p: Presenter) -> Section:
    columns = [
        _("First response (business hours)"),
        _("First response (calendar time)"),
        _("First responses within target"),
        _("Resolution (business hours)"),
        _("Resolution (calendar time)"),
        _("Resolutions within target"),
    ]
    table = Table(
        "response_times", _("Average response and resolution times"), [_("Channel"), *columns]
    )
    pairs: list[tuple[str, Kpi]] = []
    for row in times.rows:
        kpis = [
            row.first_response_business,
            row.first_response_calendar,
            row.first_response_within,
            row.resolution_business,
            row.resolution_calendar,
            row.resolution_within,
        ]
        table.rows.append([channel_cell(row.channel), *(kpi_cell(k) for k in kpis)])
        pairs.extend(zip(columns, kpis, strict=True))
    table.notes = notes_of(pairs)
    return Section("response_times", title_of("response_times"), [table])


SECTION = register(ReportSection("response_times", ResponseTimes, build, present))
