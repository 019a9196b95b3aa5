"""The values the SLA engine reads (case events, clock definitions) and returns (clock states)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, get_args

from pactline.core.calendar import BusinessCalendar

if TYPE_CHECKING:
    from pactline.core.agreement.service_levels import ClockMetric

__all__ = [
    "CaseEvent",
    "ClockDefinition",
    "ClockEvent",
    "ClockMetricKind",
    "ClockState",
    "ClockStatus",
    "ClockWarning",
    "EventKind",
    "ReopenPolicy",
]

EventKind = Literal[
    "created",
    "customer_message",
    "agent_reply",
    "status_change",
    "priority_change",
    "resolve",
    "reopen",
]
Author = Literal["human", "bot"]
ClockMetricKind = Literal["first_response", "next_response", "periodic_update", "resolution"]
ReopenPolicy = Literal["resume", "new_cycle"]
ClockStatus = Literal["running", "paused", "met", "breached", "stopped"]
StopReason = Literal["goal", "resolve"]
ClockEventKind = Literal["warning", "breach"]

EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
METRICS: tuple[str, ...] = get_args(ClockMetricKind)


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """Something that happened to a case.

    ``created`` may carry the initial ``status`` and ``priority``; ``status_change`` carries
    ``status``; ``priority_change`` carries ``priority``; ``agent_reply`` needs ``author``
    (only ``"human"`` replies satisfy a response clock); ``resolve`` and ``reopen`` may carry
    the ``status`` the case moves to.
    """

    at: datetime
    kind: EventKind
    author: Author | None = None
    status: str | None = None
    priority: str | None = None
    message_id: str | None = None

    def __post_init__(self) -> None:
        _aware(self.at, "CaseEvent.at")
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown case event kind {self.kind!r}")
        if self.kind == "agent_reply" and self.author not in ("human", "bot"):
            raise ValueError("an agent_reply needs author 'human' or 'bot'")
        if self.kind == "status_change" and self.status is None:
            raise ValueError("a status_change needs a status")
        if self.kind == "priority_change" and self.priority is None:
            raise ValueError("a priority_change needs a priority")


@dataclass(frozen=True, slots=True)
class ClockWarning:
    """A warning ``before_seconds`` of business time before the deadline, or when
    ``fraction`` (0 < fraction < 1) of the target is consumed. Exactly one is given."""

    before_seconds: float | None = None
    fraction: float | None = None

    def __post_init__(self) -> None:
        if (self.before_seconds is None) == (self.fraction is None):
            raise ValueError("a warning needs exactly one of before_seconds and fraction")
        if self.before_seconds is not None and not (
            math.isfinite(self.before_seconds) and self.before_seconds > 0
        ):
            raise ValueError(f"before_seconds must be > 0, got {self.before_seconds}")
        if self.fraction is not None and not 0 < self.fraction < 1:
            raise ValueError(f"fraction must be within (0, 1), got {self.fraction}")


@dataclass(frozen=True)
class ClockDefinition:
    """One clock a case runs under a pinned service-level definition (SLA or internal OLA).

    ``targets`` maps a priority to its target in seconds of ``calendar`` business time;
    ``target_days`` maps a priority to a target in whole business days of ``calendar`` (a
    different unit from N x 24 h of business time; see :mod:`pactline.core.sla.clocks` for how
    it is measured). A priority is named by at most one of the two; a case whose priority has
    no target runs the clock untargeted (no deadline, no events). Warnings are numbered from 1
    in the order given; a breach has level 0. Every field after ``metric`` is keyword-only.
    """

    key: str
    metric: ClockMetricKind
    _: KW_ONLY
    calendar: BusinessCalendar
    targets: Mapping[str, float] = field(default_factory=dict)
    target_days: Mapping[str, int] = field(default_factory=dict)
    pause_statuses: frozenset[str] = frozenset()
    reopen_policy: ReopenPolicy = "resume"
    warnings: tuple[ClockWarning, ...] = ()

    def __post_init__(self) -> None:
        if self.metric not in METRICS:
            raise ValueError(f"unknown clock metric {self.metric!r}")
        if self.reopen_policy not in ("resume", "new_cycle"):
            raise ValueError(f"unknown reopen policy {self.reopen_policy!r}")
        for priority, seconds in self.targets.items():
            if not (math.isfinite(seconds) and seconds > 0):
                raise ValueError(f"target for {priority!r} must be > 0 seconds, got {seconds}")
        for priority, days in self.target_days.items():
            if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
                raise ValueError(
                    f"target for {priority!r} must be a whole number of days > 0, got {days!r}"
                )
        both = sorted(set(self.targets) & set(self.target_days))
        if both:
            raise ValueError(f"priorities with a target in both seconds and days: {both}")
        object.__setattr__(self, "targets", MappingProxyType(dict(self.targets)))
        object.__setattr__(self, "target_days", MappingProxyType(dict(self.target_days)))
        object.__setattr__(self, "pause_statuses", frozenset(self.pause_statuses))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    @classmethod
    def from_metric(
        cls, key: str, metric: ClockMetric, calendar: BusinessCalendar
    ) -> ClockDefinition:
        """The definition of an agreement's clock metric measured on ``calendar``.

        ``time_basis: calendar`` measures on a ``24/7`` calendar in ``calendar``'s zone.
        ``target_seconds`` become ``targets``; ``target_business_days`` become ``target_days``.
        """
        kind = metric.kind
        if kind not in METRICS:
            raise ValueError(f"{kind!r} is not a clock metric")
        basis = (
            calendar
            if metric.time_basis == "business"
            else BusinessCalendar.always(calendar.timezone)
        )
        warnings = tuple(
            ClockWarning(before_seconds=float(w.before_seconds))
            if w.before_seconds is not None
            else ClockWarning(fraction=float(w.at_percent or 0) / 100)
            for w in metric.warnings
        )
        return cls(
            key=key,
            metric=kind,  # type: ignore[arg-type]  # checked against METRICS above
            targets={
                name: float(seconds) for name, seconds in (metric.target_seconds or {}).items()
            },
            target_days=dict(metric.target_business_days or {}),
            calendar=basis,
            pause_statuses=frozenset(metric.pause_statuses),
            reopen_policy=metric.reopen_policy,
            warnings=warnings,
        )


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """A warning (``level`` >= 1) or a breach (``level`` 0) of one cycle, at ``at`` (UTC).

    ``retroactive``: the instant was already past when the target that produced it took
    effect (a priority change re-targeting from the original start). A retroactive breach is
    still recorded, dated when it happened; a retroactive warning is ``suppressed``: recorded
    for the timeline but not to be sent.
    """

    kind: ClockEventKind
    level: int
    at: datetime
    cycle: int
    retroactive: bool = False
    suppressed: bool = False

    @property
    def key(self) -> tuple[int, str, int]:
        """What makes an event unique within a clock: it fires once per cycle and level."""
        return (self.cycle, self.kind, self.level)


@dataclass(frozen=True, slots=True)
class ClockState:
    """One cycle of one clock, as of ``now``.

    ``state``: ``running``; ``paused`` (in a pause status now); ``met`` (the clock's goal
    came in time: a human reply, or resolving for ``resolution``); ``breached`` (a breach
    was recorded in this cycle; sticky even if the goal came later or the target was relaxed);
    ``stopped`` (the case was resolved before a response clock's goal: neither met nor
    breached). ``target_seconds`` is the target in business seconds (a day target converted
    as :mod:`pactline.core.sla.clocks` says); ``target_days`` the whole business days of a day
    target (``None`` for a seconds target or none). ``consumed`` and ``remaining`` are
    business seconds (``remaining`` < 0 when overdue, ``None`` without a target); under the
    ``resume`` reopen policy ``consumed`` includes the earlier cycles of the same run.
    ``next_event_at`` is the next warning or breach after ``now`` (``None`` when stopped,
    breached, paused indefinitely or untargeted); ``warnings_due`` lists the warnings still
    ahead; ``past_events`` the warnings and breach that happened up to ``now``.
    """

    key: str
    metric: ClockMetricKind
    cycle: int
    state: ClockStatus
    priority: str | None
    target_seconds: float | None
    started_at: datetime
    due_at: datetime | None
    next_event_at: datetime | None
    consumed: float
    remaining: float | None
    target_days: int | None = None
    stopped_at: datetime | None = None
    stopped_by: StopReason | None = None
    breached_at: datetime | None = None
    met_at: datetime | None = None
    warnings_due: tuple[tuple[int, datetime], ...] = ()
    past_events: tuple[ClockEvent, ...] = field(default=())

    @property
    def events_to_send(self) -> tuple[ClockEvent, ...]:
        """The past events to notify (everything but suppressed warnings)."""
        return tuple(event for event in self.past_events if not event.suppressed)
