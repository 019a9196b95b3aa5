"""Facts as plain rows, written with one executemany.

A month of contacts is hundreds of thousands of facts; building a model instance per fact and
letting the ORM compile each value cost far more than the database write, so facts are dicts
of the columns they set and everything else takes its column default."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection

from pactline.metrics.models import Fact

FactRow = dict[str, Any]

_FIELDS = [field for field in Fact._meta.concrete_fields if not field.primary_key]
COLUMNS = tuple(field.attname for field in _FIELDS)
_DEFAULTS = {field.attname: field.get_default() for field in _FIELDS}
_CHUNK = 2000


def fact(**values: Any) -> FactRow:
    """A fact row: the given columns over the defaults (unknown names are refused)."""
    unknown = set(values) - set(_DEFAULTS)
    if unknown:
        raise TypeError(f"not fact columns: {sorted(unknown)}")
    return values


def facts_insert(rows: Iterable[FactRow]) -> int:
    """Insert the rows; returns how many."""
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(Fact._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in COLUMNS)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"  # noqa: S608
    count = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            values = {**_DEFAULTS, **row}
            batch.append(
                tuple(
                    adapt(value) if isinstance(value, datetime) else value
                    for value in (values[name] for name in COLUMNS)
                )
            )
            if len(batch) >= _CHUNK:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
