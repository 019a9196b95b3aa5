"""Deadlines, consumed time and warnings of one clock run, with pauses.

A pause is a UTC interval ``(start, end)`` excluded from business time. Pauses may overlap,
come unsorted, reach before the start (only the part after it counts) or be open-ended:
``end=None`` means "still paused". While an open pause lasts the clock does not move, so a
deadline (or warning) not reached before an open pause began is unknown: ``None``.
:func:`consumed` counts an open pause up to ``until``. Pauses never make a deadline earlier.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pactline.core.calendar import (
    MICROS_PER_SECOND,
    BusinessCalendar,
    from_micros,
    seconds_to_micros,
    to_micros,
)

__all__ = ["Pause", "consumed", "due_at", "warning_at"]

Pause = tuple[datetime, datetime | None]
# Internal form: epoch microseconds, FOREVER for an open end.
Span = tuple[int, int]
FOREVER = 2**62


def merge_spans(spans: Iterable[Span], start: int) -> list[Span]:
    """Spans clipped to ``[start, ...)``, sorted, with overlapping or touching ones united."""
    merged: list[Span] = []
    for begin, end in sorted((max(begin, start), end) for begin, end in spans):
        if end <= begin:
            continue
        if merged and begin <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((begin, end))
    return merged


def to_spans(pauses: Iterable[Pause]) -> list[Span]:
    return [(to_micros(begin), FOREVER if end is None else to_micros(end)) for begin, end in pauses]


def due_micros(
    calendar: BusinessCalendar, start: int, budget: int, spans: list[Span]
) -> int | None:
    """When ``budget`` business µs have elapsed from ``start`` outside ``spans`` (merged)."""
    cursor, remaining = start, budget
    if remaining < 0:
        return start  # over budget already (a resumed cycle): due as it resumes
    if remaining == 0:
        # Nothing to elapse: due at the first instant the clock runs, so a start outside
        # working time is due at the next opening, as for any other target.
        return running_micros(calendar, start, spans)
    for begin, end in spans:
        if begin > cursor:
            available = calendar.between_micros(cursor, begin)
            if available >= remaining:
                return calendar.add_micros(cursor, remaining)
            remaining -= available
        if end >= FOREVER:
            return None
        cursor = max(cursor, end)
    return calendar.add_micros(cursor, remaining)


def running_micros(calendar: BusinessCalendar, at: int, spans: list[Span]) -> int | None:
    """The first instant from ``at`` on at which a clock runs: open and outside ``spans``
    (merged). ``None`` when an open-ended span holds it from then on."""
    cursor = calendar.next_open_micros(at)
    for begin, end in spans:
        if end <= cursor:
            continue
        if begin > cursor:
            break
        if end >= FOREVER:
            return None
        cursor = calendar.next_open_micros(end)
    return cursor


def consumed_micros(calendar: BusinessCalendar, start: int, until: int, spans: list[Span]) -> int:
    """Business µs in ``[start, until)`` outside ``spans`` (merged, clipped to ``start``)."""
    if until <= start:
        return 0
    total = calendar.between_micros(start, until)
    for begin, end in spans:
        if begin >= until:
            break
        total -= calendar.between_micros(begin, min(end, until))
    return total


def warning_point(target: int, before: int | None, fraction: float | None) -> int:
    """The consumed business µs at which a warning fires (exactly one of before/fraction)."""
    if fraction is not None and before is None:
        if not 0 <= fraction <= 1:
            raise ValueError(f"fraction must be within [0, 1], got {fraction}")
        return round(target * fraction)
    if before is None or fraction is not None:
        raise ValueError("give exactly one of before_seconds and fraction")
    return max(0, target - before)


def due_at(
    calendar: BusinessCalendar,
    *,
    start: datetime,
    target_seconds: float,
    pauses: Iterable[Pause] = (),
) -> datetime | None:
    """When ``target_seconds`` of business time outside ``pauses`` have elapsed from ``start``.

    ``None`` when an open-ended pause began before the target was reached.
    """
    begin = to_micros(start)
    found = due_micros(
        calendar, begin, seconds_to_micros(target_seconds), merge_spans(to_spans(pauses), begin)
    )
    return None if found is None else from_micros(found)


def consumed(
    calendar: BusinessCalendar,
    *,
    start: datetime,
    until: datetime,
    pauses: Iterable[Pause] = (),
) -> float:
    """Business seconds in ``[start, until)`` outside ``pauses`` (an open pause runs to ``until``)."""
    begin = to_micros(start)
    micros = consumed_micros(
        calendar, begin, to_micros(until), merge_spans(to_spans(pauses), begin)
    )
    return float(micros) / MICROS_PER_SECOND


def warning_at(
    calendar: BusinessCalendar,
    *,
    start: datetime,
    target_seconds: float,
    before_seconds: float | None = None,
    fraction: float | None = None,
    pauses: Iterable[Pause] = (),
) -> datetime | None:
    """When a warning fires: ``before_seconds`` of business time before the deadline, or when
    ``fraction`` of the target is consumed (exactly one of them). A warning that would come
    before the start fires at the start; ``None`` as for :func:`due_at`.
    """
    target = seconds_to_micros(target_seconds)
    before = None if before_seconds is None else seconds_to_micros(before_seconds)
    point = warning_point(target, before, fraction)
    begin = to_micros(start)
    found = due_micros(calendar, begin, point, merge_spans(to_spans(pauses), begin))
    return None if found is None else from_micros(found)
