"""SQL helpers shared by the bulk paths (imports, matching) of several apps."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField
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
