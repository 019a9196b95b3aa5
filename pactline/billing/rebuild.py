"""Rebuild a client's usage for a period, through the consumer's own path.

Every source anchored in [start, end) (a call by when it entered, a case by when it opened or
was resolved, an agent by a state there, a chat session by when it started) and every source that has a usage record there is
derived again with `usage_replace`: the result is what the consumer would have produced, so a
rebuild of a correct period changes nothing. The client's billing cursors stay locked
meanwhile, so a running consumer waits rather than interleaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pactline.audit.services import audit_record
from pactline.billing.consumer import STREAMS, Stream, cursors_ensure, usage_replace
from pactline.billing.models import Cursor, UsageRecord, UsageSource
from pactline.billing.usage import agents_replace, chat_sessions_replace
from pactline.cases.models import Case
from pactline.channels.chat.models import ChatSession
from pactline.channels.voice.models import AgentStateChange, Call
from pactline.common.errors import FieldError, ValidationFailed
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

_CHUNK = 2000


@dataclass(frozen=True)
class Rebuilt:
    sources: int
    records: int


def _recorded(stream: Stream, client_id: int, start: datetime, end: datetime) -> set[int]:
    return set(
        UsageRecord.objects.filter(
            client_id=client_id, source=stream.source, at__gte=start, at__lt=end
        ).values_list("source_id", flat=True)
    )


def _anchored(stream: Stream, client_id: int, start: datetime, end: datetime) -> set[int]:
    if stream.source == UsageSource.CALL:
        query = Q(entered_at__gte=start, entered_at__lt=end) | Q(
            entered_at__isnull=True, created_at__gte=start, created_at__lt=end
        )
        found = set(Call.objects.filter(query, client_id=client_id).values_list("pk", flat=True))
    else:
        query = Q(opened_at__gte=start, opened_at__lt=end) | Q(
            resolved_at__gte=start, resolved_at__lt=end
        )
        found = set(Case.objects.filter(query, client_id=client_id).values_list("pk", flat=True))
    return found | _recorded(stream, client_id, start, end)


def _chat_sessions(client_id: int, start: datetime, end: datetime) -> set[int]:
    started = ChatSession.objects.filter(
        client_id=client_id, started_at__gte=start, started_at__lt=end
    ).values_list("pk", flat=True)
    recorded = UsageRecord.objects.filter(
        client_id=client_id, source=UsageSource.CHAT, at__gte=start, at__lt=end
    ).values_list("source_id", flat=True)
    return set(started) | set(recorded)


def _agents(client_id: int, start: datetime, end: datetime) -> set[str]:
    agents = set(
        AgentStateChange.objects.filter(client_id=client_id, at__gte=start, at__lt=end)
        .values_list("agent", flat=True)
        .distinct()
    )
    recorded = set(
        UsageRecord.objects.filter(
            client_id=client_id, source=UsageSource.AGENT_STATE, at__gte=start, at__lt=end
        ).values_list("agent", flat=True)
    )
    # A recorded agent whose states are gone is replayed to nothing, deleting its days.
    return agents | recorded


@transaction.atomic
def usage_rebuild(*, actor: Actor, client: Client, start: datetime, end: datetime) -> Rebuilt:
    """Re-derive the usage of [start, end); see the module docstring."""
    require(actor, Permission.BILLING_MANAGE, client.id)
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed([FieldError("start", _("give the period with a time zone"))])
    if end <= start:
        raise ValidationFailed([FieldError("end", _("the period ends before it starts"))])
    cursors_ensure(client.id)
    list(Cursor.objects.select_for_update().filter(client_id=client.id))
    sources = records = 0
    for stream in STREAMS:
        if stream.source == UsageSource.AGENT_STATE:
            agents = sorted(_agents(client.id, start, end))
            sources += len(agents)
            records += agents_replace(client.id, dict.fromkeys(agents, start))
            continue
        if stream.source == UsageSource.CHAT:
            # The chat stream's rows are messages; a rebuild replaces sessions by their ids.
            sessions = sorted(_chat_sessions(client.id, start, end))
            sources += len(sessions)
            for begin in range(0, len(sessions), _CHUNK):
                records += chat_sessions_replace(client.id, sessions[begin : begin + _CHUNK])
            continue
        ids = sorted(_anchored(stream, client.id, start, end))
        sources += len(ids)
        for begin in range(0, len(ids), _CHUNK):
            records += usage_replace(stream, client.id, ids[begin : begin + _CHUNK])
    audit_record(
        actor=actor,
        action="billing.usage_rebuilt",
        client_id=client.id,
        obj=client,
        payload={
            "from": start.isoformat(),
            "to": end.isoformat(),
            "sources": sources,
            "records": records,
        },
        at=timezone.now(),
    )
    return Rebuilt(sources=sources, records=records)
