"""CDR legs grouped into calls.

A leg belongs to the call its record names (Asterisk `linkedid`, else `uniqueid`; FreeSWITCH
`originating_leg_uuid` or mod_callcenter's `cc_member_session_uuid` on the agent leg), or to the
call of the leg that lists it as its B-leg (`bleg_uuid`), or else starts a call of its own.
Each batch stores its new legs and re-derives every call they touch from all of that call's
legs (stored ones included), so a call whose legs sit in different batches or files comes out
the same. A B-leg stored as a call of its own before its A-leg arrived is moved to the A-leg's
call, and its former call is kept as `merged` (a consumer reading by cursor sees it change).

Asterisk-only caveat (reference §3.1): many dialplans answer the trunk before `Queue()`, so the
CDR `answer` is not the agent's pickup; queue_log is the better source for waits and abandons
and wins where both describe a call."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from pactline.audit.sequences import Stream, change_sequence
from pactline.channels.voice.cdr_formats import LegRecord
from pactline.channels.voice.models import (
    Call,
    CallLeg,
    CallSource,
    Direction,
    EndedBy,
    Outcome,
)
from pactline.channels.voice.phones import to_e164
from pactline.channels.voice.records import CallRecord
from pactline.channels.voice.writing import BatchWriter, key_in

_ANSWERED = frozenset({"ANSWERED", "NORMAL_CLEARING"})
_ASTERISK_OUTCOMES = {
    "NO ANSWER": Outcome.NO_ANSWER,
    "BUSY": Outcome.BUSY,
    "FAILED": Outcome.FAILED,
    "CONGESTION": Outcome.FAILED,
    "CANCEL": Outcome.CANCELLED,
    "UNKNOWN": Outcome.FAILED,
}
_Q850_OUTCOMES = {
    "NO_ANSWER": Outcome.NO_ANSWER,
    "NO_USER_RESPONSE": Outcome.NO_ANSWER,
    "USER_BUSY": Outcome.BUSY,
    "ORIGINATOR_CANCEL": Outcome.CANCELLED,
    "CALL_REJECTED": Outcome.FAILED,
}
_CC_CANCEL = {
    "BREAK_OUT": Outcome.ABANDONED,
    "TIMEOUT": Outcome.TIMEOUT,
    "NO_AGENT_TIMEOUT": Outcome.TIMEOUT,
    "EXIT_WITH_KEY": Outcome.EXIT_KEY,
}
_PEER = re.compile(r"^(?:Local/)?(?:[A-Za-z0-9]+/)?([^@;/-]+)")
_CLID_NAME = re.compile(r'^"(.*)"\s*<[^>]*>$')
_LEG_FIELDS = tuple(f.name for f in fields(LegRecord) if f.name not in ("call_key", "parent_key"))


def _peer(channel: str) -> str:
    """`PJSIP/6001-0000001b` -> `6001`; `Local/6001@from-queue-0000000b;2` -> `6001`."""
    match = _PEER.match(channel)
    return match.group(1) if match else ""


def _epoch_var(leg: LegRecord, name: str) -> int | None:
    raw = str(leg.variables.get(name) or "")
    return int(raw) if raw.isdigit() and raw != "0" else None


def _answered(leg: LegRecord) -> bool:
    return leg.answered_at is not None and (
        leg.disposition in _ANSWERED or leg.source == CallSource.CDR_FREESWITCH
    )


def call_from_legs(call_key: str, legs: list[LegRecord], *, region: str | None) -> CallRecord:
    """One call from all its legs (complete: it replaces what the same source said before)."""
    legs = sorted(legs, key=lambda leg: (leg.started_at, leg.leg_key))
    main = [leg for leg in legs if not leg.is_local] or legs
    first = main[0]
    entered = min(leg.started_at for leg in main)
    ended = max((leg.ended_at for leg in legs if leg.ended_at), default=None)
    answered_legs = [leg for leg in main if _answered(leg)]
    answered = min((leg.answered_at for leg in answered_legs if leg.answered_at), default=None)
    agents: list[str] = []
    for leg in legs:
        if _answered(leg) and leg.dst_channel and not leg.dst_channel.startswith("Local/"):
            name = _peer(leg.dst_channel)
            if name and name not in agents:
                agents.append(name)
        cc_agent = str(leg.variables.get("cc_agent") or "").split("@")[0]
        if cc_agent and cc_agent not in agents:
            agents.append(cc_agent)
    queue = next(
        (leg.last_data.split(",")[0] for leg in legs if leg.last_app == "Queue" and leg.last_data),
        "",
    ) or next((str(leg.variables["cc_queue"]) for leg in legs if "cc_queue" in leg.variables), "")
    record = CallRecord(
        call_id=call_key[:100],
        source=first.source,
        complete=True,
        queue=queue or None,
        caller_raw=first.src or None,
        caller_number=to_e164(first.src, region) or None,
        dialed_number=first.dst or None,
        entered_at=entered,
        answered_at=answered,
        ended_at=ended,
        agent=agents[0] if agents else None,
        transfer_count=max(0, len(agents) - 1) or None,
        transfer_targets=agents[1:] or None,
    )
    clid = _CLID_NAME.match(first.caller_id)
    if clid and clid.group(1):
        record.caller_name = clid.group(1).replace('""', '"')
    direction = str(first.variables.get("direction") or "")
    if direction in (Direction.INBOUND, Direction.OUTBOUND):
        record.direction = direction
    elif "internal" in first.context or "outbound" in first.context:
        record.direction = Direction.OUTBOUND.value
    if answered is not None:
        record.outcome = Outcome.ANSWERED.value
        record.wait_seconds = max(0, int((answered - entered).total_seconds()))
        if ended is not None:
            record.talk_seconds = max(0, int((ended - answered).total_seconds()))
    else:
        table = _ASTERISK_OUTCOMES if first.source == CallSource.CDR_ASTERISK else _Q850_OUTCOMES
        record.outcome = table.get(first.disposition, Outcome.FAILED).value
        if ended is not None:
            record.wait_seconds = max(0, int((ended - entered).total_seconds()))
    _apply_callcenter(record, legs)
    record.details = {
        "legs": len(legs),
        "dispositions": sorted({leg.disposition for leg in legs if leg.disposition}),
    }
    return record


def _apply_callcenter(record: CallRecord, legs: list[LegRecord]) -> None:
    """mod_callcenter's queue times are the agent-side truth (reference §3.3)."""
    leg = next((leg for leg in legs if "cc_queue_joined_epoch" in leg.variables), None)
    if leg is None:
        return
    joined = _epoch_var(leg, "cc_queue_joined_epoch")
    answered = _epoch_var(leg, "cc_queue_answered_epoch")
    canceled = _epoch_var(leg, "cc_queue_canceled_epoch")
    if joined is None:
        return
    record.entered_at = datetime.fromtimestamp(joined, UTC)
    recording = str(leg.variables.get("cc_record_filename") or "")
    if recording:
        record.recording_path = recording[:300]
    if answered is not None:
        record.answered_at = datetime.fromtimestamp(answered, UTC)
        record.wait_seconds = max(0, answered - joined)
        record.outcome = Outcome.ANSWERED.value
        if record.ended_at is not None:
            record.talk_seconds = max(
                0, int((record.ended_at - record.answered_at).total_seconds())
            )
    elif canceled is not None:
        reason = str(leg.variables.get("cc_cancel_reason") or "")
        record.answered_at, record.talk_seconds = None, None
        record.wait_seconds = max(0, canceled - joined)
        record.outcome = _CC_CANCEL.get(reason, Outcome.ABANDONED).value
        record.ended_by = (
            EndedBy.CALLER.value
            if record.outcome in (Outcome.ABANDONED, Outcome.EXIT_KEY)
            else EndedBy.SYSTEM.value
        )


def _leg_from_row(row: dict[str, Any]) -> LegRecord:
    leg = LegRecord(**{name: row[name] for name in _LEG_FIELDS})
    leg.call_key = row["call__call_id"]
    return leg


class CdrWriter:
    """Writes batches of legs of one client and the calls they make."""

    def __init__(self, writer: BatchWriter, *, region: str | None) -> None:
        self.writer = writer
        self.region = region

    def write(self, legs: list[LegRecord], duplicates: int = 0) -> None:
        """Store the new legs of a batch and re-derive the calls they touch, in one
        transaction. `duplicates`: records the batch held twice (already dropped)."""
        client_id = self.writer.client_id
        with transaction.atomic():
            sequence = change_sequence(client_id, Stream.VOICE)
            known = set(
                CallLeg.objects.filter(
                    key_in("leg_key", [leg.leg_key for leg in legs]), client_id=client_id
                ).values_list("leg_key", flat=True)
            )
            new = [leg for leg in legs if leg.leg_key not in known]
            self.writer.counts.add("legs", unchanged=len(legs) - len(new) + duplicates)
            if not new:
                return
            moved = self._resolve(new, client_id)
            keys = {leg.call_key for leg in new if leg.call_key} | {m[1] for m in moved.values()}
            by_call = self._stored_legs(client_id, keys, exclude=set(moved))
            for leg in new:
                if leg.call_key:
                    by_call[leg.call_key].append(leg)
            for stored, key, _old in moved.values():
                by_call[key].append(stored)
            records = [call_from_legs(k, v, region=self.region) for k, v in by_call.items()]
            merged_into = {old: key for _leg, key, old in moved.values() if old not in keys}
            records += [
                CallRecord(
                    call_id=old,
                    source=CallSource.CDR_FREESWITCH.value,
                    complete=True,
                    outcome=Outcome.MERGED.value,
                    details={"merged_into": key},
                )
                for old, key in sorted(merged_into.items())
            ]
            ids = self.writer.flush(records, sequence=sequence, want_ids=True)
            CallLeg.objects.bulk_create(
                [
                    CallLeg(
                        client_id=client_id,
                        call_id=ids.get((leg.call_key, 1)) if leg.call_key else None,
                        **{name: getattr(leg, name) for name in _LEG_FIELDS},
                    )
                    for leg in new
                ],
                ignore_conflicts=True,
            )
            for leg_key, (_stored, key, _old) in moved.items():
                CallLeg.objects.filter(client_id=client_id, leg_key=leg_key).update(
                    call_id=ids[(key, 1)]
                )
            self.writer.counts.add("legs", created=len(new))

    def _resolve(
        self, new: list[LegRecord], client_id: int
    ) -> dict[str, tuple[LegRecord, str, str]]:
        """Set each new leg's call key; return the stored B-legs to move to another call, by
        leg key: (leg, new call key, old call key)."""
        in_batch = {leg.peer_key: leg for leg in new if leg.peer_key}
        stored_a = dict(
            CallLeg.objects.filter(
                key_in("peer_key", [leg.leg_key for leg in new]), client_id=client_id
            ).values_list("peer_key", "call__call_id")
        )

        def own_key(leg: LegRecord) -> str:
            return leg.parent_key or leg.leg_key

        for leg in new:
            if leg.parent_key:
                leg.call_key = leg.parent_key
            elif leg.leg_key in in_batch and in_batch[leg.leg_key] is not leg:
                leg.call_key = own_key(in_batch[leg.leg_key])
            elif stored_a.get(leg.leg_key):
                leg.call_key = stored_a[leg.leg_key]
            elif leg.is_local:
                leg.call_key = None  # an unlinked Local-channel leg: kept, never a call
            else:
                leg.call_key = leg.leg_key
        moved: dict[str, tuple[LegRecord, str, str]] = {}
        peers = {leg.peer_key: leg for leg in new if leg.peer_key and leg.call_key}
        rows = CallLeg.objects.filter(key_in("leg_key", peers), client_id=client_id).values(
            *_LEG_FIELDS, "call__call_id"
        )
        for row in rows:
            a_leg = peers[row["leg_key"]]
            if row["call__call_id"] and row["call__call_id"] != a_leg.call_key:
                moved[row["leg_key"]] = (
                    _leg_from_row(row),
                    a_leg.call_key or "",
                    row["call__call_id"],
                )
        return moved

    def _stored_legs(
        self, client_id: int, keys: Iterable[str], *, exclude: set[str]
    ) -> defaultdict[str, list[LegRecord]]:
        by_call: defaultdict[str, list[LegRecord]] = defaultdict(list)
        calls = Call.objects.filter(key_in("call_id", keys), client_id=client_id)
        rows = CallLeg.objects.filter(client_id=client_id, call__in=calls.values("id")).values(
            *_LEG_FIELDS, "call__call_id"
        )
        for row in rows:
            if row["leg_key"] not in exclude:
                by_call[row["call__call_id"]].append(_leg_from_row(row))
        return by_call
