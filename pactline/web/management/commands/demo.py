from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from pactline.web.demo import DemoOptions, demo_load


class Command(BaseCommand):
    help = (
        "Load the example agreements as clients, a demo user per role, and demo contacts on "
        "every channel: a month of calls, email over SMTP, chats, social messages, recordings "
        "and an outbound campaign. Safe to run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--call-days",
            type=int,
            default=None,
            help=_(
                "Generate calls for the last N days only (default: the last full month and "
                "this month to date)."
            ),
        )
        parser.add_argument(
            "--call-scale",
            type=float,
            default=1.0,
            help=_("Multiply the number of calls per day (default 1)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["call_days"] is not None and options["call_days"] < 1:
            raise CommandError(_("--call-days must be at least 1"))
        if not 0 < options["call_scale"] <= 10:
            raise CommandError(_("--call-scale must be above 0 and at most 10"))
        started = time.monotonic()
        lines = demo_load(
            options=DemoOptions(call_days=options["call_days"], call_scale=options["call_scale"])
        )
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(
            _("Demo loaded in %(seconds).1f s.") % {"seconds": time.monotonic() - started}
        )
