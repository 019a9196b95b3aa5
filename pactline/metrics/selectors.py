"""Reads of the rollups: the measures of a period for some filter, whole or per interval.

Every read is a SUM over 15-minute rows of one client (index: client, interval_start), so a
month is a few thousand rows per dimension whatever the contact volume. Callers pass times
already resolved to UTC instants (`intervals.local_day_bounds`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet, Sum

from pactline.core.kpi import ClockCounts, Measures, Within
from pactline.metrics.models import (
    CLOCK_SUMS,
    MEASURES,
    WITHIN_COUNTS,
    ClockRollup,
    Rollup,
    ThresholdRollup,
)


@dataclass(frozen=True)
class Filter:
    """Which rollup rows count: None means every value of that dimension."""

    channels: tuple[str, ...] | None = None
    queues: tuple[str, ...] | None = None
    agents: tuple[str, ...] | None = None
    priorities: tuple[str, ...] | None = None

    def narrowed(self, **changes: tuple[str, ...] | None) -> Filter:
        values = {
            "channels": self.channels,
            "queues": self.queues,
            "agents": self.agents,
            "priorities": self.priorities,
        }
        values.update(changes)
        return Filter(**values)


EVERYTHING = Filter()


@dataclass(frozen=True)
class ClockTotals:
    """Stopped cycles of one clock key, with their business and calendar seconds."""

    stopped: int = 0
    met: int = 0
    business_seconds: int = 0
    calendar_seconds: int = 0

    @property
    def counts(self) -> ClockCounts:
        return ClockCounts(met=self.met, stopped=self.stopped)


@dataclass(frozen=True)
class Measured:
    """A period's measures plus its clock totals by clock key (`<channel>.<metric>`)."""

    measures: Measures = field(default_factory=Measures)
    clocks: Mapping[str, ClockTotals] = field(default_factory=dict)


def _rows(
    model: type[Rollup] | type[ThresholdRollup] | type[ClockRollup],
    client_id: int,
    start: datetime,
    end: datetime,
    where: Filter,
) -> QuerySet:  # type: ignore[type-arg]
    # Total rows when no queue or agent is asked for: a fraction of the detail rows.
    total = where.queues is None and where.agents is None
    rows = model.objects.filter(
        client_id=client_id, total=total, interval_start__gte=start, interval_start__lt=end
    )
    for name, column in (
        ("channels", "channel"),
        ("queues", "queue"),
        ("agents", "agent"),
        ("priorities", "priority"),
    ):
        values = getattr(where, name)
        if values is not None:
            rows = rows.filter(**{f"{column}__in": values})
    return rows


def _sums(names: Iterable[str]) -> dict[str, Sum]:
    return {name: Sum(name) for name in names}


def measured_between(
    client_id: int, start: datetime, end: datetime, where: Filter = EVERYTHING
) -> Measured:
    """The measures of [start, end) for the rows `where` selects."""
    totals = _rows(Rollup, client_id, start, end, where).aggregate(**_sums(MEASURES))
    within = {
        row["threshold"]: Within(**{name: row[name] or 0 for name in WITHIN_COUNTS})
        for row in _rows(ThresholdRollup, client_id, start, end, where)
        .values("threshold")
        .annotate(**_sums(WITHIN_COUNTS))
    }
    clocks = {
        row["clock_key"]: ClockTotals(**{name: row[name] or 0 for name in CLOCK_SUMS})
        for row in _rows(ClockRollup, client_id, start, end, where)
        .values("clock_key")
        .annotate(**_sums(CLOCK_SUMS))
    }
    measures = Measures(**{name: totals[name] or 0 for name in MEASURES}, within=within)
    return Measured(measures, clocks)


def measured_by_priority(
    client_id: int, start: datetime, end: datetime, where: Filter, *, with_clocks: bool = True
) -> dict[str, Measured]:
    """The measures of [start, end) per priority, for callers that need several priority
    subsets of one period (the wallboard: every priority, and a service level's own ones) in
    one read; `merged` sums a subset."""
    rows = (
        _rows(Rollup, client_id, start, end, where).values("priority").annotate(**_sums(MEASURES))
    )
    totals = {row["priority"]: row for row in rows}
    within: dict[str, dict[int, Within]] = defaultdict(dict)
    for row in (
        _rows(ThresholdRollup, client_id, start, end, where)
        .values("priority", "threshold")
        .annotate(**_sums(WITHIN_COUNTS))
    ):
        within[row["priority"]][row["threshold"]] = Within(
            **{name: row[name] or 0 for name in WITHIN_COUNTS}
        )
    clocks: dict[str, dict[str, ClockTotals]] = defaultdict(dict)
    if with_clocks:
        for row in (
            _rows(ClockRollup, client_id, start, end, where)
            .values("priority", "clock_key")
            .annotate(**_sums(CLOCK_SUMS))
        ):
            clocks[row["priority"]][row["clock_key"]] = ClockTotals(
                **{name: row[name] or 0 for name in CLOCK_SUMS}
            )
    return {
        priority: Measured(
            Measures(
                **{name: (totals.get(priority) or {}).get(name) or 0 for name in MEASURES},
                within=within.get(priority, {}),
            ),
            clocks.get(priority, {}),
        )
        for priority in set(totals) | set(within) | set(clocks)
    }


def merged(parts: Iterable[Measured]) -> Measured:
    """The sum of several disjoint parts of one period (e.g. priorities)."""
    measures = Measures()
    clocks: dict[str, ClockTotals] = {}
    for part in parts:
        measures = measures + part.measures
        for key, value in part.clocks.items():
            old = clocks.get(key, ClockTotals())
            clocks[key] = ClockTotals(
                **{name: getattr(old, name) + getattr(value, name) for name in CLOCK_SUMS}
            )
    return Measured(measures, clocks)


def measured_by_interval(
    client_id: int, start: datetime, end: datetime, where: Filter = EVERYTHING
) -> dict[datetime, Measured]:
    """The measures of each 15-minute interval of [start, end) that has any."""
    by_interval: dict[datetime, dict[str, int]] = {
        row["interval_start"]: row
        for row in _rows(Rollup, client_id, start, end, where)
        .values("interval_start")
        .annotate(**_sums(MEASURES))
    }
    within: dict[datetime, dict[int, Within]] = defaultdict(dict)
    for row in (
        _rows(ThresholdRollup, client_id, start, end, where)
        .values("interval_start", "threshold")
        .annotate(**_sums(WITHIN_COUNTS))
    ):
        within[row["interval_start"]][row["threshold"]] = Within(
            **{name: row[name] or 0 for name in WITHIN_COUNTS}
        )
    clocks: dict[datetime, dict[str, ClockTotals]] = defaultdict(dict)
    for row in (
        _rows(ClockRollup, client_id, start, end, where)
        .values("interval_start", "clock_key")
        .annotate(**_sums(CLOCK_SUMS))
    ):
        clocks[row["interval_start"]][row["clock_key"]] = ClockTotals(
            **{name: row[name] or 0 for name in CLOCK_SUMS}
        )
    result = {}
    for at in sorted(set(by_interval) | set(within) | set(clocks)):
        sums = by_interval.get(at, {})
        measures = Measures(
            **{name: sums.get(name) or 0 for name in MEASURES}, within=within.get(at, {})
        )
        result[at] = Measured(measures, clocks.get(at, {}))
    return result


_PLURALS = {"channel": "channels", "queue": "queues", "agent": "agents", "priority": "priorities"}


def measured_by_dimension(
    client_id: int, start: datetime, end: datetime, dimension: str, where: Filter = EVERYTHING
) -> dict[str, Measured]:
    """The measures of [start, end) per value of one dimension (channel, queue, agent or
    priority)."""
    plural = _PLURALS.get(dimension)
    if plural is None:
        raise ValueError(f"unknown dimension {dimension!r}")
    values = (
        _rows(Rollup, client_id, start, end, where)
        .values_list(dimension, flat=True)
        .distinct()
        .order_by(dimension)
    )
    return {
        value: measured_between(client_id, start, end, where.narrowed(**{plural: (value,)}))
        for value in values
    }
