"""Business-time deadlines: Pactline's grid vs pandas CustomBusinessHour vs businesstimedelta.

100,000 random (start, whole-hours target) pairs on a split-shift calendar with holidays:
Europe/Berlin, Mon-Fri 09:00-12:00 + 13:00-17:00, German public holidays. The peers work in
naive local time (the calendar's DST changes fall outside working hours, so naive wall-clock
arithmetic is exact here). Slow peers are timed on a subsample and extrapolated per item
(``--full`` runs them on everything). Conventions: pandas moves a deadline landing exactly
on a closing time to the next opening; Pactline and businesstimedelta keep the closing
instant; such pairs are counted as conventions, not disagreements.

Run: ``.venv/bin/python bench/calendar_deadlines.py [--full] [--sample N]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import businesstimedelta as btd
import numpy as np
import pandas as pd

from pactline.core.calendar import BusinessCalendar

ZONE = ZoneInfo("Europe/Berlin")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
SPEC = {
    "timezone": "Europe/Berlin",
    "hours": {day: ["09:00-12:00", "13:00-17:00"] for day in WEEKDAYS},
    "holidays": {"country": "DE"},
}
COUNT = 100_000
MAX_HOURS = 40


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best


def local_naive(moment: datetime) -> datetime:
    return moment.astimezone(ZONE).replace(tzinfo=None)


def from_local(naive: datetime) -> datetime:
    return naive.replace(tzinfo=ZONE).astimezone(UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="run the peers on all pairs")
    parser.add_argument("--sample", type=int, default=5_000, help="peer subsample size")
    parser.add_argument("--smoke", action="store_true", help="2,000 pairs, 200 through the peers")
    args = parser.parse_args()
    global COUNT
    if args.smoke:
        COUNT, args.sample = 2_000, 200

    rng = np.random.default_rng(20251103)
    first = np.datetime64("2025-01-01T00:00", "m").astype(np.int64)
    last = np.datetime64("2027-01-01T00:00", "m").astype(np.int64)
    starts = rng.integers(first, last, COUNT).astype("datetime64[m]").astype("datetime64[ns]")
    hours = rng.integers(1, MAX_HOURS + 1, COUNT)
    seconds = hours * 3600.0
    print(f"{COUNT:,} deadlines, +1..{MAX_HOURS} h, starts 2025-2026 (random minutes, UTC)")
    print("calendar: Europe/Berlin Mon-Fri 09:00-12:00 + 13:00-17:00, DE public holidays")
    print()

    # --- Pactline ------------------------------------------------------------------------
    calendar = BusinessCalendar.from_spec(SPEC)
    began = time.perf_counter()
    ours = calendar.add_many(starts, seconds)
    cold = time.perf_counter() - began
    warm = best_of(7, lambda: calendar.add_many(starts, seconds))
    print(f"pactline add_many      cold {cold * 1e3:8.2f} ms (builds the grid)")
    print(f"pactline add_many      warm {warm * 1e3:8.2f} ms  ({warm / COUNT * 1e9:.0f} ns each)")

    starts_utc = [
        datetime.fromtimestamp(int(ns) // 1_000_000_000, UTC)
        for ns in starts.astype(np.int64).tolist()
    ]
    scalar_pairs = list(zip(starts_utc[:20_000], seconds[:20_000].tolist(), strict=True))

    def run_scalar() -> None:
        for start, secs in scalar_pairs:
            calendar.add(start, secs)

    scalar = best_of(3, run_scalar) / len(scalar_pairs)
    print(f"pactline add (scalar)       {scalar * 1e6:8.2f} µs per call")
    scalar_ours = [calendar.add(start, secs) for start, secs in scalar_pairs[:2000]]
    batch_ours = [datetime.fromtimestamp(int(ns) / 1e9, UTC) for ns in ours[:2000].astype(np.int64)]
    if scalar_ours != batch_ours:
        raise SystemExit("scalar add and add_many disagree")
    print(f"pactline add == add_many on {len(scalar_ours):,} pairs")
    print()

    # --- Peers ---------------------------------------------------------------------------
    closed = sorted(calendar.spec.public_holidays(range(2024, 2030)))
    size = COUNT if args.full else min(args.sample, COUNT)
    picked = rng.choice(COUNT, size=size, replace=False) if size < COUNT else np.arange(COUNT)
    local_starts = [local_naive(starts_utc[i]) for i in picked.tolist()]
    picked_hours = hours[picked].tolist()
    expected = [
        datetime.fromtimestamp(int(ns) // 1_000_000_000, UTC)
        for ns in ours[picked].astype(np.int64).tolist()
    ]
    scope = "all pairs" if size == COUNT else f"a subsample of {size:,}, extrapolated per item"
    print(f"peers timed on {scope}")

    offsets = [
        pd.offsets.CustomBusinessHour(
            n=n, start=["09:00", "13:00"], end=["12:00", "17:00"], holidays=closed
        )
        for n in range(MAX_HOURS + 1)
    ]
    rules = btd.Rules(
        [
            btd.WorkDayRule(
                start_time=clock_time(9), end_time=clock_time(17), working_days=[0, 1, 2, 3, 4]
            ),
            btd.LunchTimeRule(
                start_time=clock_time(12), end_time=clock_time(13), working_days=[0, 1, 2, 3, 4]
            ),
            btd.HolidayRule(frozenset(closed)),
        ]
    )
    deltas = [btd.BusinessTimeDelta(rules, hours=n) for n in range(MAX_HOURS + 1)]

    def run_pandas() -> list[datetime]:
        return [
            (pd.Timestamp(start) + offsets[n]).to_pydatetime()
            for start, n in zip(local_starts, picked_hours, strict=True)
        ]

    def run_btd() -> list[datetime]:
        return [start + deltas[n] for start, n in zip(local_starts, picked_hours, strict=True)]

    results: dict[str, tuple[float, list[datetime]]] = {}
    for name, run in (("pandas CustomBusinessHour", run_pandas), ("businesstimedelta", run_btd)):
        began = time.perf_counter()
        found = run()
        elapsed = time.perf_counter() - began
        results[name] = (
            elapsed / size,
            [from_local(value.replace(tzinfo=None)) for value in found],
        )

    for name, (each, found) in results.items():
        total = each * COUNT
        exact = convention = disagree = 0
        for mine, theirs in zip(expected, found, strict=True):
            if mine == theirs:
                exact += 1
            elif not calendar.is_open(mine) and calendar.next_open(mine) == theirs:
                convention += 1  # closing instant vs the next opening: the same business time
            else:
                disagree += 1
        print(
            f"{name:26s} {each * 1e6:8.2f} µs each -> {total:8.3f} s per {COUNT:,}; "
            f"pactline add_many is {total / warm:,.0f}x faster, scalar add {each / scalar:,.0f}x"
        )
        print(
            f"{'':26s} agree {exact:,}, closing-instant convention {convention:,}, "
            f"disagreeing {disagree}"
        )
    print()
    pandas_each = results["pandas CustomBusinessHour"][0]
    btd_each = results["businesstimedelta"][0]
    print("goals: add_many >= 300x both peers; scalar add >= 20x businesstimedelta")
    print(
        f"  add_many vs pandas {pandas_each * COUNT / warm:,.0f}x, "
        f"vs businesstimedelta {btd_each * COUNT / warm:,.0f}x; "
        f"scalar add vs businesstimedelta {btd_each / scalar:,.0f}x"
    )


if __name__ == "__main__":
    main()
