"""What a section's data builder reads from: the client, the report and its period, the
interval rollups of the period (one read, `cube.Cube`), the buckets of its trends, and the
cases of the reported channels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Q, QuerySet, Subquery

from pactline.agreements.models import AgreementVersion
from pactline.cases.models import CLOSED_STATUSES, Case, TimelineEntry
from pactline.core.agreement import AgreementDocument
from pactline.core.agreement.service_levels import ClockMetric
from pactline.core.kpi import AnyMetric, tracked_thresholds
from pactline.metrics.intervals import INTERVAL, local_midnight
from pactline.metrics.selectors import Measured
from pactline.metrics.service_levels import (
    PendingCounts,
    clocks_pending_counts,
    versions_between,
)
from pactline.reports.cube import Cube
from pactline.reports.spec import Period, ReportSpec
from pactline.tenancy.models import Client


class BuildContext:
    def __init__(self, client: Client, spec: ReportSpec, period: Period) -> None:
        self.client = client
        self.spec = spec
        self.period = period
        self.zone: ZoneInfo = period.zone
        self.frequency: str = spec.report.frequency
        self.first: date = period.first
        self.start: datetime = period.start
        self.end: datetime = period.end
        self.channels: tuple[str, ...] = spec.channels
        # The versions in force during the period, each with the part it governs (read once).
        self.versions: list[tuple[AgreementVersion, datetime, datetime]] = versions_between(
            client, period.start, period.end
        )
        self._pending: dict[datetime, PendingCounts] = {}
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
        self.cube = Cube(
            client.id,
            period.start,
            period.end,
            self.channels,
            self._thresholds(),
            cuts=[
                *self.trend_bounds,
                *self.volume_bounds,
                *(at for _version, begin, finish in self.versions for at in (begin, finish)),
            ],
        )

    def _thresholds(self) -> dict[str, set[int]]:
        """The wait thresholds each channel's metrics read, under every version of the period
        (service levels and their short abandons, abandonment)."""
        found: dict[str, set[int]] = {channel: set() for channel in self.channels}
        documents = [version.terms for version, _start, _end in self.versions] or [self.spec.terms]
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

    def pending(self, key: str, priorities: Sequence[str] | None, end: datetime) -> int:
        """Cycles of clock `key` still undecided at `end` (one grouped count per end)."""
        if end not in self._pending:
            keys = [
                f"{channel}.{name}"
                for version, _start, _end in self.versions
                for channel, metrics in version.terms.service_levels.items()
                for name, metric in metrics.items()
                if isinstance(metric, ClockMetric)
            ]
            self._pending[end] = clocks_pending_counts(self.client.id, keys, end)
        return self._pending[end].of(key, priorities)

    # --- cases ----------------------------------------------------------------------------

    def cases(self) -> Q:
        """The client's cases on the reported channels."""
        return Q(client_id=self.client.id, channel__in=list(self.channels))

    def open_at_end(self, cases: QuerySet[Case]) -> QuerySet[Case]:
        """The cases of `cases` that were neither resolved nor closed at the period's end.

        A case closed now and last resolved before the end was closed then; the rest (open
        now, or resolved since) are few, and each is judged by the status its timeline had at
        the end, so a case resolved then and reopened since counts as resolved, and a report
        regenerated later says what it said on the day."""
        status_at_end = Subquery(
            TimelineEntry.objects.filter(case_id=OuterRef("pk"), at__lt=self.end)
            .exclude(status="")
            .order_by("-at", "-seq")
            .values("status")[:1]
        )
        return (
            cases.exclude(status__in=CLOSED_STATUSES, resolved_at__lt=self.end)
            .annotate(status_at_end=status_at_end)
            .exclude(status_at_end__in=CLOSED_STATUSES)
        )
