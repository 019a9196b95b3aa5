"""Hand-built calls, cases and agent states for the billing tests, each written as ingestion
writes it: with a fresh number of the client's change sequence."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction

from pactline.audit.sequences import next_change_seq
from pactline.billing.models import DiversionEntry, UsageRecord
from pactline.cases.tests.fixtures import load_example
from pactline.channels.voice.models import AgentStateChange, Call, CallLeg, CallSource
from pactline.common.sequences import Stream
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

SYSTEM = system_actor("test")

# Tuesday 8 September 2026, 10:00 in Adelaide (ACST, UTC+9:30): Kestrel's centre is open.
TUESDAY_10AM_ADELAIDE = datetime(2026, 9, 8, 0, 30, tzinfo=UTC)

RECORD_FIELDS = (
    "source",
    "part",
    "kind",
    "price_item",
    "at",
    "channel",
    "service_type",
    "direction",
    "queue",
    "number",
    "agent",
    "call_id",
    "leg",
    "handled",
    "event",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "productive_seconds",
    "logged_seconds",
    "training_seconds",
    "outside_hours",
    "diverted_to",
)


def kestrel() -> Client:
    """The per-minute AUD client (Adelaide) with diversion fees and a prepayment to refuse."""
    return load_example("call-centre-per-minute").client


def call(
    client: Client,
    call_id: str,
    entered: datetime,
    *,
    segment: int = 1,
    direction: str = "inbound",
    queue: str = "support",
    dialled: str = "0885550100",
    outcome: str = "answered",
    talk: int = 0,
    hold: int = 0,
    acw: int = 0,
    agent: str = "Alice",
    targets: Sequence[str] = (),
) -> Call:
    """Write (or rewrite, as a late import does) one queue visit."""
    with transaction.atomic():
        seq = next_change_seq(client.id, Stream.VOICE)
        found, _ = Call.objects.update_or_create(
            client=client,
            call_id=call_id,
            segment=segment,
            defaults={
                "source": CallSource.EVENTS,
                "direction": direction,
                "queue": queue,
                "dialed_number": dialled,
                "entered_at": entered,
                "answered_at": entered + timedelta(seconds=5) if outcome == "answered" else None,
                "ended_at": entered + timedelta(seconds=5 + talk + hold),
                "talk_seconds": talk,
                "hold_seconds": hold,
                "acw_seconds": acw,
                "agent": agent,
                "outcome": outcome,
                "transfer_targets": list(targets),
                "transfer_count": len(targets),
                "change_seq": seq,
                "created_at": entered,
                "updated_at": entered,
            },
        )
    return found


def leg(client: Client, of: Call, key: str, dst: str, started: datetime) -> CallLeg:
    return CallLeg.objects.create(
        client=client,
        call=of,
        leg_key=key,
        source=CallSource.CDR_ASTERISK,
        dst=dst,
        started_at=started,
    )


def agent_state(
    client: Client, agent: str, state: str, at: datetime, *, queue: str = "", reason: str = ""
) -> AgentStateChange:
    with transaction.atomic():
        seq = next_change_seq(client.id, Stream.VOICE)
        return AgentStateChange.objects.create(
            client=client,
            agent=agent,
            queue=queue,
            state=state,
            at=at,
            reason=reason,
            source=CallSource.QUEUE_LOG,
            change_seq=seq,
            created_at=at,
        )


def records(client: Client, **where: Any) -> list[dict[str, Any]]:
    """The client's usage as comparable rows (no ids), in a stable order."""
    return list(
        UsageRecord.objects.filter(client=client, **where)
        .order_by("source", "at", "source_id", "part")
        .values(*RECORD_FIELDS, "agreement_version_id")
    )


def draws(client: Client) -> list[tuple[str, str, str]]:
    """(source key, amount, note) of the client's draws."""
    return [
        (entry.source_key, str(entry.amount.normalize()), entry.note)
        for entry in DiversionEntry.objects.filter(client=client, kind="draw").order_by(
            "source_key"
        )
    ]
