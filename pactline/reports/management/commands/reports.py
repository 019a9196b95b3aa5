"""`pactline reports run-due` generates and emails the reports whose period has ended;
`pactline reports generate` generates one report for one period by hand."""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pactline.common.errors import NotFound, ValidationFailed
from pactline.reports.services import report_generate, reports_generate_due
from pactline.tenancy.access import system_actor
from pactline.tenancy.models import Client


class Command(BaseCommand):
    help = "Reports owed under the agreements: send the due ones, or generate one."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        due = actions.add_parser("run-due", help="generate and email every report now due")
        due.add_argument("--now", help="act as if it were this instant (ISO 8601, with offset)")
        one = actions.add_parser("generate", help="generate one report for one period")
        one.add_argument("--client", required=True, help="the client's code")
        one.add_argument("--report", required=True, help="the report's name in the agreement")
        one.add_argument("--period", required=True, help="first day of the period, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            self._generate(options)
            return
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"'{options['now']}' is not an ISO 8601 instant") from exc
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset")
        for delivery in reports_generate_due(now=now):
            self.stdout.write(
                f"emailed {delivery.client} '{delivery.report_name}' {delivery.period_start}"
                f" v{delivery.version} to {', '.join(delivery.sent_to)}"
                + (f" (revision of v{delivery.replaces})" if delivery.replaces else "")
            )

    def _generate(self, options: dict[str, Any]) -> None:
        client = Client.objects.filter(code=options["client"]).first()
        if client is None:
            raise CommandError(f"no client with code '{options['client']}'")
        try:
            first = date.fromisoformat(options["period"])
        except ValueError as exc:
            raise CommandError(f"'{options['period']}' is not a date (YYYY-MM-DD)") from exc
        try:
            generated = report_generate(
                actor=system_actor("reports generate"),
                client=client,
                report_name=options["report"],
                period_start=first,
            )
        except NotFound as exc:
            raise CommandError("no agreement in force for this client") from exc
        except ValidationFailed as exc:
            raise CommandError("; ".join(error.message for error in exc.errors)) from exc
        report = generated.report
        state = "generated" if generated.created else "unchanged"
        self.stdout.write(
            f"{state}: '{report.report_name}' {report.period_start}..{report.period_end}"
            f" v{report.version} (#{report.pk})"
        )
