"""SQL helpers shared by the bulk paths (imports, matching) of several apps."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, BooleanField, Func
from django.db.models.expressions import RawSQL


def key_in(column: str, values: Iterable[str | int]) -> RawSQL:
    """`column IN (…)` with the whole list as one parameter: one statement shape for any
    length (SQLite's statement cache keeps every variant it sees, hundreds of MB over a large
    import), and on PostgreSQL `= ANY(array)`, which keeps the index plan even when the
    table's statistics lag behind a large import.

    `column` is a column of the query's only table (unqualified), named by the caller's code,
    never by input; the values are a parameter."""
    items = list(values)
    if connection.vendor == "postgresql":
        return RawSQL(f'"{column}" = ANY(%s)', (items,), output_field=BooleanField())  # noqa: S611
    return RawSQL(  # noqa: S611
        f'"{column}" IN (SELECT value FROM json_each(%s))',  # noqa: S608
        (json.dumps(items),),
        output_field=BooleanField(),
    )


class Epoch(Func):
    """Seconds since 1970 (rounded to whole seconds) of a datetime column, computed in the
    database: thousands of instants come back as integers, without a datetime built for each
    row."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Stored as UTC text ("YYYY-MM-DD HH:MM:SS[.ffffff]"). Not strftime('%s'): a percent
        # sign in the SQL is read as a placeholder by the backend when parameters are passed.
        return self.as_sql(
            compiler,
            connection,
            template="CAST(round((julianday(%(expressions)s) - 2440587.5) * 86400) AS INTEGER)",
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS BIGINT)"
        )
