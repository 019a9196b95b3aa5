"""Recompute the rollups of some intervals of one client from its facts.

Each recompute deletes the intervals' rollup rows and inserts them again with one
INSERT … SELECT … GROUP BY per table, inside the caller's transaction. Nothing is added to or
subtracted from a stored sum, so replaying a batch, re-importing a file or rebuilding a month
cannot double count. The hour totals (`HourRollup` …) are then rebuilt from the 15-minute
totals of every hour touched, in the same transaction. The statements are built from model
metadata only; every value is a query parameter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from django.db import connection, models

from pactline.metrics.models import (
    CLOCK_SUMS,
    DIMENSIONS,
    MEASURES,
    WITHIN_COUNTS,
    ClockRollup,
    Fact,
    HourClockRollup,
    HourRollup,
    HourThresholdRollup,
    Part,
    Rollup,
    ThresholdRollup,
    WaitOutcome,
)

_CHUNK = 400  # interval starts per statement: well inside SQLite's bound-parameter limit


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _columns(names: Iterable[str]) -> str:
    return ", ".join(connection.ops.quote_name(name) for name in names)


_KEYS = ("client_id", *DIMENSIONS)
_FACT = _table(Fact)


_TOTAL_KEYS = ("client_id", "interval_start", "channel", "priority")


def _keys(total: bool) -> tuple[str, str]:
    """The SELECT list of the key columns (in `_KEYS` order, then `total`) and the GROUP BY:
    detail rows by every dimension, total rows by channel and priority with blank queue and
    agent."""
    if not total:
        return f"{_columns(_KEYS)}, FALSE", _columns(_KEYS)
    select = "client_id, interval_start, channel, '', '', priority, TRUE"
    return select, _columns(_TOTAL_KEYS)


def _where(count: int) -> str:
    return f"client_id = %s AND interval_start IN ({', '.join(['%s'] * count)})"


def _rollup_sql(count: int, total: bool) -> str:
    sums = ", ".join(f"SUM({connection.ops.quote_name(name)})" for name in MEASURES)
    select, group = _keys(total)
    return (
        f"INSERT INTO {_table(Rollup)} ({_columns((*_KEYS, 'total', *MEASURES))}) "  # noqa: S608
        f"SELECT {select}, {sums} FROM {_FACT} WHERE {_where(count)} "
        f"GROUP BY {group}"
    )


def _threshold_sql(count: int | None, total: bool) -> str:
    """Counts against one threshold, for `count` intervals or (None) every interval."""
    answered = f"'{WaitOutcome.ANSWERED}'"
    abandoned = f"'{WaitOutcome.ABANDONED}'"
    removed = f"'{WaitOutcome.ANSWERED}', '{WaitOutcome.ABANDONED}', '{WaitOutcome.CALLBACK}'"
    within = "wait_seconds <= %s"

    def count_if(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    select, group = _keys(total)
    return (
        f"INSERT INTO {_table(ThresholdRollup)} "  # noqa: S608
        f"({_columns((*_KEYS, 'total', 'threshold', *WITHIN_COUNTS))}) "
        f"SELECT {select}, %s, "
        f"{count_if(f'wait_outcome = {answered} AND {within}')}, "
        f"{count_if(f'wait_outcome = {abandoned} AND {within}')}, "
        f"{count_if(f'wait_outcome IN ({removed}) AND {within}')} "
        f"FROM {_FACT} WHERE {'client_id = %s' if count is None else _where(count)} "
        f"AND wait_outcome <> '' "
        f"GROUP BY {group}"
    )


def _clock_sql(count: int, total: bool) -> str:
    select, group = _keys(total)
    columns = (*_KEYS, "total", "clock_key", *CLOCK_SUMS)
    return (
        f"INSERT INTO {_table(ClockRollup)} ({_columns(columns)}) "  # noqa: S608
        f"SELECT {select}, clock_key, COUNT(*), "
        f"SUM(CASE WHEN clock_met THEN 1 ELSE 0 END), "
        f"SUM(clock_business_seconds), SUM(clock_calendar_seconds) "
        f"FROM {_FACT} WHERE {_where(count)} AND part = '{Part.CLOCK}' "
        f"GROUP BY {group}, clock_key"
    )


# Each hour table, the 15-minute table whose total rows it sums, its key beyond the hour, and
# the columns summed.
_HOURS: tuple[
    tuple[type[models.Model], type[models.Model], tuple[str, ...], tuple[str, ...]], ...
] = (
    (HourRollup, Rollup, ("channel", "priority"), MEASURES),
    (
        HourThresholdRollup,
        ThresholdRollup,
        ("channel", "priority", "threshold"),
        WITHIN_COUNTS,
    ),
    (
        HourClockRollup,
        ClockRollup,
        ("channel", "priority", "clock_key"),
        CLOCK_SUMS,
    ),
)
_HOUR = timedelta(hours=1)
_SLOTS_PER_HOUR = 4


def _hour_of(column: str) -> str:
    """The UTC hour a stored datetime falls in, as the column stores it."""
    if connection.vendor == "postgresql":
        return f"date_trunc('hour', {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    # SQLite keeps UTC text "YYYY-MM-DD HH:MM:SS".
    return f"substr({column}, 1, 13) || ':00:00'"


def _hours_sql(
    hour: type[models.Model],
    source: type[models.Model],
    keys: tuple[str, ...],
    sums: tuple[str, ...],
    where: str,
) -> str:
    hour_start = _hour_of("interval_start")
    return (
        f"INSERT INTO {_table(hour)} "  # noqa: S608
        f"({_columns(('client_id', 'hour_start', *keys, *sums))}) "
        f"SELECT client_id, {hour_start}, {_columns(keys)}, "
        f"{', '.join(f'SUM({connection.ops.quote_name(name)})' for name in sums)} "
        f"FROM {_table(source)} WHERE {where} AND total "
        f"GROUP BY client_id, {hour_start}, {_columns(keys)}"
    )


def _hours_recompute(cursor: object, client_id: int, intervals: Sequence[datetime]) -> None:
    """Rebuild the hour totals of every hour `intervals` touch from the 15-minute totals."""
    hours = sorted(
        {at.astimezone(UTC).replace(minute=0, second=0, microsecond=0) for at in intervals}
    )
    adapt = connection.ops.adapt_datetimefield_value
    step = _CHUNK // _SLOTS_PER_HOUR
    for begin in range(0, len(hours), step):
        chunk = hours[begin : begin + step]
        hour_params = [client_id, *(adapt(at) for at in chunk)]
        slots = [at + (_HOUR / _SLOTS_PER_HOUR) * n for at in chunk for n in range(_SLOTS_PER_HOUR)]
        slot_params = [client_id, *(adapt(at) for at in slots)]
        for hour, source, keys, sums in _HOURS:
            cursor.execute(  # type: ignore[attr-defined]
                f"DELETE FROM {_table(hour)} WHERE client_id = %s "  # noqa: S608
                f"AND hour_start IN ({', '.join(['%s'] * len(chunk))})",
                hour_params,
            )
            cursor.execute(  # type: ignore[attr-defined]
                _hours_sql(hour, source, keys, sums, _where(len(slots))), slot_params
            )


def rollups_recompute(
    client_id: int, intervals: Iterable[datetime], thresholds: Sequence[int]
) -> int:
    """Rebuild the rollup rows of `intervals` from the facts, and the hour totals of the
    hours they fall in; returns the intervals done."""
    starts = sorted(set(intervals))
    with connection.cursor() as cursor:
        for begin in range(0, len(starts), _CHUNK):
            chunk = starts[begin : begin + _CHUNK]
            where = _where(len(chunk))
            # Adapted as the ORM stores them (SQLite keeps text without an offset).
            params = [client_id, *(connection.ops.adapt_datetimefield_value(at) for at in chunk)]
            for model in (Rollup, ThresholdRollup, ClockRollup):
                cursor.execute(f"DELETE FROM {_table(model)} WHERE {where}", params)  # noqa: S608
            for total in (False, True):
                cursor.execute(_rollup_sql(len(chunk), total), params)
                for threshold in thresholds:
                    cursor.execute(
                        _threshold_sql(len(chunk), total),
                        [threshold, threshold, threshold, threshold, *params],
                    )
                cursor.execute(_clock_sql(len(chunk), total), params)
        _hours_recompute(cursor, client_id, starts)
    return len(starts)


def thresholds_backfill(client_id: int, thresholds: Iterable[int]) -> None:
    """Count every interval of the client against thresholds it did not track before (a new
    agreement version names a new threshold): the facts keep every wait, so nothing is lost."""
    table = _table(ThresholdRollup)
    with connection.cursor() as cursor:
        for threshold in thresholds:
            cursor.execute(
                f"DELETE FROM {table} WHERE client_id = %s AND threshold = %s",  # noqa: S608
                [client_id, threshold],
            )
            for total in (False, True):
                cursor.execute(
                    _threshold_sql(None, total),
                    [threshold, threshold, threshold, threshold, client_id],
                )
            hour, source, keys, sums = _HOURS[1]
            cursor.execute(
                f"DELETE FROM {_table(hour)} WHERE client_id = %s AND threshold = %s",  # noqa: S608
                [client_id, threshold],
            )
            cursor.execute(
                _hours_sql(hour, source, keys, sums, "client_id = %s AND threshold = %s"),
                [client_id, threshold],
            )
