"""Abandonment: the abandon rate per channel (the agreement's variant and short-abandon
threshold where it names one) and the average time to abandon."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pactline.core.agreement.service_levels import AbandonRateMetric
from pactline.core.kpi import UntrackedThreshold, abandon_rate, average_abandon_time
from pactline.reports.content import Kpi, Model
from pactline.reports.formatting import Section, Table, channel_cell, kpi_cell, notes_of, title_of
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter


class AbandonRow(Model):
    channel: str
    rate: Kpi
    average_abandon_time: Kpi


class Abandonment(Model):
    rows: list[AbandonRow]


def build(ctx: BuildContext) -> Abandonment:
    metrics = ctx.levels_of(ctx.spec.terms, AbandonRateMetric)
    rows = []
    for channel in ctx.channels:
        m = ctx.measured((channel,)).measures
        metric = metrics.get(channel)
        if metric is None and channel != "phone" and not m.abandoned:
            continue  # async channels have no queue to abandon
        assert metric is None or isinstance(metric, AbandonRateMetric)  # noqa: S101
        try:
            rate = (
                abandon_rate(m, variant=metric.variant, short_abandon=metric.short_abandon_seconds)
                if metric is not None
                else abandon_rate(m, variant="queued")
            )
        except UntrackedThreshold:
            rate = abandon_rate(m, variant="queued")
        rows.append(
            AbandonRow(
                channel=channel,
                rate=Kpi.of(rate),
                average_abandon_time=Kpi.of(average_abandon_time(m)),
            )
        )
    return Abandonment(rows=rows)


def present(abandonment: Abandonment, p: Presenter) -> Section:
    table = Table(
        "abandon_rate",
        _("Abandoned contacts"),
        [_("Channel"), _("Abandon rate"), _("Average abandon time")],
    )
    pairs: list[tuple[str, Kpi]] = []
    for row in abandonment.rows:
        table.rows.append(
            [channel_cell(row.channel), kpi_cell(row.rate), kpi_cell(row.average_abandon_time)]
        )
        pairs += [
            (_("Abandon rate"), row.rate),
            (_("Average abandon time"), row.average_abandon_time),
        ]
    table.notes = notes_of(pairs)
    return Section("abandon_rate", title_of("abandon_rate"), [table])


SECTION = register(ReportSection("abandon_rate", Abandonment, build, present))
