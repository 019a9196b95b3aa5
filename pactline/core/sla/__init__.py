"""SLA clocks on business calendars: deadlines with pauses, and clock states from case events.

:mod:`pactline.core.sla.deadlines` computes one run's deadline, consumed time and warnings;
:func:`evaluate` replays a case's events under the pinned clock definitions (see
:mod:`pactline.core.sla.clocks` for the semantics). Pure and deterministic: ``now`` is passed in.
"""

from pactline.core.sla.clocks import evaluate, next_event_at
from pactline.core.sla.deadlines import Pause, consumed, due_at, warning_at
from pactline.core.sla.model import (
    CaseEvent,
    ClockDefinition,
    ClockEvent,
    ClockMetricKind,
    ClockState,
    ClockStatus,
    ClockWarning,
    EventKind,
    ReopenPolicy,
)

__all__ = [
    "CaseEvent",
    "ClockDefinition",
    "ClockEvent",
    "ClockMetricKind",
    "ClockState",
    "ClockStatus",
    "ClockWarning",
    "EventKind",
    "Pause",
    "ReopenPolicy",
    "consumed",
    "due_at",
    "evaluate",
    "next_event_at",
    "warning_at",
]
