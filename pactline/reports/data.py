"""A report's content for (client, report spec, period), built from the rollups and cases.

Periods are local days in the client's time zone (`client_zone`): a day, a Monday-to-Sunday
week, a month or a quarter. Queue, handling, response and survey KPIs come from the interval
rollups (one read, `cube.Cube`); service levels are measured per part of the period under the
agreement version in force in it (`service_levels.versions_between`), with that version's
metrics, variants and targets. Resolution rate, escalations, common issues and backlog are
counts over cases and their SLA events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from pactline.agreements.models import AgreementVersion
from pactline.agreements.selectors import agreement_version_in_force
from pactline.agreements.terms import fcr_window_days
from pactline.common.errors import FieldError, NotFound, ValidationFailed
from pactline.core.agreement import AgreementDocument
from pactline.core.agreement.operations import Report
from pactline.core.agreement.service_levels import (
    AbandonRateMetric,
    AhtMetric,
    ClockMetric,
    FcrMetric,
    FirstResponseMetric,
    ServiceLevelMetric,
)
from pactline.core.kpi import (
    AnyMetric,
    KpiValue,
    UntrackedThreshold,
    abandon_rate,
    aht,
    asa,
    average_abandon_time,
    average_acw,
    average_hold,
    average_talk,
    csat,
    evaluate_metric,
    fcr,
    first_response_time,
    first_response_within_target,
    nps,
    resolution_time,
    resolution_within_target,
    tracked_thresholds,
    verdict,
    volume_of,
)
from pactline.metrics.intervals import INTERVAL, local_midnight
from pactline.metrics.periods import period_bounds, period_of, previous_period
from pactline.metrics.selectors import ClockTotals, Measured
from pactline.metrics.service_levels import UNTRACKED, clocks_pending, versions_between
from pactline.metrics.timezones import client_zone
from pactline.reports import content as c
from pactline.reports.case_sections import CaseSections
from pactline.reports.cube import Cube
from pactline.tenancy.models import Client

UNAVAILABLE = ("service_credits", "qa_scores", "staffing")  # not measured by Pactline yet
TREND_LINES = 4  # service levels drawn against their target, at most


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    start: datetime  # UTC
    end: datetime
    zone: ZoneInfo

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class ReportSpec:
    """A report as the agreement version in force at the period's end defines it."""

    version: AgreementVersion
    terms: AgreementDocument
    report: Report

    @property
    def language(self) -> str:
        return self.report.language or self.terms.language

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self.report.channels) or tuple(self.terms.channels)


def report_period(client: Client, frequency: str, first: date) -> Period:
    """The period of `frequency` that starts on local day `first`; an error otherwise."""
    start_day, last = period_of(frequency, first)
    if start_day != first:
        raise ValidationFailed(
            [FieldError("period_start", f"{first} does not start a {frequency} period")]
        )
    zone = client_zone(client)
    start, end = period_bounds(first, last, zone)
    return Period(first, last, start, end, zone)


def report_spec(client: Client, report_name: str, at: datetime) -> ReportSpec:
    """The report named `report_name` of the agreement version in force at `at`."""
    version = agreement_version_in_force(client, at)
    if version is None:
        raise NotFound
    document = version.terms
    for report in document.reporting.reports:
        if report.name == report_name:
            return ReportSpec(version, document, report)
    raise NotFound


def _kpi(value: KpiValue) -> c.Kpi:
    return c.Kpi.of(value)


def _evaluate(metric: AnyMetric, channel: str, name: str, measured: Measured) -> c.LevelResult:
    clocks = None
    if isinstance(metric, ClockMetric):
        clocks = measured.clocks.get(f"{channel}.{name}", ClockTotals()).counts
    try:
        value = evaluate_metric(metric, measured.measures, clocks)
    except UntrackedThreshold:
        value = KpiValue(None, Decimal(0), Decimal(0), "percent", UNTRACKED)
        return c.LevelResult(
            channel=channel,
            name=name,
            metric=metric.model_dump(mode="json"),
            value=_kpi(value),
            volume=0,
            verdict="not_measured",
        )
    volume = volume_of(metric, measured.measures, clocks)
    return c.LevelResult(
        channel=channel,
        name=name,
        metric=metric.model_dump(mode="json"),
        value=_kpi(value),
        volume=volume,
        verdict=verdict(metric, value, volume),
    )


def _target(metric: AnyMetric) -> Decimal:
    for name in ("target_percent", "target", "max_percent", "max_seconds"):
        value = getattr(metric, name, None)
        if value is not None:
            return Decimal(value)
    return Decimal(0)


class _Builder(CaseSections):
    def __init__(self, client: Client, spec: ReportSpec, period: Period) -> None:
        self.client = client
        self.spec = spec
        self.period = period
        self.zone = period.zone
        self.frequency = spec.report.frequency
        self.first = period.first
        self.start, self.end = period.start, period.end
        self.channels = spec.channels
        self.cube = Cube(client.id, period.start, period.end, self.channels, self._thresholds())
        daily = spec.report.frequency == "daily"
        # Trends: per local hour in a daily report, per local day otherwise.
        if daily:
            hours = int((period.end - period.start) / timedelta(hours=1))
            self.trend_bounds = [period.start + timedelta(hours=n) for n in range(hours)]
            slots = int((period.end - period.start) / INTERVAL)
            self.volume_bounds = [period.start + INTERVAL * n for n in range(slots)]
        else:
            self.trend_bounds = [local_midnight(day, self.zone) for day in period.days]
            self.volume_bounds = self.trend_bounds
        self.volume_bucket = "interval" if daily else "day"

    def _thresholds(self) -> dict[str, set[int]]:
        """The wait thresholds each channel's metrics read, under every version of the period
        (service levels and their short abandons, abandonment)."""
        found: dict[str, set[int]] = {channel: set() for channel in self.channels}
        documents = [
            version.terms
            for version, _start, _end in versions_between(
                self.client, self.period.start, self.period.end
            )
        ] or [self.spec.terms]
        for document in documents:
            for channel, metrics in document.service_levels.items():
                if channel in found:
                    found[channel] |= tracked_thresholds(metrics.values())
        return found

    def levels_of(self, document: AgreementDocument, kind: type) -> dict[str, AnyMetric]:
        """The channel's first metric of `kind` in `document`, per channel."""
        found: dict[str, AnyMetric] = {}
        for channel, metrics in document.service_levels.items():
            for metric in metrics.values():
                if isinstance(metric, kind) and channel not in found:
                    found[channel] = metric
        return found

    def measured(self, channels: Sequence[str]) -> Measured:
        return self.cube.measured(channels=channels)

    # --- sections -------------------------------------------------------------------------

    def volume(self) -> c.Volume:
        def row(channel: str, channels: Sequence[str]) -> c.VolumeRow:
            m = self.measured(channels).measures
            answered = m.answered if channel == "phone" else m.first_responses
            if channel == "":
                answered = m.answered + m.first_responses
            return c.VolumeRow(
                channel=channel,
                offered=m.offered,
                answered=answered,
                abandoned=m.abandoned,
                callbacks=m.callbacks,
                handled=m.handled,
            )

        rows = [row(channel, (channel,)) for channel in self.channels]
        total = c.VolumeRow(
            channel="",
            **{
                name: sum(getattr(r, name) for r in rows)
                for name in ("offered", "answered", "abandoned", "callbacks", "handled")
            },
        )
        series = [
            c.VolumePoint(
                at=at,
                offered=m.measures.offered,
                answered=m.measures.answered + m.measures.first_responses,
                abandoned=m.measures.abandoned,
            )
            for at, m in zip(
                self.volume_bounds,
                self.cube.series(self.volume_bounds, channels=self.channels, end=self.period.end),
                strict=True,
            )
        ]
        return c.Volume(rows=rows, total=total, bucket=self.volume_bucket, series=series)

    def response_times(self) -> list[c.ResponseTimesRow]:
        rows = []
        for channel in self.channels:
            m = self.measured((channel,)).measures
            rows.append(
                c.ResponseTimesRow(
                    channel=channel,
                    first_response_business=_kpi(first_response_time(m, basis="business")),
                    first_response_calendar=_kpi(first_response_time(m, basis="calendar")),
                    first_response_within=_kpi(first_response_within_target(m)),
                    resolution_business=_kpi(resolution_time(m, basis="business")),
                    resolution_calendar=_kpi(resolution_time(m, basis="calendar")),
                    resolution_within=_kpi(resolution_within_target(m)),
                )
            )
        return rows

    def service_levels(self) -> c.ServiceLevels:
        segments = []
        for version, begin, finish in versions_between(
            self.client, self.period.start, self.period.end
        ):
            document = version.terms
            results = [
                _evaluate(
                    metric,
                    channel,
                    name,
                    self.cube.measured(
                        channels=(channel,),
                        priorities=metric.applies_to_priorities,
                        start=begin,
                        end=finish,
                    ),
                ).model_copy(
                    update={
                        "pending": clocks_pending(
                            self.client.id,
                            f"{channel}.{name}",
                            metric.applies_to_priorities,
                            finish,
                        )
                        if isinstance(metric, ClockMetric)
                        else 0
                    }
                )
                for channel, metrics in document.service_levels.items()
                if channel in self.channels
                for name, metric in metrics.items()
            ]
            segments.append(
                c.LevelSegment(
                    agreement=document.reference,
                    version=version.number,
                    start=begin,
                    end=finish,
                    results=results,
                )
            )
        return c.ServiceLevels(segments=segments, trends=self._level_trends())

    def _level_trends(self) -> list[c.LevelTrend]:
        """Service levels (else first-response compliance) per bucket, under the version in
        force at the period's end."""
        document = self.spec.terms
        chosen: list[tuple[str, str, AnyMetric]] = []
        for kind in (ServiceLevelMetric, FirstResponseMetric):
            for kind_channel, metrics in document.service_levels.items():
                if kind_channel in self.channels:
                    chosen.extend(
                        (kind_channel, name, metric)
                        for name, metric in metrics.items()
                        if isinstance(metric, kind)
                    )
            if chosen:
                break
        chosen = chosen[:TREND_LINES]
        trends = []
        for channel, name, metric in chosen:
            buckets = self.cube.series(
                self.trend_bounds,
                channels=(channel,),
                priorities=metric.applies_to_priorities,
                end=self.period.end,
            )
            points = [
                c.TrendPoint(at=at, value=_evaluate(metric, channel, name, measured).value.value)
                for at, measured in zip(self.trend_bounds, buckets, strict=True)
            ]
            trends.append(
                c.LevelTrend(
                    channel=channel,
                    name=name,
                    kind=metric.kind,
                    description=metric.description,
                    target=_target(metric),
                    points=points,
                )
            )
        return trends

    def abandon_rate(self) -> list[c.AbandonRow]:
        metrics = self.levels_of(self.spec.terms, AbandonRateMetric)
        rows = []
        for channel in self.channels:
            m = self.measured((channel,)).measures
            metric = metrics.get(channel)
            if metric is None and channel != "phone" and not m.abandoned:
                continue  # async channels have no queue to abandon
            assert metric is None or isinstance(metric, AbandonRateMetric)  # noqa: S101
            try:
                rate = (
                    abandon_rate(
                        m, variant=metric.variant, short_abandon=metric.short_abandon_seconds
                    )
                    if metric is not None
                    else abandon_rate(m, variant="queued")
                )
            except UntrackedThreshold:
                rate = abandon_rate(m, variant="queued")
            rows.append(
                c.AbandonRow(
                    channel=channel,
                    rate=_kpi(rate),
                    average_abandon_time=_kpi(average_abandon_time(m)),
                )
            )
        return rows

    def _aht(self, channel: str, m: Measured) -> KpiValue:
        metric = self.levels_of(self.spec.terms, AhtMetric).get(channel)
        if isinstance(metric, AhtMetric):
            return aht(
                m.measures, includes_hold=metric.includes_hold, includes_acw=metric.includes_acw
            )
        return aht(m.measures)

    def aht(self) -> c.Aht:
        metrics = self.levels_of(self.spec.terms, AhtMetric)
        channels = [ch for ch in self.channels if ch == "phone" or ch in metrics]
        rows = []
        for channel in channels:
            measured = self.measured((channel,))
            m = measured.measures
            rows.append(
                c.AhtRow(
                    channel=channel,
                    aht=_kpi(self._aht(channel, measured)),
                    talk=_kpi(average_talk(m)),
                    hold=_kpi(average_hold(m)),
                    acw=_kpi(average_acw(m)),
                    asa=_kpi(asa(m)),
                )
            )
        trend_channel = "phone" if "phone" in channels else (channels[0] if channels else None)
        trend = []
        if trend_channel is not None:
            buckets = self.cube.series(
                self.trend_bounds, channels=(trend_channel,), end=self.period.end
            )
            trend = [
                c.TrendPoint(at=at, value=self._aht(trend_channel, measured).value)
                for at, measured in zip(self.trend_bounds, buckets, strict=True)
            ]
        return c.Aht(rows=rows, trend=trend)

    def fcr(self) -> list[c.FcrRow]:
        metrics = self.levels_of(self.spec.terms, FcrMetric)
        rows = []
        for channel in self.channels:
            m = self.measured((channel,)).measures
            metric = metrics.get(channel)
            if isinstance(metric, FcrMetric):
                value = fcr(m, method=metric.method, window_days=metric.window_days)
            else:
                window = fcr_window_days(self.spec.version.terms, channel)
                value = fcr(m, method="repeat_contact", window_days=window)
            rows.append(c.FcrRow(channel=channel, fcr=_kpi(value)))
        return rows

    def csat(self) -> c.Csat:
        rows = [
            c.CsatRow(
                channel=channel,
                top2box=_kpi(csat(m, method="top2box")),
                mean=_kpi(csat(m, method="mean")),
            )
            for channel in (*self.channels, "")
            for m in [self.measured((channel,) if channel else self.channels).measures]
        ]
        buckets = self.cube.series(self.trend_bounds, channels=self.channels, end=self.period.end)
        trend = [
            c.TrendPoint(at=at, value=csat(measured.measures, method="top2box").value)
            for at, measured in zip(self.trend_bounds, buckets, strict=True)
        ]
        return c.Csat(rows=rows, trend=trend)

    def nps(self) -> list[c.NpsRow]:
        return [
            c.NpsRow(channel=channel, nps=_kpi(nps(m)))
            for channel in (*self.channels, "")
            for m in [self.measured((channel,) if channel else self.channels).measures]
        ]


_SECTIONS = (
    "volume",
    "response_times",
    "resolution_rate",
    "service_levels",
    "abandon_rate",
    "aht",
    "fcr",
    "csat",
    "nps",
    "escalations",
    "common_issues",
    "backlog",
)


def report_content(client: Client, spec: ReportSpec, period: Period) -> c.ReportContent:
    """Everything the report's `contents` ask for, over `period`."""
    builder = _Builder(client, spec, period)
    previous = previous_period(spec.report.frequency, period.first)
    sections = {
        name: getattr(builder, name)() for name in _SECTIONS if name in spec.report.contents
    }
    return c.ReportContent(
        client_code=client.code,
        client_name=client.name,
        report_name=spec.report.name,
        frequency=spec.report.frequency,
        language=spec.language,
        timezone=builder.zone.key,
        period_start=period.first,
        period_end=period.last,
        previous_start=previous[0],
        previous_end=previous[1],
        start=period.start,
        end=period.end,
        agreement=spec.terms.reference,
        versions=sorted(
            {version.number for version, _, _ in versions_between(client, period.start, period.end)}
            or {spec.version.number}
        ),
        contents=list(spec.report.contents),
        channels=list(builder.channels),
        unavailable=[name for name in spec.report.contents if name in UNAVAILABLE],
        **sections,
    )
