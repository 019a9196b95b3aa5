"""Model fields shared by several apps."""

from __future__ import annotations

import json
import re
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from pactline.core.redact import redact_card_data


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


def redact_text(value: str) -> str:
    """Card data out of one stored string (see `pactline.core.redact`)."""
    return redact_card_data(value).text


# A string that is a whole E.164 phone number is a structured value (a caller's number in an
# event payload that calls are matched by), not words: it is kept even when it passes Luhn.
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def redact_json(value: Any) -> Any:
    """A JSON document with card data redacted from every string in it (keys included)."""
    if isinstance(value, str):
        return value if _E164.fullmatch(value) else redact_text(value)
    if isinstance(value, dict):
        return {redact_json(key): redact_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_json(item) for item in value]
    return value


class _Redacting:
    """The storage choke point for words a customer or an agent may have written: card
    numbers, security codes and expiry dates are redacted from the value whenever it is
    written (save, bulk_create, update: `get_prep_value`), and the saved instance is given the
    stored value (`pre_save`), so nothing downstream (a response, an index, an audit row)
    sees what was not stored. Redaction is idempotent, so an already-masked value (the
    agreement's BIN + last 4) is kept as it is."""

    attname: str

    def _redact(self, value: Any) -> Any:
        raise NotImplementedError

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self._redact(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class RedactedTextField(_Redacting, models.TextField[str, str]):
    """Free text stored with card data redacted."""

    def _redact(self, value: Any) -> Any:
        return redact_text(value) if isinstance(value, str) else value

    def get_prep_value(self, value: Any) -> Any:
        return self._redact(super().get_prep_value(value))


class RedactedCharField(_Redacting, models.CharField[str, str]):
    """A line of free text stored with card data redacted. The masks can be longer than what
    they replace: a value that then passes `max_length` is cut (with …), never the reverse."""

    def _redact(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        redacted = redact_text(value)
        if redacted != value and self.max_length and len(redacted) > self.max_length:
            redacted = redacted[: self.max_length - 1] + "…"
        return redacted

    def get_prep_value(self, value: Any) -> Any:
        return self._redact(super().get_prep_value(value))


class RedactedJSONField(_Redacting, models.JSONField[Any, Any]):
    """A JSON document (an event payload, source details) stored with card data redacted from
    every string in it."""

    def _redact(self, value: Any) -> Any:
        return redact_json(value)

    def get_prep_value(self, value: Any) -> Any:
        return super().get_prep_value(self._redact(value))
