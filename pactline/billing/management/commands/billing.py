"""`pactline billing consume` derives usage from new and changed contacts; `pactline billing
rebuild` re-derives one client's month through the same path; `pactline billing close` closes
one client's month by hand (the same step `pactline serve` runs when a month has ended);
`pactline billing charges` imports a carrier's pass-through charges from CSV."""

from __future__ import annotations

import signal
import time
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from pactline.billing.close import close_command
from pactline.billing.consumer import BATCH, usage_consume_all
from pactline.billing.pass_through import charges_import
from pactline.billing.rebuild import usage_rebuild
from pactline.common.errors import DomainError, ValidationFailed
from pactline.metrics.intervals import local_midnight
from pactline.metrics.timezones import client_zone
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client


def month_of(value: str) -> date:
    """The first day of the month `YYYY-MM`."""
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(value)
        return date(int(year), int(month), 1)
    except ValueError as exc:
        raise CommandError(f"--period: '{value}' is not a month (YYYY-MM)") from exc


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def client_by_code(code: str) -> Client:
    client = Client.objects.filter(code=code).first()
    if client is None:
        raise CommandError(f"--client: no client with code '{code}'")
    return client


class Command(BaseCommand):
    help = "Billing usage: derive it from the contacts, or rebuild one client's month."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        consume = actions.add_parser("consume", help="derive usage from new and changed contacts")
        consume.add_argument("--once", action="store_true", help="drain once, then exit")
        consume.add_argument("--poll", type=float, default=5.0, help="sleep when idle, seconds")
        consume.add_argument("--batch", type=int, default=BATCH, help="sources per transaction")
        rebuild = actions.add_parser("rebuild", help="re-derive one month of one client")
        rebuild.add_argument("--client", required=True, help="the client's code")
        rebuild.add_argument("--period", required=True, help="the month, YYYY-MM (client's zone)")
        close = actions.add_parser("close", help="close one month of one client: draft invoice")
        close.add_argument("--client", required=True, help="the client's code")
        close.add_argument("--period", required=True, help="the month, YYYY-MM (client's zone)")
        charges = actions.add_parser("charges", help="import a carrier's pass-through charges")
        charges.add_argument("--client", required=True, help="the client's code")
        charges.add_argument(
            "--file", required=True, help="CSV: date, amount, description, reference"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # One small method per action; an action added later is one more entry here.
        actions = {
            "consume": self._consume,
            "rebuild": self._rebuild,
            "close": self._close,
            "charges": self._charges,
        }
        actions[options["action"]](options)

    def _consume(self, options: dict[str, Any]) -> None:
        if options["batch"] < 1:
            raise CommandError("--batch: give at least 1")
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping:
            read = usage_consume_all(batch=options["batch"])
            if read or options["once"]:
                self.stdout.write(f"billing: usage of {read} contact(s) derived")
            if options["once"]:
                return
            close_old_connections()
            if not read:
                time.sleep(options["poll"])

    def _rebuild(self, options: dict[str, Any]) -> None:
        client = client_by_code(options["client"])
        first = month_of(options["period"])
        zone = client_zone(client)
        done = usage_rebuild(
            actor=system_actor("billing rebuild"),
            client=client,
            start=local_midnight(first, zone),
            end=local_midnight(next_month(first), zone),
        )
        self.stdout.write(
            f"rebuilt usage of {client.code} {first:%Y-%m} ({zone.key}): "
            f"{done.sources} sources, {done.records} records"
        )

    def _close(self, options: dict[str, Any]) -> None:
        try:
            self.stdout.write(close_command(options["client"], options["period"]))
        except DomainError as error:
            raise CommandError(str(error)) from error

    def _charges(self, options: dict[str, Any]) -> None:
        client = client_by_code(options["client"])
        try:
            text = Path(options["file"]).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"--file: cannot read {options['file']}: {exc}") from exc
        try:
            recorded = charges_import(
                actor=system_actor("billing charges"), client=client, text=text, now=timezone.now()
            )
        except ValidationFailed as failed:
            lines = [f"line {e.line}, {e.path}: {e.message}" for e in failed.errors]
            raise CommandError("nothing imported:\n" + "\n".join(lines)) from failed
        self.stdout.write(f"{client.code}: {len(recorded)} pass-through charge(s) recorded")
