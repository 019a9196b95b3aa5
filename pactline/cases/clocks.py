"""Keeping a case's SLA clocks current, and firing what falls due.

`clocks_sync` replays the case's timeline through the engine (`pactline.core.sla.evaluate`)
under the clocks of its pinned agreement version, stores each clock cycle with its schedule of
future events, and records the events that are already past (once: `SlaEvent` is unique per
clock, kind, level and cycle). Case services call it in their own transaction.

`clocks_fire_due` is the clock loop's step: it takes the earliest rows of the due queue
(`SlaClockDue`; PostgreSQL: `FOR UPDATE SKIP LOCKED`, so several loops share the work), pops
the due entries of each clock's stored schedule, records them and requeues the clock at its
next event (or dequeues it). It never replays a case: the schedule is exact until the case
changes, and every change re-syncs in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Min

from pactline.agreements.execution import executes
from pactline.cases.definitions import (
    CaseClock,
    after_breach_seconds,
    case_clocks,
    operational_clocks,
)
from pactline.cases.escalations import escalation_actions_queue
from pactline.cases.models import (
    AuthorKind,
    Case,
    ClockStatus,
    EntryKind,
    OperationalLevel,
    SlaClock,
    SlaClockDue,
    SlaEvent,
    SlaEventKind,
    TimelineEntry,
)
from pactline.core.sla import CaseEvent, ClockState, evaluate

executes("escalation.ladders.*.levels.*.time_basis")


@dataclass(frozen=True)
class Fired:
    """An event to record: kind, level, when it happened, and whether it is only noted."""

    kind: str
    level: int
    at: datetime
    suppressed: bool = False


def core_events(entries: Iterable[TimelineEntry]) -> list[CaseEvent]:
    """The timeline as the engine reads it (notes and assignments do not move clocks)."""
    events: list[CaseEvent] = []
    for entry in entries:
        kind = entry.kind
        if kind == EntryKind.CREATED:
            events.append(
                CaseEvent(entry.at, "created", status=entry.status, priority=entry.priority)
            )
        elif kind == EntryKind.CUSTOMER_MESSAGE:
            events.append(CaseEvent(entry.at, "customer_message"))
        elif kind == EntryKind.AGENT_REPLY:
            human = entry.author_kind == AuthorKind.AGENT
            events.append(CaseEvent(entry.at, "agent_reply", author="human" if human else "bot"))
        elif kind == EntryKind.STATUS_CHANGE:
            events.append(CaseEvent(entry.at, "status_change", status=entry.status))
        elif kind == EntryKind.PRIORITY_CHANGE:
            events.append(CaseEvent(entry.at, "priority_change", priority=entry.priority))
        elif kind == EntryKind.RESOLVE:
            events.append(CaseEvent(entry.at, "resolve", status=entry.status or None))
        elif kind == EntryKind.REOPEN:
            events.append(CaseEvent(entry.at, "reopen", status=entry.status or None))
    return events


def _after_breach(clock: CaseClock, state: ClockState) -> list[tuple[int, datetime]]:
    """When the after-breach escalation levels of this cycle fall (empty if it cannot breach)."""
    base = state.breached_at
    if base is None and state.state == "running":
        base = state.due_at
    if base is None:
        return []
    points = []
    for point in clock.after_breach:
        seconds = after_breach_seconds(point)
        if point.level.time_basis == "calendar":
            at = base + timedelta(seconds=seconds)
        else:
            at = clock.definition.calendar.add(base, seconds)
        points.append((point.code, at))
    return points


def _plan(clock: CaseClock, state: ClockState, now: datetime) -> tuple[list[Fired], list[Fired]]:
    """(events already past, schedule of events ahead) for one clock cycle."""
    past: list[Fired] = []
    ahead: list[Fired] = []
    for event in state.past_events:
        if event.kind == "breach":
            past.append(Fired(SlaEventKind.BREACH, 0, event.at))
        else:
            kind, level = clock.event_of(event.level)
            past.append(Fired(kind, level, event.at, suppressed=event.suppressed))
    if state.state == "running":
        for level, at in state.warnings_due:
            kind, code = clock.event_of(level)
            ahead.append(Fired(kind, code, at))
        if state.due_at is not None and state.due_at > now:
            ahead.append(Fired(SlaEventKind.BREACH, 0, state.due_at))
    if state.state in ("running", "breached"):
        for code, at in _after_breach(clock, state):
            target = past if at <= now else ahead
            target.append(Fired(SlaEventKind.ESCALATION, code, at))
    ahead.sort(key=lambda fired: (fired.at, fired.kind, fired.level))
    return past, ahead


def _schedule_json(ahead: Sequence[Fired]) -> list[dict[str, Any]]:
    return [{"kind": f.kind, "level": f.level, "at": f.at.isoformat()} for f in ahead]


def _record(clock: SlaClock, fired: Iterable[Fired], now: datetime) -> list[SlaEvent]:
    """Insert the events not yet recorded; returns the ones this call created."""
    rows = [
        SlaEvent(
            client_id=clock.client_id,
            clock=clock,
            case_id=clock.case_id,
            kind=f.kind,
            level=f.level,
            cycle=clock.cycle,
            occurred_at=f.at,
            recorded_at=now,
            suppressed=f.suppressed,
        )
        for f in fired
    ]
    if not rows:
        return []
    known = set(SlaEvent.objects.filter(clock=clock).values_list("kind", "level", "cycle"))
    fresh = [row for row in rows if (row.kind, row.level, row.cycle) not in known]
    SlaEvent.objects.bulk_create(fresh, ignore_conflicts=True)
    keys = {(row.kind, row.level) for row in fresh}
    return [
        event
        for event in SlaEvent.objects.filter(clock=clock, recorded_at=now)
        if (event.kind, event.level) in keys
    ]


def clocks_sync(case: Case, *, now: datetime) -> list[SlaEvent]:
    """Re-evaluate every clock of `case` (locked by the caller) as of `now`.

    Returns the SLA events this call recorded."""
    entries = list(case.timeline.order_by("seq"))
    clocks = case_clocks(case.agreement_version, case.channel, case.priority)
    levels = OperationalLevel.objects.filter(
        client_id=case.client_id, channel=case.channel, is_active=True
    )
    clocks += operational_clocks(case.agreement_version, levels, case.priority)
    by_key = {clock.definition.key: clock for clock in clocks}
    states = evaluate([clock.definition for clock in clocks], core_events(entries), now=now)
    stored = {(row.key, row.cycle): row for row in case.clocks.all()}
    recorded: list[SlaEvent] = []
    queued: dict[int, tuple[int, datetime | None]] = {}  # clocks whose next event changed
    for state in states:
        clock = by_key[state.key]
        past, ahead = _plan(clock, state, now)
        row = stored.get((state.key, state.cycle))
        fields: dict[str, Any] = {
            "agreement_version_id": case.agreement_version_id,
            "metric": state.metric,
            "calendar": clock.calendar_name,
            "state": state.state,
            "priority": state.priority or "",
            "target_seconds": state.target_seconds,
            "started_at": state.started_at,
            "consumed_seconds": state.consumed,
            "evaluated_at": now,
            "due_at": state.due_at,
            "next_event_at": ahead[0].at if ahead else None,
            "breached_at": state.breached_at,
            "met_at": state.met_at,
            "stopped_at": state.stopped_at,
            "schedule": _schedule_json(ahead),
        }
        if row is None:
            row = SlaClock.objects.create(
                client_id=case.client_id, case=case, key=state.key, cycle=state.cycle, **fields
            )
            queued[row.pk] = (case.client_id, row.next_event_at)
        else:
            if row.next_event_at != fields["next_event_at"]:
                queued[row.pk] = (case.client_id, fields["next_event_at"])
            SlaClock.objects.filter(pk=row.pk).update(version=row.version + 1, **fields)
            for name, value in fields.items():
                setattr(row, name, value)
            row.version += 1
        recorded.extend(_record(row, past, now))
    _queue(queued)
    return recorded


def _queue(nexts: dict[int, tuple[int, datetime | None]]) -> None:
    """Put clocks (id -> client, next event) in the due queue, or take them out (None)."""
    gone = [pk for pk, (_client, at) in nexts.items() if at is None]
    if gone:
        SlaClockDue.objects.filter(clock_id__in=gone).delete()
    SlaClockDue.objects.bulk_create(
        [
            SlaClockDue(clock_id=pk, client_id=client, at=at)
            for pk, (client, at) in nexts.items()
            if at is not None
        ],
        update_conflicts=True,
        unique_fields=["clock"],
        update_fields=["at"],
    )


@dataclass(frozen=True)
class Tick:
    clocks: int
    events: list[SlaEvent]


def _skip_locked() -> bool:
    return bool(connection.features.has_select_for_update_skip_locked)


def clocks_fire_due(*, now: datetime, batch: int = 2000) -> Tick:
    """Record what has fallen due on up to `batch` clocks, in one transaction."""
    if connection.vendor == "postgresql":
        return _fire_due_postgresql(now, batch)
    with transaction.atomic():
        due = (
            SlaClock.objects.filter(due__at__lte=now)
            .order_by("due__at")
            .only("id", "client_id", "case_id", "cycle", "state", "breached_at", "schedule")
        )
        if _skip_locked():
            due = due.select_for_update(skip_locked=True, of=("self", "due"))
        rows = list(due[:batch])
        if not rows:
            return Tick(0, [])
        events: list[SlaEvent] = []
        for row in rows:
            schedule = row.schedule
            split = next(
                (i for i, item in enumerate(schedule) if datetime.fromisoformat(item["at"]) > now),
                len(schedule),
            )
            for item in schedule[:split]:
                occurred_at = datetime.fromisoformat(item["at"])
                events.append(
                    SlaEvent(
                        client_id=row.client_id,
                        clock_id=row.pk,
                        case_id=row.case_id,
                        kind=item["kind"],
                        level=item["level"],
                        cycle=row.cycle,
                        occurred_at=occurred_at,
                        recorded_at=now,
                    )
                )
                if item["kind"] == SlaEventKind.BREACH:
                    row.state = ClockStatus.BREACHED
                    row.breached_at = occurred_at
            row.schedule = schedule[split:]
            row.next_event_at = (
                datetime.fromisoformat(row.schedule[0]["at"]) if row.schedule else None
            )
        SlaEvent.objects.bulk_create(events, ignore_conflicts=True)
        _save_popped(rows)
        _queue({row.pk: (row.client_id, row.next_event_at) for row in rows})
        created = list(
            SlaEvent.objects.filter(clock_id__in=[row.pk for row in rows], recorded_at=now)
        )
        escalation_actions_queue(created)
    return Tick(len(rows), created)


# The same step as one statement: take the due rows (SKIP LOCKED), insert the schedule
# entries that are due as events (once: ON CONFLICT DO NOTHING), and write back each clock's
# state, breach time and the rest of its schedule. Building model instances and sending
# parameters for every row cost over 1 ms per clock in Python; the server does it in µs.
_FIRE_DUE_SQL = """
WITH due AS (
    SELECT c.id, c.client_id, c.case_id, c.cycle, c.schedule
    FROM cases_slaclockdue q JOIN cases_slaclock c ON c.id = q.clock_id
    WHERE q.at <= %(now)s
    ORDER BY q.at LIMIT %(batch)s
    FOR UPDATE OF q, c SKIP LOCKED
), entries AS (
    SELECT d.id, d.client_id, d.case_id, d.cycle, e.item, e.n,
        (e.item ->> 'at')::timestamptz AS at
    FROM due d CROSS JOIN LATERAL jsonb_array_elements(d.schedule) WITH ORDINALITY AS e(item, n)
), popped AS (
    SELECT d.id,
        COALESCE(jsonb_agg(x.item ORDER BY x.n) FILTER (WHERE x.at > %(now)s), '[]'::jsonb)
            AS rest,
        max(x.at) FILTER (WHERE x.at <= %(now)s AND x.item ->> 'kind' = 'breach') AS breach_at
    FROM due d LEFT JOIN entries x ON x.id = d.id
    GROUP BY d.id
), written AS (
    UPDATE cases_slaclock AS c SET
        state = CASE WHEN p.breach_at IS NULL THEN c.state ELSE 'breached' END,
        breached_at = COALESCE(p.breach_at, c.breached_at),
        schedule = p.rest,
        next_event_at = (p.rest -> 0 ->> 'at')::timestamptz,
        version = c.version + 1
    FROM popped p WHERE c.id = p.id
    RETURNING c.id
), requeued AS (
    UPDATE cases_slaclockdue AS q SET at = (p.rest -> 0 ->> 'at')::timestamptz
    FROM popped p WHERE q.clock_id = p.id AND jsonb_array_length(p.rest) > 0
), dequeued AS (
    DELETE FROM cases_slaclockdue AS q USING popped p
    WHERE q.clock_id = p.id AND jsonb_array_length(p.rest) = 0
), fired AS (
    INSERT INTO cases_slaevent (client_id, clock_id, case_id, kind, level, cycle, occurred_at,
        recorded_at, suppressed)
    SELECT client_id, id, case_id, item ->> 'kind', (item ->> 'level')::integer, cycle, at,
        %(now)s, false
    FROM entries WHERE at <= %(now)s
    ON CONFLICT DO NOTHING
    RETURNING {columns}
)
SELECT (SELECT count(*) FROM written), {fired_columns}
FROM (SELECT 1) AS one LEFT JOIN fired f ON true
ORDER BY f.occurred_at, f.id
"""


_EVENT_FIELDS = [field.attname for field in SlaEvent._meta.concrete_fields]


def _fire_due_sql() -> str:
    columns = [str(field.column) for field in SlaEvent._meta.concrete_fields]
    return _FIRE_DUE_SQL.format(
        columns=", ".join(columns), fired_columns=", ".join(f"f.{c}" for c in columns)
    )


def _fire_due_postgresql(now: datetime, batch: int) -> Tick:
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The planner cannot see how short the schedules are and overestimates the
            # statement past the JIT threshold; compiling it costs more than running it.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(_fire_due_sql(), {"now": now, "batch": batch})
            rows = cursor.fetchall()
        clocks = int(rows[0][0])
        # Every concrete field in model order: `from_db` builds instances positionally.
        created = [SlaEvent.from_db("default", _EVENT_FIELDS, row[1:]) for row in rows if row[1]]
        escalation_actions_queue(created)
    return Tick(clocks, created)


def _save_popped(rows: list[SlaClock]) -> None:
    """Write back state, breach time and the rest of each schedule, bumping `version`.

    One statement for the whole batch: Django's `bulk_update` builds a CASE per row and field,
    which costs more than the rest of the loop together at a few thousand rows."""
    adapt = connection.ops.adapt_datetimefield_value  # the backend's own storage format
    values = [
        (
            row.pk,
            row.state,
            adapt(row.breached_at),
            json.dumps(row.schedule),
            adapt(row.next_event_at),
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, states, breached, schedules, nexts = (
                list(column) for column in zip(*values, strict=True)
            )
            cursor.execute(
                "UPDATE cases_slaclock AS c SET state = v.state, breached_at = v.breached_at,"
                " schedule = v.schedule::jsonb, next_event_at = v.next_event_at,"
                " version = c.version + 1"
                " FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::text[],"
                " %s::timestamptz[]) AS v(id, state, breached_at, schedule, next_event_at)"
                " WHERE c.id = v.id",
                [ids, states, breached, schedules, nexts],
            )
        else:
            cursor.executemany(
                "UPDATE cases_slaclock SET state = %s, breached_at = %s, schedule = %s,"
                " next_event_at = %s, version = version + 1 WHERE id = %s",
                [
                    (state, breached, schedule, nxt, pk)
                    for pk, state, breached, schedule, nxt in values
                ],
            )


def next_due_at() -> datetime | None:
    """When the loop next has work (for sleeping until then)."""
    result: datetime | None = SlaClockDue.objects.aggregate(at=Min("at"))["at"]
    return result
