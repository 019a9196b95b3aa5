"""Resolution rate: cases opened in the period and resolved by its end, per channel."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pactline.cases.models import Case
from pactline.core.kpi.values import percent
from pactline.reports.content import Kpi, Model
from pactline.reports.formatting import (
    Section,
    Table,
    channel_cell,
    count,
    kpi_cell,
    notes_of,
    title_of,
)
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter

RESOLUTION_RATE = gettext_noop(
    "Cases opened in the period and resolved by its end, as a share of cases opened in the period."
)


class ResolutionRow(Model):
    channel: str
    opened: int
    resolved: int
    rate: Kpi


class Resolution(Model):
    rows: list[ResolutionRow]
    total: ResolutionRow


def build(ctx: BuildContext) -> Resolution:
    opened_in_period = Case.objects.filter(
        ctx.cases(), opened_at__gte=ctx.start, opened_at__lt=ctx.end
    )
    opened = dict(
        opened_in_period.values("channel").annotate(n=Count("id")).values_list("channel", "n")
    )
    still_open = dict(
        ctx.open_at_end(opened_in_period)
        .values("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    counts = {channel: (n, n - still_open.get(channel, 0)) for channel, n in opened.items()}

    def row(channel: str, opened: int, resolved: int) -> ResolutionRow:
        rate = percent(resolved, opened, definition=RESOLUTION_RATE)
        return ResolutionRow(channel=channel, opened=opened, resolved=resolved, rate=Kpi.of(rate))

    rows = [row(channel, *counts.get(channel, (0, 0))) for channel in ctx.channels]
    total = row("", sum(r.opened for r in rows), sum(r.resolved for r in rows))
    return Resolution(rows=rows, total=total)


def present(resolution: Resolution, p: Presenter) -> Section:
    table = Table(
        "resolution_rate",
        _("Resolution rate"),
        [
            _("Channel"),
            _("Cases opened"),
            _("Resolved by the period's end"),
            _("Resolution rate"),
        ],
    )
    for row in [*resolution.rows, resolution.total]:
        table.rows.append(
            [channel_cell(row.channel), count(row.opened), count(row.resolved), kpi_cell(row.rate)]
        )
    table.notes = notes_of([(_("Resolution rate"), resolution.total.rate)])
    return Section("resolution_rate", title_of("resolution_rate"), [table])


SECTION = register(ReportSection("resolution_rate", Resolution, build, present))
