"""`pactline clock` — the SLA clock loop: records warnings, breaches and escalations on time."""

from __future__ import annotations

import signal
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from pactline.cases.clocks import clocks_fire_due, next_due_at
from pactline.cases.escalations import escalation_actions_wake

SWEEP_SECONDS = 30.0


class Command(BaseCommand):
    help = "Run the SLA clock loop (several loops may run at once; each event fires once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="clocks per transaction")
        parser.add_argument(
            "--poll", type=float, default=1.0, help="longest sleep between looks, in seconds"
        )
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        poll: float = options["poll"]
        next_sweep = 0.0
        while not stopping:
            tick = clocks_fire_due(now=timezone.now(), batch=options["batch"])
            if time.monotonic() >= next_sweep:
                # Actions left by a crashed worker, or retries a backend could not defer.
                escalation_actions_wake(now=timezone.now())
                next_sweep = time.monotonic() + SWEEP_SECONDS
            if tick.events:
                self.stdout.write(f"{len(tick.events)} SLA event(s) on {tick.clocks} clock(s)")
            if options["once"]:
                return
            if tick.clocks >= options["batch"]:
                continue  # more is due: no sleep
            close_old_connections()
            upcoming = next_due_at()
            wait = poll
            if upcoming is not None:
                wait = min(poll, max(0.0, (upcoming - timezone.now()).total_seconds()))
            time.sleep(wait)
