"""Test helpers (no tests here): fixture paths, importing, snapshots of what is stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pactline.channels.voice.importing import ImportOptions, voice_file_import
from pactline.channels.voice.models import (
    AgentStateChange,
    Call,
    CallEvent,
    CallLeg,
    ImportRun,
)
from pactline.common.models import ChangeCounter
from pactline.common.sequences import Stream
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client

FIXTURES = Path(__file__).parent / "fixtures"
SYSTEM = system_actor("test")

CALL_VIEW = (
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


def at(hms: str, day: str = "2024-03-05") -> datetime:
    return datetime.fromisoformat(f"{day}T{hms}+00:00").astimezone(UTC)


def run_import(client: Client, name: str, fmt: str = "queue_log", **options: Any) -> ImportRun:
    options.setdefault("timezone", "America/New_York")
    return voice_file_import(
        actor=SYSTEM,
        client=client,
        options=ImportOptions(path=FIXTURES / name, format=fmt, **options),
    )


def calls(client: Client) -> dict[tuple[str, int], dict[str, Any]]:
    rows = Call.objects.filter(client=client).values("call_id", "segment", *CALL_VIEW)
    return {(row.pop("call_id"), row.pop("segment")): row for row in rows}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every stored voice row (ImportRun excluded: each run is logged)."""
    return {
        "calls": list(Call.objects.order_by("pk").values_list()),
        "legs": list(CallLeg.objects.order_by("pk").values_list()),
        "states": list(AgentStateChange.objects.order_by("pk").values_list()),
        "events": list(CallEvent.objects.order_by("pk").values_list()),
        "counters": list(
            ChangeCounter.objects.filter(stream=Stream.VOICE).order_by("pk").values_list()
        ),
    }


def call_defaults(**fields: Any) -> dict[str, Any]:
    """A stored call's fields: the given ones over the empty values."""
    base: dict[str, Any] = {
        "source": "queue_log",
        "direction": "inbound",
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
        "outcome": "in_progress",
        "disposition": "",
        "ended_by": "",
        "unanswered_rings": 0,
        "transfer_count": 0,
        "transfer_targets": [],
        "recording_path": "",
        "details": {},
    }
    return base | fields
