"""The grid: merged UTC working intervals with the business time before each one."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Final

import numpy as np

from pactline.core.calendar.instants import Int64Array

# A zero-length interval before every real one: every instant has an interval at or before it.
SENTINEL: Final = -(2**62)


class Chunk:
    """One local year's working intervals (UTC microseconds, unmerged) and working days."""

    __slots__ = ("day_ends", "day_starts", "ends", "starts")

    def __init__(self, starts: list[int], ends: list[int], days: list[tuple[int, int]]) -> None:
        self.starts = np.array(starts, dtype=np.int64)
        self.ends = np.array(ends, dtype=np.int64)
        self.day_starts = np.array([first for first, _ in days], dtype=np.int64)
        self.day_ends = np.array([last for _, last in days], dtype=np.int64)


class Days:
    """Working days of a grid in business-time positions, for :meth:`add_business_days`."""

    __slots__ = ("begin", "first", "length", "reach")

    def __init__(self, grid: Grid, chunks: Sequence[Chunk]) -> None:
        firsts = np.concatenate([c.day_starts for c in chunks])
        lasts = np.concatenate([c.day_ends for c in chunks])
        order = np.argsort(firsts, kind="stable")
        firsts, lasts = firsts[order], lasts[order]
        begin = grid.positions(firsts)
        length = grid.positions(lasts) - begin
        keep = length > 0
        self.first: list[int] = firsts[keep].tolist()
        self.begin: list[int] = begin[keep].tolist()
        self.length: list[int] = length[keep].tolist()
        # Running maximum of the closing instants: the search key for "day not over yet".
        self.reach: list[int] = np.maximum.accumulate(lasts[keep]).tolist() if keep.any() else []


class Grid:
    """Merged UTC working intervals of local years ``first_year..last_year``.

    ``cum[i]`` is the business time before interval ``i``; ``position(t)`` (business time from
    the grid's start to ``t``) is exact for ``lo <= t <= hi``: years outside the grid can only
    add intervals before ``lo`` or from ``hi`` on.
    """

    __slots__ = (
        "c",
        "ce",
        "chunks",
        "cum",
        "cum_end",
        "days",
        "e",
        "ends",
        "first_year",
        "hi",
        "hi_position",
        "last_year",
        "lo",
        "s",
        "starts",
    )

    def __init__(
        self, first_year: int, last_year: int, lo: int, hi: int, chunks: Sequence[Chunk]
    ) -> None:
        self.first_year, self.last_year, self.lo, self.hi = first_year, last_year, lo, hi
        self.chunks = tuple(chunks)
        starts = np.concatenate([[SENTINEL], *(c.starts for c in chunks)]).astype(np.int64)
        ends = np.concatenate([[SENTINEL], *(c.ends for c in chunks)]).astype(np.int64)
        order = np.lexsort((ends, starts))
        starts, ends = starts[order], ends[order]
        reach = np.maximum.accumulate(ends)
        opens = np.flatnonzero(np.concatenate([[True], starts[1:] > reach[:-1]]))
        closes = np.concatenate([opens[1:] - 1, [len(starts) - 1]])
        self.starts: Int64Array = starts[opens]
        self.ends: Int64Array = reach[closes]
        lengths = self.ends - self.starts
        self.cum_end: Int64Array = np.cumsum(lengths)
        self.cum: Int64Array = self.cum_end - lengths
        self.s: list[int] = self.starts.tolist()
        self.e: list[int] = self.ends.tolist()
        self.c: list[int] = self.cum.tolist()
        self.ce: list[int] = self.cum_end.tolist()
        self.hi_position = self.position(hi)
        self.days: Days | None = None

    def covers(self, lo: int, hi: int) -> bool:
        return self.lo <= lo and hi < self.hi

    def position(self, t: int) -> int:
        i = bisect_right(self.s, t) - 1
        return self.c[i] + min(t, self.e[i]) - self.s[i]

    def instant(self, target: int) -> int:
        """The first instant at which ``target`` (> 0, <= ``hi_position``) has elapsed."""
        j = bisect_left(self.ce, target)
        return self.s[j] + target - self.c[j]

    def positions(self, t: Int64Array) -> Int64Array:
        i = np.searchsorted(self.starts, t, side="right") - 1
        found: Int64Array = self.cum[i] + np.minimum(t, self.ends[i]) - self.starts[i]
        return found

    def instants(self, target: Int64Array) -> Int64Array:
        j = np.minimum(np.searchsorted(self.cum_end, target, side="left"), len(self.s) - 1)
        found: Int64Array = self.starts[j] + (target - self.cum[j])
        return found

    def working_days(self) -> Days:
        if self.days is None:
            self.days = Days(self, self.chunks)
        return self.days
