"""Live calls: lifecycle events from a PBX (JSON) and Twilio status callbacks.

Each event is stored once per (call id, sequence number); a repeat is a duplicate and changes
nothing. After a new event the call is re-folded from all of its events in sequence order, so
the order of delivery does not matter: an `ended` that arrives before its `answered` gives a
call that is, for a moment, abandoned, and the `answered` makes it answered.

The caller of an inbound call is found among the client's contacts by number, or added as a new
contact; the call is linked to that contact and to its most recent open case."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.sequences import Stream, change_sequence
from pactline.cases.contacts import contact_find_or_create
from pactline.channels.voice.models import (
    Call,
    CallEvent,
    CallSource,
    Direction,
    EndedBy,
    Outcome,
)
from pactline.channels.voice.phones import to_e164
from pactline.channels.voice.records import CallRecord
from pactline.channels.voice.writing import BatchWriter
from pactline.common.errors import Conflict, ValidationFailed
from pactline.common.fields import redact_json
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

EVENT_KINDS = (
    "queued",
    "answered",
    "hold",
    "unhold",
    "transferred",
    "ended",
    "abandoned",
    "wrapup_ended",
)
TWILIO_STATUSES = (
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "failed",
    "no-answer",
    "canceled",
)
_TWILIO_ENDINGS = {
    "busy": Outcome.BUSY,
    "failed": Outcome.FAILED,
    "no-answer": Outcome.NO_ANSWER,
    "canceled": Outcome.CANCELLED,
}


@dataclass(frozen=True)
class LiveEvent:
    source: str
    call_id: str
    sequence: int
    kind: str
    at: datetime
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recorded:
    call: Call
    created: bool  # False: a duplicate, nothing changed


def _seconds(delta: timedelta) -> int:
    return max(0, round(delta.total_seconds()))


def fold_call_events(
    call_id: str, events: Sequence[CallEvent], *, region: str | None
) -> CallRecord:
    """The call the JSON lifecycle events describe, whatever order they arrived in."""
    record = CallRecord(call_id=call_id, source=CallSource.EVENTS.value, complete=True)
    queued = answered = ended = wrapped = hold_open = None
    hold = timedelta(0)
    abandoned = False
    targets: list[str] = []
    for event in sorted(events, key=lambda e: e.sequence):
        payload, at = event.payload, event.at
        for name, attribute in (
            ("queue", "queue"),
            ("caller", "caller_raw"),
            ("caller_name", "caller_name"),
            ("dialed", "dialed_number"),
            ("direction", "direction"),
            ("recording", "recording_path"),
        ):
            if payload.get(name) and getattr(record, attribute) is None:
                setattr(record, attribute, str(payload[name]))
        if payload.get("agent") and (record.agent is None or event.kind == "answered"):
            record.agent = str(payload["agent"])
        if payload.get("disposition"):  # the latest wrap-up code wins
            record.disposition = str(payload["disposition"])
        if event.kind == "queued":
            queued = at if queued is None else min(queued, at)
        elif event.kind == "answered":
            answered = at if answered is None else min(answered, at)
        elif event.kind == "hold" and hold_open is None:
            hold_open = at
        elif event.kind == "unhold" and hold_open is not None:
            hold += at - hold_open
            hold_open = None
        elif event.kind == "transferred":
            targets.append(str(payload.get("target") or "")[:100])
        elif event.kind in ("ended", "abandoned"):
            ended = at if ended is None else max(ended, at)
            abandoned = abandoned or event.kind == "abandoned"
            if payload.get("ended_by") in (EndedBy.CALLER, EndedBy.AGENT):
                record.ended_by = str(payload["ended_by"])
        elif event.kind == "wrapup_ended":
            wrapped = at
    if hold_open is not None and ended is not None:
        hold += ended - hold_open
    entered = queued or min(event.at for event in events)
    record.entered_at, record.answered_at, record.ended_at = entered, answered, ended
    record.caller_number = to_e164(record.caller_raw, region) if record.caller_raw else None
    record.hold_seconds = _seconds(hold)
    record.transfer_count, record.transfer_targets = len(targets), targets
    if abandoned or (ended is not None and answered is None):
        record.outcome = Outcome.ABANDONED.value
        record.ended_by = EndedBy.CALLER.value
        record.answered_at = None
        record.wait_seconds = _seconds((ended or entered) - entered)
    elif answered is not None:
        record.wait_seconds = _seconds(answered - entered)
        record.outcome = Outcome.ANSWERED.value if ended else Outcome.IN_PROGRESS.value
        if ended is not None:
            record.talk_seconds = _seconds(ended - answered - hold)
            if targets and record.ended_by is None:
                record.ended_by = EndedBy.TRANSFER.value
    else:
        record.outcome = Outcome.IN_PROGRESS.value
    if wrapped is not None and ended is not None:
        record.acw_seconds = _seconds(wrapped - ended)
    if record.direction not in (Direction.INBOUND, Direction.OUTBOUND):
        record.direction = Direction.INBOUND.value
    return record


def fold_twilio_events(call_id: str, events: Sequence[CallEvent]) -> CallRecord:
    """The call Twilio's status callbacks describe (reference §3.4)."""
    record = CallRecord(call_id=call_id, source=CallSource.TWILIO.value, complete=True)
    answered = ended = None
    final = ""
    duration: int | None = None
    ordered = sorted(events, key=lambda e: e.sequence)
    for event in ordered:
        payload = event.payload
        if event.kind == "in-progress":
            answered = event.at if answered is None else min(answered, event.at)
        elif event.kind == "completed" or event.kind in _TWILIO_ENDINGS:
            ended, final = event.at, event.kind
            if str(payload.get("CallDuration") or "").isdigit():
                duration = int(payload["CallDuration"])
        for name, attribute in (("From", "caller_raw"), ("To", "dialed_number")):
            if payload.get(name) and getattr(record, attribute) is None:
                setattr(record, attribute, str(payload[name]))
        if payload.get("Direction"):
            inbound = payload["Direction"] == "inbound"
            record.direction = (Direction.INBOUND if inbound else Direction.OUTBOUND).value
        if payload.get("RecordingUrl"):
            record.recording_path = str(payload["RecordingUrl"])
    if final == "completed" and answered is None and ended is not None:
        answered = ended - timedelta(seconds=duration or 0)
    entered = min([event.at for event in ordered] + ([answered] if answered else []))
    record.entered_at, record.answered_at, record.ended_at = entered, answered, ended
    record.caller_number = to_e164(record.caller_raw, None) if record.caller_raw else None
    if final == "completed" and ended is not None and answered is not None:
        record.outcome = Outcome.ANSWERED.value
        record.talk_seconds = duration if duration is not None else _seconds(ended - answered)
    elif final:
        record.outcome = _TWILIO_ENDINGS[final].value
    else:
        record.outcome = Outcome.IN_PROGRESS.value
    if answered is not None:
        record.wait_seconds = _seconds(answered - entered)
    elif ended is not None:
        record.wait_seconds = _seconds(ended - entered)
    record.details = {"twilio_status": ordered[-1].kind}
    parent = ordered[-1].payload.get("ParentCallSid")
    if parent:
        record.details["parent_call_sid"] = str(parent)
    return record


def _caller_contact(actor: Actor, client: Client, record: CallRecord, now: datetime) -> None:
    """A live inbound call's caller becomes the client's contact (found by the number, or
    created), so the call is linked to it, and to its open case, when it is written
    (`callers.link_callers`). Once the call has its contact, later events look nothing up."""
    if not record.caller_number or (record.direction or Direction.INBOUND) != Direction.INBOUND:
        return
    linked = Call.objects.filter(
        client=client, call_id=record.call_id, segment=1, contact__isnull=False
    ).exists()
    if linked:
        return
    with suppress(ValidationFailed):  # a number the contacts register refuses: no contact
        contact_find_or_create(actor=actor, client=client, phone=record.caller_number, now=now)


def call_event_record(
    *,
    actor: Actor,
    client: Client,
    event: LiveEvent,
    region: str | None = None,
    now: datetime | None = None,
) -> Recorded:
    """Store one live event (once) and re-fold its call. A repeat of a JSON event with
    different content is a `Conflict`; Twilio's retries are plain duplicates."""
    require(actor, Permission.CASE_WORK, client.id)
    now = now or timezone.now()
    # As stored (the payload field redacts card data): a repeat is compared with this.
    payload: dict[str, Any] = redact_json(dict(event.payload))
    with transaction.atomic():
        try:
            with transaction.atomic():
                CallEvent.objects.create(
                    client=client,
                    source=event.source,
                    call_id=event.call_id,
                    sequence=event.sequence,
                    kind=event.kind,
                    at=event.at,
                    payload=payload,
                    received_at=now,
                )
        except IntegrityError:
            stored = CallEvent.objects.get(
                client=client, source=event.source, call_id=event.call_id, sequence=event.sequence
            )
            same = (stored.kind, stored.at, stored.payload) == (event.kind, event.at, payload)
            if not same and event.source == CallSource.EVENTS:
                raise Conflict(
                    _(
                        "event %(sequence)d of call %(call)s was already received, with other content"
                    )
                    % {"sequence": event.sequence, "call": event.call_id}
                ) from None
            call = Call.objects.filter(client=client, call_id=event.call_id, segment=1).first()
            if call is None:  # pragma: no cover - the first delivery wrote it
                raise
            return Recorded(call, created=False)
        # Lock before reading the events: a concurrent event of this call that commits first
        # is then seen here, and one that commits later sees this one.
        sequence = change_sequence(client.id, Stream.VOICE)
        events = list(
            CallEvent.objects.filter(client=client, source=event.source, call_id=event.call_id)
        )
        if event.source == CallSource.TWILIO:
            record = fold_twilio_events(event.call_id, events)
        else:
            record = fold_call_events(event.call_id, events, region=region)
        _caller_contact(actor, client, record, now)
        BatchWriter(client.id, now=now).flush([record], sequence=sequence)
        transcript = payload.get("transcript")
        call = Call.objects.get(client=client, call_id=event.call_id, segment=1)
        if transcript and call.transcript != transcript:
            call.transcript = str(transcript)
            call.save(update_fields=["transcript"])
    return Recorded(call, created=True)
