"""Rebuild a client's facts and rollups for a period, through the consumer's own path.

Every source anchored in the period (a call by when it entered, a case by when it opened or
was resolved, a survey by when it was answered) and every source that has a fact there is
re-derived with `facts_replace`, and the touched intervals are recomputed: the result is what
the consumer would have produced, so a rebuild of a correct period changes nothing. The
client's cursors stay locked meanwhile, so a running consumer waits rather than interleaves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from pactline.audit.services import audit_record
from pactline.cases.models import Case, SurveyResponse
from pactline.channels.voice.models import AgentStateChange, Call
from pactline.metrics.agreement_terms import thresholds_tracked
from pactline.metrics.consumer import STREAMS, Stream, facts_replace
from pactline.metrics.models import Cursor, Fact, Source
from pactline.metrics.rollups import rollups_recompute
from pactline.tenancy.access import Actor, Permission, require
from pactline.tenancy.models import Client

_CHUNK = 2000


@dataclass(frozen=True)
class Rebuilt:
    sources: int
    intervals: int


def _anchored(stream: Stream, client_id: int, start: datetime, end: datetime) -> set[int]:
    ids: QuerySet[Any]
    if stream.source == Source.CALL:
        query = Q(entered_at__gte=start, entered_at__lt=end) | Q(
            entered_at__isnull=True, created_at__gte=start, created_at__lt=end
        )
        ids = Call.objects.filter(query, client_id=client_id)
    elif stream.source == Source.CASE:
        query = Q(opened_at__gte=start, opened_at__lt=end) | Q(
            resolved_at__gte=start, resolved_at__lt=end
        )
        ids = Case.objects.filter(query, client_id=client_id)
    elif stream.source == Source.AGENT_STATE:
        ids = AgentStateChange.objects.filter(client_id=client_id, at__gte=start, at__lt=end)
    else:
        ids = SurveyResponse.objects.filter(
            client_id=client_id, responded_at__gte=start, responded_at__lt=end
        )
    found = set(ids.values_list("pk", flat=True))
    found.update(
        Fact.objects.filter(
            client_id=client_id,
            source=stream.source,
            interval_start__gte=start,
            interval_start__lt=end,
        ).values_list("source_id", flat=True)
    )
    return found


@transaction.atomic
def metrics_rebuild(*, actor: Actor, client: Client, start: datetime, end: datetime) -> Rebuilt:
    """Re-derive [start, end) of the client's metrics; see the module docstring."""
    require(actor, Permission.METRICS_REBUILD, client.id)
    for stream in STREAMS:
        Cursor.objects.get_or_create(
            client_id=client.id, stream=stream.name, defaults={"updated_at": timezone.now()}
        )
    list(Cursor.objects.select_for_update().filter(client_id=client.id))
    sources = 0
    touched: set[datetime] = set()
    for stream in STREAMS:
        ids = sorted(_anchored(stream, client.id, start, end))
        sources += len(ids)
        for begin in range(0, len(ids), _CHUNK):
            touched |= facts_replace(stream, client.id, ids[begin : begin + _CHUNK])
    intervals = rollups_recompute(client.id, touched, thresholds_tracked(client.id))
    audit_record(
        actor=actor,
        action="metrics.rebuilt",
        client_id=client.id,
        obj=client,
        payload={"from": start.isoformat(), "to": end.isoformat(), "sources": sources},
        at=timezone.now(),
    )
    return Rebuilt(sources=sources, intervals=intervals)
