"""Customer satisfaction: CSAT (top-2-box) and the mean score per channel and overall, with
the top-2-box trend."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pactline.core.kpi import csat
from pactline.reports.content import Kpi, Model, TrendPoint
from pactline.reports.formatting import (
    Cell,
    Section,
    Table,
    channel_cell,
    kpi_cell,
    notes_of,
    number,
    title_of,
)
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter, charts


class CsatRow(Model):
    channel: str
    top2box: Kpi
    mean: Kpi


class Csat(Model):
    rows: list[CsatRow]
    trend: list[TrendPoint]


def build(ctx: BuildContext) -> Csat:
    rows = [
        CsatRow(
            channel=channel,
            top2box=Kpi.of(csat(m, method="top2box")),
            mean=Kpi.of(csat(m, method="mean")),
        )
        for channel in (*ctx.channels, "")
        for m in [ctx.measured((channel,) if channel else ctx.channels).measures]
    ]
    buckets = ctx.cube.series(ctx.trend_bounds, channels=ctx.channels, end=ctx.period.end)
    trend = [
        TrendPoint(at=at, value=csat(measured.measures, method="top2box").value)
        for at, measured in zip(ctx.trend_bounds, buckets, strict=True)
    ]
    return Csat(rows=rows, trend=trend)


def present(satisfaction: Csat, p: Presenter) -> Section:
    table = Table(
        "csat",
        _("Customer satisfaction"),
        [_("Channel"), _("CSAT (top-2-box)"), _("Mean score"), _("Responses")],
    )
    pairs: list[tuple[str, Kpi]] = []
    for row in satisfaction.rows:
        table.rows.append(
            [
                channel_cell(row.channel),
                kpi_cell(row.top2box),
                kpi_cell(row.mean),
                Cell(number(row.top2box.denominator), int(row.top2box.denominator)),
            ]
        )
        pairs += [(_("CSAT (top-2-box)"), row.top2box), (_("Mean score"), row.mean)]
    table.notes = notes_of(pairs)
    section = Section("csat", title_of("csat"), [table])
    if satisfaction.trend:
        labels = p.bucket_labels([point.at for point in satisfaction.trend], p.trend_bucket)
        section.charts = p.chart(
            "csat",
            _("CSAT (top-2-box) trend"),
            lambda: charts().trend_chart(
                labels,
                [(_("CSAT (top-2-box)"), [point.value for point in satisfaction.trend], None)],
                unit="%",
                target_label=_("target"),
            ),
        )
    return section


SECTION = register(ReportSection("csat", Csat, build, present))
