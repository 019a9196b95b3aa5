"""Staffed time from agent states: the seconds an agent was logged in (or a queue member) and
not paused, cut into 15-minute intervals. Occupancy and contacts per hour divide by it.

A state change can arrive late (a PBX log imported after the live events), so a changed agent
is replayed from its first state; only the stretches that end after the earliest changed
state are written again (the earlier ones cannot have changed), so a log imported in time
order costs little. A stretch still open (no later state yet) is counted when it
closes, as a call is counted when it ends."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from pactline.channels.voice.models import AgentState, AgentStateChange
from pactline.metrics.fact_rows import FactRow, fact, facts_insert
from pactline.metrics.intervals import INTERVAL, interval_of
from pactline.metrics.models import Fact, Part, Source

_JOIN = {AgentState.LOGIN, AgentState.MEMBER_ADDED}
_LEAVE = {AgentState.LOGOUT, AgentState.MEMBER_REMOVED}
_PAUSE = {AgentState.PAUSE, AgentState.PAUSE_ALL}
_UNPAUSE = {AgentState.UNPAUSE, AgentState.UNPAUSE_ALL}


def staffed_spans(changes: Iterable[AgentStateChange]) -> Iterator[tuple[int, datetime, datetime]]:
    """(id of the state that opened it, start, end) of each staffed stretch of one agent.

    Queue membership counts per queue: an agent removed from one of two queues is still
    present. A pause or unpause before any login means the agent was already present."""
    queues: set[str] = set()
    logged_in = False
    paused = False
    opened: tuple[int, datetime] | None = None
    for change in sorted(changes, key=lambda item: (item.at, item.pk)):
        state = AgentState(change.state)
        if state == AgentState.LOGIN:
            logged_in = True
        elif state == AgentState.LOGOUT:
            logged_in, queues = False, set()
        elif state == AgentState.MEMBER_ADDED:
            queues.add(change.queue)
        elif state == AgentState.MEMBER_REMOVED:
            queues.discard(change.queue)
        elif state in _PAUSE | _UNPAUSE:
            paused = state in _PAUSE
            if not logged_in and not queues:
                logged_in = True
        staffed = (logged_in or bool(queues)) and not paused
        if staffed and opened is None:
            opened = (change.pk, change.at)
        elif not staffed and opened is not None:
            if change.at > opened[1]:
                yield opened[0], opened[1], change.at
            opened = None


def _slices(start: datetime, end: datetime) -> Iterator[tuple[datetime, int]]:
    slot = interval_of(start)
    while slot < end:
        seconds = (min(end, slot + INTERVAL) - max(start, slot)).total_seconds()
        if seconds > 0:
            yield slot, round(seconds)
        slot += INTERVAL


def _facts(
    client_id: int, agent: str, opened_by: int, start: datetime, end: datetime
) -> list[FactRow]:
    return [
        fact(
            client_id=client_id,
            source=Source.AGENT_STATE,
            source_id=opened_by,
            part=Part.STAFFED,
            at=max(start, slot),
            interval_start=slot,
            channel="phone",
            agent=agent,
            staffed_seconds=seconds,
        )
        for slot, seconds in _slices(start, end)
    ]


def staffed_replace(client_id: int, ids: list[int]) -> set[datetime]:
    """Replace the staffed facts of every agent with a state among `ids` from the first
    stretch that reaches its earliest changed state; returns the intervals touched."""
    earliest: dict[str, datetime] = {}
    for agent, at in AgentStateChange.objects.filter(client_id=client_id, pk__in=ids).values_list(
        "agent", "at"
    ):
        earliest[agent] = min(at, earliest.get(agent, at))
    touched: set[datetime] = set()
    for agent, changed_at in sorted(earliest.items()):
        changes = AgentStateChange.objects.filter(client_id=client_id, agent=agent).only(
            "pk", "state", "queue", "at"
        )
        spans = [span for span in staffed_spans(changes) if span[2] >= changed_at]
        cutoff = min([changed_at, *(start for _, start, _ in spans)])
        old = Fact.objects.filter(
            client_id=client_id, source=Source.AGENT_STATE, agent=agent, at__gte=cutoff
        )
        touched.update(old.values_list("interval_start", flat=True).order_by().distinct())
        old.delete()
        rows = [
            row
            for opened_by, start, end in spans
            for row in _facts(client_id, agent, opened_by, start, end)
        ]
        facts_insert(rows)
        touched.update(row["interval_start"] for row in rows)
    return touched
