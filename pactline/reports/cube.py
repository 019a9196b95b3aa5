"""A period's rollups read once, then summed in memory for every KPI a report shows.

A report needs the same measures cut many ways (per channel, per priority set of a service
level, per day, per agreement version's part of the period). Asking the database for each cut
would scan the period's rollup rows dozens of times; instead one statement per rollup table
reads its `total` rows (queue and agent already folded away, one row per interval, channel and
priority), and every cut is a numpy mask and column sum over those few thousand rows. When
every cut falls on a whole hour the cube reads the hour totals instead (`HourRollup` …): a
month is 744 rows per channel and priority rather than 2,976.

Interval starts come back as epoch seconds computed by the database, so no datetime is built
per row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import Q, QuerySet

from pactline.common.sql import Epoch
from pactline.core.kpi import Measures, Within
from pactline.metrics.models import (
    CLOCK_SUMS,
    MEASURES,
    WITHIN_COUNTS,
    ClockRollup,
    HourClockRollup,
    HourRollup,
    HourThresholdRollup,
    Rollup,
    ThresholdRollup,
)
from pactline.metrics.selectors import ClockTotals, Measured

_KEYS = ("interval_start", "channel", "priority")
_HOUR = 3600
_HOURLY: dict[type[Any], type[Any]] = {
    Rollup: HourRollup,
    ThresholdRollup: HourThresholdRollup,
    ClockRollup: HourClockRollup,
}


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


class _Table:
    """Rows of one rollup table: key columns as arrays and the sums as an int64 matrix."""

    def __init__(
        self, rows: list[tuple[Any, ...]], width: int, extra: str | None, cube: Cube
    ) -> None:
        self.slot = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        self.channel = cube.codes("channel", [row[1] for row in rows])
        self.priority = cube.codes("priority", [row[2] for row in rows])
        first = 3
        if extra is not None:
            self.extra = cube.codes(extra, [row[3] for row in rows])
            first = 4
        else:
            self.extra = np.zeros(len(rows), dtype=int)
        self.values = np.array([row[first:] for row in rows], dtype=np.int64).reshape(
            len(rows), width
        )

    def mask(
        self,
        start: int | None,
        end: int | None,
        channels: np.ndarray | None,
        priorities: np.ndarray | None,
    ) -> np.ndarray:
        selected = np.ones(len(self.slot), dtype=bool)
        if start is not None:
            selected &= self.slot >= start
        if end is not None:
            selected &= self.slot < end
        if channels is not None:
            selected &= np.isin(self.channel, channels)
        if priorities is not None:
            selected &= np.isin(self.priority, priorities)
        return selected


def _tuples(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


class Cube:
    """The rollups of one client over [start, end), optionally for some channels only."""

    def __init__(
        self,
        client_id: int,
        start: datetime,
        end: datetime,
        channels: Sequence[str] | None = None,
        thresholds: Mapping[str, Iterable[int]] | None = None,
        cuts: Iterable[datetime] = (),
    ) -> None:
        """`thresholds` limits the wait-threshold counts read to those each channel's KPIs
        use (a third of the rows or more: every threshold is counted on every channel).
        `cuts` are the instants the cube will be cut at besides its own bounds (buckets,
        version changes): when every one falls on a whole UTC hour, as a month's or a
        week's local days do in any zone whose offsets are whole hours, the cube reads the
        hour totals, a quarter of the rows."""
        self._codes: dict[str, dict[str, int]] = {
            "channel": {},
            "priority": {},
            "threshold": {},
            "clock_key": {},
        }
        self.hourly = all(_epoch(at) % _HOUR == 0 for at in (start, end, *cuts))
        column = "hour_start" if self.hourly else "interval_start"

        def rows(
            model: type[Rollup | ThresholdRollup | ClockRollup],
            keys: tuple[str, ...],
            sums: Sequence[str],
        ) -> list[tuple[Any, ...]]:
            source: type[Any] = _HOURLY[model] if self.hourly else model
            query = source.objects.filter(
                client_id=client_id, **{f"{column}__gte": start, f"{column}__lt": end}
            )
            if not self.hourly:
                query = query.filter(total=True)
            if channels is not None:
                query = query.filter(channel__in=list(channels))
            if model is ThresholdRollup and thresholds is not None:
                wanted = Q(pk__in=[])
                for channel, wanted_keys in thresholds.items():
                    wanted |= Q(channel=channel, threshold__in=sorted(set(wanted_keys)))
                query = query.filter(wanted)
            # A total row is unique per interval and key (the rollups' unique constraints):
            # no GROUP BY needed.
            return _tuples(query.order_by().values_list(Epoch(column), *keys[1:], *sums))

        self.measures = _Table(rows(Rollup, _KEYS, MEASURES), len(MEASURES), None, self)
        self.within = _Table(
            rows(ThresholdRollup, (*_KEYS, "threshold"), WITHIN_COUNTS),
            len(WITHIN_COUNTS),
            "threshold",
            self,
        )
        self.clocks = _Table(
            rows(ClockRollup, (*_KEYS, "clock_key"), CLOCK_SUMS), len(CLOCK_SUMS), "clock_key", self
        )
        self._thresholds = [int(value) for value in self._codes["threshold"]]
        self._clock_keys = list(self._codes["clock_key"])

    def codes(self, dimension: str, values: list[str]) -> np.ndarray:
        """Small integer codes of a text column, numbered in order of first appearance."""
        codes = self._codes[dimension]
        for value in dict.fromkeys(values):
            codes.setdefault(str(value), len(codes))
        return np.array([codes[str(value)] for value in values], dtype=int)

    def _codes_of(self, dimension: str, values: Sequence[str] | None) -> np.ndarray | None:
        if values is None:
            return None
        codes = self._codes[dimension]
        return np.array([codes[value] for value in values if value in codes], dtype=int)

    def measured(
        self,
        *,
        channels: Sequence[str] | None = None,
        priorities: Sequence[str] | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Measured:
        """The measures (and clock totals) of the rows selected; None selects everything."""
        return self.series(
            [start] if start is not None else [],
            channels=channels,
            priorities=priorities,
            end=end,
            whole=start is None,
        )[0]

    def series(
        self,
        bounds: Sequence[datetime],
        *,
        channels: Sequence[str] | None = None,
        priorities: Sequence[str] | None = None,
        end: datetime | None = None,
        whole: bool = False,
    ) -> list[Measured]:
        """The measures of each bucket [bounds[i], bounds[i + 1]) (the last ends at `end`, or
        with the cube); `whole` gives one bucket of everything instead."""
        channel_codes = self._codes_of("channel", channels)
        priority_codes = self._codes_of("priority", priorities)
        starts = np.array([_epoch(at) for at in bounds], dtype=np.int64)
        first = None if whole else int(starts[0])
        last = _epoch(end) if end is not None else None
        if self.hourly and ((starts % _HOUR).any() or (last is not None and last % _HOUR)):
            raise ValueError("an hourly cube is cut at a bound inside an hour: name it in `cuts`")
        count = 1 if whole else len(bounds)

        def summed(table: _Table, keys: int) -> tuple[np.ndarray, np.ndarray]:
            """Sums per (bucket, key) and how many rows each had (a key seen with zero sums
            is not a key never seen: a tracked threshold nothing met)."""
            selected = table.mask(first, last, channel_codes, priority_codes)
            buckets = (
                np.zeros(int(selected.sum()), dtype=int)
                if whole
                else np.searchsorted(starts, table.slot[selected], side="right") - 1
            )
            width = table.values.shape[1]
            cells = count * max(keys, 1)
            # One cell per (bucket, key); rows sorted by cell and summed in runs (exact
            # integers, and much faster than `np.add.at`).
            cell = buckets * max(keys, 1) + table.extra[selected]
            order = np.argsort(cell, kind="stable")
            cell = cell[order]
            sums = np.zeros((cells, width), dtype=np.int64)
            seen = np.zeros(cells, dtype=np.int64)
            if len(cell):
                found, runs = np.unique(cell, return_index=True)
                sums[found] = np.add.reduceat(table.values[selected][order], runs, axis=0)
                seen[found] = np.diff(np.append(runs, len(cell)))
            return sums.reshape(count, max(keys, 1), width), seen.reshape(count, max(keys, 1))

        totals, _ = summed(self.measures, 1)
        within, within_seen = summed(self.within, len(self._thresholds))
        clocks, clocks_seen = summed(self.clocks, len(self._clock_keys))

        result = []
        for index in range(count):
            measures = Measures(
                **dict(zip(MEASURES, (int(x) for x in totals[index, 0]), strict=True)),
                within={
                    threshold: Within(*(int(x) for x in within[index, code]))
                    for code, threshold in enumerate(self._thresholds)
                    if within_seen[index, code]
                },
            )
            result.append(
                Measured(
                    measures,
                    {
                        key: ClockTotals(*(int(x) for x in clocks[index, code]))
                        for code, key in enumerate(self._clock_keys)
                        if clocks_seen[index, code]
                    },
                )
            )
        return result
