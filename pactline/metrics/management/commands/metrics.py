"""`pactline metrics run` keeps the rollups current; `pactline metrics rebuild` re-derives a
period of one client through the same path."""

from __future__ import annotations

import signal
import time
from argparse import ArgumentParser
from datetime import date, timedelta
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from pactline.metrics.after_rollups import after_rollups_jobs
from pactline.metrics.consumer import BATCH, consume_all
from pactline.metrics.intervals import local_midnight
from pactline.metrics.rebuild import metrics_rebuild
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Interval rollups: run the consumer, or rebuild a period of one client."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="consume new and changed contacts continuously")
        run.add_argument("--once", action="store_true", help="drain once, then exit")
        run.add_argument("--poll", type=float, default=1.0, help="sleep when idle, seconds")
        run.add_argument("--batch", type=int, default=BATCH, help="sources per transaction")
        rebuild = actions.add_parser("rebuild", help="re-derive a period of one client")
        rebuild.add_argument("--client", required=True, help="the client's code")
        rebuild.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        rebuild.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "rebuild":
            self._rebuild(options)
        else:
            self._run(options)

    def _rebuild(self, options: dict[str, Any]) -> None:
        client = Client.objects.filter(code=options["client"]).first()
        if client is None:
            raise CommandError(f"no client with code '{options['client']}'")
        first, last = _day(options["start"]), _day(options["end"])
        if last < first:
            raise CommandError("--to is before --from")
        zone: ZoneInfo = client_zone(client)
        done = metrics_rebuild(
            actor=system_actor("metrics rebuild"),
            client=client,
            start=local_midnight(first, zone),
            end=local_midnight(last + timedelta(days=1), zone),
        )
        self.stdout.write(
            f"rebuilt {client.code} {first}..{last} ({zone.key}): "
            f"{done.sources} sources, {done.intervals} intervals"
        )

    def _run(self, options: dict[str, Any]) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        last_run: dict[str, float] = {}
        while not stopping:
            read = consume_all(batch=options["batch"])
            if read:
                self.stdout.write(f"metrics: {read} contact(s) rolled up")
            # After the rollups caught up: the registered jobs (reports that fell due), each
            # at most once per its interval.
            for registered in after_rollups_jobs():
                ran = last_run.get(registered.name)
                if ran is not None and time.monotonic() - ran < registered.every:
                    continue
                last_run[registered.name] = time.monotonic()
                for line in registered.job():
                    self.stdout.write(line)
            if options["once"]:
                return
            close_old_connections()
            if not read:
                time.sleep(options["poll"])
