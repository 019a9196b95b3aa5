"""Business calendars: business-time arithmetic on a lazily built grid of UTC intervals.

A :class:`BusinessCalendar` wraps a validated :class:`~pactline.core.agreement.CalendarSpec`.
Business time is real elapsed time inside working intervals (DESIGN.md, "SLA and calendar
semantics"):

* Intervals are local wall time, per local date, converted to UTC per date. A boundary in a
  DST gap moves forward by the gap and an ambiguous boundary takes its first occurrence
  (PEP 495 ``fold=0``: 02:30 on New York's spring-forward day is 03:30 EDT).
* A date's hours: its override if any (``[]`` = closed), else closed on a public holiday or
  an extra closed date (judged by the calendar's *local* date), else Monday's hours on a
  make-up working day from the holidays data (China's 调休 weekends), else its weekday's.
* An overnight interval belongs to the date it starts on and ends on the next local day. Where
  intervals overlap or touch (an overnight spill meeting the next day's hours, ``24/7``) they
  are united, so ``24/7`` is one continuous stretch: no lost minute at midnight, no seam
  between years.

Conventions of the arithmetic (half-open intervals ``[start, end)``):

* :meth:`BusinessCalendar.add` counts from the next opening when it starts outside working time;
  a deadline that uses up an interval exactly is that interval's closing instant (not the
  next opening). Adding ``0`` seconds follows the same rule: the start itself when it is
  inside working time, else the next opening (so ``add(a, 0) == next_open(a)``,
  ``between(a, add(a, 0)) == 0``, and ``add`` is additive for ``y > 0``:
  ``add(add(a, x), y) == add(a, x + y)``).
* Instants are whole microseconds (what :class:`~datetime.datetime` holds); seconds are
  rounded to the nearest microsecond (half to even), identically in the scalar and the batch
  methods, so both give exactly the same results.

The grid: per local year, the working intervals as UTC microseconds; the years a query needs
are united into one sorted, merged array with the business microseconds before each interval,
so a position in business time is one binary search (``bisect`` for one instant,
``numpy.searchsorted`` for arrays). The grid grows on demand in both directions (no horizon,
no iteration cap: a deadline ten years away builds ten more years once) and is cached per
calendar; :meth:`BusinessCalendar.from_spec` shares calendars among equal specs.

The core never reads the clock: callers pass instants, which must be aware (any zone);
results are aware UTC datetimes and do not depend on the process's ``TZ``.
"""

from pactline.core.calendar.business import BusinessCalendar
from pactline.core.calendar.instants import (
    MICROS_PER_SECOND,
    from_micros,
    seconds_to_micros,
    to_micros,
)

__all__ = [
    "MICROS_PER_SECOND",
    "BusinessCalendar",
    "from_micros",
    "seconds_to_micros",
    "to_micros",
]
