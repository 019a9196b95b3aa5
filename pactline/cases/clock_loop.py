"""The SLA clock loop: fire what is due, then sleep until the earliest next event.

The loop never polls at a fixed cadence: after a pass it reads the earliest `next_event_at`
of the active clocks (one index probe) and sleeps until then, so an event is looked at the
instant it falls due. The sleep is bounded by `longest`, which is how soon a clock created
meanwhile by another process (due sooner than anything stored before) is noticed."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import close_old_connections
from django.utils import timezone

from pactline.cases.clocks import Tick, clocks_fire_due, next_due_at
from pactline.cases.escalations import escalation_actions_wake

LONGEST_SLEEP = 1.0
SWEEP_SECONDS = 30.0


def clock_sleep_seconds(*, now: datetime, upcoming: datetime | None, longest: float) -> float:
    """Seconds to sleep after a pass that left nothing due: until the earliest next event,
    at most `longest` (nothing scheduled: `longest`), never negative."""
    if upcoming is None:
        return longest
    return min(longest, max(0.0, (upcoming - now).total_seconds()))


@dataclass
class ClockLoop:
    """One loop; several may run at once (each event fires once)."""

    batch: int = 2000
    longest: float = LONGEST_SLEEP
    on_tick: Callable[[Tick], None] | None = None
    sleep: Callable[[float], None] = time.sleep
    sweep_seconds: float = SWEEP_SECONDS
    # Between passes: a long-lived process must not keep a broken or expired connection.
    close_connections: Callable[[], None] = close_old_connections

    def wait(self) -> float:
        """Seconds until the earliest next event, at most `longest`."""
        return clock_sleep_seconds(now=timezone.now(), upcoming=next_due_at(), longest=self.longest)

    def run(self, *, stopping: Callable[[], bool], once: bool = False) -> None:
        # Everything loaded so far (Django, the apps, the agreements) lives as long as the
        # process: keep it out of the collector's full passes, which otherwise walk it all
        # in the middle of a batch (about 0.1 s, every few thousand events).
        gc.freeze()
        next_sweep = 0.0
        while not stopping():
            tick = clocks_fire_due(now=timezone.now(), batch=self.batch)
            if self.on_tick is not None:
                self.on_tick(tick)
            if time.monotonic() >= next_sweep:
                # Actions left by a crashed worker, or retries a backend could not defer.
                escalation_actions_wake(now=timezone.now())
                next_sweep = time.monotonic() + self.sweep_seconds
            if once:
                return
            self.close_connections()
            if tick.clocks >= self.batch:
                continue  # more is due: no sleep
            wait = self.wait()
            if wait > 0:
                self.sleep(wait)
