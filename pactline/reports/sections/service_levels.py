"""Service levels: each service level of the agreement, measured per part of the period under
the version in force in it (with that version's metrics, variants and targets), its verdict
and the clock cycles still pending at the part's end; and up to `TREND_LINES` of them drawn
against their target per bucket."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import TypeAdapter

from pactline.agreements.presentation.labels import METRIC_KINDS, label
from pactline.agreements.presentation.sections import service_level_view
from pactline.core.agreement.service_levels import (
    ClockMetric,
    FirstResponseMetric,
    Metric,
    ServiceLevelMetric,
)
from pactline.core.kpi import (
    AnyMetric,
    KpiValue,
    UntrackedThreshold,
    evaluate_metric,
    verdict,
    volume_of,
)
from pactline.metrics.selectors import ClockTotals, Measured
from pactline.metrics.service_levels import UNTRACKED
from pactline.reports.content import Kpi, Model, TrendPoint
from pactline.reports.formatting import (
    VERDICTS,
    Cell,
    Section,
    Table,
    channel_cell,
    channel_name,
    count,
    definition,
    kpi_cell,
    title_of,
    unit_text,
    verdict_text,
)
from pactline.reports.sections.base import ReportSection, register
from pactline.reports.sections.building import BuildContext
from pactline.reports.sections.presenting import Presenter, charts

TREND_LINES = 4  # service levels drawn against their target, at most
_METRIC: TypeAdapter[Any] = TypeAdapter(Metric)


class LevelResult(Model):
    channel: str
    name: str
    metric: dict[str, Any]  # the agreement's metric as written (kind, variant, target, ...)
    value: Kpi
    volume: int
    verdict: str  # met / missed / not_measured
    pending: int = 0  # clock cycles within target at the end of the part, not counted yet


class LevelSegment(Model):
    """A part of the period under one agreement version."""

    agreement: str
    version: int
    start: datetime
    end: datetime
    results: list[LevelResult]


class LevelTrend(Model):
    channel: str
    name: str
    kind: str
    description: str | None  # the agreement's own words for the metric
    target: Decimal
    points: list[TrendPoint]


class ServiceLevels(Model):
    segments: list[LevelSegment]
    trends: list[LevelTrend]


# --- Data -----------------------------------------------------------------------------------


def evaluate(metric: AnyMetric, channel: str, name: str, measured: Measured) -> LevelResult:
    clocks = None
    if isinstance(metric, ClockMetric):
        clocks = measured.clocks.get(f"{channel}.{name}", ClockTotals()).counts
    try:
        value = evaluate_metric(metric, measured.measures, clocks)
    except UntrackedThreshold:
        value = KpiValue(None, Decimal(0), Decimal(0), "percent", UNTRACKED)
        return LevelResult(
            channel=channel,
            name=name,
            metric=metric.model_dump(mode="json"),
            value=Kpi.of(value),
            volume=0,
            verdict="not_measured",
        )
    volume = volume_of(metric, measured.measures, clocks)
    return LevelResult(
        channel=channel,
        name=name,
        metric=metric.model_dump(mode="json"),
        value=Kpi.of(value),
        volume=volume,
        verdict=verdict(metric, value, volume),
    )


def _target(metric: AnyMetric) -> Decimal:
    for name in ("target_percent", "target", "max_percent", "max_seconds"):
        value = getattr(metric, name, None)
        if value is not None:
            return Decimal(value)
    return Decimal(0)


def build(ctx: BuildContext) -> ServiceLevels:
    segments = []
    for version, begin, finish in ctx.versions:
        document = version.terms
        results = [
            evaluate(
                metric,
                channel,
                name,
                ctx.cube.measured(
                    channels=(channel,),
                    priorities=metric.applies_to_priorities,
                    start=begin,
                    end=finish,
                ),
            ).model_copy(
                update={
                    "pending": ctx.pending(
                        f"{channel}.{name}", metric.applies_to_priorities, finish
                    )
                    if isinstance(metric, ClockMetric)
                    else 0
                }
            )
            for channel, metrics in document.service_levels.items()
            if channel in ctx.channels
            for name, metric in metrics.items()
        ]
        segments.append(
            LevelSegment(
                agreement=document.reference,
                version=version.number,
                start=begin,
                end=finish,
                results=results,
            )
        )
    return ServiceLevels(segments=segments, trends=_trends(ctx))


def _trends(ctx: BuildContext) -> list[LevelTrend]:
    """Service levels (else first-response compliance) per bucket, under the version in
    force at the period's end."""
    document = ctx.spec.terms
    chosen: list[tuple[str, str, AnyMetric]] = []
    for kind in (ServiceLevelMetric, FirstResponseMetric):
        for kind_channel, metrics in document.service_levels.items():
            if kind_channel in ctx.channels:
                chosen.extend(
                    (kind_channel, name, metric)
                    for name, metric in metrics.items()
                    if isinstance(metric, kind)
                )
        if chosen:
            break
    trends = []
    for channel, name, metric in chosen[:TREND_LINES]:
        buckets = ctx.cube.series(
            ctx.trend_bounds,
            channels=(channel,),
            priorities=metric.applies_to_priorities,
            end=ctx.period.end,
        )
        points = [
            TrendPoint(at=at, value=evaluate(metric, channel, name, measured).value.value)
            for at, measured in zip(ctx.trend_bounds, buckets, strict=True)
        ]
        trends.append(
            LevelTrend(
                channel=channel,
                name=name,
                kind=metric.kind,
                description=metric.description,
                target=_target(metric),
                points=points,
            )
        )
    return trends


# --- Presentation ---------------------------------------------------------------------------


def verdict_pending(verdict: str, pending: int) -> str:
    """The verdict, and how many clock cycles were still within target at the end."""
    text = verdict_text(verdict)
    if not pending:
        return text
    return (
        text
        + " "
        + ngettext(
            "(%(n)s pending: within target at the end of the period)",
            "(%(n)s pending: within target at the end of the period)",
            pending,
        )
        % {"n": pending}
    )


def present(levels: ServiceLevels, p: Presenter) -> Section:
    section = Section("service_levels", title_of("service_levels"))
    several = len(levels.segments) > 1
    for segment in levels.segments:
        title = _("Service levels")
        if several:
            title = _("Service levels under version %(version)s, %(start)s – %(end)s") % {
                "version": segment.version,
                "start": formats.date_format(p.local(segment.start), "DATETIME_FORMAT"),
                "end": formats.date_format(p.local(segment.end), "DATETIME_FORMAT"),
            }
        table = Table(
            "service_levels",
            title,
            [
                _("Channel"),
                _("Service level"),
                _("Target"),
                _("Measured value"),
                _("Unit"),
                _("Volume"),
                _("Result"),
                _("Definition"),
            ],
            numeric_from=3,
            text_columns=(4, 6, 7),
        )
        for result in segment.results:
            metric = _METRIC.validate_python(result.metric)
            view = service_level_view(result.channel, result.name, metric)
            name = metric.description or label(METRIC_KINDS, metric.kind)
            shown = verdict_pending(result.verdict, result.pending)
            table.rows.append(
                [
                    channel_cell(result.channel),
                    Cell(name, name),
                    Cell(view.target, view.target),
                    kpi_cell(result.value),
                    Cell(unit_text(result.value.unit), unit_text(result.value.unit)),
                    count(result.volume),
                    Cell(shown, shown, css=VERDICTS.get(result.verdict, "")),
                    Cell(definition(result.value), definition(result.value)),
                ]
            )
        section.tables.append(table)
    if levels.trends:
        first = levels.trends[0]
        labels = p.bucket_labels([point.at for point in first.points], p.trend_bucket)
        lines = [
            (
                f"{channel_name(t.channel)} · {t.description or label(METRIC_KINDS, t.kind)}",
                [point.value for point in t.points],
                t.target,
            )
            for t in levels.trends
        ]
        title = (
            _("Service level against target per hour")
            if p.trend_bucket == "hour"
            else _("Service level against target per day")
        )
        section.charts = p.chart(
            "service_levels",
            title,
            lambda: charts().trend_chart(labels, lines, unit="%", target_label=_("target")),
        )
    if not levels.segments:
        section.notes.append(_("No agreement version was in force in this period."))
    return section


def verdict_counts(levels: ServiceLevels | None) -> dict[str, int]:
    """How many service levels were met, missed and not measured (a report's email)."""
    counts = {"met": 0, "missed": 0, "not_measured": 0}
    for segment in levels.segments if levels is not None else []:
        for result in segment.results:
            counts[result.verdict] = counts.get(result.verdict, 0) + 1
    return counts


SECTION = register(ReportSection("service_levels", ServiceLevels, build, present))
