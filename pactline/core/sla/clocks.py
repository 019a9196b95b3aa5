"""The state of every clock of a case, replayed from its events (pure: ``now`` is passed in).

Semantics (DESIGN.md, "SLA and calendar semantics"):

* ``first_response`` runs from ``created`` to the first *human* agent reply (bot replies do
  not count).
* ``next_response`` runs, once the case has had a human reply, from the *oldest unanswered*
  customer message to the next human reply; resolving stops it (P21: no breach for a
  conversation resolved without a reply).
* ``periodic_update`` runs from each human reply to the next; it starts at the first human
  reply, so a short update target never overrides the first response (P23).
* ``resolution`` runs from ``created`` to ``resolve``.
* Every clock stops when the case is resolved; a response clock stopped that way is
  ``stopped`` (neither met nor breached). Reopening a case restarts a clock that still has
  something to measure, as a new cycle: ``resume`` carries the business time consumed by the
  earlier cycles of the same run into it, ``new_cycle`` starts afresh. Earlier cycles keep
  their results (P16).
* The case's status pauses a clock while it is in the clock's ``pause_statuses``; a pause
  still open when a cycle stops is closed at that instant (P13).
* A priority change re-targets the running cycle from its original start (P15). Warnings and
  breach fire at most once per cycle and level; an event that the new target places before
  the change is *retroactive*: a breach is recorded once, dated when it happened; warnings
  are marked ``suppressed`` (not to be sent).
* A cycle is met when its goal comes at or before its deadline (a reply at the deadline
  instant is in time); else it breaches at the deadline. A breach is sticky for its cycle. A
  resumed cycle whose run already used more than the target is breached at its start.
* Events after ``now`` are ignored; events at the same instant keep their given order.

Targets in whole business days (``ClockDefinition.target_days``; DESIGN.md: "N business
days" is a different unit from N x 24 h of business time, P19):

* N business days from a start S are due at ``calendar.add_business_days(S, N)``: the same
  business-time position N working days later (Mon 13:00 + 1 = Tue 13:00, at most the end of
  that day). A start outside working time counts from the next opening, and a start at a
  day's closing instant is outside working time: Sat 10:00 + 3 = Thu 09:00 (P20: after three
  full days Mon-Wed, not earlier than the end of Wed), Mon 17:00 + 1 = Wed 09:00 on a
  Mon-Fri 09-17 calendar. A start at or before its working day's opening is due at the
  *opening* of the working day N days later, not at the closing before it: Mon 09:00 + 1 = Tue
  09:00 (P19), whereas 24 h of business time from Mon 09:00 is Wed 17:00.
* The day target is converted into business seconds once per cycle start,
  ``B = calendar.between(S, add_business_days(S, N))``, and the cycle then runs exactly like a
  seconds target of B: pauses extend it in business time, warnings (``fraction``,
  ``before_seconds``) apply to B, ``ClockState.target_seconds`` is B and
  ``ClockState.target_days`` is N. A priority change re-targets from the cycle's original
  start S. Under ``resume`` a reopened cycle continues the run's budget B, converted at the
  run's first start; under ``new_cycle`` each cycle converts from its own start.
* The deadline is the instant the cycle has used B outside pauses (as for seconds), with one
  difference: when ``add_business_days(S, N)`` is a working day's opening (S at or before its
  own working day's opening), B runs out at the closing before that opening, and the deadline
  is the first instant from there at which the clock runs again (calendar open, no pause).
  Without pauses this is ``add_business_days(S, N)`` itself: "1 business day" from Mon 09:00
  is still in time at Mon 18:00 and breaches at Tue 09:00; a pause still open at that opening
  holds the deadline (unknown) until it ends. A resumed cycle that starts past its budget is
  breached at its start, as for seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pactline.core.calendar import (
    MICROS_PER_SECOND,
    from_micros,
    seconds_to_micros,
    to_micros,
)
from pactline.core.sla.deadlines import (
    FOREVER,
    Span,
    consumed_micros,
    due_micros,
    merge_spans,
    running_micros,
    warning_point,
)
from pactline.core.sla.model import (
    CaseEvent,
    ClockDefinition,
    ClockEvent,
    ClockEventKind,
    ClockState,
    ClockStatus,
    StopReason,
)

__all__ = ["evaluate", "next_event_at"]

_BREACH_LEVEL = 0


@dataclass(slots=True)
class _Event:
    at: int
    source: CaseEvent


@dataclass(slots=True)
class _Segment:
    """One cycle: from ``start`` until ``stop`` (``None`` = running at ``now``)."""

    start: int
    run: int
    stop: int | None = None
    stopped_by: StopReason | None = None


@dataclass(slots=True)
class _Case:
    created: int
    events: list[_Event]
    statuses: list[tuple[int, str | None]] = field(default_factory=list)
    priorities: list[tuple[int, str | None]] = field(default_factory=list)

    def priority_at(self, t: int) -> str | None:
        found: str | None = None
        for at, priority in self.priorities:
            if at > t:
                break
            found = priority
        return found

    def pauses(self, statuses: frozenset[str]) -> list[Span]:
        spans: list[Span] = []
        since: int | None = None
        for at, status in self.statuses:
            paused = status in statuses
            if paused and since is None:
                since = at
            elif not paused and since is not None:
                spans.append((since, at))
                since = None
        if since is not None:
            spans.append((since, FOREVER))
        return spans


def _case(events: Iterable[CaseEvent], now: int) -> _Case | None:
    timed = sorted(
        (_Event(to_micros(event.at), event) for event in events), key=lambda item: item.at
    )
    timed = [item for item in timed if item.at <= now]
    created = next((item for item in timed if item.source.kind == "created"), None)
    if created is None:
        return None
    index = timed.index(created)
    case = _Case(created.at, [item for item in timed[index + 1 :] if item.source.kind != "created"])
    case.statuses.append((created.at, created.source.status))
    case.priorities.append((created.at, created.source.priority))
    for item in case.events:
        event = item.source
        if event.status is not None and event.kind in ("status_change", "resolve", "reopen"):
            case.statuses.append((item.at, event.status))
        if event.kind == "priority_change":
            case.priorities.append((item.at, event.priority))
    return case


# --- Cycles per metric ------------------------------------------------------------------


class _Cycles:
    """Builds the segments of one clock while the case's events are replayed.

    A run is what one target measures: under ``resume`` a cycle restarted on reopen after
    the case was resolved continues the run of the cycle that the resolve stopped.
    """

    def __init__(self, definition: ClockDefinition) -> None:
        self.resume = definition.reopen_policy == "resume"
        self.segments: list[_Segment] = []
        self.runs = 0
        self.interrupted = False  # the last cycle was stopped by resolving the case

    @property
    def running(self) -> _Segment | None:
        last = self.segments[-1] if self.segments else None
        return last if last is not None and last.stop is None else None

    def start(self, at: int, *, reopening: bool = False) -> None:
        if self.running is not None:
            return
        if not (reopening and self.resume and self.interrupted):
            self.runs += 1
        self.segments.append(_Segment(at, self.runs))
        self.interrupted = False

    def stop(self, at: int, reason: StopReason, *, resolved: bool) -> None:
        segment = self.running
        if segment is not None:
            segment.stop, segment.stopped_by = at, reason
            self.interrupted = resolved


def _segments(definition: ClockDefinition, case: _Case) -> list[_Segment]:
    metric = definition.metric
    cycles = _Cycles(definition)
    is_open = True
    replied = False  # a human agent reply has happened
    unanswered = False  # next_response: a customer message awaits a human reply
    if metric in ("first_response", "resolution"):
        cycles.start(case.created)
    for item in case.events:
        event, at = item.source, item.at
        if event.kind == "resolve" and is_open:
            is_open = False
            cycles.stop(at, "goal" if metric == "resolution" else "resolve", resolved=True)
        elif event.kind == "reopen" and not is_open:
            is_open = True
            restart = (
                metric == "resolution"
                or (metric == "first_response" and not replied)
                or (metric == "next_response" and unanswered)
                or (metric == "periodic_update" and replied)
            )
            if restart:
                cycles.start(at, reopening=True)
        elif event.kind == "agent_reply" and event.author == "human":
            replied = True
            unanswered = False
            if metric != "resolution":
                cycles.stop(at, "goal", resolved=False)
                cycles.interrupted = False  # answered, even while resolved
            if metric == "periodic_update" and is_open:
                cycles.start(at)
        elif (
            event.kind == "customer_message"
            and metric == "next_response"
            and replied
            and not unanswered
        ):
            unanswered = True
            if is_open:
                cycles.start(at)
    return cycles.segments


# --- Evaluation of one segment ----------------------------------------------------------


@dataclass(slots=True)
class _Epoch:
    begin: int  # when this target took effect
    end: int | None  # when the next one did
    priority: str | None
    target: int | None
    schedule: list[tuple[ClockEventKind, int, int]]  # (kind, level, at)
    due: int | None
    overdue: bool = False  # the run's earlier cycles already used more than the target
    days: int | None = None  # a target in whole business days (``target`` is converted)


@dataclass(frozen=True, slots=True)
class _Target:
    micros: int  # business µs
    days: int | None = None
    to_opening: bool = False  # a day target due at an opening: runs on until the clock does


def _target(definition: ClockDefinition, priority: str | None, run_start: int) -> _Target | None:
    """The target of ``priority``, a day target converted at ``run_start`` (module doc)."""
    if priority is None:
        return None
    seconds = definition.targets.get(priority)
    if seconds is not None:
        return _Target(seconds_to_micros(seconds))
    days = definition.target_days.get(priority)
    if days is None:
        return None
    calendar = definition.calendar
    due = calendar.add_business_days_micros(run_start, days)
    budget = calendar.between_micros(run_start, due)
    return _Target(budget, days, calendar.add_micros(run_start, budget) < due)


def _epochs(
    definition: ClockDefinition,
    case: _Case,
    segment: _Segment,
    carried: int,
    spans: list[Span],
    run_start: int,
) -> list[_Epoch]:
    changes = [
        (at, priority)
        for at, priority in case.priorities
        if at > segment.start and (segment.stop is None or at < segment.stop)
    ]
    starts = [(segment.start, case.priority_at(segment.start)), *changes]
    epochs: list[_Epoch] = []
    calendar = definition.calendar
    for index, (begin, priority) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else None
        found = _target(definition, priority, run_start)
        target = None if found is None else found.micros
        schedule: list[tuple[ClockEventKind, int, int]] = []
        due: int | None = None
        if target is not None:
            due = due_micros(calendar, segment.start, target - carried, spans)
            if due is not None and found is not None and found.to_opening and target >= carried:
                due = running_micros(calendar, due, spans)
            for level, warning in enumerate(definition.warnings, start=1):
                before = None
                if warning.before_seconds is not None:
                    before = seconds_to_micros(warning.before_seconds)
                point = warning_point(target, before, warning.fraction)
                if point <= carried:
                    continue  # reached in an earlier cycle of the run
                at = due_micros(calendar, segment.start, point - carried, spans)
                if at is not None:
                    schedule.append(("warning", level, at))
            if due is not None:
                schedule.append(("breach", _BREACH_LEVEL, due))
        overdue = target is not None and target < carried
        days = None if found is None else found.days
        epochs.append(_Epoch(begin, end, priority, target, schedule, due, overdue, days))
    return epochs


def _state(
    definition: ClockDefinition,
    case: _Case,
    segment: _Segment,
    cycle: int,
    carried: int,
    now: int,
    pauses: list[Span],
    run_start: int,
) -> tuple[ClockState, int]:
    """The state of one cycle, and the business µs it consumed."""
    stop = segment.stop
    spans = merge_spans(pauses, segment.start)
    if stop is not None:  # a pause still open when the cycle stops ends there (P13)
        spans = [(begin, min(end, stop)) for begin, end in spans if begin < stop]
    epochs = _epochs(definition, case, segment, carried, spans, run_start)
    fired: dict[tuple[ClockEventKind, int], ClockEvent] = {}
    for epoch in epochs:
        for kind, level, at in epoch.schedule:
            if (kind, level) in fired or at > now:
                continue
            if epoch.end is not None and at >= epoch.end:
                continue  # re-targeted before it happened
            if stop is not None and at >= stop and not (kind == "breach" and epoch.overdue):
                continue  # stopped in time (a resumed cycle that starts overdue is breached)
            retroactive = at < epoch.begin
            fired[(kind, level)] = ClockEvent(
                kind,
                level,
                from_micros(at),
                cycle,
                retroactive=retroactive,
                suppressed=retroactive and kind == "warning",
            )
    last = epochs[-1]
    breach = fired.get(("breach", _BREACH_LEVEL))
    ahead: list[tuple[ClockEventKind, int, int]] = []
    if stop is None and breach is None:
        ahead = sorted(
            (item for item in last.schedule if item[2] > now and (item[0], item[1]) not in fired),
            key=lambda item: (item[2], item[1]),
        )
    used = consumed_micros(definition.calendar, segment.start, min(stop or now, now), spans)
    total = carried + used
    status: ClockStatus
    if breach is not None:
        status = "breached"
    elif stop is not None:
        status = "met" if segment.stopped_by == "goal" else "stopped"
    elif any(begin <= now < end for begin, end in spans):
        status = "paused"
    else:
        status = "running"
    stopped_at = None if stop is None else from_micros(stop)
    state = ClockState(
        key=definition.key,
        metric=definition.metric,
        cycle=cycle,
        state=status,
        priority=last.priority,
        target_seconds=None if last.target is None else last.target / MICROS_PER_SECOND,
        started_at=from_micros(segment.start),
        due_at=None if last.due is None else from_micros(last.due),
        next_event_at=from_micros(ahead[0][2]) if ahead else None,
        consumed=total / MICROS_PER_SECOND,
        remaining=None if last.target is None else (last.target - total) / MICROS_PER_SECOND,
        target_days=last.days,
        stopped_at=stopped_at,
        stopped_by=segment.stopped_by,
        breached_at=None if breach is None else breach.at,
        met_at=stopped_at if status == "met" else None,
        warnings_due=tuple(
            (level, from_micros(at)) for kind, level, at in ahead if kind == "warning"
        ),
        past_events=tuple(sorted(fired.values(), key=lambda event: (event.at, event.level))),
    )
    return state, used


def evaluate(
    definitions: Sequence[ClockDefinition], events: Iterable[CaseEvent], *, now: datetime
) -> list[ClockState]:
    """Every cycle of every clock of a case as of ``now``: definitions in order, cycles in order.

    A clock that has not started (no human reply yet for ``next_response`` and
    ``periodic_update``) has no state. No ``created`` event up to ``now``: no states.
    """
    moment = to_micros(now)
    case = _case(events, moment)
    if case is None:
        return []
    states: list[ClockState] = []
    for definition in definitions:
        pause_spans = case.pauses(definition.pause_statuses)
        carried: dict[int, int] = {}
        run_starts: dict[int, int] = {}
        for cycle, segment in enumerate(_segments(definition, case), start=1):
            before = carried.get(segment.run, 0)
            run_start = run_starts.setdefault(segment.run, segment.start)
            state, used = _state(
                definition, case, segment, cycle, before, moment, pause_spans, run_start
            )
            carried[segment.run] = carried.get(segment.run, 0) + used
            states.append(state)
    return states


def next_event_at(states: Iterable[ClockState]) -> datetime | None:
    """The earliest ``next_event_at`` of a case's clocks (what the clock loop indexes)."""
    found = [state.next_event_at for state in states if state.next_event_at is not None]
    return min(found) if found else None
