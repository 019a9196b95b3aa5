"""`pactline clock` — the SLA clock loop: records warnings, breaches and escalations on time."""

from __future__ import annotations

import signal
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from pactline.cases.clock_loop import LONGEST_SLEEP, ClockLoop
from pactline.cases.clocks import Tick


class Command(BaseCommand):
    help = "Run the SLA clock loop (several loops may run at once; each event fires once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="clocks per transaction")
        parser.add_argument(
            "--poll",
            type=float,
            default=LONGEST_SLEEP,
            help="longest sleep before the next look, in seconds (the loop otherwise sleeps"
            " until the earliest next event)",
        )
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

        def report(tick: Tick) -> None:
            if tick.events:
                self.stdout.write(f"{len(tick.events)} SLA event(s) on {tick.clocks} clock(s)")

        loop = ClockLoop(batch=options["batch"], longest=options["poll"], on_tick=report)
        loop.run(stopping=lambda: stopping, once=options["once"])
