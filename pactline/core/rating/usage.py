"""A month's usage: small immutable records, checked when built.

Every record has an ``id`` (unique among records of its kind, so an invoice line drills down
to the records behind it) and an aware ``at`` (when it started or happened; the after-hours
surcharge judges it). Durations are whole seconds, never negative. Bad input raises
``ValueError`` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Literal

Direction = Literal["inbound", "outbound"]
TicketEventKind = Literal["created", "resolved"]
Destination = Literal["mobile", "international", "landline"]


def _check_at(at: object) -> None:
    if not isinstance(at, datetime):
        raise ValueError(f"at must be a datetime, got {at!r}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"at must be timezone-aware, got naive {at.isoformat()}")


def _check_seconds(record: object) -> None:
    """Every ``*_seconds`` field is a non-negative int (bool is not a duration)."""
    for f in fields(record):  # type: ignore[arg-type]
        if f.name.endswith("_seconds"):
            value = getattr(record, f.name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{f.name} must be whole seconds (int), got {value!r}")
            if value < 0:
                raise ValueError(f"{f.name} must be >= 0, got {value}")


def _check_id(record: object, name: str = "id") -> None:
    value = getattr(record, name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")


@dataclass(frozen=True, slots=True)
class CallLeg:
    """One leg of a call (a transfer or consult starts a new leg of the same ``call_id``).

    The call's first leg (``leg == 0``) stands for the call: per-call counts and the
    after-hours judgement of a per-call-rounded call use its ``at``, ``direction`` and
    ``handled``. ``handled`` is whether an agent answered (inbound) or reached the party
    (outbound). ``diverted_to`` marks a leg forwarded to an outside number: its talk seconds
    bear the agreement's diversion fee for that destination.
    """

    id: str
    call_id: str
    at: datetime
    channel: str = "phone"
    service_type: str | None = None
    direction: Direction = "inbound"
    handled: bool = True
    talk_seconds: int = 0
    hold_seconds: int = 0
    acw_seconds: int = 0
    leg: int = 0
    diverted_to: Destination | None = None

    def __post_init__(self) -> None:
        _check_id(self)
        _check_id(self, "call_id")
        _check_at(self.at)
        _check_seconds(self)
        if not isinstance(self.leg, int) or isinstance(self.leg, bool) or self.leg < 0:
            raise ValueError(f"leg must be an int >= 0, got {self.leg!r}")
        if self.direction not in ("inbound", "outbound"):
            raise ValueError(f"direction must be inbound or outbound, got {self.direction!r}")

    def seconds(self, parts: tuple[str, ...]) -> int:
        """The sum of the named parts (``talk``, ``hold``, ``acw``)."""
        total = 0
        for part in parts:
            total += getattr(self, f"{part}_seconds")
        return total


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """A ticket (or chat/email contact) ``created`` or ``resolved`` at ``at``."""

    id: str
    at: datetime
    event: TicketEventKind
    channel: str = "email"
    service_type: str | None = None

    def __post_init__(self) -> None:
        _check_id(self)
        _check_at(self.at)
        if self.event not in ("created", "resolved"):
            raise ValueError(f"event must be created or resolved, got {self.event!r}")


@dataclass(frozen=True, slots=True)
class AgentHours:
    """Approved agent time from ``at``: productive (handling work) and logged (signed in)
    seconds, and training seconds (counted in neither)."""

    id: str
    at: datetime
    productive_seconds: int = 0
    logged_seconds: int = 0
    training_seconds: int = 0
    channel: str | None = None
    service_type: str | None = None

    def __post_init__(self) -> None:
        _check_id(self)
        _check_at(self.at)
        _check_seconds(self)


@dataclass(frozen=True, slots=True)
class FeeOccurrence:
    """One billing of the agreement's one-time fee called ``name``."""

    id: str
    at: datetime
    name: str

    def __post_init__(self) -> None:
        _check_id(self)
        _check_at(self.at)
        _check_id(self, "name")


@dataclass(frozen=True, slots=True)
class PassThrough:
    """A third-party charge (telecom carriage, …) re-billed at cost, in the agreement's
    currency."""

    id: str
    at: datetime
    amount: Decimal
    description: str

    def __post_init__(self) -> None:
        _check_id(self)
        _check_at(self.at)
        _check_id(self, "description")
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise ValueError(f"amount must be a finite Decimal, got {self.amount!r}")
        if self.amount < 0:
            raise ValueError(f"amount must be >= 0, got {self.amount}")


@dataclass(frozen=True, slots=True)
class Usage:
    """The records of one month (the caller picks the month; the engine never reads a clock)."""

    calls: tuple[CallLeg, ...] = ()
    tickets: tuple[TicketEvent, ...] = ()
    hours: tuple[AgentHours, ...] = ()
    fees: tuple[FeeOccurrence, ...] = ()
    pass_through: tuple[PassThrough, ...] = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            records = getattr(self, f.name)
            object.__setattr__(self, f.name, tuple(records))
            seen: set[str] = set()
            for record in getattr(self, f.name):
                if record.id in seen:
                    raise ValueError(f"{f.name}: duplicate id {record.id!r}")
                seen.add(record.id)
        first: set[str] = set()
        for leg in self.calls:
            if leg.leg == 0:
                if leg.call_id in first:
                    raise ValueError(f"calls: call_id {leg.call_id!r} has two legs 0")
                first.add(leg.call_id)
        for leg in self.calls:
            if leg.call_id not in first:
                raise ValueError(f"calls: call_id {leg.call_id!r} has no leg 0")
