"""BusinessCalendar: business-time arithmetic for one calendar spec (see the package doc)."""

from __future__ import annotations

import math
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from pactline.core.agreement.calendar import CalendarSpec
from pactline.core.agreement.errors import AgreementInvalid, from_validation_error
from pactline.core.calendar.grid import Chunk, Grid
from pactline.core.calendar.instants import (
    DAY,
    EPOCH,
    MICROS_PER_SECOND,
    NS_LIMIT,
    ONE_MICRO,
    BoolArray,
    DatetimeArray,
    FloatArray,
    Int64Array,
    from_micros,
    micros_array,
    seconds_array,
    seconds_to_micros,
    to_micros,
)

# Years the grid can hold (datetime ends at 9999; a year's overnight spill needs the next).
_FIRST_YEAR: Final = 2
_LAST_YEAR: Final = 9997
# Past this gap between the cached years and a query, the grid restarts around the query.
_REBUILD_GAP_YEARS: Final = 50


class BusinessCalendar:
    """Business-time arithmetic for one calendar spec (thread-safe; the grid grows lazily)."""

    __slots__ = ("_chunks", "_grid", "_lock", "_overrides", "_spec", "_week", "_zone")

    def __init__(self, spec: CalendarSpec) -> None:
        self._spec = spec
        self._zone: ZoneInfo = spec.zone
        self._week = {day: tuple(ivs) for day, ivs in spec.weekly_intervals().items()}
        self._overrides = {day: tuple(ivs) for day, ivs in spec.override_intervals().items()}
        self._chunks: dict[int, Chunk] = {}
        self._grid: Grid | None = None
        self._lock = threading.Lock()

    # --- Construction ---------------------------------------------------------------------

    @classmethod
    def from_spec(cls, spec: CalendarSpec | Mapping[str, Any]) -> BusinessCalendar:
        """The calendar of a spec or of its plain mapping form (validated as a CalendarSpec).

        Equal specs share one calendar (and its grid). An invalid mapping raises
        :class:`~pactline.core.agreement.AgreementInvalid`.
        """
        if not isinstance(spec, CalendarSpec):
            try:
                spec = CalendarSpec.model_validate(dict(spec))
            except ValidationError as exc:
                raise AgreementInvalid(from_validation_error(exc, (), lambda _: None)) from None
        return _shared(spec)

    @classmethod
    def always(cls, timezone: str = "UTC") -> BusinessCalendar:
        """A ``24/7`` calendar: business time is elapsed time (for calendar-time clocks)."""
        return cls.from_spec({"timezone": timezone, "hours": "24/7"})

    @property
    def spec(self) -> CalendarSpec:
        return self._spec

    @property
    def timezone(self) -> str:
        return self._spec.timezone

    def __repr__(self) -> str:
        hours = "24/7" if self._spec.always_open else "weekly"
        return f"<BusinessCalendar {self._spec.timezone} {hours}>"

    # --- Scalar API -----------------------------------------------------------------------

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant after ``seconds`` of business time from ``start`` (see the package doc)."""
        return from_micros(self.add_micros(to_micros(start), seconds_to_micros(seconds)))

    def between(self, a: datetime, b: datetime) -> float:
        """Business seconds in ``[a, b)``; 0 when ``b <= a``."""
        return float(self.between_micros(to_micros(a), to_micros(b))) / MICROS_PER_SECOND

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` is inside a working interval ``[start, end)``."""
        t = to_micros(at)
        grid = self._covering(t, t)
        return t < grid.e[bisect_right(grid.s, t) - 1]

    def next_open(self, at: datetime) -> datetime:
        """``at`` (in UTC) if open, else the next opening."""
        return from_micros(self.next_open_micros(to_micros(at)))

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """``days`` whole working days after ``start``: the same business-time position.

        The working day of ``start`` is the one it falls in, or the next one if it is closed
        (then its position is the opening; a start at a day's closing instant is closed, so
        it counts from the next working day). The result is that position in the working day
        ``days`` later (at most its end): Mon 09:00 + 1 → Tue 09:00; Mon 13:00 + 1 → Tue 13:00;
        Sat 10:00 + 3 → Thu 09:00; Mon 17:00 (closing) + 1 → Wed 09:00. A start at or before
        its working day's opening gives that later day's *opening*, not the closing before it
        (the same business-time position). A working day is a local date with working hours
        (an overnight interval belongs to the date it starts on). ``0`` returns ``start``.
        """
        return from_micros(self.add_business_days_micros(to_micros(start), days))

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Working intervals (UTC) within ``[start, end)``, clipped to it."""
        a, b = to_micros(start), to_micros(end)
        if b <= a:
            return []
        grid = self._covering(a, b)
        first = bisect_right(grid.s, a) - 1
        last = bisect_left(grid.s, b)
        return [
            (from_micros(max(a, s)), from_micros(min(b, e)))
            for s, e in zip(grid.s[first:last], grid.e[first:last], strict=True)
            if min(b, e) > max(a, s)
        ]

    # --- Microsecond API (used by the SLA engine) -----------------------------------------

    def add_micros(self, start: int, micros: int) -> int:
        """:meth:`add` on epoch microseconds."""
        if micros < 0:
            raise ValueError(f"business time must be >= 0, got {micros} µs")
        if micros == 0:
            # A start outside working time counts from the next opening, for 0 too: the first
            # instant at which 1 µs has elapsed, less that µs, is the start or the opening.
            return self.add_micros(start, 1) - 1
        grid = self._covering(start, start)
        target = grid.position(start) + micros
        while target > grid.hi_position:
            grid = self._extend(grid, missing=target - grid.hi_position)
            target = grid.position(start) + micros
        return grid.instant(target)

    def add_business_days_micros(self, start: int, days: int) -> int:
        """:meth:`add_business_days` on epoch microseconds."""
        if days < 0:
            raise ValueError(f"days must be >= 0, got {days}")
        if days == 0:
            return start
        grid = self._covering(start, start)
        book = grid.working_days()
        index = bisect_right(book.reach, start)
        while index + days + 1 >= len(book.first) or book.first[index + days + 1] > grid.hi:
            grid = self._extend(grid, years=days // 200 + 1)
            book = grid.working_days()
            index = bisect_right(book.reach, start)
        target = index + days
        into = grid.position(start) - book.begin[index]
        if into <= 0:
            return book.first[target]
        return grid.instant(book.begin[target] + min(into, book.length[target]))

    def between_micros(self, a: int, b: int) -> int:
        """:meth:`between` on epoch microseconds (business microseconds in ``[a, b)``)."""
        if b <= a:
            return 0
        grid = self._covering(a, b)
        return grid.position(b) - grid.position(a)

    def next_open_micros(self, t: int) -> int:
        """:meth:`next_open` on epoch microseconds."""
        grid = self._covering(t, t)
        i = bisect_right(grid.s, t) - 1
        if t < grid.e[i]:
            return t
        while i + 1 >= len(grid.s) or grid.s[i + 1] > grid.hi:
            grid = self._extend(grid, years=1)
            i = bisect_right(grid.s, t) - 1
        return grid.s[i + 1]

    # --- Batch API ------------------------------------------------------------------------

    def add_many(self, starts: npt.ArrayLike, seconds: npt.ArrayLike) -> DatetimeArray:
        """:meth:`add` over arrays: ``datetime64`` starts (UTC) and float seconds (broadcast).

        Returns ``datetime64[ns]`` (UTC), equal to the scalar results (whole microseconds).
        """
        t, d = np.broadcast_arrays(micros_array(starts), seconds_array(seconds))
        if t.size == 0:
            return np.empty(t.shape, dtype="datetime64[ns]")
        grid = self._covering(int(t.min()), int(t.max()))
        # Zero counts from the next opening as `add_micros` does: 1 µs, less that µs.
        zero = d == 0
        step = np.where(zero, 1, d)
        target = grid.positions(t) + step
        while (need := int(target.max())) > grid.hi_position:
            grid = self._extend(grid, missing=need - grid.hi_position)
            target = grid.positions(t) + step
        found: Int64Array = grid.instants(target) - zero.astype(np.int64)
        if int(found.max()) > NS_LIMIT:
            raise OverflowError("a deadline is beyond datetime64[ns] (year 2262); use add()")
        return (found * 1000).view("datetime64[ns]")

    def is_open_many(self, at: npt.ArrayLike) -> BoolArray:
        """:meth:`is_open` over a ``datetime64`` array (UTC): one search per instant."""
        t = micros_array(at)
        if t.size == 0:
            return np.zeros(t.shape, dtype=np.bool_)
        grid = self._covering(int(t.min()), int(t.max()))
        found: BoolArray = t < grid.ends[np.searchsorted(grid.starts, t, side="right") - 1]
        return found

    def between_many(self, a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
        """:meth:`between` over ``datetime64`` arrays (UTC, broadcast): float seconds."""
        ta, tb = np.broadcast_arrays(micros_array(a), micros_array(b))
        if ta.size == 0:
            return np.empty(ta.shape, dtype=np.float64)
        lo = min(int(ta.min()), int(tb.min()))
        hi = max(int(ta.max()), int(tb.max()))
        grid = self._covering(lo, hi)
        micros = np.where(tb > ta, grid.positions(tb) - grid.positions(ta), 0)
        result: FloatArray = micros.astype(np.float64) / MICROS_PER_SECOND
        return result

    # --- Grid management ------------------------------------------------------------------

    def _covering(self, lo: int, hi: int) -> Grid:
        """A grid exact for every instant in ``[lo, hi]``, extended if needed."""
        grid = self._grid
        if grid is not None and grid.covers(lo, hi):
            return grid
        first, last = self._year_of(lo - 3 * DAY), self._year_of(hi)
        grid = self._ensure(first, last)
        while not grid.covers(lo, hi):  # only where New Year's midnight is a DST gap
            grid = self._ensure(grid.first_year - 1, grid.last_year + 1)
        return grid

    def _extend(self, grid: Grid, *, missing: int = 0, years: int = 1) -> Grid:
        """A grid with more years after ``grid``'s: about enough for ``missing`` business µs."""
        if missing > 0:
            per_year = grid.hi_position / (grid.last_year - grid.first_year + 1)
            years = math.ceil(missing / per_year) + 1 if per_year > 0 else 8
        if grid.last_year >= _LAST_YEAR:
            raise OverflowError(f"business time runs past the year {_LAST_YEAR}")
        return self._ensure(grid.first_year, min(_LAST_YEAR, grid.last_year + max(1, years)))

    def _ensure(self, first: int, last: int) -> Grid:
        """The cached grid, grown to include the local years ``first..last``.

        The cached years are kept when they are near the requested ones, else the grid
        restarts around the request (so one far-away query does not build centuries).
        """
        first, last = max(first, _FIRST_YEAR), min(last, _LAST_YEAR)
        with self._lock:
            grid = self._grid
            if grid is not None:
                if grid.first_year <= first and last <= grid.last_year:
                    return grid
                if (
                    first <= grid.last_year + _REBUILD_GAP_YEARS
                    and last >= grid.first_year - _REBUILD_GAP_YEARS
                ):
                    first, last = min(first, grid.first_year), max(last, grid.last_year)
            grid = self._build(first, last)
            self._grid = grid
            return grid

    def _year_of(self, t: int) -> int:
        try:
            year = from_micros(t).astimezone(self._zone).year
        except OverflowError:
            year = _FIRST_YEAR if t < 0 else _LAST_YEAR + 1
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise OverflowError(f"instant outside the years {_FIRST_YEAR}..{_LAST_YEAR}")
        return year

    def _local_micros(self, day: date, minutes: int) -> int:
        wall = datetime(day.year, day.month, day.day, tzinfo=self._zone)
        return ((wall + timedelta(minutes=minutes)) - EPOCH) // ONE_MICRO

    def _build(self, first: int, last: int) -> Grid:
        first, last = max(first, _FIRST_YEAR), min(last, _LAST_YEAR)
        missing = [year for year in range(first, last + 1) if year not in self._chunks]
        if missing:
            self._chunks.update(self._make_chunks(missing))
        chunks = [self._chunks[year] for year in range(first, last + 1)]
        lo = self._local_micros(date(first, 1, 3), 0)
        hi = self._local_micros(date(last + 1, 1, 1), 0)
        return Grid(first, last, lo, hi, chunks)

    def _make_chunks(self, years: list[int]) -> dict[int, Chunk]:
        spec = self._spec
        closed = frozenset(spec.public_holidays(years)) | spec.closed_dates()
        make_up = spec.make_up_workdays(years)
        monday = self._week[0]
        built: dict[int, Chunk] = {}
        for year in years:
            starts: list[int] = []
            ends: list[int] = []
            days: list[tuple[int, int]] = []
            for ordinal in range(date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()):
                day = date.fromordinal(ordinal)
                hours = self._overrides.get(day)
                if hours is None:
                    if day in closed:
                        continue
                    hours = monday if day in make_up else self._week[day.weekday()]
                opened: list[tuple[int, int]] = []
                for start_minute, end_minute in hours:
                    start = self._local_micros(day, start_minute)
                    end = self._local_micros(day, end_minute)
                    if end > start:  # an interval inside a DST gap vanishes
                        opened.append((start, end))
                if opened:
                    starts.extend(start for start, _ in opened)
                    ends.extend(end for _, end in opened)
                    days.append((opened[0][0], max(end for _, end in opened)))
            built[year] = Chunk(starts, ends, days)
        return built


# --- Sharing calendars among equal specs ------------------------------------------------

_SHARED_LIMIT: Final = 256
_shared_calendars: OrderedDict[str, BusinessCalendar] = OrderedDict()
_shared_lock = threading.Lock()


def _shared(spec: CalendarSpec) -> BusinessCalendar:
    key = spec.model_dump_json(exclude={"description"})
    with _shared_lock:
        found = _shared_calendars.get(key)
        if found is not None:
            _shared_calendars.move_to_end(key)
            return found
        calendar = BusinessCalendar(spec)
        _shared_calendars[key] = calendar
        if len(_shared_calendars) > _SHARED_LIMIT:
            _shared_calendars.popitem(last=False)
        return calendar
