"""The billing consumer: reads each client's calls, cases, agent states and chat messages by
its own cursors
(`billing.Cursor`) and keeps the usage records and diversion draws current (DESIGN: derived
data flows up by cursor).

One batch is one transaction: the cursor row is locked (another consumer skips the client's
stream meanwhile), the changed sources' records are replaced and the cursor moves; a crash
rolls all of it back, so a batch is applied exactly once. A late import gives the imported
rows new change numbers, so only they are derived again. `usage_replace` is also the
rebuild's path."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from pactline.billing.models import Cursor, UsageSource
from pactline.billing.usage import (
    agent_states_replace,
    calls_replace,
    cases_replace,
    chat_messages_replace,
)
from pactline.cases.models import Case
from pactline.channels.chat.models import ChatMessage
from pactline.channels.voice.models import AgentStateChange, Call
from pactline.common.cursors import changes_past, cursor_locked, cursor_move
from pactline.tenancy.models import Client

BATCH = 5000
EVERY = timedelta(seconds=30)  # how often `pactline serve` brings usage up to date

Replace = Callable[[int, Sequence[int]], int]


@dataclass(frozen=True)
class Stream:
    """One client's change stream of one source table; `replace(client_id, ids)` swaps the
    usage of those rows and returns the records written."""

    name: str
    source: UsageSource
    model: type[Model]
    replace: Replace
    # Agent states replay each changed agent whole: large batches mean one replay per agent.
    batch_scale: int = 1


STREAMS = (
    Stream("voice", UsageSource.CALL, Call, calls_replace),
    Stream("cases", UsageSource.CASE, Case, cases_replace),
    Stream("agent_states", UsageSource.AGENT_STATE, AgentStateChange, agent_states_replace, 100),
    # A changed message re-derives its session (an ending comes by the cases stream).
    Stream("chat", UsageSource.CHAT, ChatMessage, chat_messages_replace),
)


def usage_replace(stream: Stream, client_id: int, ids: Sequence[int]) -> int:
    """Replace the usage of these sources; returns the records written."""
    return stream.replace(client_id, ids)


def cursors_ensure(client_id: int) -> None:
    for stream in STREAMS:
        Cursor.objects.get_or_create(
            client_id=client_id, stream=stream.name, defaults={"updated_at": timezone.now()}
        )


def usage_consume_batch(client_id: int, stream: Stream, *, batch: int = BATCH) -> int:
    """Apply the next batch of one client's stream; returns how many sources it read."""
    with transaction.atomic():
        cursor = cursor_locked(Cursor, client_id, stream.name)
        if cursor is None:
            return 0
        changed = changes_past(stream.model, client_id, cursor.position, batch * stream.batch_scale)
        if not changed:
            return 0
        usage_replace(stream, client_id, [pk for pk, _ in changed])
        cursor_move(cursor, changed[-1][1])
        return len(changed)


def usage_consume_all(*, client_ids: Iterable[int] | None = None, batch: int = BATCH) -> int:
    """Drain every stream of every client (or of `client_ids`); returns sources read."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    ids = (
        list(client_ids)
        if client_ids is not None
        else list(Client.objects.values_list("pk", flat=True))
    )
    total = 0
    for client_id in ids:
        for stream in STREAMS:
            while read := usage_consume_batch(client_id, stream, batch=batch):
                total += read
    return total


def usage_job() -> list[str]:
    """The `pactline serve` loop's job: usage brought up to date after the rollups."""
    read = usage_consume_all()
    return [f"billing: usage of {read} contact(s) derived"] if read else []
