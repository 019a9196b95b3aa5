"""Writing batches of call and agent-state records: one transaction per batch, idempotent by
natural key, a change sequence number for every row created or changed.

Per batch: lock the client's change sequence, read the stored rows with the batch's keys,
merge (`records.call_merge`), compare, match the callers of the rows to be written to the
client's contacts and open cases (`callers.link_callers`: one blind-index query per batch),
and write only what changed.

How rows are written (both upserts on the natural key):
- PostgreSQL: `COPY` into a per-session temporary table, then one `INSERT … SELECT … ON
  CONFLICT`, several times faster than a parameterised INSERT.
- SQLite: one prepared `INSERT … ON CONFLICT` run with `executemany`. Django's `bulk_create`
  is ~4x slower here, and its statements vary in size with the batch; SQLite's statement
  cache keeps every variant it sees (hundreds of MB over a large import).
Key lists are passed as one parameter (`json_each` / `= ANY`) for the same reason.

The SQL here is assembled from model metadata (table and column names), never from input;
values always travel as parameters or through COPY."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any

from django.db import connection, transaction

from pactline.audit.sequences import ChangeSequence, Stream, change_sequence
from pactline.cases.services import cases_customer_contacted
from pactline.channels.voice.callers import link_callers
from pactline.channels.voice.models import AgentStateChange, Call, CallSource, Outcome
from pactline.channels.voice.records import (
    CALL_FIELDS,
    CallRecord,
    StateRecord,
    WriteCounts,
    call_merge,
)
from pactline.common.fields import redact_json, redact_text
from pactline.common.sql import key_in
from pactline.tenancy.access import system_actor

__all__ = ["BatchWriter", "key_in"]

# How far apart the ENTERQUEUE time and a time reconstructed from waits may be and still name
# the same queue visit (Asterisk rounds both to the second, taken at slightly different times).
_RECONSTRUCTED_SLACK = timedelta(seconds=2)
_CALL_KEY = ("client_id", "call_id", "segment")
# Links to the contact and the case: set by matching the caller (`callers.link_callers`) when a
# call is written, or by people (`services.call_link_case`); an import never clears them.
_CALL_LINKS = ("contact_id", "case_id")
_CALL_COLUMNS = (
    *_CALL_KEY,
    *CALL_FIELDS,
    *_CALL_LINKS,
    "transcript",
    "change_seq",
    "created_at",
    "updated_at",
)
_CALL_UPDATED = (*CALL_FIELDS, *_CALL_LINKS, "change_seq", "updated_at")
_STATE_KEY = ("client_id", "agent", "queue", "state", "at")
_STATE_COLUMNS = (*_STATE_KEY, "reason", "origin", "source", "change_seq", "created_at")
_CALLER_NAME_MAX = Call._meta.get_field("caller_name").max_length
_JSON_COLUMNS = frozenset({"transfer_targets", "details"})
_DATETIME_COLUMNS = frozenset({"entered_at", "answered_at", "ended_at", "at", "created_at"})
_DATETIME_COLUMNS |= {"updated_at"}


def _same_visit(record: CallRecord, row: dict[str, Any]) -> bool:
    if record.entered_at is None or row["entered_at"] is None:
        return False
    if record.queue and row["queue"] and record.queue != row["queue"]:
        return False
    if record.has_enter and row.get("_has_enter", False):
        return bool(row["entered_at"] == record.entered_at)
    return bool(abs(row["entered_at"] - record.entered_at) <= _RECONSTRUCTED_SLACK)


def _segment(record: CallRecord, rows: list[dict[str, Any]]) -> int:
    """Which stored visit of the call a queue_log record continues, or the next new one."""
    if record.segment is not None:
        return record.segment
    for row in rows:
        if _same_visit(record, row):
            return int(row["segment"])
    if not record.has_enter and rows:
        open_rows = [row for row in rows if row["outcome"] == Outcome.IN_PROGRESS]
        if open_rows or record.entered_at is None:
            return int(max(row["segment"] for row in (open_rows or rows)))
    return max((int(row["segment"]) for row in rows), default=0) + 1


def _redact_call(row: dict[str, Any]) -> None:
    """Card data out of the free text of a call row, as its model fields would (the rows are
    written with SQL, not through the fields), before it is compared with the stored row."""
    if row.get("caller_name"):
        row["caller_name"] = redact_text(row["caller_name"])[:_CALLER_NAME_MAX]
    if row.get("details"):
        row["details"] = redact_json(row["details"])


def _unchanged(row: dict[str, Any], stored: dict[str, Any] | None) -> bool:
    return stored is not None and all(row[name] == stored[name] for name in CALL_FIELDS)


class BatchWriter:
    """Writes the records of one client, batch by batch."""

    def __init__(self, client_id: int, *, now: datetime, relaxed: bool = False) -> None:
        """`relaxed`: batch commits on PostgreSQL do not wait for the WAL flush. Only for a
        file import, whose last commit (the finished `ImportRun`) is synchronous and so
        flushes every batch before it; a crash before that leaves the run `running`, and
        running it again completes it (re-imports are idempotent)."""
        self.client_id = client_id
        self.now = now
        self.relaxed = relaxed
        self.counts = WriteCounts()

    def flush(
        self,
        calls: Sequence[CallRecord],
        states: Sequence[StateRecord] = (),
        *,
        sequence: ChangeSequence | None = None,
        want_ids: bool = False,
    ) -> dict[tuple[str, int], int]:
        """Write one batch in one transaction (or in the caller's, with its `sequence`).
        With `want_ids`, returns the stored id of every call of the batch by (call_id,
        segment)."""
        if not calls and not states:
            return {}
        with transaction.atomic():
            if self.relaxed and sequence is None and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            sequence = sequence or change_sequence(self.client_id, Stream.VOICE)
            ids: dict[tuple[str, int], int] = {}
            if calls:
                self._calls(calls, sequence)
            if states:
                self._states(states, sequence)
            if want_ids and calls:
                found = Call.objects.filter(
                    key_in("call_id", {record.call_id for record in calls}),
                    client_id=self.client_id,
                ).values_list("call_id", "segment", "id")
                ids = {(call_id, segment): pk for call_id, segment, pk in found}
        return ids

    # calls -------------------------------------------------------------------------------

    def _calls(self, records: Sequence[CallRecord], sequence: ChangeSequence) -> None:
        stored = Call.objects.filter(
            key_in("call_id", {record.call_id for record in records}),
            client_id=self.client_id,
        ).values("id", "call_id", "segment", *CALL_FIELDS, *_CALL_LINKS)
        by_call: dict[str, list[dict[str, Any]]] = {}
        originals: dict[tuple[str, int], dict[str, Any]] = {}
        for row in stored:
            by_call.setdefault(row["call_id"], []).append(row)
            originals[row["call_id"], row["segment"]] = row
        current: dict[tuple[str, int], dict[str, Any]] = {}
        for record in records:
            call_id = record.call_id
            rows = by_call.get(call_id)
            if rows is None:  # the common case: a call not stored nor seen in this batch
                merged = call_merge(None, record)
                segment = record.segment or 1
                by_call[call_id] = [merged]
            else:
                segment = _segment(record, rows)
                index = next((i for i, row in enumerate(rows) if row["segment"] == segment), None)
                merged = call_merge(rows[index] if index is not None else None, record)
                if index is None:
                    rows.append(merged)
                else:
                    rows[index] = merged
            merged["call_id"], merged["segment"] = call_id, segment
            _redact_call(merged)
            merged["_has_enter"] = record.has_enter
            current[call_id, segment] = merged
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        unchanged = 0
        for key, row in current.items():
            before = originals.get(key)
            if before is None:
                row["contact_id"] = row["case_id"] = None
                new.append(row)
            elif _unchanged(row, before):
                unchanged += 1
            else:
                row["contact_id"], row["case_id"] = before["contact_id"], before["case_id"]
                changed.append(row)
        # Only rows being written are matched: a re-import of unchanged calls stays a no-op.
        caseless = [row for row in new + changed if row["case_id"] is None]
        link_callers(self.client_id, new + changed)
        # A caller who rings about a case that waits on them ends the wait (clocks resume).
        returned: dict[int, datetime] = {}
        for row in caseless:
            at = row["entered_at"] or row["answered_at"]
            if row["case_id"] is not None and at is not None:
                returned[row["case_id"]] = min(at, returned.get(row["case_id"], at))
        self.counts.add("calls", created=len(new), updated=len(changed), unchanged=unchanged)
        if new or changed:
            first = sequence.take(len(new) + len(changed))
            for offset, row in enumerate(new + changed):
                row["change_seq"] = first + offset
        if new:
            self._write_calls(new, update=False)
        if changed:
            self._write_calls(changed, update=True)
        if returned:
            cases_customer_contacted(
                actor=system_actor("voice"), client_id=self.client_id, contacts=returned
            )

    def _write_calls(self, rows: list[dict[str, Any]], *, update: bool) -> None:
        head, tail = (self.client_id,), ("", self.now, self.now)
        fields = itemgetter("call_id", "segment", *CALL_FIELDS, *_CALL_LINKS)
        seq = itemgetter("change_seq")
        tuples = (head + fields(row) + tail[:1] + (seq(row),) + tail[1:] for row in rows)
        if update:
            self._upsert(Call._meta.db_table, _CALL_COLUMNS, tuples, _CALL_KEY, _CALL_UPDATED)
        else:
            self._insert(Call._meta.db_table, _CALL_COLUMNS, tuples)

    # agent states ------------------------------------------------------------------------

    def _states(self, records: Sequence[StateRecord], sequence: ChangeSequence) -> None:
        unique = {record.key: record for record in records}
        stored = set(
            AgentStateChange.objects.filter(
                key_in("agent", {key[0] for key in unique}),
                client_id=self.client_id,
                at__gte=min(key[3] for key in unique),
                at__lte=max(key[3] for key in unique),
            ).values_list("agent", "queue", "state", "at")
        )
        new = [record for key, record in unique.items() if key not in stored]
        self.counts.add("agent_states", created=len(new), unchanged=len(records) - len(new))
        if not new:
            return
        first = sequence.take(len(new))
        client_id, now, source = self.client_id, self.now, CallSource.QUEUE_LOG.value
        tuples = (
            (client_id, r.agent, r.queue, r.state, r.at, r.reason, r.origin, source, first + i, now)
            for i, r in enumerate(new)
        )
        self._insert(AgentStateChange._meta.db_table, _STATE_COLUMNS, tuples)

    # both --------------------------------------------------------------------------------

    def _insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows known to be new: the batch read the stored keys while holding the client's
        change-sequence lock, which every writer of these tables takes first, so no other
        writer can have inserted them since. A plain INSERT (COPY) fails loudly otherwise."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _copy(cursor, table, table, columns, rows)
            else:
                _execute_many(cursor, table, columns, rows, "")

    def _upsert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Iterable[tuple[Any, ...]],
        conflict: Sequence[str],
        update: Sequence[str],
    ) -> None:
        assignments = ", ".join(f'"{c}" = excluded."{c}"' for c in update)
        conflict_sql = f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {assignments}"
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                _execute_many(cursor, table, columns, rows, conflict_sql)
                return
            # COPY into a per-session temporary table (emptied at commit), then one
            # INSERT … SELECT … ON CONFLICT into the real table.
            stage, quoted = f"{table}_stage", ", ".join(f'"{c}"' for c in columns)
            cursor.execute(
                f'CREATE TEMPORARY TABLE IF NOT EXISTS "{stage}" ON COMMIT DELETE ROWS AS '  # noqa: S608
                f'SELECT {quoted} FROM "{table}" WITH NO DATA'
            )
            _copy(cursor, stage, table, columns, rows)
            cursor.execute(
                f'INSERT INTO "{table}" ({quoted}) SELECT {quoted} FROM "{stage}" {conflict_sql}'  # noqa: S608
            )
            cursor.execute(f'TRUNCATE "{stage}"')


def _json(value: Any) -> str:
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def _execute_many(
    cursor: Any,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    conflict_sql: str,
) -> None:
    """SQLite: one prepared INSERT for the whole batch, values adapted as Django would."""
    adapt_datetime = connection.ops.adapt_datetimefield_value
    adapters: list[Callable[[Any], Any] | None] = [
        _json if c in _JSON_COLUMNS else adapt_datetime if c in _DATETIME_COLUMNS else None
        for c in columns
    ]
    quoted = ", ".join(f'"{c}"' for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    cursor.executemany(
        f'INSERT INTO "{table}" ({quoted}) VALUES ({placeholders}) {conflict_sql}',  # noqa: S608
        [tuple(a(v) if a else v for a, v in zip(adapters, row, strict=True)) for row in rows],
    )


def _copy(
    cursor: Any, target: str, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """PostgreSQL binary COPY: the server reads values instead of parsing text, and JSON
    columns take Python lists and dicts as they are."""
    types = _column_types(cursor, table, columns)
    quoted = ", ".join(f'"{c}"' for c in columns)
    with cursor.cursor.copy(f'COPY "{target}" ({quoted}) FROM STDIN (FORMAT BINARY)') as copy:
        copy.set_types(types)
        write = copy.write_row
        for row in rows:
            write(row)


_TYPES: dict[tuple[str, tuple[str, ...]], list[int]] = {}


def _column_types(cursor: Any, table: str, columns: Sequence[str]) -> list[int]:
    key = (table, tuple(columns))
    if key not in _TYPES:
        cursor.execute(
            "SELECT attname, atttypid::int FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0",
            [f'"{table}"'],
        )
        oids = dict(cursor.fetchall())
        _TYPES[key] = [oids[column] for column in columns]
    return _TYPES[key]
