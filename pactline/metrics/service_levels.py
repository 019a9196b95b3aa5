"""A client's service levels over a period, measured the way its agreement defines them.

The period is split where a new agreement version took effect: each part is measured under
the version in force in it, with that version's metrics, variants and targets."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from pactline.agreements.models import ACTIVATED, AgreementVersion
from pactline.cases.models import ClockStatus, SlaClock
from pactline.core.agreement.service_levels import ClockMetric
from pactline.core.kpi import (
    AnyMetric,
    ClockCounts,
    KpiValue,
    Measures,
    UntrackedThreshold,
    Verdict,
    evaluate_metric,
    verdict,
    volume_of,
)
from pactline.metrics.selectors import ClockTotals, Filter, Measured, measured_between
from pactline.tenancy.models import Client

# The definition a figure shows when the rollups cannot give it (pages translate it).
UNTRACKED = gettext_noop(
    "Not measured: the rollups do not count waits against this threshold yet (rebuild them)."
)


@dataclass(frozen=True)
class MetricResult:
    channel: str
    name: str
    metric: AnyMetric
    value: KpiValue
    volume: int
    verdict: Verdict
    pending: int = 0  # clock cycles still within target at the end: counted when decided


@dataclass(frozen=True)
class Segment:
    """A part of the period under one agreement version."""

    version: AgreementVersion
    start: datetime
    end: datetime
    results: tuple[MetricResult, ...]


def versions_between(
    client: Client, start: datetime, end: datetime
) -> list[tuple[AgreementVersion, datetime, datetime]]:
    """The versions in force during [start, end), each with the part it governs."""
    versions = [
        (version, version.effective_from)
        for version in AgreementVersion.objects.filter(
            client=client, status__in=ACTIVATED, effective_from__lt=end
        ).order_by("effective_from", "activated_at", "number")
        if version.effective_from is not None
    ]
    parts: list[tuple[AgreementVersion, datetime, datetime]] = []
    for index, (version, effective) in enumerate(versions):
        following = versions[index + 1][1] if index + 1 < len(versions) else end
        begin, finish = max(start, effective), min(end, following)
        if begin < finish:
            parts.append((version, begin, finish))
    return parts


def measured_value(
    metric: AnyMetric, measures: Measures, clocks: ClockCounts | None = None
) -> KpiValue:
    """The metric over the measures; a figure the rollups cannot give (a threshold they did
    not count waits against) is "not measured" with the reason as its definition, never an
    error: every page and statement that shows service levels reads them through here."""
    try:
        return evaluate_metric(metric, measures, clocks)
    except UntrackedThreshold as untracked:
        return KpiValue(
            None, Decimal(0), Decimal(0), "percent", UNTRACKED, {"threshold": untracked.threshold}
        )


@dataclass(frozen=True)
class PendingCounts:
    by_key_priority: dict[tuple[str, str], int]

    def of(self, key: str, priorities: Iterable[str] | None) -> int:
        """The pending cycles of clock `key` with one of `priorities` (None: any)."""
        wanted = None if priorities is None else set(priorities)
        return sum(
            count
            for (found, priority), count in self.by_key_priority.items()
            if found == key and (wanted is None or priority in wanted)
        )


def clocks_pending_counts(client_id: int, keys: Iterable[str], end: datetime) -> PendingCounts:
    """Cycles of the clocks `keys` started before `end` and not decided by then (not met, not
    breached, not stopped, and not running past their due time: those count as missed), per
    clock key and priority: one grouped count for every service level of a period."""
    decided = (
        Q(met_at__lt=end)
        | Q(breached_at__lt=end)
        | Q(stopped_at__lt=end)
        | Q(due_at__lt=end, state__in=(ClockStatus.RUNNING, ClockStatus.BREACHED))
    )
    rows = (
        SlaClock.objects.filter(client_id=client_id, key__in=sorted(set(keys)), started_at__lt=end)
        .exclude(decided)
        .order_by()
        .values("key", "priority")
        .annotate(count=Count("id"))
        .values_list("key", "priority", "count")
    )
    return PendingCounts({(key, priority): count for key, priority, count in rows})


def metric_result(
    client: Client,
    channel: str,
    name: str,
    metric: AnyMetric,
    start: datetime,
    end: datetime,
    pending: PendingCounts,
) -> MetricResult:
    """One service level over [start, end); `pending` holds the period's undecided clocks."""
    where = Filter(channels=(channel,), priorities=metric.applies_to_priorities)
    waiting = 0
    if isinstance(metric, ClockMetric):
        waiting = pending.of(f"{channel}.{name}", metric.applies_to_priorities)
    measured = measured_between(client.id, start, end, where)
    return metric_result_of(channel, name, metric, measured, pending=waiting)


def metric_result_of(
    channel: str, name: str, metric: AnyMetric, measured: Measured, *, pending: int = 0
) -> MetricResult:
    """The result of one service level over measures already read (of its channel and its
    priorities); `pending` counts its clocks still within target at the period's end."""
    clocks = None
    if isinstance(metric, ClockMetric):
        clocks = measured.clocks.get(f"{channel}.{name}", ClockTotals()).counts
    value = measured_value(metric, measured.measures, clocks)
    volume = volume_of(metric, measured.measures, clocks)
    return MetricResult(
        channel, name, metric, value, volume, verdict(metric, value, volume), pending
    )


def service_levels_measured(client: Client, start: datetime, end: datetime) -> list[Segment]:
    """Every service level of the agreement, per part of [start, end) under one version."""
    segments = []
    for version, begin, finish in versions_between(client, start, end):
        levels = version.terms.service_levels
        clock_keys = [
            f"{channel}.{name}"
            for channel, metrics in levels.items()
            for name, metric in metrics.items()
            if isinstance(metric, ClockMetric)
        ]
        # A period not over yet (a live page): pending as of now. One grouped count per part.
        pending = clocks_pending_counts(client.id, clock_keys, min(finish, timezone.now()))
        results = tuple(
            metric_result(client, channel, name, metric, begin, finish, pending)
            for channel, metrics in levels.items()
            for name, metric in metrics.items()
        )
        segments.append(Segment(version, begin, finish, results))
    return segments
