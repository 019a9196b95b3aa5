"""Model fields shared by several apps."""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class OrderedJSONField(models.JSONField):
    """JSON kept as written, key order included.

    PostgreSQL's `jsonb` (what `JSONField` uses there) sorts object keys, so an agreement's
    channels and service levels — and the statements and reports built from them — would come
    back in an order the document never had. This field uses `json` on PostgreSQL, which keeps
    the text; SQLite keeps text anyway. Lookups into the document are not supported (no caller
    filters on these documents)."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        from psycopg.types.json import Json  # only present where PostgreSQL is used

        if not prepared:
            value = self.get_prep_value(value)
        return Json(value, dumps=lambda obj: json.dumps(obj, cls=self.encoder))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        # psycopg decodes `json` columns itself (into dicts that keep their order).
        if value is not None and not isinstance(value, str):
            return value
        return super().from_db_value(value, expression, connection)
