"""The metrics consumer: reads each client's calls, cases and survey responses by cursor and
keeps facts and rollups current (DESIGN: derived data flows up by cursor).

One batch is one transaction (`common.cursors`): the cursor row is locked, the changed sources'
old facts are deleted and new ones written, the intervals either touched are recomputed, and
the cursor moves. `facts_replace` is also the rebuild's path."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from pactline.cases.models import Case, ClockStatus, SlaClock, SurveyResponse
from pactline.channels.voice.models import AgentStateChange, Call
from pactline.common.cursors import changes_past, cursor_locked, cursor_move
from pactline.metrics.agreement_terms import thresholds_tracked
from pactline.metrics.call_facts import CALL_FIELDS, call_facts
from pactline.metrics.case_facts import case_context, case_facts, earlier_cases
from pactline.metrics.fact_rows import FactRow, facts_insert
from pactline.metrics.models import Cursor, Fact, Source
from pactline.metrics.rollups import rollups_recompute
from pactline.metrics.staffed_facts import staffed_replace
from pactline.metrics.survey_facts import survey_facts
from pactline.tenancy.models import Client

BATCH = 5000


Replace = Callable[[int, list[int]], set[datetime]]


@dataclass(frozen=True)
class Stream:
    """One client's change stream of one source table, and how its rows become facts:
    `replace(client_id, ids)` swaps the facts of those rows and returns the intervals it
    touched."""

    name: str
    source: Source
    model: type[Model]
    replace: Replace
    # Rows per batch relative to the consumer's batch. Agent states replay each changed agent
    # whole, so they are taken in large batches: a month's log is then one replay per agent.
    batch_scale: int = 1


def _call_derive(client_id: int, ids: list[int]) -> list[FactRow]:
    calls = list(Call.objects.filter(client_id=client_id, pk__in=ids).only(*CALL_FIELDS))
    case_ids = {call.case_id for call in calls if call.case_id}
    priorities = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "priority"))
    return call_facts(calls, priorities)


def _cases(client_id: int, ids: Iterable[int]) -> list[Case]:
    return list(
        Case.objects.filter(client_id=client_id, pk__in=list(ids)).select_related(
            "agreement_version", "assignee"
        )
    )


def _case_derive(client_id: int, ids: list[int]) -> list[FactRow]:
    cases = _cases(client_id, ids)
    context = case_context(cases, now=timezone.now())
    return [fact for case in cases for fact in case_facts(case, context)]


def _survey_derive(client_id: int, ids: list[int]) -> list[FactRow]:
    responses = SurveyResponse.objects.filter(client_id=client_id, pk__in=ids).select_related(
        "case", "case__assignee"
    )
    return survey_facts(responses)


def _replacing(source: Source, derive: Callable[[int, list[int]], list[FactRow]]) -> Replace:
    """Replace by source id: delete the sources' facts, derive them again."""

    def replace(client_id: int, ids: list[int]) -> set[datetime]:
        old = Fact.objects.filter(client_id=client_id, source=source, source_id__in=ids)
        touched = set(old.values_list("interval_start", flat=True).distinct())
        old.delete()
        rows = derive(client_id, ids)
        facts_insert(rows)
        touched.update(row["interval_start"] for row in rows)
        return touched

    return replace


def _case_ids(client_id: int, ids: list[int]) -> list[int]:
    """The changed cases and the earlier cases of the same contact and issue, whose
    repeat-contact FCR a new case decides."""
    return sorted(set(ids) | earlier_cases(_cases(client_id, ids)))


_case_replace = _replacing(Source.CASE, _case_derive)

STREAMS = (
    Stream("voice", Source.CALL, Call, _replacing(Source.CALL, _call_derive)),
    Stream(
        "cases",
        Source.CASE,
        Case,
        lambda client_id, ids: _case_replace(client_id, _case_ids(client_id, ids)),
    ),
    Stream("surveys", Source.SURVEY, SurveyResponse, _replacing(Source.SURVEY, _survey_derive)),
    Stream("agent_states", Source.AGENT_STATE, AgentStateChange, staffed_replace, 100),
)


def facts_replace(stream: Stream, client_id: int, ids: list[int]) -> set[datetime]:
    """Replace the facts of these sources; returns every interval whose sums changed."""
    return stream.replace(client_id, ids)


def consume_batch(
    client_id: int,
    stream: Stream,
    *,
    batch: int = BATCH,
    thresholds: Sequence[int] | None = None,
) -> int:
    """Apply the next batch of one client's stream; returns how many sources it read.
    `thresholds`: the client's tracked thresholds when the caller has them already."""
    with transaction.atomic():
        cursor = cursor_locked(Cursor, client_id, stream.name)
        if cursor is None:
            return 0
        changed = changes_past(stream.model, client_id, cursor.position, batch * stream.batch_scale)
        if not changed:
            return 0
        touched = facts_replace(stream, client_id, [pk for pk, _ in changed])
        if thresholds is None:
            thresholds = thresholds_tracked(client_id)
        rollups_recompute(client_id, touched, thresholds)
        cursor_move(cursor, changed[-1][1])
        return len(changed)


CLOCK_DUES = "clock_dues"
CLOCK_DUES_EVERY = timedelta(seconds=30)
_MICROS = 1_000_000


def clock_dues_consume(
    client_id: int, *, now: datetime | None = None, thresholds: Sequence[int] | None = None
) -> int:
    """Re-derive the cases of clocks that fell due since the last pass while running: they
    are missed from their due time, though the case itself did not change (the clock loop
    records the breach without touching the case). A cursor by time: the instant up to which
    due times were swept. Returns the cases re-derived."""
    now = now or timezone.now()
    with transaction.atomic():
        cursor = cursor_locked(Cursor, client_id, CLOCK_DUES)
        if cursor is None:
            return 0
        since = datetime.fromtimestamp(cursor.position / _MICROS, UTC)
        if now - since < CLOCK_DUES_EVERY:
            return 0  # a due time is counted within this much of passing
        ids = sorted(
            set(
                SlaClock.objects.filter(
                    client_id=client_id,
                    state__in=(ClockStatus.RUNNING, ClockStatus.BREACHED),
                    due_at__gt=since,
                    due_at__lte=now,
                ).values_list("case_id", flat=True)
            )
        )
        if ids:
            touched = _case_replace(client_id, _case_ids(client_id, ids))
            if thresholds is None:
                thresholds = thresholds_tracked(client_id)
            rollups_recompute(client_id, touched, thresholds)
        cursor_move(cursor, int(now.timestamp() * _MICROS))
        return len(ids)


def consume_all(*, client_ids: Iterable[int] | None = None, batch: int = BATCH) -> int:
    """Drain every stream of every client (or of `client_ids`); returns sources read."""
    ids = (
        list(client_ids)
        if client_ids is not None
        else list(Client.objects.values_list("pk", flat=True))
    )
    total = 0
    for client_id in ids:
        # Once per pass: a new agreement version may name a new threshold.
        thresholds = thresholds_tracked(client_id)
        for stream in STREAMS:
            while read := consume_batch(client_id, stream, batch=batch, thresholds=thresholds):
                total += read
        clock_dues_consume(client_id, thresholds=thresholds)
    return total
