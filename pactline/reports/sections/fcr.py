"""First-contact resolution per channel, by the agreement's method and window where it
names one, else by repeat contact within the agreement's FCR window."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pactline.agreements.terms import fcr_window_days
from pactline.core.agreement.service_levels import FcrMetric
from pactline.core.kpi import fcr
from pactline.reports.content import Kpi, Model
from pactline.reports.formatting import (
    Cell,
    Section,
    Table,
    channel_cell,
    definition,
    kpi_cell,
    number,
    title_of,
)
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter


class FcrRow(Model):
    channel: str
    fcr: Kpi


class Fcr(Model):
    rows: list[FcrRow]


def build(ctx: BuildContext) -> Fcr:
    metrics = ctx.levels_of(ctx.spec.terms, FcrMetric)
    rows = []
    for channel in ctx.channels:
        m = ctx.measured((channel,)).measures
        metric = metrics.get(channel)
        if isinstance(metric, FcrMetric):
            value = fcr(m, method=metric.method, window_days=metric.window_days)
        else:
            window = fcr_window_days(ctx.spec.version.terms, channel)
            value = fcr(m, method="repeat_contact", window_days=window)
        rows.append(FcrRow(channel=channel, fcr=Kpi.of(value)))
    return Fcr(rows=rows)


def present(resolution: Fcr, p: Presenter) -> Section:
    table = Table(
        "fcr",
        _("First-contact resolution"),
        [_("Channel"), _("First-contact resolution"), _("Contacts"), _("Definition")],
        text_columns=(3,),
    )
    for row in resolution.rows:
        table.rows.append(
            [
                channel_cell(row.channel),
                kpi_cell(row.fcr),
                Cell(number(row.fcr.denominator), int(row.fcr.denominator)),
                Cell(definition(row.fcr), definition(row.fcr)),
            ]
        )
    return Section("fcr", title_of("fcr"), [table])


SECTION = register(ReportSection("fcr", Fcr, build, present))
