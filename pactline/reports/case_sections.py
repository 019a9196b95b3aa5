"""The sections of a report counted over cases and their SLA events rather than rollups:
resolution rate, escalations, common issues (with the previous equal period) and backlog."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_noop

from pactline.cases.models import CLOSED_STATUSES, Case, SlaEvent, SlaEventKind, TimelineEntry
from pactline.core.kpi.values import percent
from pactline.metrics.intervals import local_midnight
from pactline.metrics.periods import previous_period
from pactline.reports import content as c
from pactline.tenancy.models import Client

TOP_ISSUES = 10
SAMPLES = 3

RESOLUTION_RATE = gettext_noop(
    "Cases opened in the period and resolved by its end, as a share of cases opened in the period."
)


class CaseSections:
    """Mixed into the report builder, which sets these."""

    client: Client
    channels: tuple[str, ...]
    frequency: str
    first: date  # the period's first local day
    start: datetime
    end: datetime
    zone: ZoneInfo

    def _cases(self) -> Q:
        return Q(client_id=self.client.id, channel__in=list(self.channels))

    def resolution_rate(self) -> c.Resolution:
        opened_in_period = Case.objects.filter(
            self._cases(), opened_at__gte=self.start, opened_at__lt=self.end
        )
        opened = dict(
            opened_in_period.values("channel").annotate(n=Count("id")).values_list("channel", "n")
        )
        still_open = dict(
            self._open_at_end(opened_in_period)
            .values("channel")
            .annotate(n=Count("id"))
            .values_list("channel", "n")
        )
        counts = {channel: (n, n - still_open.get(channel, 0)) for channel, n in opened.items()}

        def row(channel: str, opened: int, resolved: int) -> c.ResolutionRow:
            rate = percent(resolved, opened, definition=RESOLUTION_RATE)
            return c.ResolutionRow(
                channel=channel, opened=opened, resolved=resolved, rate=c.Kpi.of(rate)
            )

        rows = [row(channel, *counts.get(channel, (0, 0))) for channel in self.channels]
        total = row("", sum(r.opened for r in rows), sum(r.resolved for r in rows))
        return c.Resolution(rows=rows, total=total)

    def escalations(self) -> c.Escalations:
        events = SlaEvent.objects.filter(
            client_id=self.client.id,
            occurred_at__gte=self.start,
            occurred_at__lt=self.end,
            suppressed=False,
            case__channel__in=list(self.channels),
        )
        kinds = Counter(
            dict(events.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
        )
        levels = [
            c.EscalationLevelCount(level=level, count=count)
            for level, count in events.filter(kind=SlaEventKind.ESCALATION)
            .values_list("level")
            .annotate(n=Count("id"))
            .values_list("level", "n")
            .order_by("level")
        ]
        cases = (
            events.filter(kind__in=(SlaEventKind.BREACH, SlaEventKind.ESCALATION))
            .values("case_id")
            .distinct()
            .count()
        )
        return c.Escalations(
            warnings=kinds[SlaEventKind.WARNING],
            breaches=kinds[SlaEventKind.BREACH],
            escalations=kinds[SlaEventKind.ESCALATION],
            cases=cases,
            levels=levels,
        )

    def common_issues(self) -> c.CommonIssues:
        first, _last = previous_period(self.frequency, self.first)
        previous_start = local_midnight(first, self.zone)

        def tally(
            start: datetime, end: datetime, samples: bool
        ) -> tuple[int, Counter[str], Counter[str], dict[str, list[int]], dict[str, list[int]]]:
            categories: Counter[str] = Counter()
            tags: Counter[str] = Counter()
            category_samples: dict[str, list[int]] = {}
            tag_samples: dict[str, list[int]] = {}
            total = 0
            rows = (
                Case.objects.filter(self._cases(), opened_at__gte=start, opened_at__lt=end)
                .order_by("opened_at", "id")
                .values_list("id", "category", "tags")
            )
            for case_id, category, case_tags in rows.iterator(chunk_size=5000):
                total += 1
                categories[category] += 1
                if samples:
                    _sample(category_samples, category, case_id)
                for tag in _tags(case_tags):
                    tags[tag] += 1
                    if samples:
                        _sample(tag_samples, tag, case_id)
            return total, categories, tags, category_samples, tag_samples

        total, categories, tags, category_samples, tag_samples = tally(self.start, self.end, True)
        previous_total, previous_categories, previous_tags, _, _ = tally(
            previous_start, self.start, False
        )

        def top(
            counts: Counter[str], before: Counter[str], samples: dict[str, list[int]]
        ) -> list[c.IssueRow]:
            ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_ISSUES]
            return [
                c.IssueRow(code=code, count=count, previous=before[code], samples=samples[code])
                for code, count in ranked
            ]

        return c.CommonIssues(
            cases=total,
            previous_cases=previous_total,
            categories=top(categories, previous_categories, category_samples),
            tags=top(tags, previous_tags, tag_samples),
        )

    def _open_at_end(self, cases: QuerySet[Case]) -> QuerySet[Case]:
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

    def backlog(self) -> c.Backlog:
        open_at_end = (
            self._open_at_end(Case.objects.filter(self._cases(), opened_at__lt=self.end))
            .values("channel")
            .annotate(open=Count("id"), older=Count("id", filter=Q(opened_at__lt=self.start)))
        )
        found = {row["channel"]: (row["open"], row["older"]) for row in open_at_end}
        rows = [
            c.BacklogRow(
                channel=channel,
                open=found.get(channel, (0, 0))[0],
                opened_before_period=found.get(channel, (0, 0))[1],
            )
            for channel in self.channels
        ]
        return c.Backlog(rows=rows, total=sum(row.open for row in rows))


def _tags(value: object) -> Iterable[str]:
    if not isinstance(value, list):
        return ()
    return dict.fromkeys(str(tag) for tag in value if str(tag).strip())


def _sample(samples: dict[str, list[int]], code: str, case_id: int) -> None:
    found = samples.setdefault(code, [])
    if len(found) < SAMPLES:
        found.append(case_id)
