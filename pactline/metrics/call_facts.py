"""Facts from calls: one per call segment that has finished.

A call still in progress has no fact yet (as in Asterisk, a call counts at hang-up), and a
segment merged into another is counted there. Outbound calls are not offered to a queue:
they count as handled work (talk, hold, after-call work) only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pactline.channels.voice.models import Call, Direction, Outcome
from pactline.metrics.fact_rows import FactRow, fact
from pactline.metrics.intervals import interval_of
from pactline.metrics.models import Part, Source, WaitOutcome

_WAIT_OUTCOMES = {
    Outcome.ANSWERED: WaitOutcome.ANSWERED,
    Outcome.AGENT_DUMP: WaitOutcome.ANSWERED,  # connected to the agent, then dropped
    Outcome.ABANDONED: WaitOutcome.ABANDONED,
    Outcome.EXIT_KEY: WaitOutcome.CALLBACK,  # left with a key: the callback option
    Outcome.TIMEOUT: WaitOutcome.OTHER,
    Outcome.EXIT_EMPTY: WaitOutcome.OTHER,
    Outcome.WITHDRAWN: WaitOutcome.OTHER,
    Outcome.JOIN_EMPTY: WaitOutcome.OTHER,
    Outcome.FULL: WaitOutcome.OTHER,
    Outcome.NO_ANSWER: WaitOutcome.OTHER,
    Outcome.BUSY: WaitOutcome.OTHER,
    Outcome.FAILED: WaitOutcome.OTHER,
    Outcome.CANCELLED: WaitOutcome.OTHER,
}

CALL_FIELDS = (
    "id",
    "client_id",
    "direction",
    "queue",
    "agent",
    "outcome",
    "entered_at",
    "answered_at",
    "created_at",
    "wait_seconds",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "case_id",
)


def call_fact(call: Call, priority: str) -> FactRow | None:
    """The call's fact, or None while it is in progress or merged away."""
    outcome = _WAIT_OUTCOMES.get(Outcome(call.outcome))
    if outcome is None:
        return None
    at = call.entered_at or call.answered_at or call.created_at
    answered = outcome == WaitOutcome.ANSWERED
    handled = int(answered)
    row = fact(
        client_id=call.client_id,
        source=Source.CALL,
        source_id=call.pk,
        part=Part.CONTACT,
        at=at,
        interval_start=interval_of(at),
        channel="phone",
        queue=call.queue,
        agent=call.agent if answered else "",
        priority=priority,
        handled=handled,
        talk_seconds=call.talk_seconds * handled,
        hold_seconds=call.hold_seconds * handled,
        acw_seconds=call.acw_seconds * handled,
        held=int(answered and call.hold_seconds > 0),
    )
    if call.direction == Direction.OUTBOUND:
        return row
    row.update(
        wait_outcome=outcome,
        wait_seconds=call.wait_seconds,
        offered=1,
        answered=handled,
        abandoned=int(outcome == WaitOutcome.ABANDONED),
        callbacks=int(outcome == WaitOutcome.CALLBACK),
        other_unanswered=int(outcome == WaitOutcome.OTHER),
        answered_wait_seconds=call.wait_seconds * handled,
        abandoned_wait_seconds=call.wait_seconds * int(outcome == WaitOutcome.ABANDONED),
    )
    return row


def call_facts(calls: Iterable[Call], priorities: Mapping[int, str]) -> list[FactRow]:
    """Facts for a batch of calls; `priorities` maps a linked case id to its priority."""
    rows = (call_fact(call, priorities.get(call.case_id or 0, "")) for call in calls)
    return [row for row in rows if row is not None]
