"""What every source turns its input into before it is written: call and agent-state records,
and the rule that merges a record into the call already stored under the same natural key."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pactline.channels.voice.models import CallSource, Direction, Outcome

# The call fields an ingestion path may set. `transcript` is set by people, never by imports;
# `contact` and `case` are set when a written call's caller is matched (`callers`), or by people,
# and an import never clears or replaces them.
CALL_FIELDS: tuple[str, ...] = (
    "source",
    "direction",
    "queue",
    "caller_number",
    "caller_raw",
    "caller_name",
    "dialed_number",
    "entered_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "agent",
    "outcome",
    "disposition",
    "ended_by",
    "unanswered_rings",
    "transfer_count",
    "transfer_targets",
    "recording_path",
    "details",
)

_EMPTY: dict[str, Any] = {
    "direction": Direction.INBOUND.value,
    "queue": "",
    "caller_number": "",
    "caller_raw": "",
    "caller_name": "",
    "dialed_number": "",
    "entered_at": None,
    "answered_at": None,
    "ended_at": None,
    "wait_seconds": 0,
    "talk_seconds": 0,
    "hold_seconds": 0,
    "acw_seconds": 0,
    "agent": "",
    "outcome": Outcome.IN_PROGRESS.value,
    "disposition": "",
    "ended_by": "",
    "unanswered_rings": 0,
    "transfer_count": 0,
    "transfer_targets": [],
    "recording_path": "",
    "details": {},
}

_FILL = tuple((name, _EMPTY.get(name)) for name in CALL_FIELDS)
_COUNTS = (
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "unanswered_rings",
    "transfer_count",
)
_INT_MAX = 2**31 - 1

# Which source wins where two describe the same call: queue_log has the agent pickup, waits and
# abandons; CDR `answer` is often the trunk's (reference §3.1), so CDR only fills gaps.
SOURCE_RANK: dict[str, int] = {
    CallSource.QUEUE_LOG.value: 3,
    CallSource.EVENTS.value: 2,
    CallSource.TWILIO.value: 2,
    CallSource.CDR_ASTERISK.value: 1,
    CallSource.CDR_FREESWITCH.value: 1,
}

_MAX_LENGTHS = {
    "queue": 60,
    "caller_raw": 80,
    "caller_name": 100,
    "dialed_number": 80,
    "agent": 100,
    "disposition": 60,
    "recording_path": 300,
}


class LineError(ValueError):
    """An input line (or record) that cannot be imported; the message says why."""


@dataclass(slots=True)
class CallRecord:
    """A call as one source sees it. None means "this source does not say"."""

    call_id: str
    source: str
    segment: int | None = 1  # None: queue_log, matched to a stored visit when written
    has_enter: bool = True  # queue_log: the ENTERQUEUE line was seen
    complete: bool = False  # re-folded from every event/leg: replaces its own source's data
    direction: str | None = None
    queue: str | None = None
    caller_number: str | None = None
    caller_raw: str | None = None
    caller_name: str | None = None
    dialed_number: str | None = None
    entered_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    wait_seconds: int | None = None
    talk_seconds: int | None = None
    hold_seconds: int | None = None
    acw_seconds: int | None = None
    agent: str | None = None
    outcome: str | None = None
    disposition: str | None = None  # the agent's wrap-up code
    ended_by: str | None = None
    unanswered_rings: int | None = None
    transfer_count: int | None = None
    transfer_targets: list[str] | None = None
    recording_path: str | None = None
    details: dict[str, Any] | None = None

    def values(self, *, filled: bool = False) -> dict[str, Any]:
        """The fields; with `filled`, "does not say" becomes the field's empty value (the
        empty list and dict are shared: rows are never mutated in place)."""
        if filled:
            out = {}
            for name, empty in _FILL:
                value = getattr(self, name)
                out[name] = empty if value is None else value
        else:
            out = {name: getattr(self, name) for name in CALL_FIELDS}
        for name, limit in _MAX_LENGTHS.items():
            value = out[name]
            if value is not None and len(value) > limit:
                out[name] = value[:limit]
        for name in _COUNTS:  # PositiveIntegerField: 0 … 2³¹-1 on every database
            value = out[name]
            if value is not None and not 0 <= value <= _INT_MAX:
                out[name] = min(max(value, 0), _INT_MAX)
        return out


@dataclass(slots=True)
class StateRecord:
    agent: str
    queue: str
    state: str
    at: datetime
    reason: str = ""
    origin: str = ""

    @property
    def key(self) -> tuple[str, str, str, datetime]:
        return (self.agent, self.queue, self.state, self.at)


@dataclass(slots=True)
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, kind: str, *, created: int = 0, updated: int = 0, unchanged: int = 0) -> None:
        self.created += created
        self.updated += updated
        self.unchanged += unchanged
        counts = self.by_kind.setdefault(kind, {"created": 0, "updated": 0, "unchanged": 0})
        counts["created"] += created
        counts["updated"] += updated
        counts["unchanged"] += unchanged


def _empty(name: str) -> Any:
    value = _EMPTY[name]
    return [] if name == "transfer_targets" else {} if name == "details" else value


def _is_empty(name: str, value: Any) -> bool:
    return value is None or value == _EMPTY[name]


def call_merge(existing: dict[str, Any] | None, record: CallRecord) -> dict[str, Any]:
    """The call after `record` is applied to the stored call `existing` (or to nothing).

    - nothing stored: the record, with "does not say" as the field's empty value;
    - stored by the same source and the record is complete (re-folded from every event or
      leg): the record replaces that source's data;
    - otherwise each field the record sets overrides the stored one when the record's source
      ranks at least as high, and only fills an empty field when it ranks lower; an
      in-progress record never reopens an ended call.

    Applying the same record twice gives the same result, so re-imports change nothing."""
    if existing is None:
        return record.values(filled=True)
    incoming = record.values()
    stored_source = existing["source"]
    out = {name: existing[name] for name in CALL_FIELDS}
    if record.complete and stored_source == record.source:
        return record.values(filled=True)
    stronger = SOURCE_RANK[record.source] >= SOURCE_RANK[stored_source]
    if SOURCE_RANK[record.source] > SOURCE_RANK[stored_source]:
        out["source"] = record.source
    for name, value in incoming.items():
        if name == "source" or value is None:
            continue
        if name == "details":
            out[name] = {**existing[name], **value} if stronger else {**value, **existing[name]}
        elif (
            name == "outcome"
            and value == Outcome.IN_PROGRESS
            and not _is_empty(name, existing[name])
        ):
            continue
        elif stronger or _is_empty(name, existing[name]):
            out[name] = value
    return out
