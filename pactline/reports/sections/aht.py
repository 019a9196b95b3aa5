"""Handle time: average handle time and its parts (talk, hold, after-call work) and the
average speed of answer per channel, with the handle time's trend."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from pactline.core.agreement.service_levels import AhtMetric
from pactline.core.kpi import KpiValue, aht, asa, average_acw, average_hold, average_talk
from pactline.metrics.selectors import Measured
from pactline.reports.content import Kpi, Model, TrendPoint
from pactline.reports.formatting import Section, Table, channel_cell, kpi_cell, notes_of, title_of
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter, charts


class AhtRow(Model):
    channel: str
    aht: Kpi
    talk: Kpi
    hold: Kpi
    acw: Kpi
    asa: Kpi


class Aht(Model):
    rows: list[AhtRow]
    trend: list[TrendPoint]


def _aht(ctx: BuildContext, channel: str, m: Measured) -> KpiValue:
    metric = ctx.levels_of(ctx.spec.terms, AhtMetric).get(channel)
    if isinstance(metric, AhtMetric):
        return aht(m.measures, includes_hold=metric.includes_hold, includes_acw=metric.includes_acw)
    return aht(m.measures)


def build(ctx: BuildContext) -> Aht:
    metrics = ctx.levels_of(ctx.spec.terms, AhtMetric)
    channels = [ch for ch in ctx.channels if ch == "phone" or ch in metrics]
    rows = []
    for channel in channels:
        measured = ctx.measured((channel,))
        m = measured.measures
        rows.append(
            AhtRow(
                channel=channel,
                aht=Kpi.of(_aht(ctx, channel, measured)),
                talk=Kpi.of(average_talk(m)),
                hold=Kpi.of(average_hold(m)),
                acw=Kpi.of(average_acw(m)),
                asa=Kpi.of(asa(m)),
            )
        )
    trend_channel = "phone" if "phone" in channels else (channels[0] if channels else None)
    trend = []
    if trend_channel is not None:
        buckets = ctx.cube.series(ctx.trend_bounds, channels=(trend_channel,), end=ctx.period.end)
        trend = [
            TrendPoint(at=at, value=_aht(ctx, trend_channel, measured).value)
            for at, measured in zip(ctx.trend_bounds, buckets, strict=True)
        ]
    return Aht(rows=rows, trend=trend)


def present(handle: Aht, p: Presenter) -> Section:
    columns = [
        _("Average handle time"),
        _("Average talk"),
        _("Average hold"),
        _("Average after-call work"),
        _("Average speed of answer"),
    ]
    table = Table("aht", _("Handle time and its parts"), [_("Channel"), *columns])
    pairs: list[tuple[str, Kpi]] = []
    for row in handle.rows:
        kpis = [row.aht, row.talk, row.hold, row.acw, row.asa]
        table.rows.append([channel_cell(row.channel), *(kpi_cell(k) for k in kpis)])
        pairs.extend(zip(columns, kpis, strict=True))
    table.notes = notes_of(pairs)
    section = Section("aht", title_of("aht"), [table])
    if handle.trend:
        labels = p.bucket_labels([point.at for point in handle.trend], p.trend_bucket)
        values = [
            None if point.value is None else point.value / Decimal(60) for point in handle.trend
        ]
        section.charts = p.chart(
            "aht",
            _("Average handle time (minutes)"),
            lambda: charts().trend_chart(
                labels,
                [(_("Average handle time"), values, None)],
                unit=_("min"),
                target_label=_("target"),
            ),
        )
    return section


SECTION = register(ReportSection("aht", Aht, build, present))
